"""账号安全 in a real browser at 1366 and 390 px: a county administrator whose role requires the second factor
signs in, enrols an authenticator (codes computed here as the app would), changes the password, signs in again and
types a code. Screenshots: test-output/screenshots/{desktop,phone}/security-*.png."""

import re

import pytest

from accounts import totp
from tests.browser import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Xianning#2026qs"


def shot(session, name: str) -> None:
    out = SCREENSHOTS / session.viewport
    out.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(out / f"security-{name}.png"), full_page=True)
    session.check_width(name)


def test_enrol_change_password_and_verify(e2e_world, session, settings):
    settings.TOTP_REQUIRED_ROLES = ["COUNTY_ADMIN", "CITY_ADMIN"]
    page = session.page
    session.login("county_admin")
    assert "/accounts/totp/" in page.url and "必须启用两步验证" in page.content()
    assert page.locator(".navbar-toggler").count() == 0  # no menu until the second factor is done
    shot(session, "totp-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret) and "otpauth://totp/" in page.locator("#totp-uri").inner_text()
    page.fill("#id_code", "000000" if totp.code_at(secret) != "000000" else "111111")
    session.submit()
    assert "动态口令不正确" in page.content()
    shot(session, "totp-enrol-error")
    page.fill("#id_code", totp.code_at(secret))
    session.submit()
    assert "两步验证已启用" in page.content()

    if session.phone:
        page.click(".navbar-toggler")
        page.locator("#nav.show").wait_for()
    with page.expect_navigation():
        page.click("a:has-text('账号安全')")
    assert "已启用" in page.content()
    shot(session, "password-change")
    page.fill("#id_old_password", "pass-for-tests-1")
    page.fill("#id_new_password1", "Zhou2026")
    page.fill("#id_new_password2", "Zhou2026")
    session.submit()
    assert "至少包含 10 个字符" in page.content()
    shot(session, "password-change-error")
    page.fill("#id_old_password", "pass-for-tests-1")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    session.submit()
    assert "密码已修改" in page.content()

    session.logout()
    session.login("county_admin", NEW_PASSWORD)
    assert "/accounts/totp/verify/" in page.url
    shot(session, "totp-verify")
    page.fill("#id_code", totp.hotp(secret, totp.step_at() + 1))  # the enrolment's step was used already
    session.submit()
    assert "/console/" in page.url
    assert not session.overflows, session.overflows
