"""Issue 9 §2 in a real browser at 1366 and 390 px: a county administrator adds a mediator (first with mistakes),
opens a login account for them (the password shown once), looks at the terms page; the mediator signs in with the
handed-over password, must change it, and then reaches the committee's workbench; the roster lists the mediator.
Screenshots: test-output/screens/h-people/{desktop,phone}/*.png."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from registry.models import Mediator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Xianning#2026qs"
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-people"
ID_NUMBER = "421202197503090031"  # checksum-valid, male


def shot(session, name: str) -> None:
    out = SCREENS / session.viewport
    out.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    session.check_width(name)


def test_add_mediator_open_account_forced_change(e2e_world, session, browser, live_server):
    from tests.browser import VIEWPORTS, Session

    today = timezone.localdate()
    soon = Mediator.objects.get(user=e2e_world.mediator_a)
    soon.term_start, soon.term_end = today - timedelta(days=1000), today + timedelta(days=20)
    soon.save()
    late = Mediator.objects.get(user=e2e_world.mediator_a2)
    late.term_start, late.term_end = today - timedelta(days=1100), today - timedelta(days=5)
    late.save()

    page = session.page
    session.login("county_admin")
    session.goto(f"/console/registry/committees/{e2e_world.village_a.pk}/mediators/new/")
    page.fill("#id_name", "吴新民")
    page.select_option("#id_gender", "F")
    page.select_option("#id_category", "FULL_TIME")
    page.fill("#id_term_start", "2026-01-01")
    page.fill("#id_term_end", "2025-12-31")
    page.fill("#id_phone", "138123")
    page.fill("#id_id_number", ID_NUMBER[:-1] + "2")
    page.fill("#id_specialties", "邻里纠纷、土地承包")
    session.submit()
    html = page.content()
    assert "校验位不正确" in html and "任期结束日期应晚于开始日期" in html and "请填写11位手机号" in html
    shot(session, "01-mediator-form-errors")
    page.fill("#id_term_end", "2028-12-31")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_id_number", ID_NUMBER)
    page.select_option("#id_gender", "M")
    session.submit()
    assert "已增加调解员 吴新民" in page.content() and "421***********0031" in page.content()
    shot(session, "02-mediator-page")

    with page.expect_navigation():
        page.click("a:has-text('开通登录账号')")
    page.fill("#id_username", f"wuxinmin_{session.viewport}")
    session.submit()
    password = page.locator("#handover-password").inner_text().strip()
    assert re.fullmatch(r"\S{12}", password) and "只显示这一次" in page.content()
    shot(session, "03-account-password-once")
    with page.expect_navigation():
        page.click("a:has-text('查看账号')")
    assert password not in page.content() and "待修改初始密码" in page.content() and "开通账号" in page.content()
    shot(session, "03b-account-page")

    session.goto("/console/registry/terms/")
    assert "李调解" in page.content() and "已届满 5 天" in page.content()
    shot(session, "04-terms")
    session.goto("/console/mediators/")
    shot(session, "05-console-mediators")
    session.logout()

    context = browser.new_context(viewport=VIEWPORTS[session.viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    mediator = Session(context.new_page(), live_server.url, session.viewport)
    mediator.login(f"wuxinmin_{session.viewport}", password)
    assert "/accounts/password/" in mediator.page.url and "请先修改密码" in mediator.page.content()
    mediator.goto("/workbench/")
    assert "/accounts/password/" in mediator.page.url
    mediator.page.fill("#id_old_password", password)
    mediator.page.fill("#id_new_password1", "wuxinmin2026")
    mediator.page.fill("#id_new_password2", "wuxinmin2026")
    mediator.submit()
    assert "3类" in mediator.page.content()
    shot(mediator, "06-forced-change-error")
    mediator.page.fill("#id_old_password", password)
    mediator.page.fill("#id_new_password1", NEW_PASSWORD)
    mediator.page.fill("#id_new_password2", NEW_PASSWORD)
    mediator.submit()
    assert "/workbench/" in mediator.page.url and "密码已修改" in mediator.page.content()
    shot(mediator, "07-workbench-after-change")
    mediator.goto("/portal/roster/")
    assert "吴新民" in mediator.page.content()
    context.close()
    assert not session.overflows and not mediator.overflows, session.overflows + mediator.overflows


def test_leave_and_staff_account_pages(e2e_world, session):
    """The 离任 form, the account of someone who has left, and a 司法所 officer's new account, looked at."""
    page = session.page
    mediator = Mediator.objects.get(user=e2e_world.mediator_a)
    session.login("county_admin")
    session.goto(f"/console/registry/mediators/{mediator.pk}/leave/")
    page.fill("#id_left_reason", "")
    session.submit()
    assert "请填写离任原因" in page.content()
    shot(session, "08-leave-form-error")
    page.fill("#id_left_reason", "辞职")
    session.submit()
    assert "其登录账号已停用" in page.content()
    shot(session, "09-mediator-left")
    session.goto(f"/console/registry/accounts/{e2e_world.mediator_a.pk}/")
    assert "已停用" in page.content() and "不能恢复其账号" in page.content()
    shot(session, "10-account-deactivated")
    session.goto("/console/registry/accounts/new/")
    page.select_option("#id_division", "421202001")
    page.fill("#id_full_name", "刘司法")
    page.fill("#id_username", f"liu_{session.viewport}")
    session.submit()
    assert "司法所工作人员" in page.content() and page.locator("#handover-password").count() == 1
    session.goto("/console/registry/accounts/")
    shot(session, "11-accounts-list")
    assert not session.overflows, session.overflows
