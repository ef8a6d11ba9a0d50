"""The supervision loop (issue 8 §3): 督办, 催办, the committee's 反馈, and the system's escalation of an unanswered
督办 with a yellow, then a red card.

None of these moves the case's status: each is a self-loop row of cases.transitions (supervise, urge,
supervision_reply, supervision_escalate) checked like any other action, written on the case timeline, with the
supervision record (supervision.models_duban) and its append-only history in the same transaction.

Escalation: a 督办 issued at level L with reply deadline D starts two timers (TimerKind.SUPERVISION_DEADLINE,
target = the record): the yellow one at the start of the working day `yellow_after_days` after D and the red one
`red_after_days` after D (data/supervision_rules.json, per level L). When one fires and the chain still waits for a
reply, the 督办 moves to the next level (司法所 → 县级 → 市级) as a new record pointing to the one it came from
(`escalated_from`), carrying the card; at the top level the card is raised in place. A reply to any record of the
chain answers it and cancels its timers.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from cases import timers
from cases.actions.base import ActionRefused, check, local_date, lock, now_or, record, require
from cases.enums import SystemJob
from cases.models import Case, Timer, TimerKind
from notifications.enums import NoticeKind
from notifications.services import notify, notify_supervisors, supervisor_ids
from supervision.config import supervision_rules
from supervision.models_duban import (
    CARD_RANK,
    CODE_LENGTH,
    LEVEL_OF_ROLE,
    NEXT_LEVEL,
    ROLE_OF_LEVEL,
    CardLevel,
    Supervision,
    SupervisionEvent,
    SupervisionEventKind,
    SupervisionKind,
    SupervisionLevel,
    SupervisionStatus,
)
from workdays.calendar import add_working_days

RULE_YELLOW, RULE_RED = "DUBAN:YELLOW", "DUBAN:RED"
STAGE_OF_RULE = {RULE_YELLOW: CardLevel.YELLOW, RULE_RED: CardLevel.RED}
INSTRUCTION_MIN, URGE_MIN, REPLY_MIN = 10, 4, 10


def _case_no(case: Case) -> str:
    return case.case_no or case.registration_no


def committee_recipients(case: Case) -> set[int]:
    """Whom a 督办 is addressed to: the committee's director(s) and the presiding mediator."""
    active = User.objects.filter(is_active=True)
    ids = set(active.filter(committee_id=case.committee_id, role=Role.DIRECTOR).values_list("pk", flat=True))
    if case.presiding_mediator_id is not None:
        ids |= set(active.filter(mediator__pk=case.presiding_mediator_id).values_list("pk", flat=True))
    return ids


def default_reply_deadline(level: str, issued_on: date) -> date:
    return add_working_days(issued_on, supervision_rules().level(level).reply_days)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _issuer_level(actor: User) -> SupervisionLevel:
    level = LEVEL_OF_ROLE.get(actor.role)
    if level is None:
        raise ActionRefused("只有司法所、县级和市级司法局的工作人员可以督办、催办")
    return level


def _create(case: Case, actor: User, kind: str, instruction: str, deadline: date | None, at: datetime) -> Supervision:
    level = _issuer_level(actor)
    sup = Supervision.objects.create(
        case=case,
        kind=kind,
        level=level,
        division_code=actor.division_id or case.division_code[: CODE_LENGTH[level]],
        issued_by=actor,
        instruction=instruction,
        reply_deadline=deadline,
        issued_at=at,
        updated_at=at,
    )
    SupervisionEvent.objects.create(
        supervision=sup, kind=SupervisionEventKind.ISSUED, actor=actor, at=at, text=instruction
    )
    return sup


def do_supervise_case(
    case: Case, actor: User, *, instruction: str, reply_deadline: date | None = None, at: datetime | None = None
) -> Supervision:
    """督办 (self-loop `supervise`, any open status; Rel.SUPERVISOR: a 司法所 officer, county or city administrator
    whose division covers the case). Preconditions: a written instruction of at least 10 characters; a reply
    deadline (default: the level's `reply_days` working days) not before today. Side effects: the record and its
    ISSUED history row, a `supervise` CaseEvent, the two escalation timers, and a SUPERVISION notice (with SMS) to
    the committee director and the presiding mediator."""
    at = now_or(at)
    today = local_date(at)
    instruction = instruction.strip()
    require(len(instruction) >= INSTRUCTION_MIN, f"请写明督办意见（不少于{INSTRUCTION_MIN}个字）", "instruction")
    with transaction.atomic():
        case = lock(case)
        check(case, "supervise", actor)
        level = _issuer_level(actor)
        deadline = reply_deadline or default_reply_deadline(level, today)
        require(deadline >= today, f"反馈期限不能早于今天（{today:%Y年%-m月%-d日}）", "reply_deadline")
        sup = _create(case, actor, SupervisionKind.DUBAN, instruction, deadline, at)
        rule = supervision_rules().level(level)
        for name, days in ((RULE_YELLOW, rule.yellow_after_days), (RULE_RED, rule.red_after_days)):
            timers.schedule(
                TimerKind.SUPERVISION_DEADLINE,
                case=case,
                target=sup,
                deadline=deadline,
                fire_at=_day_start(add_working_days(deadline, days)),
                rule=name,
            )
        record(
            case,
            "supervise",
            actor,
            at,
            note=f"{sup.get_level_display()}督办：{instruction}（反馈期限 {deadline:%Y-%m-%d}）",
            data={"supervision": sup.pk, "level": level, "reply_deadline": deadline.isoformat()},
        )
        label = sup.get_level_display()
        notify(
            committee_recipients(case),
            NoticeKind.SUPERVISION,
            f"{label}对案件{_case_no(case)}发出督办，请于{deadline:%Y年%-m月%-d日}前反馈",
            case=case,
            actor=actor,
            at=at,
            sms=f"{label}对调解案件{_case_no(case)}发出督办，请于{deadline:%Y年%-m月%-d日}前登录调解平台反馈。",
        )
    return sup


def do_urge_case(case: Case, actor: User, *, text: str, at: datetime | None = None) -> Supervision:
    """催办 (self-loop `urge`, Rel.SUPERVISOR): a short reminder to the committee, lighter than a 督办: no reply
    deadline, no escalation; the committee may answer it (optional). Side effects: the record, an `urge` CaseEvent
    and an URGE notice (with SMS where chosen) to the director and the presiding mediator."""
    at = now_or(at)
    text = text.strip()
    require(len(text) >= URGE_MIN, f"请写明催办内容（不少于{URGE_MIN}个字）", "text")
    with transaction.atomic():
        case = lock(case)
        check(case, "urge", actor)
        sup = _create(case, actor, SupervisionKind.URGE, text, None, at)
        label = sup.get_level_display()
        record(case, "urge", actor, at, note=f"{label}催办：{text}", data={"supervision": sup.pk, "level": sup.level})
        notify(
            committee_recipients(case),
            NoticeKind.URGE,
            f"{label}催办案件{_case_no(case)}：{text}"[:200],
            case=case,
            actor=actor,
            at=at,
            sms=f"{label}对调解案件{_case_no(case)}进行催办，请尽快办理并登录调解平台查看。",
        )
    return sup


def pending_for_reply(case: Case) -> list[Supervision]:
    return list(case.supervisions.filter(status=SupervisionStatus.PENDING).select_related("issued_by"))


def do_reply_supervision(
    supervision: Supervision, actor: User, *, text: str, at: datetime | None = None
) -> SupervisionEvent:
    """反馈 (self-loop `supervision_reply`, any status but disposed; Rel.DIRECTOR or Rel.PRESIDING — the committee
    director or the presiding mediator, who answer for the committee; a co-mediator reports through them).
    Preconditions: the record (or the latest record of its escalation chain) waits for a reply; a reply of at least
    10 characters. Side effects: the chain's head becomes 已反馈 with a REPLIED history row, its escalation timers
    are cancelled, a `supervision_reply` CaseEvent, and a SUPERVISION_REPLY notice to the issuers of the chain (to
    the supervisors of the level when the system raised it)."""
    at = now_or(at)
    text = text.strip()
    require(len(text) >= REPLY_MIN, f"请写明办理情况（不少于{REPLY_MIN}个字）", "text")
    with transaction.atomic():
        case = lock(supervision.case)
        check(case, "supervision_reply", actor)
        head = Supervision.objects.select_for_update().get(pk=supervision.head().pk)
        require(head.status == SupervisionStatus.PENDING, "该督办事项已反馈，无需重复反馈")
        head.status, head.replied_at, head.updated_at = SupervisionStatus.REPLIED, at, at
        head.save(update_fields=["status", "replied_at", "updated_at"])
        event = SupervisionEvent.objects.create(
            supervision=head, kind=SupervisionEventKind.REPLIED, actor=actor, at=at, text=text
        )
        chain = head.chain()
        timers.cancel(TimerKind.SUPERVISION_DEADLINE, case=case, target=chain[0], reason="已反馈", at=at)
        record(
            case,
            "supervision_reply",
            actor,
            at,
            note=f"反馈{head.get_level_display()}{head.get_kind_display()}：{text}",
            data={"supervision": head.pk},
        )
        issuers = {s.issued_by_id for s in chain if s.issued_by_id}
        if head.issued_by_id is None:
            issuers |= supervisor_ids(case.division_code, [ROLE_OF_LEVEL[head.level]])
        notify(
            issuers,
            NoticeKind.SUPERVISION_REPLY,
            f"案件{_case_no(case)}已反馈{head.get_kind_display()}：{text}"[:200],
            case=case,
            actor=actor,
            at=at,
            sms=f"调解案件{_case_no(case)}的{head.get_kind_display()}已有反馈，请登录调解平台查看。",
        )
    return event


def raise_card_or_escalate(
    head: Supervision, card: CardLevel, at: datetime, *, division_code: str, case: Case | None = None, referral=None
) -> tuple[Supervision, SupervisionLevel]:
    """The escalation step of an unanswered 督办 chain, for a case's and for a pending referral's
    (supervision.referral_duban) alike; the caller holds the head's lock and has checked that it waits and that its
    card is below `card`. Below the city the head becomes 已升级 and a 督办 at the next level is raised with the card;
    at the city level the card is raised in place. Returns the record that now waits and its level."""
    from_level = SupervisionLevel(head.level)
    to_level = NEXT_LEVEL.get(from_level)
    deadline = head.reply_deadline
    if to_level is None:  # the city is the top: the card is raised on its own record
        head.card, head.updated_at = card, at
        head.save(update_fields=["card", "updated_at"])
        SupervisionEvent.objects.create(
            supervision=head, kind=SupervisionEventKind.CARD, at=at, card=card, text=f"逾期未反馈，{card.label}警示"
        )
        return head, from_level
    head.status, head.card, head.updated_at = SupervisionStatus.ESCALATED, card, at
    head.save(update_fields=["status", "card", "updated_at"])
    instruction = (
        f"{from_level.label}督办逾期未反馈（反馈期限 {deadline:%Y-%m-%d}），升级为{to_level.label}督办并"
        f"予以{card.label}警示。原督办意见：{head.instruction}"
    )
    waiting = Supervision.objects.create(
        case=case,
        referral=referral,
        kind=SupervisionKind.DUBAN,
        level=to_level,
        division_code=division_code[: CODE_LENGTH[to_level]],
        issued_by=None,
        instruction=instruction,
        reply_deadline=deadline,
        card=card,
        escalated_from=head,
        issued_at=at,
        updated_at=at,
    )
    SupervisionEvent.objects.create(
        supervision=head,
        kind=SupervisionEventKind.ESCALATED,
        at=at,
        card=card,
        text=instruction,
        data={"to": waiting.pk, "to_level": to_level},
    )
    return waiting, to_level


def do_escalate_supervision(supervision: Supervision, *, card: str, at: datetime | None = None) -> Supervision | None:
    """逾期升级 (self-loop `supervision_escalate`, SYSTEM only, job SUPERVISION_MONITOR), fired by the
    SUPERVISION_DEADLINE timers. Preconditions: the chain's head still waits for a reply and its card is below
    `card`; otherwise nothing happens (returns None), so a timer that fires late or twice escalates once.
    Side effects: below the city level the head becomes 已升级 and a new 督办 at the next level is raised with the
    card (escalated_from = the head); at the city level the card is raised in place. One `supervision_escalate`
    CaseEvent; SUPERVISION_ESCALATED to the next level's supervisors, SUPERVISION_UNANSWERED to the level whose
    督办 went unanswered, and a SUPERVISION notice (with SMS) to the director and the presiding mediator.
    Returns the record that now waits for the reply."""
    at = now_or(at)
    card = CardLevel(card)
    with transaction.atomic():
        case = lock(supervision.case)
        check(case, "supervision_escalate", None)
        head = Supervision.objects.select_for_update().get(pk=supervision.head().pk)
        if head.status != SupervisionStatus.PENDING or CARD_RANK[CardLevel(head.card)] >= CARD_RANK[card]:
            return None
        from_level = SupervisionLevel(head.level)
        to_level = NEXT_LEVEL.get(from_level)
        waiting, now_level = raise_card_or_escalate(head, card, at, case=case, division_code=case.division_code)
        record(
            case,
            "supervision_escalate",
            None,
            at,
            job=SystemJob.SUPERVISION_MONITOR,
            note=f"{from_level.label}督办逾期未反馈，{card.label}警示"
            + (f"，升级至{to_level.label}" if to_level else ""),
            data={"supervision": head.pk, "waiting": waiting.pk, "card": card, "to_level": now_level},
        )
        no = _case_no(case)
        notify_supervisors(
            NoticeKind.SUPERVISION_ESCALATED,
            case.division_code,
            f"案件{no}的{from_level.label}督办逾期未反馈，已{card.label}警示"
            + (f"并升级至{to_level.label}，请督促办理" if to_level else "，请督促办理"),
            case=case,
            at=at,
            sms=f"调解案件{no}督办逾期未反馈，已{card.label}警示，请登录调解平台查看。",
            roles=[ROLE_OF_LEVEL[now_level]],
        )
        if to_level is not None:
            notify_supervisors(
                NoticeKind.SUPERVISION_UNANSWERED,
                case.division_code,
                f"您单位对案件{no}的督办逾期未反馈，已升级至{to_level.label}（{card.label}）",
                case=case,
                at=at,
                roles=[ROLE_OF_LEVEL[from_level]],
            )
        notify(
            committee_recipients(case),
            NoticeKind.SUPERVISION,
            f"案件{no}的督办逾期未反馈，已{card.label}警示，请立即反馈",
            case=case,
            at=at,
            sms=f"调解案件{no}督办逾期未反馈，已{card.label}警示，请立即登录调解平台反馈。",
        )
    return waiting


@timers.handler(TimerKind.SUPERVISION_DEADLINE)
def _fire_supervision_deadline(timer: Timer, now: datetime) -> str:
    card = STAGE_OF_RULE.get(timer.rule)
    sup = Supervision.objects.filter(pk=timer.target_id).first()
    if card is None or sup is None:
        return "无对应督办"
    if sup.case_id is None:  # issue 11: the 督办 of a referral not yet accepted (supervision.referral_duban)
        from supervision.referral_duban import do_escalate_referral_supervision as escalate
    else:
        escalate = do_escalate_supervision
    try:
        waiting = escalate(sup, card=card, at=now)
    except ActionRefused as refusal:  # e.g. the case was disposed of meanwhile
        return refusal.message
    return f"已{card.label}警示" if waiting else "已反馈或已升级，无需处理"
