"""The escalation ladder with frozen time (issue 12 point 4): each hop's deadline, acknowledgement stops it, silence
moves it on, police hand-off for the public-security flag. Times are passed explicitly; the clock is
cases.timers.fire_due(now) at chosen instants."""

import json
import re
from datetime import timedelta

import pytest

from api import signing, webhooks
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from cases import timers
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from screening.actions import do_acknowledge, do_assess_risk, do_change_level, do_resolve_risk
from screening.actions.base import ActionRefused
from screening.actions.escalation import live_ack_timer
from screening.enums import EscalationStep, HopStatus, RiskEventKind, RiskFlag, RiskLevel
from tests.screening.factories import at, make_finding

pytestmark = pytest.mark.django_db

T0 = at(2026, 3, 3, 10, 0)


def _risk(sw, level=RiskLevel.RED, flags=(), by=None, when=T0, **kw):
    w = sw.w
    by = by or w.mediator_a
    finding = make_finding(w.village_a, by=by)
    return do_assess_risk(
        by,
        finding=finding,
        title="宅基地边界纠纷可能激化",
        flags=list(flags),
        level=level,
        reasons="一方扬言报复，情绪激动。",
        at=when,
        **kw,
    )


def _hops(risk):
    return list(risk.hops.order_by("seq"))


def _live_ack_timers():
    return list(Timer.objects.filter(kind=TimerKind.RISK_ACK_DUE, fired_at__isnull=True, cancelled_at__isnull=True))


def _notices(user, kind):
    return Notification.objects.filter(user=user, kind=kind)


def test_red_from_a_village_mediator_minute_by_minute(sworld):
    w = sworld.w
    risk = _risk(sworld)
    (hop1,) = _hops(risk)
    assert hop1.step == EscalationStep.COMMITTEE and hop1.recipient_ids == [w.director_a.pk]
    assert hop1.ack_due_at == T0 + timedelta(minutes=10)
    assert hop1.label == "桂花村人民调解委员会"
    assert _notices(w.director_a, NoticeKind.RISK_ALERT).count() == 1
    notice = _notices(w.director_a, NoticeKind.RISK_ALERT).get()
    assert notice.link == f"/screening/risks/{risk.pk}/" or str(risk.pk) in notice.link
    t = live_ack_timer(hop1)
    assert t is not None and t.fire_at == hop1.ack_due_at

    # +9 min: nothing moves.
    timers.fire_due(T0 + timedelta(minutes=9))
    assert [h.status for h in _hops(risk)] == [HopStatus.PENDING]

    # +10 min: timed out, hop 2 to the township (司法所 + the township committee's director), 15 minutes.
    timers.fire_due(T0 + timedelta(minutes=10))
    hop1, hop2 = _hops(risk)
    assert hop1.status == HopStatus.TIMED_OUT
    assert hop2.step == EscalationStep.TOWNSHIP and hop2.reason == "逾期未签收自动上报"
    assert set(hop2.recipient_ids) == {w.sfs_officer.pk, sworld.director_t.pk}
    assert hop2.pushed_at == T0 + timedelta(minutes=10)
    assert hop2.ack_due_at == T0 + timedelta(minutes=25)
    assert _notices(w.director_a, NoticeKind.RISK_ACK_OVERDUE).count() == 1
    assert risk.events.filter(kind=RiskEventKind.TIMED_OUT, actor__isnull=True).exists()

    # +18 min: the 司法所 acknowledges: the time-out stops, and (RED: report_up_to COUNTY) it goes on at once.
    do_acknowledge(w.sfs_officer, hop2, note="已安排人员赶赴现场", at=T0 + timedelta(minutes=18))
    hop2.refresh_from_db()
    assert hop2.status == HopStatus.ACKNOWLEDGED and hop2.acknowledged_by == w.sfs_officer
    assert live_ack_timer(hop2) is None
    hop3 = _hops(risk)[2]
    assert hop3.step == EscalationStep.TOWNSHIP_GOV and hop3.recipient_ids == [sworld.gov_officer.pk]
    assert hop3.reason == "逐级上报" and hop3.ack_due_at == T0 + timedelta(minutes=33)
    timers.fire_due(T0 + timedelta(minutes=25))  # hop 2's old deadline: nothing happens
    assert len(_hops(risk)) == 3

    do_acknowledge(sworld.gov_officer, hop3, at=T0 + timedelta(minutes=20))
    hop4 = _hops(risk)[3]
    assert hop4.step == EscalationStep.COUNTY and hop4.recipient_ids == [w.county_admin.pk]
    assert hop4.ack_due_at == T0 + timedelta(minutes=50)
    do_acknowledge(w.county_admin, hop4, at=T0 + timedelta(minutes=30))
    assert len(_hops(risk)) == 4  # COUNTY is report_up_to: the chain ends
    assert not _live_ack_timers()


def test_orange_acknowledged_at_township_stops_there(sworld):
    w = sworld.w
    risk = _risk(sworld, level=RiskLevel.ORANGE)
    (hop1,) = _hops(risk)
    assert hop1.ack_due_at == T0 + timedelta(minutes=60)
    do_acknowledge(w.director_a, hop1, at=T0 + timedelta(minutes=5))
    hop2 = _hops(risk)[1]
    assert hop2.step == EscalationStep.TOWNSHIP and hop2.ack_due_at == T0 + timedelta(minutes=125)
    do_acknowledge(sworld.director_t, hop2, at=T0 + timedelta(minutes=30))
    assert len(_hops(risk)) == 2
    timers.fire_due(T0 + timedelta(days=2))
    assert len(_hops(risk)) == 2


def test_silence_all_the_way_up_tells_the_city(sworld):
    w = sworld.w
    risk = _risk(sworld)
    for minutes in (10, 25, 40, 70):
        timers.fire_due(T0 + timedelta(minutes=minutes))
    steps = [(h.step, h.status) for h in _hops(risk)]
    assert steps == [
        (EscalationStep.COMMITTEE, HopStatus.TIMED_OUT),
        (EscalationStep.TOWNSHIP, HopStatus.TIMED_OUT),
        (EscalationStep.TOWNSHIP_GOV, HopStatus.TIMED_OUT),
        (EscalationStep.COUNTY, HopStatus.TIMED_OUT),
    ]
    assert _notices(w.city_admin, NoticeKind.RISK_ACK_OVERDUE).count() == 1
    assert risk.events.filter(kind=RiskEventKind.CHAIN_STOPPED, data__top=True).exists()
    timers.fire_due(T0 + timedelta(days=1))
    assert _notices(w.city_admin, NoticeKind.RISK_ACK_OVERDUE).count() == 1


@pytest.fixture
def risk_webhooks(monkeypatch):
    """The `risk.reported` entry of api.webhooks.EVENT_TYPES (the lead adds it for good; see the report)."""
    monkeypatch.setitem(webhooks.EVENT_TYPES, "risk.reported", "矛盾纠纷风险预警直报公安机关")


def test_public_security_goes_to_the_police_at_once_with_a_signed_webhook(sworld, risk_webhooks):
    w = sworld.w
    endpoint = WebhookEndpoint.objects.create(
        institution=sworld.police,
        url="https://police.example.cn/hooks",
        secret_encrypted=signing.encrypt_secret(signing.new_secret()),
    )
    risk = _risk(sworld, flags=[RiskFlag.PUBLIC_SECURITY])
    hops = _hops(risk)
    assert [h.step for h in hops] == [EscalationStep.COMMITTEE, EscalationStep.POLICE]
    police = hops[1]
    assert police.recipient_ids == [sworld.police_liaison.pk] and police.institution == sworld.police
    assert police.pushed_at == T0 and police.ack_due_at == T0 + timedelta(minutes=10)
    assert police.reason == "治安风险直报公安"
    assert risk.events.filter(kind=RiskEventKind.POLICE_HANDOFF, hop=police).exists()
    assert _notices(sworld.police_liaison, NoticeKind.RISK_ALERT).count() == 1
    event = WebhookEvent.objects.get(event_type="risk.reported", institution=sworld.police)
    assert WebhookDelivery.objects.filter(event=event, endpoint=endpoint).count() == 1
    data = event.payload["data"]
    assert data["risk_id"] == risk.pk and data["level"] == "RED" and data["flags"] == ["PUBLIC_SECURITY"]
    body = json.dumps(event.payload, ensure_ascii=False)
    for secret in ("1380000", "1390000", "张某", "李某", risk.reasons, risk.title):
        assert secret not in body
    assert not re.search(r"\d{17}[\dXx]", body)  # no ID number
    assert not re.search(r"1[3-9]\d{9}", body)  # no mobile number
    # The SMS of the alert carries no personal data either.

    # The police hop times out at +10: the police are told again and the county bureau is told; no rung above.
    timers.fire_due(T0 + timedelta(minutes=10))
    police.refresh_from_db()
    assert police.status == HopStatus.TIMED_OUT
    assert _notices(sworld.police_liaison, NoticeKind.RISK_ACK_OVERDUE).count() == 1
    assert _notices(w.county_admin, NoticeKind.RISK_ACK_OVERDUE).count() == 1
    assert [h.step for h in _hops(risk)].count(EscalationStep.POLICE) == 1


def test_police_hop_without_an_endpoint_writes_no_delivery(sworld, risk_webhooks):
    risk = _risk(sworld, level=RiskLevel.ORANGE, flags=[RiskFlag.GROUP_FIGHT])
    police = risk.hops.get(step=EscalationStep.POLICE)
    assert police.ack_due_at == T0 + timedelta(minutes=60)
    assert WebhookEvent.objects.filter(event_type="risk.reported").count() == 1
    assert WebhookDelivery.objects.count() == 0
    # The liaison acknowledges; the ladder is untouched.
    do_acknowledge(sworld.police_liaison, police, note="已派民警", at=T0 + timedelta(minutes=3))
    police.refresh_from_db()
    assert police.status == HopStatus.ACKNOWLEDGED
    assert risk.hops.get(step=EscalationStep.COMMITTEE).status == HopStatus.PENDING


def test_lowering_to_yellow_cancels_pending_hops_and_timers(sworld):
    w = sworld.w
    risk = _risk(sworld, flags=[RiskFlag.PUBLIC_SECURITY], owner=w.director_a)
    assert len(_live_ack_timers()) == 2
    do_change_level(w.director_a, risk, level=RiskLevel.YELLOW, reason="双方已达成谅解", at=T0 + timedelta(minutes=5))
    assert {h.status for h in _hops(risk)} == {HopStatus.CANCELLED}
    assert _live_ack_timers() == []
    assert risk.events.filter(kind=RiskEventKind.LEVEL_LOWERED, from_level="RED", to_level="YELLOW").exists()
    assert risk.events.filter(kind=RiskEventKind.CHAIN_STOPPED).exists()
    timers.fire_due(T0 + timedelta(hours=5))
    assert len(_hops(risk)) == 2


def test_raising_yellow_to_red_starts_the_chain(sworld):
    w = sworld.w
    risk = _risk(sworld, level=RiskLevel.YELLOW)
    assert _hops(risk) == []
    do_change_level(w.mediator_a2, risk, level=RiskLevel.RED, reason="当事人扬言报复", at=T0 + timedelta(hours=1))
    (hop,) = _hops(risk)
    assert hop.step == EscalationStep.COMMITTEE and hop.level == RiskLevel.RED
    assert hop.ack_due_at == T0 + timedelta(hours=1, minutes=10)
    risk.finding.refresh_from_db()
    assert risk.finding.is_major


def test_orange_to_red_restarts_from_the_first_rung_not_acknowledged_with_red_deadlines(sworld):
    w = sworld.w
    risk = _risk(sworld, level=RiskLevel.ORANGE)
    do_acknowledge(w.director_a, _hops(risk)[0], at=T0 + timedelta(minutes=5))
    township = _hops(risk)[1]
    assert township.ack_due_at == T0 + timedelta(minutes=125)
    do_change_level(w.mediator_a, risk, level=RiskLevel.RED, reason="矛盾升级", at=T0 + timedelta(minutes=20))
    township.refresh_from_db()
    assert township.status == HopStatus.CANCELLED
    again = _hops(risk)[2]
    assert again.step == EscalationStep.TOWNSHIP and again.level == RiskLevel.RED
    assert again.ack_due_at == T0 + timedelta(minutes=35)
    assert len(_live_ack_timers()) == 1


def test_lower_refused_for_a_mediator_not_the_owner_allowed_for_owner_and_county(sworld):
    w = sworld.w
    risk = _risk(sworld, level=RiskLevel.RED, owner=w.mediator_a2)
    with pytest.raises(ActionRefused):
        do_change_level(w.mediator_a, risk, level=RiskLevel.ORANGE, reason="情况缓和", at=T0)
    risk.refresh_from_db()
    assert risk.level == RiskLevel.RED
    do_change_level(w.mediator_a2, risk, level=RiskLevel.ORANGE, reason="情况缓和", at=T0 + timedelta(minutes=1))
    do_change_level(w.county_admin, risk, level=RiskLevel.YELLOW, reason="已就地化解", at=T0 + timedelta(minutes=2))
    risk.refresh_from_db()
    assert risk.level == RiskLevel.YELLOW
    with pytest.raises(ActionRefused):
        do_change_level(w.other_county_admin, risk, level=RiskLevel.RED, reason="不在辖区", at=T0)
    with pytest.raises(ActionRefused) as e:
        do_change_level(w.mediator_a, risk, level=RiskLevel.RED, reason="短", at=T0)
    assert e.value.field == "reason"


def test_self_acknowledgement_when_the_director_files_it(sworld):
    w = sworld.w
    risk = _risk(sworld, by=w.director_a)
    hop1, hop2 = _hops(risk)
    assert hop1.status == HopStatus.ACKNOWLEDGED and hop1.acknowledged_by == w.director_a
    assert hop1.ack_note == "上报人本人签收" and hop1.acknowledged_at == T0
    assert hop2.step == EscalationStep.TOWNSHIP and hop2.status == HopStatus.PENDING
    assert hop2.ack_due_at == T0 + timedelta(minutes=15)
    assert len(_live_ack_timers()) == 1
    assert not _notices(w.director_a, NoticeKind.RISK_ALERT).exists()  # not told of what they filed


def test_a_township_without_a_governance_officer_is_skipped(sworld):
    w = sworld.w
    sworld.gov_officer.is_active = False
    sworld.gov_officer.save()
    risk = _risk(sworld)
    timers.fire_due(T0 + timedelta(minutes=10))
    do_acknowledge(w.sfs_officer, _hops(risk)[1], at=T0 + timedelta(minutes=12))
    steps = [h.step for h in _hops(risk)]
    assert steps == [EscalationStep.COMMITTEE, EscalationStep.TOWNSHIP, EscalationStep.COUNTY]
    skipped = risk.events.get(kind=RiskEventKind.PUSHED, data__skipped=True)
    assert skipped.hop is None and "无接收人员，跳过" in skipped.text and skipped.data["step"] == "TOWNSHIP_GOV"
    assert _hops(risk)[2].ack_due_at == T0 + timedelta(minutes=42)


def test_resolving_stops_the_chain(sworld):
    w = sworld.w
    risk = _risk(sworld)
    do_resolve_risk(w.director_a, risk, note="双方达成和解协议", at=T0 + timedelta(minutes=3))
    assert _hops(risk)[0].status == HopStatus.CANCELLED and _live_ack_timers() == []
    with pytest.raises(ActionRefused):
        do_acknowledge(w.director_a, _hops(risk)[0], at=T0 + timedelta(minutes=4))


def test_acknowledge_refused_outside_the_hop(sworld):
    w = sworld.w
    risk = _risk(sworld)
    hop = _hops(risk)[0]
    for user in (w.mediator_a2, w.mediator_b, w.director_b, w.other_county_admin, sworld.police_liaison):
        with pytest.raises(ActionRefused):
            do_acknowledge(user, hop, at=T0 + timedelta(minutes=1))
    do_acknowledge(w.county_admin, hop, at=T0 + timedelta(minutes=1))  # a supervisor above the rung may
    hop.refresh_from_db()
    assert hop.acknowledged_by == w.county_admin


def test_termination_with_escalation_risk_opens_an_orange_risk_with_its_chain(sworld):
    from cases import actions as A
    from cases.enums import CaseStatus, Route, TerminationReason
    from tests.world import make_case

    w = sworld.w
    case = make_case(w, CaseStatus.IN_MEDIATION)
    when = at(2026, 3, 10, 15)
    A.do_terminate_mediation(
        case,
        w.mediator_a,
        reason=TerminationReason.NO_PROSPECT,
        note="双方分歧较大，一方情绪激动扬言报复",
        routes=[Route.LITIGATION],
        escalation_risk=True,
        at=when,
    )
    risk = case.risks.get()
    assert risk.level == RiskLevel.ORANGE and risk.flags == [] and risk.committee == w.village_a
    assert "扬言报复" in risk.reasons
    (hop,) = _hops(risk)
    assert hop.step == EscalationStep.COMMITTEE and hop.ack_due_at == when + timedelta(minutes=60)
    assert Notification.objects.filter(kind=NoticeKind.RISK_TERMINATION).exists()  # the existing notice stays
    t = live_ack_timer(hop)
    assert t.case_id == case.pk


def test_termination_without_the_mark_opens_nothing(sworld):
    from cases import actions as A
    from cases.enums import CaseStatus, Route, TerminationReason
    from tests.world import make_case

    w = sworld.w
    case = make_case(w, CaseStatus.IN_MEDIATION)
    A.do_terminate_mediation(
        case,
        w.mediator_a,
        reason=TerminationReason.NO_PROSPECT,
        note="双方分歧较大",
        routes=[Route.LITIGATION],
        at=at(2026, 3, 10, 15),
    )
    assert not case.risks.exists()


def test_review_date_reminds_the_owner_at_the_configured_hour(sworld):
    from datetime import date

    from screening.actions import do_review_risk, do_update_risk

    w = sworld.w
    risk = _risk(sworld, level=RiskLevel.YELLOW, owner=w.mediator_a2, review_on=date(2026, 3, 5))
    timer = Timer.objects.get(kind=TimerKind.RISK_REVIEW_DUE, cancelled_at__isnull=True)
    assert timer.fire_at == at(2026, 3, 5, 9, 0) and timer.deadline == date(2026, 3, 5)
    timers.fire_due(at(2026, 3, 5, 8, 59))
    assert not _notices(w.mediator_a2, NoticeKind.RISK_UPDATE).filter(message__contains="复核").exists()
    timers.fire_due(at(2026, 3, 5, 9, 0))
    notice = _notices(w.mediator_a2, NoticeKind.RISK_UPDATE).get(message__contains="复核")
    assert notice.link.endswith(f"/screening/risks/{risk.pk}/")
    assert risk.events.filter(kind=RiskEventKind.REVIEW_DUE, actor__isnull=True).exists()
    # Reviewing sets the next date; moving it cancels the old timer.
    do_review_risk(
        w.mediator_a2, risk, note="情况稳定，继续关注", next_review_on=date(2026, 3, 12), at=at(2026, 3, 5, 10)
    )
    do_update_risk(w.director_a, risk, reason="提前复核", review_on=date(2026, 3, 9), at=at(2026, 3, 5, 11))
    live = Timer.objects.filter(kind=TimerKind.RISK_REVIEW_DUE, fired_at__isnull=True, cancelled_at__isnull=True)
    assert [t.fire_at for t in live] == [at(2026, 3, 9, 9, 0)]


def test_sms_texts_carry_no_personal_data(sworld):
    from notifications.models import OutboxMessage

    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a, parties="张某某与李某某", facts="张某某扬言报复李某某")
    risk = do_assess_risk(
        w.mediator_a,
        finding=finding,
        title="张某某与李某某纠纷",
        flags=[RiskFlag.CIVIL_TO_CRIMINAL],
        level=RiskLevel.RED,
        reasons="张某某扬言报复",
        at=T0,
    )
    for minutes in (10, 25):
        timers.fire_due(T0 + timedelta(minutes=minutes))
    texts = list(OutboxMessage.objects.values_list("body", flat=True))
    assert texts, "RISK_ALERT is sent by SMS"
    for text in texts:
        assert "张某某" not in text and "李某某" not in text and risk.title not in text


def test_orange_silence_climbs_on_orange_deadlines(sworld):
    risk = _risk(sworld, level=RiskLevel.ORANGE)
    for minutes in (60, 180, 420):
        timers.fire_due(T0 + timedelta(minutes=minutes - 1))
        assert len(_hops(risk)) == [60, 180, 420].index(minutes) + 1
        timers.fire_due(T0 + timedelta(minutes=minutes))
    assert [(h.step, int((h.ack_due_at - T0).total_seconds() // 60)) for h in _hops(risk)] == [
        (EscalationStep.COMMITTEE, 60),
        (EscalationStep.TOWNSHIP, 180),
        (EscalationStep.TOWNSHIP_GOV, 420),
        (EscalationStep.COUNTY, 900),
    ]
    timers.fire_due(T0 + timedelta(minutes=900))
    assert _notices(sworld.w.city_admin, NoticeKind.RISK_ACK_OVERDUE).count() == 1
