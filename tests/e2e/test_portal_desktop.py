"""The portal's main pages at desktop width (1366 px): they render and are screenshotted for review
(test-output/screenshots/desktop/portal-*.png); the phone journey is tests/e2e/test_portal_phone.py."""

import pytest

from cases.enums import CaseStatus
from tests.browser import SCREENSHOTS, VIEWPORTS
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_portal_pages_at_desktop_width(e2e_world, browser, live_server):
    w = e2e_world
    case = make_case(w, CaseStatus.PERFORMING)
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    out = SCREENSHOTS / "desktop"
    out.mkdir(parents=True, exist_ok=True)
    pages = {"home": "/", "roster": "/portal/roster/?county=421202", "login": "/portal/login/"}
    for name, path in pages.items():
        assert page.goto(live_server.url + path).status == 200
        page.screenshot(path=str(out / f"portal-{name}.png"), full_page=True)
    cookie = _session_cookie(w.party_user, live_server)
    context.add_cookies([cookie])
    for name, path in {
        "my-cases": "/portal/cases/",
        "case": f"/portal/cases/{case.pk}/",
        "agreement": f"/portal/cases/{case.pk}/agreement/",
        "judicial": f"/portal/cases/{case.pk}/judicial/",
        "apply-what": "/portal/apply/what/",
    }.items():
        assert page.goto(live_server.url + path).status == 200, path
        assert page.url.endswith(path), page.url
        page.screenshot(path=str(out / f"portal-{name}.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1366, (path, width)
    context.close()


def _session_cookie(user, live_server) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    host = live_server.url.split("//")[1].split(":")[0]
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": host,
        "path": "/",
    }
