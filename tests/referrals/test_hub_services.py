"""The 矛调中心's dispatch (issue 11 §4, referrals.hub): who may dispatch what to whom, accept, send back, the move up
after the deadline (frozen time, the timer scan), transfers up / down / across, and who is told."""

from datetime import datetime

import pytest
import time_machine

from cases import actions as A
from cases.actions import ActionRefused
from cases.enums import ActorKind, CaseStatus, SystemJob
from cases.models import CaseEvent, Notification, Timer
from cases.models.timers import TimerKind
from cases.timers import fire_due
from notifications.enums import NoticeKind
from referrals import hub
from referrals.enums import DispatchKind, DispatchStatus, ReferralEventKind, ReferralStatus, Tier
from referrals.scoping import dispatches_visible_to, referrals_visible_to
from tests.referrals.hub_fixtures import HubWorld, build_hub_world, portal_application, referral, walk_in
from tests.world import TZ, case_data

MON = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday
pytestmark = pytest.mark.django_db


@pytest.fixture
def hw(world) -> HubWorld:
    return build_hub_world(world)


def dt(d: int, h: int, mi: int = 0) -> datetime:
    return datetime(2026, 3, d, h, mi, tzinfo=TZ)


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def scan(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return fire_due(at)


# --- deadlines --------------------------------------------------------------------------------------------------


def test_default_deadlines_follow_the_rules_in_working_time():
    assert hub.default_deadline(Tier.SIMPLE, MON) == dt(3, 17, 30)
    assert hub.default_deadline(Tier.ORDINARY, MON) == dt(4, 17, 30)
    assert hub.default_deadline(Tier.DIFFICULT, MON) == dt(5, 17, 30)
    fri = dt(6, 16, 0)  # Friday afternoon: the weekend does not count
    assert hub.default_deadline(Tier.SIMPLE, fri) == dt(9, 17, 30)
    assert hub.add_working_hours(fri, 8) == datetime(2026, 3, 9, 15, 0, tzinfo=TZ)
    assert hub.add_working_hours(dt(3, 18, 0), 8) == dt(4, 16, 30)
    assert hub.default_deadline("", MON, DispatchKind.TRANSFER_UP) == dt(4, 17, 30)


# --- dispatch of an intake case -----------------------------------------------------------------------------------


def test_dispatch_accept_moves_the_case_and_tells_both_sides(hw):
    w = hw.w
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    assert case.case_no is None and case.status == CaseStatus.INTAKE
    d = hub.dispatch(case, tier=Tier.SIMPLE, to_committee=w.village_a, user=hw.county_hub_mediator, at=MON)
    assert (d.kind, d.status, d.from_committee, d.to_committee) == (
        DispatchKind.DISPATCH,
        DispatchStatus.PENDING,
        hw.county_hub,
        w.village_a,
    )
    assert d.deadline == dt(3, 17, 30) and d.division_code == w.village_a.division_id
    ev = case.events.get(action="dispatch")
    assert ev.actor == hw.county_hub_mediator and ev.data["dispatch"] == d.pk and ev.data["tier"] == Tier.SIMPLE
    timer = Timer.objects.get(kind=TimerKind.DISPATCH_DUE, target_id=d.pk)
    assert timer.fire_at == d.deadline and timer.case is None  # the dispatch's clock, not the case's
    assert notified(NoticeKind.DISPATCH_RECEIVED) == {"director_a", "mediator_a", "mediator_a2"}
    # Still the hub's until accepted: the village does not see the case yet, but sees the dispatch.
    assert d in dispatches_visible_to(w.mediator_a) and d in dispatches_visible_to(hw.county_hub_director)
    assert d not in dispatches_visible_to(w.mediator_b)

    hub.accept_dispatch(d, w.mediator_a, at=dt(2, 11))
    d.refresh_from_db()
    case.refresh_from_db()
    assert d.status == DispatchStatus.ACCEPTED and d.answered_by == w.mediator_a
    assert case.committee == w.village_a and case.division_code == w.village_a.division_id
    assert case.status == CaseStatus.INTAKE and case.case_no is None
    acc = case.events.get(action="dispatch_accepted")
    assert acc.actor is None and acc.actor_kind == ActorKind.SYSTEM and acc.system_job == SystemJob.REFERRAL_MONITOR
    assert acc.data["by"] == w.mediator_a.pk and acc.data["from_committee"] == hw.county_hub.pk
    timer.refresh_from_db()
    assert timer.cancelled_at is not None and timer.fired_at is None
    assert notified(NoticeKind.DISPATCH_ANSWERED) >= {"county_hub_director", "county_hub_mediator"}
    # Now the village's case: it accepts it and numbers it as its own.
    A.do_accept_case(case, w.director_a, at=dt(2, 14))
    case.refresh_from_db()
    assert case.case_no.startswith("（2026）桂花人调字第")


def test_return_with_reason_goes_back_to_the_hub_queue(hw):
    w = hw.w
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.SIMPLE, to_committee=w.village_a, user=hw.county_hub_mediator, at=MON)
    assert case not in hub.intake_queue(hw.county_hub).walk_ins
    assert d in hub.intake_queue(hw.county_hub).waiting
    with pytest.raises(ActionRefused):
        hub.return_dispatch(d, w.mediator_a, "  ", at=dt(2, 10))
    with pytest.raises(ActionRefused):  # the sender cannot answer its own dispatch
        hub.return_dispatch(d, hw.county_hub_director, "不属于本村", at=dt(2, 10))
    hub.return_dispatch(d, w.director_a, "当事人均不在本村居住", at=dt(2, 10))
    d.refresh_from_db()
    case.refresh_from_db()
    assert d.status == DispatchStatus.RETURNED and d.return_reason == "当事人均不在本村居住"
    assert case.committee == hw.county_hub
    assert case.events.get(action="dispatch_returned").data["by"] == w.director_a.pk
    queue = hub.intake_queue(hw.county_hub)
    assert queue.returned == [d] and case in queue.walk_ins and not queue.waiting
    assert notified(NoticeKind.DISPATCH_ANSWERED) == {"county_hub_director", "county_hub_mediator"}
    assert Timer.objects.get(target_id=d.pk, kind=TimerKind.DISPATCH_DUE).cancelled_at is not None
    # Answered once: neither a second answer nor an acceptance afterwards.
    with pytest.raises(ActionRefused):
        hub.accept_dispatch(d, w.mediator_a, at=dt(2, 11))
    # Dispatched again, elsewhere.
    again = hub.dispatch(case, tier=Tier.ORDINARY, to_committee=w.township, user=hw.county_hub_director, at=dt(2, 12))
    assert again.status == DispatchStatus.PENDING and hub.intake_queue(hw.county_hub).returned == []


# --- who may dispatch what to whom --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("county_hub_director", True),
        ("county_hub_mediator", True),
        ("township_hub_mediator", False),  # another hub: not the holder
        ("mediator_a", False),  # a committee that is no hub
        ("county_admin", False),  # a supervisor
        ("sfs_officer", False),
        ("police_liaison", False),
        ("court_liaison", False),
        ("other_hub_mediator", False),
    ],
)
def test_who_may_dispatch(hw, who, allowed):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    user = getattr(hw, who, None) or getattr(hw.w, who)
    assert hub.may_dispatch(user, case) is allowed
    if allowed:
        hub.dispatch(case, tier=Tier.SIMPLE, to_committee=hw.w.village_a, user=user, at=MON)
        assert not hub.may_dispatch(user, case)  # once dispatched, not again until answered
    else:
        with pytest.raises(ActionRefused):
            hub.dispatch(case, tier=Tier.SIMPLE, to_committee=hw.w.village_a, user=user, at=MON)
        assert not case.dispatches.exists() and not case.events.filter(action="dispatch").exists()


def test_dispatch_stays_inside_the_hubs_area_and_checks_its_fields(hw):
    w = hw.w
    case = walk_in(hw, hw.township_hub, hw.township_hub_mediator, at=MON)
    u = hw.township_hub_mediator
    refusals = [
        ({"to_committee": w.village_c}, "to_committee"),  # another county
        ({"to_committee": hw.medical}, "to_committee"),  # the county level: outside a township hub's area
        ({"to_committee": hw.county_hub}, "to_committee"),
        ({"to_institution": hw.other_police}, "to_institution"),
        ({"to_committee": w.village_a, "tier": Tier.DIFFICULT}, "lead_official"),  # 包案领导 required
        ({"to_committee": w.village_a, "deadline": dt(1, 9)}, "deadline"),
        ({}, "to_committee"),
        ({"to_committee": w.village_a, "to_institution": hw.police}, "to_committee"),
    ]
    for kwargs, field in refusals:
        kwargs = {"tier": Tier.SIMPLE, **kwargs}
        with pytest.raises(ActionRefused) as refused:
            hub.dispatch(case, user=u, at=MON, **kwargs)
        assert refused.value.field == field, kwargs
    w.village_b.is_active = False
    w.village_b.save()
    with pytest.raises(ActionRefused):
        hub.dispatch(case, tier=Tier.SIMPLE, to_committee=w.village_b, user=u, at=MON)
    assert not case.dispatches.exists()
    # Inside its area: the villages, the street's committee, the township's police station (a department).
    assert set(hub.area_committees(hw.township_hub)) == {w.village_a, w.township}
    assert hw.police in hub.area_institutions(hw.township_hub) and hw.labour in hub.area_institutions(hw.township_hub)
    d = hub.dispatch(
        case, tier=Tier.DIFFICULT, lead_official="街道党工委副书记 刘明", to_committee=w.township, user=u, at=MON
    )
    assert d.lead_official == "街道党工委副书记 刘明" and d.deadline == dt(5, 17, 30)


def test_only_the_receiver_answers(hw):
    w = hw.w
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.ORDINARY, to_committee=hw.medical, user=hw.county_hub_mediator, at=MON)
    for user in (hw.county_hub_director, w.mediator_a, w.county_admin, hw.police_liaison, hw.other_hub_mediator):
        assert not hub.may_answer(user, d)
        with pytest.raises(ActionRefused):
            hub.accept_dispatch(d, user, at=dt(2, 10))
        with pytest.raises(ActionRefused):
            hub.return_dispatch(d, user, "不属于我单位受理范围", at=dt(2, 10))
    assert hub.may_answer(hw.medical_mediator, d)
    d.refresh_from_db()
    assert d.status == DispatchStatus.PENDING and not case.events.filter(action__startswith="dispatch_").exists()


# --- a department ---------------------------------------------------------------------------------------------------


def test_a_department_accepts_an_intake_case_a_referral_goes_to_committees_only(hw):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.ORDINARY, to_institution=hw.labour, user=hw.county_hub_mediator, at=MON)
    assert notified(NoticeKind.DISPATCH_RECEIVED) == {"labour_liaison"}
    assert d in dispatches_visible_to(hw.labour_liaison) and d not in dispatches_visible_to(hw.police_liaison)
    assert not hub.may_answer(hw.police_liaison, d)
    hub.accept_dispatch(d, hw.labour_liaison, at=dt(2, 10))
    case.refresh_from_db()
    assert case.committee == hw.county_hub  # on the hub's books until it closes it
    assert case.events.get(action="dispatch_accepted").data["to"] == hw.labour.name
    r = referral(hw, hw.court, hw.county_hub)
    with pytest.raises(ActionRefused) as refused:
        hub.dispatch(r, tier=Tier.ORDINARY, to_institution=hw.labour, user=hw.county_hub_mediator, at=MON)
    assert refused.value.field == "to_institution"


# --- a referral -----------------------------------------------------------------------------------------------------


def test_dispatch_of_a_referral_moves_its_receiver_and_keeps_it_pending(hw):
    r = referral(hw, hw.court, hw.county_hub)
    assert r in hub.intake_queue(hw.county_hub).referrals["人民法院（诉调对接）"]
    d = hub.dispatch(
        r, tier=Tier.ORDINARY, to_committee=hw.medical, user=hw.county_hub_director, at=MON, note="医疗纠纷"
    )
    ev = r.events.get(kind=ReferralEventKind.DISPATCHED)
    assert ev.actor == hw.county_hub_director and ev.data["step"] == "dispatch"
    assert not Timer.objects.get(kind=TimerKind.DISPATCH_DUE, target_id=d.pk).case
    assert r not in referrals_visible_to(hw.medical_mediator)
    hub.accept_dispatch(d, hw.medical_mediator, at=dt(2, 15))
    r.refresh_from_db()
    assert r.receiver == hw.medical and r.division_code == hw.medical.division_id
    assert r.status == ReferralStatus.PENDING  # it accepts or declines it through referrals.services
    assert r in referrals_visible_to(hw.medical_mediator) and r not in referrals_visible_to(hw.county_hub_mediator)
    assert [e.data["step"] for e in r.events.filter(kind=ReferralEventKind.DISPATCHED)] == ["dispatch", "accepted"]
    assert not hub.intake_queue(hw.county_hub).referrals
    # no webhook for an internal step
    from api.models import WebhookEvent

    assert not WebhookEvent.objects.exists()


# --- the move up after the deadline ----------------------------------------------------------------------------------


def test_an_unaccepted_dispatch_moves_up_level_by_level(hw):
    w = hw.w
    case = walk_in(hw, hw.township_hub, hw.township_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.SIMPLE, to_committee=w.village_a, user=hw.township_hub_mediator, at=MON)
    Notification.objects.all().delete()
    assert scan(dt(3, 17, 0)) == 0  # before the deadline (Tuesday 17:30)
    assert scan(dt(3, 18, 0)) == 1
    d.refresh_from_db()
    assert d.status == DispatchStatus.ESCALATED
    up = d.escalated_to
    # The township hub sent it, so the street's own committee is next; it has 8 office hours.
    assert (up.kind, up.to_committee, up.from_committee, up.created_by) == (
        DispatchKind.ESCALATION,
        w.township,
        hw.township_hub,
        None,
    )
    assert up.deadline == dt(4, 16, 30) and up.status == DispatchStatus.PENDING
    ev = case.events.get(action="dispatch_escalated")
    assert ev.actor is None and ev.data["escalated_to"] == up.pk
    assert Timer.objects.get(kind=TimerKind.DISPATCH_DUE, target_id=d.pk).result.startswith("已上移至")
    assert notified(NoticeKind.DISPATCH_RECEIVED) == {"township_director"}
    told = notified(NoticeKind.DISPATCH_ANSWERED)
    assert {"director_a", "mediator_a", "mediator_a2", "township_hub_director", "township_hub_mediator"} <= told
    assert scan(dt(3, 18, 0)) == 0  # fires once

    # The street's committee is silent too: the county's hub is next.
    Notification.objects.all().delete()
    assert scan(dt(4, 17, 0)) == 1
    up.refresh_from_db()
    top = up.escalated_to
    assert up.status == DispatchStatus.ESCALATED and top.to_committee == hw.county_hub
    assert notified(NoticeKind.DISPATCH_RECEIVED) == {"county_hub_director", "county_hub_mediator"}
    assert top in hub.intake_queue(hw.county_hub).incoming

    # Nobody above the county hub: past its deadline it stays pending, and the sender is told.
    Notification.objects.all().delete()
    assert scan(dt(6, 9, 0)) == 1
    top.refresh_from_db()
    assert top.status == DispatchStatus.PENDING and top.escalated_to is None
    assert {"township_hub_director", "township_hub_mediator"} <= notified(NoticeKind.DISPATCH_ANSWERED)

    # The county hub takes it after all: the case is the county hub's.
    hub.accept_dispatch(top, hw.county_hub_director, at=dt(6, 10))
    case.refresh_from_db()
    assert case.committee == hw.county_hub
    assert [e.action for e in case.events.filter(action__startswith="dispatch")] == [
        "dispatch",
        "dispatch_escalated",
        "dispatch_escalated",
        "dispatch_accepted",
    ]


def test_an_answered_dispatch_does_not_move_up(hw):
    w = hw.w
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.SIMPLE, to_committee=w.village_a, user=hw.county_hub_mediator, at=MON)
    hub.accept_dispatch(d, w.mediator_a, at=dt(2, 10))
    assert scan(dt(5, 9, 0)) == 0  # the timer was cancelled
    d.refresh_from_db()
    assert d.status == DispatchStatus.ACCEPTED and d.escalated_to is None


def test_a_county_hub_dispatch_to_a_village_moves_to_the_township_hub(hw):
    w = hw.w
    r = referral(hw, hw.court, hw.county_hub)
    d = hub.dispatch(r, tier=Tier.SIMPLE, to_committee=w.village_b, user=hw.county_hub_mediator, at=MON)
    scan(dt(4, 9, 0))
    d.refresh_from_db()
    assert d.escalated_to.to_committee == hw.township_hub
    assert [e.data["step"] for e in r.events.filter(kind=ReferralEventKind.DISPATCHED)] == ["dispatch", "escalated"]
    hub.accept_dispatch(d.escalated_to, hw.township_hub_director, at=dt(4, 10))
    r.refresh_from_db()
    assert r.receiver == hw.township_hub and r.status == ReferralStatus.PENDING


# --- transfers between levels (上传下派) ---------------------------------------------------------------------


def test_transfer_up_down_and_across_are_requests_the_receiver_accepts(hw):
    w = hw.w
    case = A.do_register_case(w.mediator_a, w.village_a, case_data(None), at=MON)
    assert hub.may_request_transfer(w.mediator_a, case) and not hub.may_request_transfer(w.mediator_b, case)
    with pytest.raises(ActionRefused):
        hub.request_transfer(case, to_committee=w.village_c, user=w.mediator_a, reason="涉及跨县纠纷", at=MON)
    with pytest.raises(ActionRefused):
        hub.request_transfer(case, to_committee=hw.township_hub, user=w.mediator_b, reason="案情复杂", at=MON)
    up = hub.request_transfer(
        case, to_committee=hw.township_hub, user=w.mediator_a, reason="案情复杂，需街道调处", at=MON
    )
    assert up.kind == DispatchKind.TRANSFER_UP and up.deadline == dt(4, 17, 30)
    assert up in hub.intake_queue(hw.township_hub).incoming
    assert notified(NoticeKind.DISPATCH_RECEIVED) == {"township_hub_director", "township_hub_mediator"}
    hub.accept_dispatch(up, hw.township_hub_mediator, at=dt(2, 11))
    case.refresh_from_db()
    assert case.committee == hw.township_hub and case in hub.intake_queue(hw.township_hub).walk_ins
    # The hub sends it down again, to the other village: the request is the same.
    down = hub.request_transfer(
        case, to_committee=w.village_b, user=hw.township_hub_mediator, reason="当事人住柏墩村", at=dt(2, 14)
    )
    assert down.kind == DispatchKind.TRANSFER_DOWN
    hub.return_dispatch(down, w.mediator_b, "当事人已搬离本村", at=dt(2, 15))
    assert case.committee == hw.township_hub
    across = hub.request_transfer(
        case, to_committee=w.township, user=hw.township_hub_mediator, reason="由街道调委会办理", at=dt(2, 16)
    )
    assert across.kind == DispatchKind.TRANSFER_ACROSS
    hub.accept_dispatch(across, hw.township_director, at=dt(2, 17))
    case.refresh_from_db()
    assert case.committee == w.township
    steps = list(case.events.filter(action__startswith="dispatch").values_list("action", flat=True))
    assert steps == ["dispatch", "dispatch_accepted", "dispatch", "dispatch_returned", "dispatch", "dispatch_accepted"]
    # An accepted case is no longer transferred this way.
    A.do_accept_case(case, hw.township_director, at=dt(3, 9))
    case.refresh_from_db()
    assert not hub.may_request_transfer(hw.township_director, case)
    with pytest.raises(ActionRefused):
        hub.request_transfer(
            case, to_committee=w.village_a, user=hw.township_director, reason="退回村里办理", at=dt(3, 10)
        )


# --- the queue ---------------------------------------------------------------------------------------------------


def test_the_queue_sorts_arrivals_by_source(hw):
    walk = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    web = portal_application(hw, hw.county_hub)
    court = referral(hw, hw.court, hw.county_hub, no="7")
    police = referral(hw, hw.police, hw.county_hub, no="8")
    elsewhere = referral(hw, hw.police, hw.township_hub, no="9")
    q = hub.intake_queue(hw.county_hub)
    assert q.walk_ins == [walk] and q.portal == [web]
    assert q.referrals == {"人民法院（诉调对接）": [court], "公安机关（公调对接）": [police]}
    assert elsewhere not in sum(q.referrals.values(), []) and q.new_count == 4
    accepted = A.do_accept_case(walk, hw.county_hub_director, at=dt(2, 11))
    assert accepted not in hub.intake_queue(hw.county_hub).walk_ins
    assert CaseEvent.objects.filter(case=walk, action="accept").exists()


def test_a_dispatch_overtaken_by_the_hubs_own_acceptance_lapses(hw):
    case = walk_in(hw, hw.county_hub, hw.county_hub_mediator, at=MON)
    d = hub.dispatch(case, tier=Tier.SIMPLE, to_committee=hw.w.village_a, user=hw.county_hub_mediator, at=MON)
    A.do_accept_case(case, hw.county_hub_director, at=dt(2, 10))
    with pytest.raises(ActionRefused):
        hub.accept_dispatch(d, hw.w.mediator_a, at=dt(2, 11))
    assert scan(dt(4, 9, 0)) == 1
    d.refresh_from_db()
    assert d.status == DispatchStatus.WITHDRAWN and d.escalated_to is None
    assert d not in hub.intake_queue(hw.county_hub).waiting
    case.refresh_from_db()
    assert case.committee == hw.county_hub and not case.events.filter(action="dispatch_escalated").exists()
