"""The referral clocks with frozen time: automatic return after 3 working days (holidays respected), each
channel's own clock from data/referral_channels.json, the contact clock, the court's 30/15/7-day clock moved by an
extension and by an appraisal pause."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from cases import actions as A
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from referrals import services
from referrals.clocks import REFERRAL_KINDS, live
from referrals.enums import ContactResult, ReferralEventKind, ReferralStatus
from tests.referrals.factories import (
    TZ,
    accept,
    assign,
    at,
    referral_events,
    rworld,  # noqa: F401
    scan,
    send,
    webhook_types,
)

pytestmark = pytest.mark.django_db
K = TimerKind


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("user", flat=True))


def scan_days(first: date, last: date, hours=(7, 8, 13, 20)) -> dict[date, list[tuple[str, str]]]:
    """Scan several times a day; per day, the (kind, rule) of the referral's own clocks that fired (the supervision
    thresholds of referrals.timers_board, which run beside them, are tested in test_limits_alerts)."""
    fired: dict[date, list[tuple[str, str]]] = {}
    day = first
    while day <= last:
        for h in hours:
            before = set(Timer.objects.filter(fired_at__isnull=False).values_list("pk", flat=True))
            scan(datetime(day.year, day.month, day.day, h, tzinfo=TZ))
            new = Timer.objects.filter(
                fired_at__isnull=False, target_type="referrals.Referral", kind__in=REFERRAL_KINDS
            ).exclude(pk__in=before)
            fired.setdefault(day, []).extend((t.kind, t.rule) for t in new)
        day += timedelta(days=1)
    return {d: v for d, v in fired.items() if v}


# --- the handshake: automatic return ---------------------------------------------------------------------------


def test_an_unanswered_referral_goes_back_the_morning_after_its_third_working_day(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 4, 30, 10))  # Thursday before 劳动节 (5/1–5/5)
    assert r.accept_by == date(2026, 5, 8)
    fired = scan_days(date(2026, 4, 30), date(2026, 5, 8))
    assert fired == {date(2026, 5, 8): [(K.REFERRAL_ACCEPT_DUE, "ACCEPT:remind")]}
    r.refresh_from_db()
    assert r.status == ReferralStatus.PENDING
    assert told(NoticeKind.REFERRAL_CLOCK) == {rworld.hub_director.pk, rworld.hub_mediator.pk}
    scan(at(2026, 5, 9, 8))
    r.refresh_from_db()
    assert r.status == ReferralStatus.RETURNED and r.declined_at == at(2026, 5, 9, 8)
    event = r.events.get(kind=ReferralEventKind.RETURNED)
    assert event.actor is None and event.actor_kind == "SYSTEM"
    # The receiver, the county bureau above it and the court's liaison are told; the township officers are not.
    assert told(NoticeKind.REFERRAL_RETURNED) == {
        rworld.hub_director.pk,
        rworld.hub_mediator.pk,
        rworld.county_admin.pk,
        rworld.court_liaison.pk,
    }
    assert webhook_types(r) == ["referral.received", "referral.returned"]
    assert not live(r).exists()
    scan(at(2026, 5, 10, 8))
    assert webhook_types(r) == ["referral.received", "referral.returned"]  # at most once


def test_an_answer_in_time_stops_the_return(rworld):  # noqa: F811
    accepted = send(rworld.court, at(2026, 3, 2, 10))
    declined = send(rworld.police, at(2026, 3, 2, 10))
    accept(accepted, rworld.hub_director, at(2026, 3, 5, 17))
    services.decline_referral(declined, rworld.hub_director, "属于治安案件，不宜调解", at=at(2026, 3, 5, 17))
    assert not Timer.objects.filter(kind=K.REFERRAL_ACCEPT_DUE, cancelled_at=None, fired_at=None).exists()
    scan(at(2026, 3, 6, 8))
    accepted.refresh_from_db()
    declined.refresh_from_db()
    assert (accepted.status, declined.status) == (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
    assert not Notification.objects.filter(kind=NoticeKind.REFERRAL_RETURNED).exists()


def test_the_system_does_not_return_before_the_limit(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))
    with pytest.raises(A.ActionRefused):
        services.return_unanswered(r, at(2026, 3, 5, 23))
    assert services.return_unanswered(r, at(2026, 3, 6, 0, 1)).status == ReferralStatus.RETURNED


# --- each channel's own clock ----------------------------------------------------------------------------------


def test_police_feedback_within_24_hours_reminded_then_marked_overdue(rworld):  # noqa: F811
    r = send(rworld.police, at(2026, 3, 2, 10))
    assert r.channel_due == at(2026, 3, 3, 10)
    scan(at(2026, 3, 3, 5, 59))
    assert not Notification.objects.filter(kind=NoticeKind.REFERRAL_CLOCK).exists()
    scan(at(2026, 3, 3, 6))  # 4 hours before
    assert told(NoticeKind.REFERRAL_CLOCK) == {rworld.hub_director.pk, rworld.hub_mediator.pk}
    scan(at(2026, 3, 3, 10))
    assert referral_events(r)[-1] == ReferralEventKind.OVERDUE
    assert webhook_types(r) == ["referral.received"]  # an overdue mark is internal


def test_a_reply_in_time_stops_the_channel_clock(rworld):  # noqa: F811
    r = send(rworld.police, at(2026, 3, 2, 10))
    with time_machine.travel(at(2026, 3, 2, 15), tick=False):
        services.reply_to_channel(r, rworld.hub_mediator, "已联系双方当事人，定于3月4日调解", at=at(2026, 3, 2, 15))
    r.refresh_from_db()
    assert r.replied_at == at(2026, 3, 2, 15)
    assert not live(r).filter(kind=K.REFERRAL_CHANNEL_DUE).exists()
    assert webhook_types(r) == ["referral.received", "referral.replied"]
    assert r.webhook_events.last().payload["data"]["on_time"] is True
    scan(at(2026, 3, 3, 10))
    # The channel's feedback clock was met (the hub's receive-stage cards of referrals.timers_board still run: the
    # referral waits at the 矛调中心 undispatched; test_limits_alerts tests them).
    overdue = r.events.filter(kind=ReferralEventKind.OVERDUE)
    assert not [e for e in overdue if e.data.get("clock") == "channel"]


@pytest.mark.parametrize(
    ("who", "ok"),
    [
        ("hub_mediator", True),
        ("hub_director", True),
        ("township_director", False),
        ("county_admin", False),
        ("police_liaison", False),
    ],
)
def test_who_may_reply_to_the_channel(rworld, who, ok):  # noqa: F811
    r = send(rworld.police, at(2026, 3, 2, 10))
    if ok:
        services.reply_to_channel(r, getattr(rworld, who), "已受理，正在调解", at=at(2026, 3, 2, 11))
        return
    with pytest.raises(A.ActionRefused):
        services.reply_to_channel(r, getattr(rworld, who), "已受理，正在调解", at=at(2026, 3, 2, 11))


@pytest.mark.parametrize(
    ("institution", "matter_type", "due"),
    [
        ("police", "", at(2026, 3, 3, 10)),  # 24 hours
        ("police", "COMPLEX", datetime(2026, 3, 7, 23, 59, 59, tzinfo=TZ)),  # 5 days
        ("hotline", "", datetime(2026, 3, 5, 23, 59, 59, tzinfo=TZ)),  # consultations: 3 working days
        ("hotline", "CONSULTATION", datetime(2026, 3, 5, 23, 59, 59, tzinfo=TZ)),
        ("hotline", "COMPLAINT", datetime(2026, 3, 19, 23, 59, 59, tzinfo=TZ)),  # complaints: 13 working days
        ("petition", "", None),  # runs from acceptance
        ("court", "", None),  # the court's clock is the mediation clock
    ],
)
def test_each_channel_has_its_own_clock(rworld, institution, matter_type, due):  # noqa: F811
    r = send(getattr(rworld, institution), at(2026, 3, 2, 10), matter_type=matter_type)
    assert r.channel_due == due
    kinds = set(live(r).values_list("kind", flat=True))
    assert (K.REFERRAL_CHANNEL_DUE in kinds) == (due is not None)


def test_a_petition_has_5_working_days_to_object_and_60_days_from_acceptance(rworld):  # noqa: F811
    r = send(rworld.petition, at(2026, 3, 2, 10))
    assert r.accept_by == date(2026, 3, 9)  # 5 working days to object to a wrong referral (信访工作条例 art. 23)
    accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    r.refresh_from_db()
    assert r.channel_due == datetime(2026, 5, 2, 23, 59, 59, tzinfo=TZ)  # 60 days (art. 34)
    assert webhook_types(r)[-1] == "referral.accepted"
    assert datetime.fromisoformat(r.webhook_events.last().payload["data"]["channel_due"]) == r.channel_due


def test_the_clocks_follow_a_changed_configuration(rworld, settings, tmp_path):  # noqa: F811
    import json

    from referrals import clocks

    raw = json.loads((settings.BASE_DIR / "data" / "referral_channels.json").read_text(encoding="utf-8"))
    raw["accept"]["working_days"] = 5
    raw["channels"]["POLICE"]["clock"] = {"hours": 12, "from": "received", "label": "测试"}
    path = tmp_path / "referral_channels.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    settings.TIAOJIE = {**settings.TIAOJIE, "REFERRAL_CHANNELS": path}
    clocks.clear_cache()
    try:
        r = send(rworld.police, at(2026, 3, 2, 10))
        assert r.accept_by == date(2026, 3, 9) and r.channel_due == at(2026, 3, 2, 22)
    finally:
        clocks.clear_cache()


# --- the contact clock -----------------------------------------------------------------------------------------


def test_the_mediator_is_reminded_to_contact_the_other_party_and_nothing_ends_by_itself(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    r.refresh_from_db()
    assert r.contact_by == date(2026, 3, 6)
    fired = scan_days(date(2026, 3, 3), date(2026, 3, 9))
    contact = {d: [x for x in v if x[0] == K.REFERRAL_CONTACT_DUE] for d, v in fired.items()}
    assert {d: v for d, v in contact.items() if v} == {
        date(2026, 3, 6): [(K.REFERRAL_CONTACT_DUE, "CONTACT:due")],
        date(2026, 3, 9): [(K.REFERRAL_CONTACT_DUE, "CONTACT:overdue")],
    }
    assert rworld.hub_mediator.pk in told(NoticeKind.REFERRAL_CLOCK)
    r.refresh_from_db()
    case.refresh_from_db()
    assert r.status == ReferralStatus.ACCEPTED and case.status == "IN_MEDIATION"


def test_recording_the_contact_stops_the_contact_clock(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    services.record_contact(r, rworld.hub_mediator, ContactResult.CONTACTED, "电话联系，同意调解", at=at(2026, 3, 4, 9))
    assert not live(r).filter(kind=K.REFERRAL_CONTACT_DUE).exists()
    fired = scan_days(date(2026, 3, 4), date(2026, 3, 9))
    assert not any(k == K.REFERRAL_CONTACT_DUE for v in fired.values() for k, _ in v)
    assert webhook_types(r) == ["referral.received", "referral.accepted", "referral.party_contacted"]


# --- the court's mediation clock -------------------------------------------------------------------------------


def test_the_court_clock_reminds_before_and_on_its_last_day(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10), referral_type="WEITUO", procedure="SIMPLE")
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    services.record_contact(r, rworld.hub_mediator, ContactResult.CONTACTED, "", at=at(2026, 3, 3, 12))
    fired = scan_days(date(2026, 3, 4), date(2026, 3, 11))
    mediation = {d: [x for x in v if x[0] == K.REFERRAL_MEDIATION_DUE] for d, v in fired.items()}
    assert {d: v for d, v in mediation.items() if v} == {
        date(2026, 3, 7): [(K.REFERRAL_MEDIATION_DUE, "MEDIATION:-3")],
        date(2026, 3, 9): [(K.REFERRAL_MEDIATION_DUE, "MEDIATION:-1")],
        date(2026, 3, 10): [(K.REFERRAL_MEDIATION_DUE, "MEDIATION:-0")],
    }


def _mediating_court_referral(rworld, **kw):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10), **kw)
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    services.record_contact(r, rworld.hub_mediator, ContactResult.CONTACTED, "", at=at(2026, 3, 3, 12))
    case.refresh_from_db()
    r.refresh_from_db()
    return r, case


def test_an_extension_with_every_partys_consent_moves_the_court_clock(rworld):  # noqa: F811
    r, case = _mediating_court_referral(rworld)
    assert r.mediation_due == date(2026, 4, 2)
    with time_machine.travel(at(2026, 3, 30, 10), tick=False):
        A.do_extend_time_limit(
            case,
            rworld.hub_mediator,
            new_due=date(2026, 4, 20),
            reason="双方同意继续协商赔偿数额",
            consent_record="双方当事人当面表示同意延长至4月20日",
            consenting_parties=list(case.parties.all()),
            at=at(2026, 3, 30, 10),
        )
    r.refresh_from_db()
    assert r.mediation_due == date(2026, 4, 20)
    assert webhook_types(r)[-1] == "referral.extended"
    data = r.webhook_events.last().payload["data"]
    assert data["mediation_due"] == "2026-04-20" and data["old_due"] == "2026-04-02"
    assert data["all_parties_consented"] is True and data["consenting_parties"] == 2
    deadlines = set(live(r).filter(kind=K.REFERRAL_MEDIATION_DUE).values_list("deadline", flat=True))
    assert deadlines == {date(2026, 4, 20)}


def test_an_appraisal_pauses_the_court_clock_and_the_paused_days_are_added(rworld):  # noqa: F811
    r, case = _mediating_court_referral(rworld)
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        A.do_pause_mediation(
            case, rworld.hub_mediator, reason="委托房屋损失鉴定评估", appraisal=True, at=at(2026, 3, 10, 10)
        )
    r.refresh_from_db()
    assert r.paused_since == date(2026, 3, 10)
    assert not live(r).filter(kind=K.REFERRAL_MEDIATION_DUE).exists()
    assert webhook_types(r)[-1] == "referral.paused"
    scan_days(date(2026, 3, 29), date(2026, 4, 2))  # the old reminders do not come while paused
    assert not Timer.objects.filter(kind=K.REFERRAL_MEDIATION_DUE, fired_at__isnull=False).exists()
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        A.do_resume_mediation(case, rworld.hub_mediator, note="鉴定结论已出", at=at(2026, 3, 20, 10))
    r.refresh_from_db()
    case.refresh_from_db()
    # 10 days paused: 4/2 + 10 = Sunday 4/12 → Monday 4/13, for the case and the court alike.
    assert r.mediation_due == date(2026, 4, 13) == case.time_limit_due
    assert (r.paused_days, r.paused_since) == (10, None)
    assert webhook_types(r)[-1] == "referral.resumed"
    data = r.webhook_events.last().payload["data"]
    assert data["paused_days"] == 10 and data["mediation_due"] == "2026-04-13"
    deadlines = set(live(r).filter(kind=K.REFERRAL_MEDIATION_DUE).values_list("deadline", flat=True))
    assert deadlines == {date(2026, 4, 13)}


def test_a_pause_that_is_no_appraisal_leaves_the_court_clock_running(rworld):  # noqa: F811
    r, case = _mediating_court_referral(rworld)
    due = r.mediation_due
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        A.do_pause_mediation(case, rworld.hub_mediator, reason="申请人住院治疗，暂缓调解", at=at(2026, 3, 10, 10))
    r.refresh_from_db()
    assert r.paused_since is None and "referral.paused" not in webhook_types(r)
    assert live(r).filter(kind=K.REFERRAL_MEDIATION_DUE).exists()
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        A.do_resume_mediation(case, rworld.hub_mediator, note="已出院", at=at(2026, 3, 20, 10))
    r.refresh_from_db()
    assert r.mediation_due == due and r.paused_days == 0
    assert "referral.resumed" not in webhook_types(r)
