"""The organisation pages in a real browser at 1366 and 390 px: a county administrator opens the registry, fills
the new-committee form wrongly (a studio without its person) and then rightly, picks the village by name, records
the 备案 with a file, and opens the deactivation page. Nothing may scroll sideways at 390 px.
Screenshots: test-output/screens/h-orgs/{desktop,phone}/orgs-*.png."""

from pathlib import Path

import pytest

from registry.models import Committee, RegistryChange
from tests.files import clean_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-orgs"


def shot(session, name: str) -> None:
    out = OUT / session.viewport
    out.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(out / f"orgs-{name}.png"), full_page=True)
    session.check_width(name)


def test_county_admin_creates_files_and_opens_deactivation(e2e_world, session, settings, tmp_path):
    settings.TOTP_REQUIRED_ROLES = []
    page = session.page
    session.login("county_admin")
    session.goto("/console/committees/")
    assert "调解组织名册" in page.content()
    shot(session, "list")

    page.click("a:has-text('新建调解组织')")
    page.fill("#id_name", "柏墩村调解工作室")
    page.fill("#id_short_name", "柏墩工作室")
    page.select_option("#id_committee_type", "VILLAGE")
    page.select_option("#id_kind", "STUDIO")
    page.select_option("#id_township", "421202001")
    # Only the villages of the chosen township are offered.
    offered = page.eval_on_selector_all("#id_village option:not([hidden])", "os => os.map(o => o.textContent)")
    assert "柏墩村" in offered and "城关村" not in offered
    page.select_option("#id_village", "421202001002")
    session.submit()
    assert "个人调解工作室须填写领衔调解员姓名" in page.content()
    shot(session, "new-errors")

    page.fill("#id_studio_person", "刘桂英")
    page.fill("#id_name", "柏墩村刘桂英人民调解工作室")
    session.submit()
    committee = Committee.objects.get(short_name="柏墩工作室")
    assert page.url.endswith(f"/console/committees/{committee.pk}/")
    assert "已新建调解组织" in page.content()

    session.goto(f"/console/registry/committees/{committee.pk}/filing/")
    page.fill("#id_filing_date", "2025-06-01")
    page.fill("#id_filing_number", "咸司备〔2025〕12号")
    with page.expect_navigation():
        page.click("button:has-text('保存备案信息')")
    pdf = tmp_path / "设立文件.pdf"
    pdf.write_bytes(clean_pdf())
    page.fill("#id_title", "设立文件")
    page.set_input_files("#id_file", str(pdf))
    with page.expect_navigation():
        page.click("button:has-text('上传')")
    assert "已上传备案材料" in page.content()
    shot(session, "filing")

    session.goto(f"/console/committees/{committee.pk}/")
    assert "咸司备〔2025〕12号" in page.content() and "变更记录" in page.content()
    shot(session, "detail")
    session.goto(f"/console/registry/committees/{committee.pk}/deactivate/")
    shot(session, "deactivate")
    page.fill("#id_reason", "村组合并")
    session.submit()
    assert "其案件和统计数据保留" in page.content() and "已撤销" in page.content()
    shot(session, "detail-deactivated")
    session.goto(f"/console/registry/committees/{committee.pk}/edit/")
    shot(session, "edit")
    session.goto("/console/registry/changes/")
    shot(session, "changes")
    assert RegistryChange.objects.filter(committee=committee).count() == 4
    assert not session.overflows, session.overflows


def test_city_admin_picks_county_then_township_then_village(e2e_world, session, settings):
    settings.TOTP_REQUIRED_ROLES = []
    page = session.page
    session.login("city_admin")
    session.goto("/console/registry/committees/new/")

    def offered(select: str) -> list[str]:
        return page.eval_on_selector_all(f"{select} option:not([hidden])", "os => os.map(o => o.textContent)")

    assert offered("#id_township") == ["县/区本级"] and offered("#id_village") == ["乡镇/街道本级"]
    page.select_option("#id_county", "421221")
    assert offered("#id_township") == ["县/区本级", "鱼岳镇"]
    page.select_option("#id_township", "421221100")
    assert offered("#id_village") == ["乡镇/街道本级", "城关村"]
    page.select_option("#id_county", "421202")  # a change higher up clears the choices below
    assert page.input_value("#id_township") == "" and page.input_value("#id_village") == ""
    shot(session, "new-city")
    assert not session.overflows, session.overflows
