"""The statistics in a real browser: the dashboard drilled down city → county → township → committee, a number
clicked and its case list counted, and the MoJ form; at 1366 px and 390 px, screenshots in
test-output/screenshots/<viewport>/NN-dashboard-*.png."""

import re

import pytest

from tests.insights.dataset import build_dataset

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def kpi(page, label: str) -> int:
    return int(page.locator(f'[data-kpi="{label}"] .kpi-value').inner_text().strip())


def charts_drawn(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(e => e.dataset.ready === '1'"
        " && e.querySelector('canvas'))"
    )


def drill(s, name: str) -> None:
    with s.page.expect_navigation():
        s.page.locator("#drilldown a.drill", has_text=name).click()
    charts_drawn(s.page)
    s.check_width()


def test_dashboard_drill_down_and_case_list(e2e_world, session):
    build_dataset(e2e_world)
    s, page = session, session.page
    s.login("city_admin")

    s.goto("/insights/?period=2026-03")
    charts_drawn(page)
    assert page.locator("h1").inner_text().startswith("咸宁市")
    # issue 9 §4: 调解案件 = mediations ended in March (6), 在办 apart (2); rate 5 ÷ (5 + 1)
    assert (kpi(page, "收案"), kpi(page, "受理"), kpi(page, "调解案件"), kpi(page, "调解成功")) == (9, 8, 6, 5)
    assert kpi(page, "在办") == 2
    assert page.locator('[data-kpi="调解成功率"] .kpi-value').inner_text().strip() == "83.3"
    s.shot("dashboard-city")

    drill(s, "咸安区")
    assert "area=421202&" in page.url or page.url.endswith("area=421202")
    assert kpi(page, "调解案件") == 5
    s.shot("dashboard-county")

    drill(s, "温泉街道")
    assert kpi(page, "调解案件") == 5
    rows = page.locator("#drilldown tbody tr")
    assert rows.count() == 2  # 桂花村 and the 街道 committee itself
    s.shot("dashboard-township")

    drill(s, "桂花村人民调解委员会")
    assert "桂花村人民调解委员会" in page.locator("h1").inner_text()
    accepted = kpi(page, "调解案件")
    assert accepted == 4
    s.shot("dashboard-committee")

    with page.expect_navigation():
        page.locator('[data-kpi="调解案件"]').click()
    s.check_width()
    assert int(page.locator("#case-count").inner_text()) == accepted
    assert page.locator("main table tbody tr").count() == accepted
    s.shot("dashboard-case-list")

    # the breadcrumb leads back up; a table number in the city's data table opens its list
    s.goto("/insights/?period=2026-03")
    charts_drawn(page)
    link = page.locator("#drilldown a.n-cases").first
    number = int(link.inner_text())
    with page.expect_navigation():
        link.click()
    assert int(page.locator("#case-count").inner_text()) == number == 5

    s.goto("/insights/form/?period=2026-03")
    assert page.locator("#section-cases th", has_text="按纠纷类型").count() == 1
    total = page.locator("#section-cases tbody tr").first.locator("td a").first
    assert total.inner_text() == "8"  # the 合计 row's first figure: 本期受理
    s.shot("monthly-form")
    with page.expect_download() as download:
        page.click("#download-xlsx")
    assert re.search(r"\.xlsx$", download.value.suggested_filename)

    assert not s.overflows, s.overflows
