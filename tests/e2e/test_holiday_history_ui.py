"""The holiday page at 1366 px and 390 px: the city bureau changes a day with a reason and sees it in the history
list; a county administrator sees the history without edit controls. Screenshots in
test-output/screenshots/<viewport>/holidays-*.png; no sideways scrolling at 390 px."""

import pytest

from workdays.models import HolidayChange

pytestmark = pytest.mark.django_db(transaction=True)


def test_holiday_edit_is_shown_in_the_history(e2e_world, session):
    s = session
    s.login("city_admin")
    s.goto("/console/holidays/?year=2026")
    s.page.fill("#id_date", "2026-12-05")
    s.page.select_option("#id_kind", "WORKDAY")
    s.page.fill("#id_name", "调休上班")
    s.page.fill("#id_reason", "国办发明电〔2026〕1号")
    with s.page.expect_navigation():
        s.page.click("main form button:has-text('保存')")
    s.check_width()
    history = s.page.locator("#holiday-history")
    assert "国办发明电〔2026〕1号" in history.inner_text()
    assert "默认（周一至周五工作） → 调休上班日（调休上班）" in history.inner_text()
    s.shot("holidays-city-admin")
    change = HolidayChange.objects.filter(reason="国办发明电〔2026〕1号").get()
    assert change.actor.username == "city_admin"
    s.logout()
    s.login("county_admin")
    s.goto("/console/holidays/?year=2026")
    assert "国办发明电〔2026〕1号" in s.page.locator("#holiday-history").inner_text()
    assert s.page.locator("button:has-text('删除')").count() == 0
    s.shot("holidays-county-admin")
    assert not s.overflows, s.overflows
