"""Review (issue 9 §1, §2): at 390 px no registry page scrolls sideways — every GET page of registry/urls_*.py (read
from the URL modules) and the console's committee list and page, each with a long committee name, plus a form with
its errors and the password hand-over page. Screenshots: test-output/screens/h-review/."""

from datetime import date
from pathlib import Path

import pytest

from registry import people_services as S
from registry.models import Committee, Mediator
from registry.org_services import do_record_filing
from tests.browser import CHROMIUM_ARGS, VIEWPORTS  # noqa: F401 -- the same browser setup as the other tests
from tests.registry.urls_helpers import registry_urls
from tests.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-review"
# downloads, the preview of an upload, and the POST-only actions
SKIP = {
    "registry_filing_file",
    "registry_import_template",  # an .xlsx download
    "registry_import_preview",  # needs an uploaded file (its token here was never issued)
    "registry_account_reset",
    "registry_account_deactivate",
    "registry_account_reactivate",
}
LONG = "温泉街道桂花村婚姻家庭邻里土地承包物业纠纷人民调解委员会驻咸安区人民法院诉前调解工作室"


def test_no_registry_page_scrolls_sideways_at_390_px(e2e_world, browser, live_server):
    world = e2e_world
    Committee.objects.filter(pk=world.village_a.pk).update(name=LONG, address=LONG + "一楼东侧办公室")
    # some history with long values, so the change list and the history cards have rows to lay out
    mediator = Mediator.objects.get(user=world.mediator_a)
    S.do_edit_mediator(
        world.county_admin, mediator, {"specialties": "婚姻家庭、邻里纠纷、土地承包经营权流转、物业服务"}
    )
    do_record_filing(
        world.county_admin,
        Committee.objects.get(pk=world.village_a.pk),
        date(2026, 3, 1),
        "咸安司调备〔2026〕第0001号",
        "咸宁市咸安区司法局",
    )
    urls = [u for name, u in registry_urls(world) if name not in SKIP]
    urls += ["/console/committees/", f"/console/committees/{world.village_a.pk}/", "/console/mediators/"]
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    OUT.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "county_admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('登录')")
    overflows = []

    def check(label: str) -> None:
        page.screenshot(path=str(OUT / f"{label}.png"), full_page=True)
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner + 1:
            overflows.append(f"{label} ({page.url}): {scroll} > {inner}")

    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        check(url.strip("/").replace("/", "_"))
    # a form answered with its errors, and the hand-over page of a reset
    page.goto(live_server.url + f"/console/registry/committees/{world.village_a.pk}/mediators/new/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    check("mediator-new-errors")
    page.goto(live_server.url + f"/console/registry/accounts/{world.mediator_a.pk}/")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.click("main form[action$='/reset/'] button")
    assert dialogs and "原密码立即失效" in dialogs[0]  # a reset is confirmed first: it ends the person's sessions
    assert page.locator("#handover-password").count() == 1
    check("password-handover")
    context.close()
    assert not overflows, overflows
