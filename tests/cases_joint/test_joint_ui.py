"""Duplicates and joint mediation in a real browser, at 1366 and 390 px: the county bureau finds a duplicate and
merges it; the director asks a mediator of another committee to join and invites a judge; the joint mediator records
the judge's attendance; the case page shows the bodies. Screenshots: test-output/screens/h-joint/<viewport>-*.png;
no page may scroll sideways at 390 px."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases import actions as A
from cases.enums import CaseStatus, RecordKind
from demo.scenarios import same_dispute
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-joint"


def shot(s, step: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    s.page.screenshot(path=str(SCREENS / f"{s.viewport}-{step}.png"), full_page=True)
    s.check_width(step)


def test_merge_a_duplicate_and_mediate_jointly(e2e_world, session):
    w, s, page = e2e_world, session, session.page
    start = timezone.now() - timedelta(days=5)
    going = make_case(w, CaseStatus.IN_MEDIATION, at=start)
    twin = A.do_register_case(w.mediator_a, w.village_a, same_dispute(going), at=start + timedelta(days=2))

    # The county bureau: the duplicates list, the confirmation, the merge.
    s.login("county_admin")
    s.goto("/console/referrals/duplicates/")
    assert twin.registration_no in page.inner_text("main")
    shot(s, "1-duplicates")
    with page.expect_navigation():
        page.click("a:has-text('核实并案')")
    shot(s, "2-merge-confirm")
    page.check("#id_confirm")
    s.submit()
    twin.refresh_from_db()
    assert twin.status == CaseStatus.MERGED
    s.goto(f"/cases/{twin.pk}/")
    assert going.case_no in page.inner_text("main")
    shot(s, "3-merged-case")
    s.logout()

    # The director: a mediator of village B joins, a judge is invited.
    s.login("director_a")
    s.goto(f"/console/referrals/joint/{going.pk}/")
    page.select_option("#id_mediator", label="陈调解（柏墩村人民调解委员会）")
    shot(s, "4-joint")
    s.submit()
    s.goto(f"/console/referrals/joint/{going.pk}/invite/")
    page.select_option("#id_role", "JUDGE")
    page.fill("#id_name", "张法官")
    page.fill("#id_body", "咸宁市咸安区人民法院")
    shot(s, "5-invite")
    s.submit()
    s.logout()

    # The joint mediator of village B records a session and the judge's attendance.
    held = timezone.now() - timedelta(hours=2)
    A.do_record_mediation(
        going,
        w.mediator_b,
        kind=RecordKind.SESSION,
        held_at=held,
        place="温泉街道矛调中心",
        subject="双方当事人",
        content="两个调委会的调解员共同调解，法官释法说理，双方同意协商。",
        at=held,
    )
    s.login("mediator_b")
    s.goto(f"/console/referrals/joint/{going.pk}/")
    page.click("summary:has-text('登记参加人员')")
    page.check("input[name=participants]")
    with page.expect_navigation():
        page.click("#joint-records button[type=submit]")
    assert "法官张法官（咸宁市咸安区人民法院）" in page.inner_text("#joint-records")
    shot(s, "6-joint-after")
    s.goto(f"/cases/{going.pk}/")
    text = page.inner_text("main")
    assert "柏墩村人民调解委员会" in text and "受邀参加人员：法官张法官（咸宁市咸安区人民法院）" in text
    page.locator("#joint-panel").scroll_into_view_if_needed()
    shot(s, "7-case-page")
    assert not s.overflows, s.overflows
