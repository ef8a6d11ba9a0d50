"""The escalation ladder (issue 12 point 4): push, acknowledge, instruct, time out, police hand-off. Owner: h-risk.

A RED or ORANGE risk gets hop 1 at the first rung of its level's ladder (data/risk_escalation.json) with an
acknowledgement deadline (a RISK_ACK_DUE timer on the hop). An acknowledgement below `report_up_to` passes the risk
on to the next rung at once (逐级上报); at or above it the chain stops. A hop unacknowledged at its deadline is
TIMED_OUT and the risk goes to the next rung (逾期未签收自动上报), beyond report_up_to if need be. A rung with no
recipients in the area is skipped (recorded). Risks with a police flag also get a POLICE hop at once (and a signed
`risk.reported` webhook to the police institution, through api.webhooks.emit).

Details (TEAM.md "Escalation"):
- who a rung reaches: COMMITTEE the DIRECTOR users of the risk's committee; TOWNSHIP the SFS_OFFICER users of the
  township (division_code[:9]) and the directors of the township's own committee (type TOWNSHIP or SUBDISTRICT at
  exactly the township's division); TOWNSHIP_GOV the GOVERNANCE_OFFICER users of the township; COUNTY the
  COUNTY_ADMIN users of division_code[:6]; POLICE the liaisons of the nearest active police institution whose
  division contains the risk's (the longest code wins);
- if the person who pushes is among a hop's recipients, that hop is acknowledged by them at once (上报人本人签收);
- at the top of the ladder with nobody left above, a time-out tells the CITY_ADMIN of division_code[:4] and the
  chain ends; the POLICE hop's time-out re-notifies the police and tells the county bureau (no further rung);
- a restart after ORANGE→RED cancels the pending ladder hop and pushes again, with RED's deadlines, from the first
  rung that was neither acknowledged nor timed out; lowering to YELLOW or resolving cancels every pending hop;
- a clock's action has actor None and the label SYSTEM_LABEL["escalation"]; every notice links to the risk page
  and its SMS carries no personal data (the committee's name, the colour and the deadline only).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cases import timers
from cases.models import Timer, TimerKind
from notifications.enums import NoticeKind
from notifications.services import notify
from registry.models import Committee, CommitteeType, Division
from screening import config
from screening.actions.base import local_date, now_or, record_event, require
from screening.enums import LEVEL_WORD, EscalationStep, HopStatus, RiskEventKind, RiskStatus
from screening.models import EscalationHop, RiskAssessment, RiskEvent
from screening.permissions import can_acknowledge, can_instruct

SYSTEM = "escalation"
REASON_LADDER = "逐级上报"
REASON_TIMEOUT = "逾期未签收自动上报"
REASON_POLICE = "治安风险直报公安"
REASON_RESTART = "等级调整，按新等级重新上报"
RISK_EVENT_TYPE = "risk.reported"
SELF_ACK = "上报人本人签收"
SKIPPED = "无接收人员，跳过"


def risk_link(risk: RiskAssessment) -> str:
    return reverse("screening:risk", args=[risk.pk])


def _minutes_words(minutes: int) -> str:
    if minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分钟"


# ----------------------------------------------------------------------------------------------------------------
# Who a rung reaches


def _active_users(**kw) -> list[User]:
    return list(User.objects.filter(is_active=True, **kw).order_by("pk"))


def police_institution(division_code: str):
    """The nearest active police institution whose division contains `division_code` (longest code wins)."""
    from referrals.enums import Channel
    from referrals.models import Institution

    prefixes = [division_code[:n] for n in (2, 4, 6, 9, 12) if len(division_code) >= n]
    candidates = Institution.objects.filter(kind=Channel.POLICE, is_active=True, division_id__in=prefixes)
    return max(candidates, key=lambda i: (len(str(i.division_id)), -i.pk), default=None)


def recipients(risk: RiskAssessment, step: str) -> tuple[list[User], str, str, object]:
    """(users, label, rung division code, institution) of a rung for this risk, resolved now."""
    code = risk.division_code
    township, county = code[:9], code[:6]
    steps = config.rules(code)["steps"]
    names = dict(Division.objects.filter(code__in=[township, county]).values_list("code", "name"))
    institution = None
    if step == EscalationStep.COMMITTEE:
        users = _active_users(role=Role.DIRECTOR, committee_id=risk.committee_id)
        division = str(risk.committee.division_id)
    elif step == EscalationStep.TOWNSHIP:
        committees = Committee.objects.filter(
            division_id=township,
            committee_type__in=[CommitteeType.TOWNSHIP, CommitteeType.SUBDISTRICT],
            is_active=True,
        )
        users = _active_users(role=Role.SFS_OFFICER, division_id=township) + _active_users(
            role=Role.DIRECTOR, committee__in=committees
        )
        division = township
    elif step == EscalationStep.TOWNSHIP_GOV:
        users = _active_users(role=Role.GOVERNANCE_OFFICER, division_id=township)
        division = township
    elif step == EscalationStep.COUNTY:
        users = _active_users(role=Role.COUNTY_ADMIN, division_id=county)
        division = county
    elif step == EscalationStep.POLICE:
        institution = police_institution(code)
        users = _active_users(role=Role.INSTITUTION_LIAISON, institution=institution) if institution is not None else []
        division = str(institution.division_id) if institution is not None else code
    else:  # pragma: no cover - the enum is closed
        raise ValueError(step)
    template = steps.get(step, {}).get("label", "{committee}")
    label = template.format(
        committee=risk.committee.name,
        township=names.get(township, township),
        county=names.get(county, county),
        institution=institution.name if institution is not None else "公安机关",
    )
    return users, label[:120], division, institution


def city_admins(risk: RiskAssessment) -> list[User]:
    return _active_users(role=Role.CITY_ADMIN, division_id=risk.division_code[:4])


# ----------------------------------------------------------------------------------------------------------------
# Pushing


def _sms_alert(risk: RiskAssessment, minutes: int) -> str:
    return (
        f"{risk.committee.name}报送一条{LEVEL_WORD.get(risk.level, '')}风险预警，"
        f"请在{_minutes_words(minutes)}内登录调解平台签收。"
    )


def _push(
    risk: RiskAssessment, step: str, actor: User | None, at: datetime, *, reason: str
) -> tuple[EscalationHop | None, bool]:
    """Push one rung. Returns (hop, self_acknowledged); (None, False) when the rung has nobody and was skipped."""
    lvl = config.level_rules(risk.level, risk.division_code) or {}
    minutes = int(lvl.get("ack_minutes", {}).get(step, 30))
    users, label, division, institution = recipients(risk, step)
    # A police station integrated through the API only (no liaison accounts) still gets its hop and webhook.
    api_only_police = step == EscalationStep.POLICE and institution is not None
    if not users and not api_only_police:
        record_event(
            risk,
            RiskEventKind.PUSHED,
            actor,
            at,
            text=f"{label}：{SKIPPED}",
            data={"step": step, "skipped": True},
            system=SYSTEM,
        )
        return None, False
    seq = (risk.hops.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    hop = EscalationHop.objects.create(
        risk=risk,
        seq=seq,
        step=step,
        label=label,
        level=risk.level,
        division_code=division,
        institution=institution,
        recipient_ids=[u.pk for u in users],
        reason=reason,
        pushed_at=at,
        ack_due_at=at + timedelta(minutes=minutes),
    )
    names = "、".join(u.full_name or u.username for u in users) or "经接口推送"
    record_event(
        risk,
        RiskEventKind.POLICE_HANDOFF if step == EscalationStep.POLICE else RiskEventKind.PUSHED,
        actor,
        at,
        hop=hop,
        text=f"{reason}：{label}（{names}），{_minutes_words(minutes)}内签收",
        data={"step": step, "minutes": minutes, "recipients": hop.recipient_ids},
        system=SYSTEM,
    )
    due = timezone.localtime(hop.ack_due_at)
    notify(
        users,
        NoticeKind.RISK_ALERT,
        f"{LEVEL_WORD.get(risk.level, '')}风险预警（{reason}）：{risk.title}（{risk.committee.name}），"
        f"请于{due.month}月{due.day}日{due:%H:%M}前签收",
        # The police read the risk, not the case (which they cannot open): no case number on their notice.
        case=None if step == EscalationStep.POLICE else risk.case,
        actor=actor,
        at=at,
        sms=_sms_alert(risk, minutes),
        link=risk_link(risk),
    )
    timers.schedule(
        TimerKind.RISK_ACK_DUE,
        case=risk.case,
        deadline=local_date(hop.ack_due_at),
        fire_at=hop.ack_due_at,
        target=hop,
        rule="ACK",
    )
    if step == EscalationStep.POLICE and institution is not None:
        _webhook(risk, hop, institution, at)
    if actor is not None and actor.pk in hop.recipient_ids:
        _acknowledge(hop, actor, at, note=SELF_ACK)
        return hop, True
    return hop, False


def _webhook(risk: RiskAssessment, hop: EscalationHop, institution, at: datetime) -> None:
    """The signed `risk.reported` event for the police (ids, codes, colour and times: no names, ID numbers,
    phones or free text, which the police read in the platform)."""
    from api import webhooks

    if RISK_EVENT_TYPE not in webhooks.EVENT_TYPES:  # the catalogue entry is the lead's (api/webhooks.py)
        return
    webhooks.emit(
        RISK_EVENT_TYPE,
        institution=institution,
        data={
            "risk_id": risk.pk,
            "hop_id": hop.pk,
            "level": risk.level,
            "flags": list(risk.flags or []),
            "division_code": risk.division_code,
            "committee_id": risk.committee_id,
            "case_id": risk.case_id,
            "pushed_at": hop.pushed_at.isoformat(),
            "ack_due_at": hop.ack_due_at.isoformat(),
            "path": risk_link(risk),
        },
        at=at,
    )


def _ladder(risk: RiskAssessment) -> tuple[list[str], str]:
    lvl = config.level_rules(risk.level, risk.division_code)
    if not lvl:
        return [], ""
    return list(lvl.get("ladder", [])), str(lvl.get("report_up_to", ""))


def _advance(risk: RiskAssessment, start: int, actor: User | None, at: datetime, *, reason: str) -> list[EscalationHop]:
    """Walk the ladder from index `start`: push rungs until one is pending, or an acknowledged one reaches
    report_up_to. Returns the hops pushed. Running off the top after a time-out or skips tells the city."""
    ladder, up_to = _ladder(risk)
    top = ladder.index(up_to) if up_to in ladder else len(ladder) - 1
    pushed: list[EscalationHop] = []
    i = start
    while i < len(ladder):
        hop, self_ack = _push(risk, ladder[i], actor, at, reason=reason)
        if hop is not None:
            pushed.append(hop)
            if not self_ack or i >= top:
                return pushed
            reason = REASON_LADDER
        i += 1
    if reason == REASON_TIMEOUT or not pushed:
        _tell_city(risk, at)
    return pushed


def _tell_city(risk: RiskAssessment, at: datetime) -> None:
    users = city_admins(risk)
    record_event(
        risk,
        RiskEventKind.CHAIN_STOPPED,
        None,
        at,
        text="已报至最高层级，无人签收，已告知市司法局" if users else "已报至最高层级，无人签收",
        data={"top": True, "recipients": [u.pk for u in users]},
        system=SYSTEM,
    )
    notify(
        users,
        NoticeKind.RISK_ACK_OVERDUE,
        f"{LEVEL_WORD.get(risk.level, '')}风险预警逐级上报至最高层级仍无人签收：{risk.title}（{risk.committee.name}）",
        case=risk.case,
        at=at,
        sms=f"{risk.committee.name}的一条风险预警逐级上报后仍无人签收，请登录调解平台查看。",
        link=risk_link(risk),
    )


def _police_needed(risk: RiskAssessment) -> bool:
    police_flags = set(config.rules(risk.division_code).get("police_flags", []))
    if not (set(risk.flags or []) & police_flags):
        return False
    return not risk.hops.filter(
        step=EscalationStep.POLICE, status__in=[HopStatus.PENDING, HopStatus.ACKNOWLEDGED]
    ).exists()


def push_police(risk: RiskAssessment, actor: User | None, at: datetime) -> EscalationHop | None:
    """The parallel police hop of an open RED/ORANGE risk with a police flag (once: not while one is pending or
    acknowledged)."""
    if risk.status != RiskStatus.OPEN or not _ladder(risk)[0] or not _police_needed(risk):
        return None
    hop, _ = _push(risk, EscalationStep.POLICE, actor, at, reason=REASON_POLICE)
    return hop


def start_chain(risk: RiskAssessment, actor: User | None, at: datetime) -> list[EscalationHop]:
    """Start (or restart, after a level change) the ladder of an open RED/ORANGE risk; returns the hops pushed."""
    ladder, _ = _ladder(risk)
    if risk.status != RiskStatus.OPEN or not ladder:
        return []
    pending = list(risk.hops.filter(status=HopStatus.PENDING).exclude(step=EscalationStep.POLICE))
    for hop in pending:
        _close(hop, HopStatus.CANCELLED, at, reason=REASON_RESTART)
    if pending:
        record_event(
            risk,
            RiskEventKind.CHAIN_STOPPED,
            actor,
            at,
            text=f"{REASON_RESTART}（撤销{len(pending)}条待签收）",
            data={"cancelled": [h.pk for h in pending], "restart": True},
            system=SYSTEM,
        )
    reached = set(
        risk.hops.filter(status__in=[HopStatus.ACKNOWLEDGED, HopStatus.TIMED_OUT]).values_list("step", flat=True)
    )
    # The chain goes on above the highest rung already reached (acknowledged or timed out), never back down.
    start = max((i for i, step in enumerate(ladder) if step in reached), default=-1) + 1
    hops: list[EscalationHop] = []
    if start < len(ladder):
        hops = _advance(risk, start, actor, at, reason=REASON_RESTART if (pending or reached) else REASON_LADDER)
    police = push_police(risk, actor, at)
    if police is not None:
        hops.append(police)
    return hops


def _close(hop: EscalationHop, status: str, at: datetime, *, reason: str) -> None:
    hop.status = status
    hop.closed_at = at
    hop.save(update_fields=["status", "closed_at"])
    timers.cancel(TimerKind.RISK_ACK_DUE, target=hop, reason=reason, at=at)


def stop_chain(risk: RiskAssessment, actor: User | None, at: datetime, *, reason: str) -> int:
    """Cancel the pending hops (and their timers) of a risk; returns how many."""
    pending = list(risk.hops.select_for_update().filter(status=HopStatus.PENDING))
    for hop in pending:
        _close(hop, HopStatus.CANCELLED, at, reason=reason)
    if pending:
        record_event(
            risk,
            RiskEventKind.CHAIN_STOPPED,
            actor,
            at,
            text=f"{reason}（撤销{len(pending)}条待签收）",
            data={"cancelled": [h.pk for h in pending]},
            system=SYSTEM,
        )
    return len(pending)


# ----------------------------------------------------------------------------------------------------------------
# Acknowledging and instructing


def _acknowledge(hop: EscalationHop, actor: User, at: datetime, *, note: str) -> None:
    risk = hop.risk
    hop.status = HopStatus.ACKNOWLEDGED
    hop.acknowledged_at = at
    hop.acknowledged_by = actor
    hop.ack_note = note
    hop.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "ack_note"])
    timers.cancel(TimerKind.RISK_ACK_DUE, target=hop, reason="已签收", at=at)
    late = at > hop.ack_due_at
    record_event(
        risk,
        RiskEventKind.ACKNOWLEDGED,
        actor,
        at,
        hop=hop,
        text=hop.label + (f"，签收意见：{note}" if note else "") + ("（逾期签收）" if late else ""),
        data={"step": hop.step, "late": late},
    )


def _after_ack(hop: EscalationHop, actor: User, at: datetime) -> list[EscalationHop]:
    """Pass the risk on when the acknowledged rung is below report_up_to (逐级上报)."""
    risk = hop.risk
    if hop.step == EscalationStep.POLICE or risk.status != RiskStatus.OPEN:
        return []
    ladder, up_to = _ladder(risk)
    if hop.step not in ladder:
        return []
    i = ladder.index(hop.step)
    top = ladder.index(up_to) if up_to in ladder else len(ladder) - 1
    if i >= top:
        return []
    if risk.hops.filter(status=HopStatus.PENDING).exclude(step=EscalationStep.POLICE).exists():
        return []
    return _advance(risk, i + 1, actor, at, reason=REASON_LADDER)


def do_acknowledge(actor: User, hop: EscalationHop, *, note: str = "", at: datetime | None = None) -> EscalationHop:
    """签收: can_acknowledge(actor, hop). Stops the hop's timer; passes the risk on when below report_up_to."""
    at = now_or(at)
    note = (note or "").strip()
    require(len(note) <= 500, "签收意见不超过500字", "note")
    with transaction.atomic():
        risk = RiskAssessment.objects.select_for_update(of=("self",)).select_related("committee").get(pk=hop.risk_id)
        hop = EscalationHop.objects.select_for_update().get(pk=hop.pk)
        hop.risk = risk
        require(hop.status == HopStatus.PENDING, "该预警已签收或已撤销，无需再签收")
        require(can_acknowledge(actor, hop), "您不是该预警的签收人")
        _acknowledge(hop, actor, at, note=note)
        risk = hop.risk
        tell = {risk.created_by_id, risk.owner_id} - {None}
        notify(
            tell,
            NoticeKind.RISK_UPDATE,
            f"{hop.label}已签收风险预警：{risk.title}",
            case=risk.case,
            actor=actor,
            at=at,
            link=risk_link(risk),
        )
        _after_ack(hop, actor, at)
    return hop


def _committee_members(risk: RiskAssessment) -> set[int]:
    return set(
        User.objects.filter(
            is_active=True, committee_id=risk.committee_id, role__in=[Role.MEDIATOR, Role.DIRECTOR]
        ).values_list("pk", flat=True)
    )


def do_instruct(actor: User, risk: RiskAssessment, *, text: str, at: datetime | None = None) -> RiskEvent:
    """A 批示 / instruction on the risk, told to its committee, owner and the hops' recipients."""
    at = now_or(at)
    text = (text or "").strip()
    require(len(text) >= 2, "请填写批示或指令内容", "text")
    require(len(text) <= 1000, "批示内容不超过1000字", "text")
    with transaction.atomic():
        risk = RiskAssessment.objects.select_for_update(of=("self",)).select_related("committee").get(pk=risk.pk)
        require(can_instruct(actor, risk), "您不能对该风险事项作出批示")
        event = record_event(risk, RiskEventKind.INSTRUCTED, actor, at, text=text)
        tell = _committee_members(risk) | ({risk.owner_id} - {None})
        for ids in risk.hops.values_list("recipient_ids", flat=True):
            tell |= set(ids or [])
        who = actor.full_name or actor.username
        notify(
            tell,
            NoticeKind.RISK_UPDATE,
            f"{who}对风险事项“{risk.title}”作出批示：{text[:100]}",
            case=risk.case,
            actor=actor,
            at=at,
            sms=f"{risk.committee.name}的一条风险事项有新的批示，请登录调解平台查看。",
            link=risk_link(risk),
        )
    return event


# ----------------------------------------------------------------------------------------------------------------
# The clock


@timers.handler(TimerKind.RISK_ACK_DUE)
def ack_due(timer: Timer, now: datetime) -> str:
    """A hop's deadline: if still pending, TIMED_OUT and the next rung (or the city, or for the police the county
    bureau) is told. Runs in fire_one's transaction."""
    # Lock the risk before the hop, in the same order as do_acknowledge (no deadlock between the two).
    risk_id = EscalationHop.objects.filter(pk=timer.target_id).values_list("risk_id", flat=True).first()
    if risk_id is None:
        return "已签收或已撤销"
    risk = RiskAssessment.objects.select_for_update(of=("self",)).select_related("committee").get(pk=risk_id)
    hop = EscalationHop.objects.select_for_update().get(pk=timer.target_id)
    if hop.status != HopStatus.PENDING:
        return "已签收或已撤销"
    hop.risk = risk
    at = now
    hop.status = HopStatus.TIMED_OUT
    hop.closed_at = at
    hop.save(update_fields=["status", "closed_at"])
    record_event(
        risk,
        RiskEventKind.TIMED_OUT,
        None,
        at,
        hop=hop,
        text=f"{hop.label}逾期未签收",
        data={"step": hop.step},
        system=SYSTEM,
    )
    link = risk_link(risk)
    notify(
        hop.recipient_ids,
        NoticeKind.RISK_ACK_OVERDUE,
        f"风险预警逾期未签收：{risk.title}（{risk.committee.name}）",
        case=risk.case,
        at=at,
        sms=f"{risk.committee.name}的一条风险预警已逾期未签收，请立即登录调解平台处置。",
        link=link,
    )
    if risk.status != RiskStatus.OPEN:
        return "风险已办结"
    if hop.step == EscalationStep.POLICE:
        county = _active_users(role=Role.COUNTY_ADMIN, division_id=risk.division_code[:6])
        notify(
            county,
            NoticeKind.RISK_ACK_OVERDUE,
            f"公安机关逾期未签收风险预警：{risk.title}（{risk.committee.name}），请协调处置",
            case=risk.case,
            at=at,
            sms=f"{risk.committee.name}报送公安机关的一条风险预警逾期未签收，请登录调解平台查看。",
            link=link,
        )
        return "公安机关逾期未签收，已再次提醒并告知县司法局"
    ladder, _ = _ladder(risk)
    start = ladder.index(hop.step) + 1 if hop.step in ladder else len(ladder)
    if risk.hops.filter(status=HopStatus.PENDING).exclude(step=EscalationStep.POLICE).exists():
        return "逾期未签收"
    pushed = _advance(risk, start, None, at, reason=REASON_TIMEOUT)
    return f"逾期未签收，已上报{pushed[0].label}" if pushed else "逾期未签收，已告知市司法局"


def live_ack_timer(hop: EscalationHop) -> Timer | None:
    """The live RISK_ACK_DUE timer of a hop (pages and tests)."""
    return Timer.objects.filter(
        kind=TimerKind.RISK_ACK_DUE,
        target_type=EscalationHop._meta.label,
        target_id=hop.pk,
        fired_at__isnull=True,
        cancelled_at__isnull=True,
    ).first()
