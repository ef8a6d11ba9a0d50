"""The 矛调中心 in a real browser, at 1366 and 390 px: the county hub's queue, the dispatch form, the receiver's list,
the dispatch page, the return with a reason, the hub's returned tab. No page may scroll sideways at 390 px.
Screenshots: test-output/screens/h-hub/<viewport>/."""

from pathlib import Path

import pytest
from django.utils import timezone

from referrals.models import Dispatch
from tests.referrals.hub_fixtures import build_hub_world, referral, walk_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-hub"


def shot(s, step: str) -> None:
    folder = SCREENS / s.viewport
    folder.mkdir(parents=True, exist_ok=True)
    s.page.screenshot(path=str(folder / f"{step}.png"), full_page=True)
    s.check_width(step)


def test_dispatch_and_return_in_the_browser(e2e_world, session):
    s, page = session, session.page
    hw = build_hub_world(e2e_world)
    now = timezone.now()
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=now)
    walk_in(hw, hw.county_hub, e2e_world.party_user, at=now, n=1)
    referral(hw, hw.court, hw.county_hub, at=now, no="31")
    referral(hw, hw.police, hw.county_hub, at=now, no="32")

    s.login("county_hub_mediator")
    s.goto("/console/hub/")
    assert page.locator("#hub-walk-ins").get_by_text(case.registration_no).is_visible()
    shot(s, "01-hub-queue")
    s.goto(f"/console/hub/cases/{case.pk}/dispatch/")
    page.check("input[name=tier][value=DIFFICULT]")
    page.select_option("#id_receiver", f"c{e2e_world.township.pk}")
    s.submit()
    assert page.locator(".errorlist").filter(has_text="包案领导").is_visible()
    shot(s, "02-dispatch-form-error")
    page.fill("#id_lead_official", "区委政法委副书记 刘明")
    page.fill("#id_note", "涉及多户村民的宅基地纠纷，请街道牵头调处。")
    s.submit()
    d = Dispatch.objects.get()
    assert page.locator("#dispatch-status").inner_text() == "待接收"
    shot(s, "03-dispatch-detail-sender")
    s.goto("/console/hub/?tab=waiting")
    shot(s, "04-hub-waiting")
    s.logout()

    s.login("township_director")
    s.goto("/console/hub/dispatches/")
    assert page.locator("#dispatch-list").get_by_text(case.registration_no).is_visible()
    shot(s, "05-receiver-list")
    s.goto(f"/console/hub/dispatches/{d.pk}/")
    assert page.locator("#dispatch-answer").is_visible()
    shot(s, "06-dispatch-detail-receiver")
    page.click("#dispatch-answer a:has-text('退回')")
    page.wait_for_url(f"**/dispatches/{d.pk}/return/")
    page.fill("#id_reason", "当事人均居住在柏墩村，宜由村调委会就近调解。")
    shot(s, "07-return-form")
    s.submit()
    d.refresh_from_db()
    assert d.status == "RETURNED"
    s.logout()

    s.login("county_hub_director")
    s.goto("/console/hub/?tab=returned")
    assert page.get_by_text("当事人均居住在柏墩村").is_visible()
    shot(s, "08-hub-returned")
    s.goto(f"/console/hub/dispatches/{d.pk}/")
    shot(s, "09-dispatch-history")
    s.logout()

    # A village asks to transfer its own intake case up to the township's hub.
    own = walk_in(hw, e2e_world.village_a, e2e_world.mediator_a, at=now, n=3)
    s.login("mediator_a")
    s.goto(f"/console/hub/cases/{own.pk}/transfer/")
    page.select_option("#id_to_committee", str(hw.township_hub.pk))
    page.fill("#id_reason", "涉及两个村民小组的用水纠纷，需街道统一调处。")
    shot(s, "10-transfer-request")
    s.submit()
    assert page.locator("#dispatch-status").inner_text() == "待接收"
    assert Dispatch.objects.filter(case=own, kind="TRANSFER_UP").exists()
    shot(s, "11-transfer-detail")
    assert not s.overflows, s.overflows
