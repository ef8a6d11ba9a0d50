"""Issue 9 §8 and §9 in Chromium at 1366 px and 390 px: the portal header stays on one line with its unread badge,
no page scrolls sideways, and the case lists, the roster and the privacy notice are photographed for review
(test-output/screens/h-lists/)."""

from pathlib import Path

import pytest

from cases.enums import CaseStatus
from cases.models import Notification
from registry.models import Committee, CommitteeType
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-lists"


def _shot(session, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(SCREENS / f"{name}-{session.viewport}.png"), full_page=True)
    session.check_width(name)


def _header(page) -> dict:
    return page.evaluate(
        """() => {
        const nav = document.querySelector('header .portal-nav');
        const items = [...nav.children].filter(e => e.offsetParent !== null);
        const rects = items.map(e => e.getBoundingClientRect());
        return {height: nav.getBoundingClientRect().height, tops: rects.map(r => Math.round(r.top)),
                oneLine: Math.max(...rects.map(r => r.top)) < Math.min(...rects.map(r => r.bottom)),
                right: Math.max(...items.map(e => e.getBoundingClientRect().right)), width: window.innerWidth,
                badge: (nav.querySelector('.badge') || {}).textContent || ''};
    }"""
    )


def test_portal_header_is_one_line_with_the_unread_badge(e2e_world, session):
    w, page = e2e_world, session.page
    make_case(w, CaseStatus.IN_MEDIATION)
    for text in ("调委会已受理您的申请。", "调解时间已确定，请按时参加。", "请查看调解协议。"):
        Notification.objects.create(user=w.party_user, message=text)
    unread = Notification.objects.filter(user=w.party_user, read_at__isnull=True).count()
    session.login("party_user")
    for path, name in [("/portal/cases/", "portal-header"), ("/portal/roster/", "roster-party"), ("/portal/", "home")]:
        session.goto(path)
        h = _header(page)
        assert h["oneLine"], (path, h)  # every item on the same line
        assert h["height"] <= 60, (path, h)  # one line of 44 px tap targets (+ padding)
        assert h["right"] <= h["width"], (path, h)
        assert h["badge"].strip() == str(unread), (path, h)
        if name == "portal-header":
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.locator("header").screenshot(path=str(SCREENS / f"portal-header-{session.viewport}.png"))
        _shot(session, name)
    assert not session.overflows, session.overflows


def test_lists_roster_and_privacy_pages_fit(e2e_world, session):
    w, page = e2e_world, session.page
    for i, status in enumerate([CaseStatus.IN_MEDIATION, CaseStatus.ACCEPTED, CaseStatus.INTAKE, CaseStatus.PERFORMED]):
        make_case(w, status, seed=i)
    for i in range(20):
        Committee.objects.create(
            name=f"温泉街道第{i + 1:02d}调解工作室",
            short_name=f"温泉{i:02d}",
            committee_type=CommitteeType.SUBDISTRICT,
            division=w.township.division,
        )
    session.goto("/portal/roster/")
    assert "共 24 个调解组织，第 1–20 个" in page.inner_text("main")
    _shot(session, "roster")
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert "共 24 个调解组织，第 21–24 个" in page.inner_text("main")
    assert page.locator("section.roster-committee").count() == 4
    _shot(session, "roster-page2")
    session.goto("/portal/privacy/")
    assert "保存多久" in page.inner_text("main")
    _shot(session, "privacy")
    session.login("city_admin")
    session.goto("/console/cases/?sort=-overdue")
    assert "超期" in page.inner_text("main")
    _shot(session, "console-cases-city")
    session.page.select_option("#id_county", "421202")
    page.wait_for_url("**county=421202**")
    session.check_width("county chosen")
    assert page.locator("#id_township option").count() == 2  # 全部 + 温泉街道
    _shot(session, "console-cases-city-county")
    page.context.clear_cookies()
    session.login("director_a")
    session.goto("/workbench/cases/?sort=mediator")
    _shot(session, "workbench-cases")
    assert not session.overflows, session.overflows
