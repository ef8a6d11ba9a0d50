"""The 矛调中心 (issue 11 §4): one intake window, triage by tier, dispatch with a deadline, accept or send back, move
up after the deadline, and transfers between levels (上传下派) as requests the receiver accepts.

A Dispatch carries one subject: a referral still pending at the hub (it moves to the receiver, who then accepts or
declines it through referrals.services) or a case still in intake (no case number yet; its committee moves to the
receiver). Each function is one transaction: the Dispatch row, the case's event (dispatch / dispatch_accepted /
dispatch_returned / dispatch_escalated, through cases.actions.base) or the referral's DISPATCHED event (internal,
no webhook), the DISPATCH_DUE timer, and the notices to everyone concerned. Refusals raise ActionRefused.

Rules (tiers, default deadlines, the escalation path) are data: data/dispatch_rules.json.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from cases.enums import CaseStatus
from cases.models import Case
from cases.models.timers import TimerKind
from notifications.enums import NoticeKind
from notifications.services import notify, notify_supervisors
from referrals.enums import Channel, DispatchKind, DispatchStatus, ReferralEventKind, ReferralStatus, Tier
from referrals.models import Dispatch, Institution, Referral, ReferralEvent
from registry.models import Committee, CommitteeType, DivisionLevel
from workdays.calendar import add_working_days, is_working_day, next_working_day

MEMBER_ROLES = (Role.MEDIATOR, Role.DIRECTOR)
LEVELS = {"VILLAGE": DivisionLevel.VILLAGE, "TOWNSHIP": DivisionLevel.TOWNSHIP, "COUNTY": DivisionLevel.COUNTY}
TOWNSHIP_TYPES = (CommitteeType.TOWNSHIP, CommitteeType.SUBDISTRICT)


# --- rules -------------------------------------------------------------------------------------------------------


def rules_path() -> Path:
    return Path(settings.TIAOJIE.get("DISPATCH_RULES", settings.BASE_DIR / "data" / "dispatch_rules.json"))


@cache
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def rules() -> dict[str, Any]:
    return _load(str(rules_path()))


def tier_rule(tier: str) -> dict[str, Any]:
    return rules()["tiers"][tier]


def tier_level(tier: str) -> int:
    return int(LEVELS[tier_rule(tier)["level"]])


def lead_official_required(tier: str) -> bool:
    return bool(tier_rule(tier).get("lead_official_required"))


def _office_hours() -> tuple[time, time]:
    spec = rules().get("office_hours", {})
    start = time.fromisoformat(spec.get("start", "08:30"))
    end = time.fromisoformat(spec.get("end", "17:30"))
    return start, end


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def add_working_hours(at: datetime, hours: float) -> datetime:
    """`at` plus `hours` of office time (working days of the workdays calendar, office hours of the rules)."""
    start, end = _office_hours()
    tz = _tz()
    local = timezone.localtime(at, tz)
    remaining = timedelta(hours=hours)
    day = local.date()
    cursor = local
    while True:
        if not is_working_day(day):
            day = next_working_day(day)
            cursor = datetime.combine(day, start, tzinfo=tz)
        day_start = datetime.combine(day, start, tzinfo=tz)
        day_end = datetime.combine(day, end, tzinfo=tz)
        cursor = max(cursor, day_start)
        if cursor < day_end:
            available = day_end - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
        day = next_working_day(day + timedelta(days=1))
        cursor = datetime.combine(day, start, tzinfo=tz)


def deadline_from(spec: dict[str, Any], at: datetime) -> datetime:
    """The deadline a rule's {"working_days": n} or {"working_hours": h} gives from `at`."""
    if "working_hours" in spec:
        return add_working_hours(at, float(spec["working_hours"]))
    _start, end = _office_hours()
    day = add_working_days(timezone.localtime(at, _tz()).date(), int(spec.get("working_days", 1)))
    return datetime.combine(day, end, tzinfo=_tz())


def default_deadline(tier: str, at: datetime, kind: str = DispatchKind.DISPATCH) -> datetime:
    if kind == DispatchKind.ESCALATION:
        return deadline_from(rules()["escalation"]["deadline"], at)
    if kind in (DispatchKind.TRANSFER_UP, DispatchKind.TRANSFER_DOWN, DispatchKind.TRANSFER_ACROSS) or not tier:
        return deadline_from(rules()["transfer"]["deadline"], at)
    return deadline_from(tier_rule(tier)["deadline"], at)


# --- who ---------------------------------------------------------------------------------------------------------


def members_of(committee: Committee) -> QuerySet[User]:
    return User.objects.filter(is_active=True, committee=committee, role__in=MEMBER_ROLES)


def liaisons_of(institution: Institution) -> QuerySet[User]:
    q = Q(role=Role.INSTITUTION_LIAISON, institution=institution)
    if institution.court_id:
        q |= Q(role=Role.COURT_LIAISON, court_id=institution.court_id)
    return User.objects.filter(q, is_active=True)


def receivers_of(dispatch: Dispatch) -> QuerySet[User]:
    if dispatch.to_committee_id:
        return members_of(dispatch.to_committee)
    return liaisons_of(dispatch.to_institution)


def hub_of(user: User) -> Committee | None:
    """The 矛调中心 the user works at (a director or mediator of an is_hub committee), else None."""
    if not user.is_authenticated or user.role not in MEMBER_ROLES or not user.committee_id:
        return None
    committee = user.committee
    return committee if committee.is_hub and committee.is_active else None


def is_member(user: User, committee: Committee | None) -> bool:
    return (
        committee is not None
        and user.is_authenticated
        and user.role in MEMBER_ROLES
        and user.committee_id == committee.pk
    )


def area_committees(hub: Committee) -> QuerySet[Committee]:
    """The active committees a hub dispatches to: those of its area (a county hub: its county; a township hub: its
    township), industry committees included, the hub itself excluded."""
    return (
        Committee.objects.filter(is_active=True, division__code__startswith=hub.division_id)
        .exclude(pk=hub.pk)
        .select_related("division")
        .order_by("division_id", "name")
    )


def area_institutions(hub: Committee) -> QuerySet[Institution]:
    """The active departments a hub may hand a matter to: those of its area and those of its county above it."""
    code = hub.division_id
    above = [code[:n] for n in (6, 9) if len(code) >= n]
    return Institution.objects.filter(
        Q(division__code__startswith=code) | Q(division_id__in=above), is_active=True
    ).order_by("kind", "name")


def transfer_targets(committee: Committee) -> QuerySet[Committee]:
    """Where a committee may ask to transfer an intake case: any active committee of its county but itself."""
    return (
        Committee.objects.filter(is_active=True, division__code__startswith=committee.division_id[:6])
        .exclude(pk=committee.pk)
        .select_related("division")
        .order_by("division_id", "name")
    )


# --- the queue ---------------------------------------------------------------------------------------------------


@dataclass
class IntakeQueue:
    """Everything arriving at a hub, by source, and what it has dispatched."""

    walk_ins: list[Case] = field(default_factory=list)
    portal: list[Case] = field(default_factory=list)
    referrals: dict[str, list[Referral]] = field(default_factory=dict)  # channel label → referrals
    incoming: list[Dispatch] = field(default_factory=list)  # transfers up and escalations to the hub
    waiting: list[Dispatch] = field(default_factory=list)  # dispatched, awaiting the receiver's answer
    returned: list[Dispatch] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return len(self.walk_ins) + len(self.portal) + sum(len(v) for v in self.referrals.values()) + len(self.incoming)


def _pending(qs: QuerySet[Dispatch]) -> QuerySet[Dispatch]:
    return qs.filter(status=DispatchStatus.PENDING)


def intake_queue(hub_committee: Committee) -> IntakeQueue:
    """Cases in INTAKE at the hub (walk-ins registered there, portal applications addressed to it), pending referrals
    whose receiver is the hub, incoming pending dispatches and transfers to it; what it dispatched and is awaiting
    an answer; what was sent back to it."""
    hub = hub_committee
    out = _pending(Dispatch.objects.filter(from_committee=hub))
    busy_cases = out.exclude(case=None).values("case_id")
    busy_referrals = out.exclude(referral=None).values("referral_id")
    cases = (
        Case.objects.filter(committee=hub, status=CaseStatus.INTAKE)
        .exclude(pk__in=busy_cases)
        .select_related("registered_by")
        .prefetch_related("parties")
        .order_by("registered_at", "pk")
    )
    queue = IntakeQueue()
    for case in cases:
        by_party = case.registered_by is not None and case.registered_by.role == Role.PARTY
        (queue.portal if by_party else queue.walk_ins).append(case)
    referrals = (
        Referral.objects.filter(receiver=hub, status=ReferralStatus.PENDING)
        .exclude(pk__in=busy_referrals)
        .select_related("institution")
        .order_by("accept_by", "received_at", "pk")
    )
    for referral in referrals:
        queue.referrals.setdefault(str(Channel(referral.channel).label), []).append(referral)
    related = ("case", "referral", "referral__institution", "from_committee", "to_committee", "to_institution")
    queue.incoming = list(_pending(Dispatch.objects.filter(to_committee=hub)).select_related(*related))
    queue.waiting = list(out.select_related(*related).order_by("deadline", "pk"))
    returned = Dispatch.objects.filter(from_committee=hub, status=DispatchStatus.RETURNED)
    returned = returned.filter(
        Q(case__committee=hub, case__status=CaseStatus.INTAKE)
        | Q(referral__receiver=hub, referral__status=ReferralStatus.PENDING)
    )
    queue.returned = [
        d
        for d in returned.select_related(*related).order_by("-answered_at", "-pk")[:100]
        if (d.case_id and d.case_id not in {x.case_id for x in queue.waiting})
        or (d.referral_id and d.referral_id not in {x.referral_id for x in queue.waiting})
    ]
    return queue


# --- helpers -----------------------------------------------------------------------------------------------------


def _refuse(message: str, field_name: str | None = None):
    from cases.actions import ActionRefused

    raise ActionRefused(message, field_name)


def _require(condition: bool, message: str, field_name: str | None = None) -> None:
    if not condition:
        _refuse(message, field_name)


def receiver_name(dispatch: Dispatch) -> str:
    return (dispatch.to_committee or dispatch.to_institution).name


def subject_label(dispatch: Dispatch) -> str:
    if dispatch.case_id:
        return dispatch.case.registration_no
    return dispatch.referral.reference


def holder_of(subject: Case | Referral) -> Committee:
    return subject.committee if isinstance(subject, Case) else subject.receiver


def _subject_open(subject: Case | Referral) -> bool:
    if isinstance(subject, Case):
        return subject.status == CaseStatus.INTAKE
    return subject.status == ReferralStatus.PENDING


def _has_pending(subject: Case | Referral) -> bool:
    key = {"case": subject} if isinstance(subject, Case) else {"referral": subject}
    return Dispatch.objects.filter(status=DispatchStatus.PENDING, **key).exists()


def may_dispatch(user: User, subject: Case | Referral) -> bool:
    """Offered to a member of the hub that holds the subject, while it is open there and not already dispatched."""
    hub = hub_of(user)
    return hub is not None and holder_of(subject).pk == hub.pk and _subject_open(subject) and not _has_pending(subject)


def may_request_transfer(user: User, case: Case) -> bool:
    return is_member(user, case.committee) and case.status == CaseStatus.INTAKE and not _has_pending(case)


def may_answer(user: User, dispatch: Dispatch) -> bool:
    """The receiver's members (or a receiving department's liaisons) answer a pending dispatch."""
    if dispatch.status != DispatchStatus.PENDING or not user.is_authenticated:
        return False
    if dispatch.to_committee_id:
        return is_member(user, dispatch.to_committee)
    return liaisons_of(dispatch.to_institution).filter(pk=user.pk).exists()


def _lock_dispatch(dispatch: Dispatch) -> Dispatch:
    return (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("case", "referral", "from_committee", "to_committee", "to_institution")
        .get(pk=dispatch.pk)
    )


def _lock_subject(subject: Case | Referral) -> Case | Referral:
    if isinstance(subject, Case):
        from cases.actions.base import lock

        return lock(subject)
    return Referral.objects.select_for_update().get(pk=subject.pk)


def _attach(d: Dispatch, subject: Case | Referral) -> None:
    """Use the locked subject on the dispatch (its events are recorded on that instance)."""
    if isinstance(subject, Case):
        d.case = subject
    else:
        d.referral = subject


def _schedule(dispatch: Dispatch) -> None:
    from cases.timers import schedule

    local = timezone.localtime(dispatch.deadline, _tz())
    # The dispatch's own clock, not the case's: the case's clock sync (cases.timer_rules) never touches it.
    schedule(
        TimerKind.DISPATCH_DUE,
        case=None,
        deadline=local.date(),
        fire_at=dispatch.deadline,
        target=dispatch,
        rule="DISPATCH_DUE",
    )


def _cancel(dispatch: Dispatch, reason: str, at: datetime) -> None:
    from cases.timers import cancel

    cancel(TimerKind.DISPATCH_DUE, target=dispatch, reason=reason, at=at)


def _referral_event(referral: Referral, actor: User | None, at: datetime, note: str, data: dict) -> None:
    from cases.enums import ActorKind

    ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEventKind.DISPATCHED,
        at=at,
        actor=actor,
        actor_kind=ActorKind.PERSON if actor is not None else ActorKind.SYSTEM,
        note=note,
        data=data,
    )


def _record(
    dispatch: Dispatch,
    step: str,
    actor: User | None,
    at: datetime,
    note: str,
    extra: dict | None = None,
    *,
    move: bool = False,
) -> None:
    """The subject's history of one step of a dispatch (the case event, or the referral's internal event); `move`:
    the subject now belongs to the receiving committee."""
    data = {
        "dispatch": dispatch.pk,
        "kind": dispatch.kind,
        "step": step,
        "to": receiver_name(dispatch),
        **(extra or {}),
    }
    if actor is not None and step != "dispatch":
        data["by"] = actor.pk
    if dispatch.case_id:
        action = {
            "dispatch": "dispatch",
            "accepted": "dispatch_accepted",
            "returned": "dispatch_returned",
            "escalated": "dispatch_escalated",
        }[step]
        from cases.actions.dispatch import do_record_dispatch_step

        # The receiver's answer and the move up are the system's rows (checked here against the dispatch).
        do_record_dispatch_step(
            dispatch.case,
            action,
            actor if step == "dispatch" else None,
            at,
            note=note,
            data=data,
            move_to=dispatch.to_committee if move else None,
        )
    else:
        if move and dispatch.to_committee_id:
            referral = dispatch.referral
            referral.receiver = dispatch.to_committee
            referral.division_code = dispatch.to_committee.division_id
            referral.save(update_fields=["receiver", "division_code", "updated_at"])
        _referral_event(dispatch.referral, actor, at, note, data)


def _kind_between(source: Committee, target: Committee) -> str:
    a, b = len(source.division_id), len(target.division_id)
    if b < a:
        return DispatchKind.TRANSFER_UP
    if b > a:
        return DispatchKind.TRANSFER_DOWN
    return DispatchKind.TRANSFER_ACROSS


def _deadline_text(at: datetime) -> str:
    local = timezone.localtime(at, _tz())
    return f"{local.month}月{local.day}日{local:%H:%M}"


def _tell_receiver(dispatch: Dispatch, at: datetime, actor: User | None) -> None:
    what = subject_label(dispatch)
    sender = dispatch.from_committee.name
    message = f"{sender}{dispatch.get_kind_display()}：{what}，请于{_deadline_text(dispatch.deadline)}前接收或退回"
    # No case link on the notices: the receiver sees the case only once it accepts, the sender no longer once it
    # has gone; both find it in their dispatch lists.
    notify(
        receivers_of(dispatch),
        NoticeKind.DISPATCH_RECEIVED,
        message,
        actor=actor,
        at=at,
        sms=f"您单位收到{dispatch.get_kind_display()}事项{what}，请于{_deadline_text(dispatch.deadline)}前登录调解平台接收或退回。",
    )


def _tell_sender(dispatch: Dispatch, message: str, at: datetime, actor: User | None) -> None:
    notify(
        members_of(dispatch.from_committee),
        NoticeKind.DISPATCH_ANSWERED,
        message,
        actor=actor,
        at=at,
    )


def _create(
    subject: Case | Referral,
    *,
    kind: str,
    sender: Committee,
    to_committee: Committee | None,
    to_institution: Institution | None,
    tier: str,
    lead_official: str,
    deadline: datetime,
    note: str,
    user: User | None,
    at: datetime,
) -> Dispatch:
    receiver = to_committee or to_institution
    return Dispatch.objects.create(
        kind=kind,
        case=subject if isinstance(subject, Case) else None,
        referral=subject if isinstance(subject, Referral) else None,
        tier=tier,
        lead_official=lead_official,
        from_committee=sender,
        to_committee=to_committee,
        to_institution=to_institution,
        division_code=receiver.division_id,
        note=note,
        deadline=deadline,
        created_by=user,
        created_at=at,
    )


# --- the actions -------------------------------------------------------------------------------------------------


def dispatch(
    subject: Case | Referral,
    *,
    tier: str,
    user: User,
    to_committee: Committee | None = None,
    to_institution: Institution | None = None,
    lead_official: str = "",
    deadline: datetime | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Dispatch:
    """A hub member dispatches a pending referral or an intake case of the hub to a committee of its area (an
    industry committee too) or to a department, with the tier, the 包案领导 for a difficult one, and the deadline
    (default: data/dispatch_rules.json for the tier)."""
    at = at or timezone.now()
    if isinstance(subject, Case):
        # The transition table first (the case's status and the user's relation to it), as every case action does.
        from cases.actions.base import check

        check(subject, "dispatch", user)
    hub = hub_of(user)
    _require(hub is not None, "只有矛调中心的工作人员可以分流交办")
    _require(tier in Tier.values, "请选择纠纷分级", "tier")
    _require(bool(to_committee) != bool(to_institution), "请选择承办的调解组织或部门（二选一）", "to_committee")
    lead_official = lead_official.strip()
    if lead_official_required(tier):
        _require(bool(lead_official), "疑难复杂纠纷须明确包案领导", "lead_official")
    if to_committee is not None:
        _require(to_committee.is_active, "该调解组织已停用，不能交办", "to_committee")
        _require(area_committees(hub).filter(pk=to_committee.pk).exists(), "只能交办给本辖区的调解组织", "to_committee")
    else:
        _require(to_institution.is_active, "该部门已停用，不能交办", "to_institution")
        _require(
            area_institutions(hub).filter(pk=to_institution.pk).exists(), "只能交办给本辖区的部门", "to_institution"
        )
        _require(isinstance(subject, Case), "移送纠纷只能交办给调解组织", "to_institution")
    deadline = deadline or default_deadline(tier, at)
    _require(deadline > at, "接收期限须晚于现在", "deadline")
    with transaction.atomic():
        subject = _lock_subject(subject)
        _require(holder_of(subject).pk == hub.pk, "该事项不在本中心，不能分流交办")
        _require(_subject_open(subject), "该事项已受理或已办结，不能再分流交办")
        _require(not _has_pending(subject), "该事项已交办，正在等待承办单位答复")
        d = _create(
            subject,
            kind=DispatchKind.DISPATCH,
            sender=hub,
            to_committee=to_committee,
            to_institution=to_institution,
            tier=tier,
            lead_official=lead_official,
            deadline=deadline,
            note=note.strip(),
            user=user,
            at=at,
        )
        text = f"{Tier(tier).label}，交办{receiver_name(d)}，{_deadline_text(deadline)}前接收"
        if lead_official:
            text += f"，包案领导：{lead_official}"
        _record(d, "dispatch", user, at, text, {"tier": tier, "deadline": deadline.isoformat()})
        _schedule(d)
        _tell_receiver(d, at, user)
    return d


def request_transfer(
    case: Case,
    *,
    to_committee: Committee,
    user: User,
    reason: str,
    deadline: datetime | None = None,
    at: datetime | None = None,
) -> Dispatch:
    """A committee asks to transfer an intake case up (to its township's or county's hub or committee), down or
    across (上传下派): a request the receiver accepts or sends back."""
    at = at or timezone.now()
    reason = reason.strip()
    _require(len(reason) >= 4, "请写明移交理由", "reason")
    _require(is_member(user, case.committee), "只有本调解组织的工作人员可以申请移交")
    _require(to_committee is not None and to_committee.is_active, "请选择在用的接收调解组织", "to_committee")
    _require(
        transfer_targets(case.committee).filter(pk=to_committee.pk).exists(),
        "只能移交给本县（区）的其他调解组织",
        "to_committee",
    )
    kind = _kind_between(case.committee, to_committee)
    deadline = deadline or default_deadline("", at, kind)
    _require(deadline > at, "接收期限须晚于现在", "deadline")
    with transaction.atomic():
        case = _lock_subject(case)
        _require(case.status == CaseStatus.INTAKE, "只有尚未受理的纠纷可以申请移交")
        _require(not _has_pending(case), "该纠纷已有待答复的交办或移交")
        d = _create(
            case,
            kind=kind,
            sender=case.committee,
            to_committee=to_committee,
            to_institution=None,
            tier="",
            lead_official="",
            deadline=deadline,
            note=reason,
            user=user,
            at=at,
        )
        text = f"{d.get_kind_display()}至{to_committee.name}：{reason}"
        _record(d, "dispatch", user, at, text, {"deadline": deadline.isoformat()})
        _schedule(d)
        _tell_receiver(d, at, user)
    return d


def accept_dispatch(dispatch: Dispatch, user: User, *, at: datetime | None = None) -> Dispatch:
    """The receiver accepts: a referral moves to it (still PENDING: it accepts or declines it through
    referrals.services), an intake case moves to it (its committee and area; the number comes at acceptance)."""
    at = at or timezone.now()
    with transaction.atomic():
        d = _lock_dispatch(dispatch)
        _require(d.status == DispatchStatus.PENDING, "该交办事项已答复")
        _require(may_answer(user, d), "只有承办单位的工作人员可以接收")
        subject = _lock_subject(d.case or d.referral)
        _require(_subject_open(subject), "该事项已受理或已办结，不能再接收")
        _require(holder_of(subject).pk == d.from_committee_id, "该事项已不在交办单位，不能接收")
        _attach(d, subject)
        d.status, d.answered_at, d.answered_by = DispatchStatus.ACCEPTED, at, user
        d.save(update_fields=["status", "answered_at", "answered_by"])
        _cancel(d, "已接收", at)
        # The subject goes to the receiving committee (a department that accepts handles the matter; the subject
        # stays on the hub's books until the hub closes it).
        _record(d, "accepted", user, at, f"{receiver_name(d)}接收（{user.display_name}）", move=True)
        _tell_sender(d, f"{receiver_name(d)}已接收{d.get_kind_display()}的{subject_label(d)}", at, user)
        if d.case_id and d.to_committee_id:
            from notifications.services import notify_case

            notify_case(
                d.case, f"纠纷已由{d.to_committee.name}接收办理", user, kind=NoticeKind.DISPATCH_ANSWERED, at=at
            )
    return d


def return_dispatch(dispatch: Dispatch, user: User, reason: str, *, at: datetime | None = None) -> Dispatch:
    """The receiver sends it back with a reason: it returns to the sender's queue."""
    at = at or timezone.now()
    reason = reason.strip()
    _require(len(reason) >= 4, "请写明退回理由", "reason")
    with transaction.atomic():
        d = _lock_dispatch(dispatch)
        _require(d.status == DispatchStatus.PENDING, "该交办事项已答复")
        _require(may_answer(user, d), "只有承办单位的工作人员可以退回")
        _attach(d, _lock_subject(d.case or d.referral))
        d.status, d.answered_at, d.answered_by, d.return_reason = DispatchStatus.RETURNED, at, user, reason
        d.save(update_fields=["status", "answered_at", "answered_by", "return_reason"])
        _cancel(d, "已退回", at)
        _record(d, "returned", user, at, f"{receiver_name(d)}退回：{reason}")
        _tell_sender(d, f"{receiver_name(d)}退回{subject_label(d)}：{reason[:60]}", at, user)
    return d


def _escalation_target(d: Dispatch, excluded: set[int]) -> Committee | None:
    """The next body up from the receiver (data/dispatch_rules.json "escalation" "path")."""
    code = d.to_committee.division_id if d.to_committee_id else d.to_institution.division_id
    level = len(code)
    township = code[:9] if level >= 9 else ""
    county = code[:6]
    active = Committee.objects.filter(is_active=True).exclude(pk__in=excluded)
    for step in rules()["escalation"]["path"]:
        found = None
        if step == "TOWNSHIP_HUB" and level > 9:
            found = active.filter(division_id=township, is_hub=True).order_by("pk").first()
        elif step == "TOWNSHIP_COMMITTEE" and level > 9:
            found = active.filter(division_id=township, committee_type__in=TOWNSHIP_TYPES).order_by("-is_hub", "pk")
            found = found.first()
        elif step == "COUNTY_HUB":
            found = active.filter(division_id=county, is_hub=True).order_by("pk").first()
        if found is not None:
            return found
    return None


def _chain(d: Dispatch) -> list[Dispatch]:
    """The dispatches before this one that moved up into it (this one last)."""
    chain = [d]
    while True:
        earlier = Dispatch.objects.filter(escalated_to=chain[0]).first()
        if earlier is None:
            return chain
        chain.insert(0, earlier)


def escalate(dispatch: Dispatch, at: datetime) -> Dispatch | None:
    """The system moves an unaccepted dispatch past its deadline up to the next level (a new ESCALATION dispatch);
    the sender, the old and the new receiver and the supervisors are told. None when there is no one above: the
    dispatch stays pending and overdue, and the supervisors are told."""
    with transaction.atomic():
        d = _lock_dispatch(dispatch)
        if d.status != DispatchStatus.PENDING or d.deadline > at:
            return None
        subject = _lock_subject(d.case or d.referral)
        if not _subject_open(subject) or holder_of(subject).pk != d.from_committee_id:
            # Overtaken (the sender accepted the case itself, the referral was returned or withdrawn): nothing to
            # move up; the request lapses.
            d.status, d.answered_at = DispatchStatus.WITHDRAWN, at
            d.save(update_fields=["status", "answered_at"])
            return None
        _attach(d, subject)
        chain = _chain(d)
        excluded = {d.from_committee_id} | {x.to_committee_id for x in chain if x.to_committee_id}
        target = _escalation_target(d, excluded)
        what = subject_label(d)
        if target is None:
            notify_supervisors(
                NoticeKind.DISPATCH_ANSWERED,
                d.division_code,
                f"{receiver_name(d)}逾期未接收{what}，已无上级可上移，请督促处理",
                at=at,
            )
            _tell_sender(d, f"{receiver_name(d)}逾期未接收{what}，已无上级可上移，请另行交办", at, None)
            return None
        new = _create(
            subject,
            kind=DispatchKind.ESCALATION,
            sender=d.from_committee,
            to_committee=target,
            to_institution=None,
            tier=d.tier,
            lead_official=d.lead_official,
            deadline=default_deadline(d.tier, at, DispatchKind.ESCALATION),
            note=f"{receiver_name(d)}逾期未接收，自动上移。{d.note}".strip(),
            user=None,
            at=at,
        )
        old_receivers = list(receivers_of(d).values_list("pk", flat=True))
        d.status, d.escalated_to, d.answered_at = DispatchStatus.ESCALATED, new, at
        d.save(update_fields=["status", "escalated_to", "answered_at"])
        _record(
            d,
            "escalated",
            None,
            at,
            f"{receiver_name(d)}逾期未接收，自动上移至{target.name}",
            {"escalated_to": new.pk, "new_receiver": target.name},
        )
        _schedule(new)
        _tell_receiver(new, at, None)
        message = f"{receiver_name(d)}逾期未接收{what}，已自动上移至{target.name}"
        _tell_sender(d, message, at, None)
        notify(old_receivers, NoticeKind.DISPATCH_ANSWERED, message, at=at)
        notify_supervisors(NoticeKind.DISPATCH_ANSWERED, d.division_code, message, at=at)
    return new


def overdue(dispatch: Dispatch, now: datetime | None = None) -> bool:
    return dispatch.status == DispatchStatus.PENDING and dispatch.deadline <= (now or timezone.now())


def deadline_default_text(tier: str) -> str:
    spec = tier_rule(tier)["deadline"]
    if "working_hours" in spec:
        return f"{spec['working_hours']}个工作小时"
    return f"{spec['working_days']}个工作日"


def today_local() -> date:
    return timezone.localtime(timezone.now(), _tz()).date()
