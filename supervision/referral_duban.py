"""督办 of a referral that no committee has accepted yet (issue 11 §7): the supervision loop of
cases.actions.supervision applied to a Referral without a case.

- A referral that has a case is supervised through its case (cases.actions.supervision.do_supervise_case, the
  case's action page): `do_supervise_referral` refuses it and the board links to the case's 督办.
- A pending referral: a Supervision with `referral` set and no case, issued by a 司法所 officer, county or city
  administrator whose jurisdiction holds the referral (referrals.scoping), with the reply deadline and the same
  two escalation timers (TimerKind.SUPERVISION_DEADLINE, case=None, target = the record; data/supervision_rules.json);
  the 督办 goes to the director(s) of the body that holds the referral.
- The reply comes from a director of that body (or, if the referral was accepted meanwhile, of its case's
  committee). Unanswered, the 督办 moves up a level with a yellow, then a red card, exactly as a case's
  (`do_escalate_referral_supervision`, fired from cases.actions.supervision's timer handler).

Each function is one transaction, writes the record and its append-only SupervisionEvent history, and tells the
people concerned (notifications.services). Refusals raise cases.actions.ActionRefused.
"""

from datetime import date, datetime

from django.db import transaction

from accounts.models import Role, User
from cases import timers
from cases.actions.base import ActionRefused, local_date, now_or, require
from cases.actions.supervision import raise_card_or_escalate
from cases.models import TimerKind
from notifications.enums import NoticeKind
from notifications.services import notify, notify_supervisors, supervisor_ids
from referrals.enums import ReferralStatus
from referrals.models import Referral
from referrals.scoping import referrals_visible_to
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

INSTRUCTION_MIN, REPLY_MIN = 10, 10


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("institution", "receiver", "case__committee")
        .get(pk=referral.pk)
    )


def holder_id(referral: Referral) -> int:
    """The committee that answers for the referral: its case's once accepted, else the receiver."""
    return referral.case.committee_id if referral.case_id else referral.receiver_id


def director_ids(referral: Referral) -> set[int]:
    return set(
        User.objects.filter(is_active=True, role=Role.DIRECTOR, committee_id=holder_id(referral)).values_list(
            "pk", flat=True
        )
    )


def may_reply(referral: Referral, actor: User) -> bool:
    return (
        actor.is_authenticated
        and actor.is_active
        and actor.role == Role.DIRECTOR
        and actor.committee_id is not None
        and actor.committee_id == holder_id(referral)
    )


def may_supervise(referral: Referral, actor: User) -> bool:
    return (
        LEVEL_OF_ROLE.get(actor.role) is not None
        and referral.status == ReferralStatus.PENDING
        and referral.case_id is None
        and referrals_visible_to(actor).filter(pk=referral.pk).exists()
    )


def do_supervise_referral(
    referral: Referral,
    actor: User,
    *,
    instruction: str,
    reply_deadline: date | None = None,
    at: datetime | None = None,
) -> Supervision:
    """督办 a pending referral (no case yet). Preconditions: the actor is a supervisor whose jurisdiction holds
    the referral; the referral waits to be accepted; an instruction of at least 10 characters; a reply deadline
    (default: the level's reply_days working days) not before today. Side effects: the record (referral set, no
    case), its ISSUED history row, the yellow and red escalation timers, a SUPERVISION notice (with SMS) to the
    director(s) of the body that holds the referral."""
    at = now_or(at)
    today = local_date(at)
    instruction = instruction.strip()
    require(len(instruction) >= INSTRUCTION_MIN, f"请写明督办意见（不少于{INSTRUCTION_MIN}个字）", "instruction")
    level = LEVEL_OF_ROLE.get(actor.role)
    if level is None:
        raise ActionRefused("只有司法所、县级和市级司法局的工作人员可以督办")
    with transaction.atomic():
        referral = _lock(referral)
        if not referrals_visible_to(actor).filter(pk=referral.pk).exists():
            raise ActionRefused("该移送纠纷不在您的辖区内")
        require(referral.case_id is None, "该移送纠纷已有调解案件，请对案件督办")
        require(referral.status == ReferralStatus.PENDING, "该移送纠纷已办结或已退回，无需督办")
        deadline = reply_deadline or add_working_days(today, supervision_rules().level(level).reply_days)
        require(deadline >= today, f"反馈期限不能早于今天（{today:%Y年%-m月%-d日}）", "reply_deadline")
        sup = Supervision.objects.create(
            referral=referral,
            case=None,
            kind=SupervisionKind.DUBAN,
            level=level,
            division_code=actor.division_id or referral.division_code[: CODE_LENGTH[level]],
            issued_by=actor,
            instruction=instruction,
            reply_deadline=deadline,
            issued_at=at,
            updated_at=at,
        )
        SupervisionEvent.objects.create(
            supervision=sup,
            kind=SupervisionEventKind.ISSUED,
            actor=actor,
            at=at,
            text=instruction,
            data={"referral": referral.pk},
        )
        from cases.actions.supervision import RULE_RED, RULE_YELLOW, _day_start

        rule = supervision_rules().level(level)
        for name, days in ((RULE_YELLOW, rule.yellow_after_days), (RULE_RED, rule.red_after_days)):
            timers.schedule(
                TimerKind.SUPERVISION_DEADLINE,
                case=None,
                target=sup,
                deadline=deadline,
                fire_at=_day_start(add_working_days(deadline, days)),
                rule=name,
            )
        label = sup.get_level_display()
        notify(
            director_ids(referral),
            NoticeKind.SUPERVISION,
            f"{label}对{referral.institution.name}移送的{referral.reference}发出督办：请及时接收或说明理由，"
            f"于{deadline:%Y年%-m月%-d日}前反馈",
            actor=actor,
            at=at,
            sms=f"{label}对移送纠纷{referral.reference}发出督办，请于{deadline:%Y年%-m月%-d日}前登录调解平台反馈。",
        )
    return sup


def do_reply_referral_supervision(
    supervision: Supervision, actor: User, *, text: str, at: datetime | None = None
) -> SupervisionEvent:
    """反馈 of a referral's 督办 by a director of the body that holds the referral. Preconditions: the chain's head
    waits for a reply; a reply of at least 10 characters. Side effects: the head becomes 已反馈 with a REPLIED history
    row, the chain's escalation timers are cancelled, a SUPERVISION_REPLY notice to the issuers (to the level's
    supervisors when the system raised it)."""
    at = now_or(at)
    text = text.strip()
    require(len(text) >= REPLY_MIN, f"请写明办理情况（不少于{REPLY_MIN}个字）", "text")
    require(supervision.referral_id is not None and supervision.case_id is None, "该督办事项不是移送纠纷的督办")
    with transaction.atomic():
        referral = _lock(supervision.referral)
        if not may_reply(referral, actor):
            raise ActionRefused("只有承办调解组织的主任可以反馈督办")
        head = Supervision.objects.select_for_update().get(pk=supervision.head().pk)
        require(head.status == SupervisionStatus.PENDING, "该督办事项已反馈，无需重复反馈")
        head.status, head.replied_at, head.updated_at = SupervisionStatus.REPLIED, at, at
        head.save(update_fields=["status", "replied_at", "updated_at"])
        event = SupervisionEvent.objects.create(
            supervision=head, kind=SupervisionEventKind.REPLIED, actor=actor, at=at, text=text
        )
        chain = head.chain()
        timers.cancel(TimerKind.SUPERVISION_DEADLINE, target=chain[0], reason="已反馈", at=at)
        issuers = {s.issued_by_id for s in chain if s.issued_by_id}
        if head.issued_by_id is None:
            issuers |= supervisor_ids(referral.division_code, [ROLE_OF_LEVEL[head.level]])
        notify(
            issuers,
            NoticeKind.SUPERVISION_REPLY,
            f"移送纠纷{referral.reference}已反馈督办：{text}"[:200],
            actor=actor,
            at=at,
            sms=f"移送纠纷{referral.reference}的督办已有反馈，请登录调解平台查看。",
        )
    return event


def do_escalate_referral_supervision(
    supervision: Supervision, *, card: str, at: datetime | None = None
) -> Supervision | None:
    """逾期升级 of a referral's 督办 (the system, from the SUPERVISION_DEADLINE timers), as a case's: below the city
    level the head becomes 已升级 and the next level's 督办 carries the card; at the city level the card is raised in
    place. Nothing happens (None) when the chain was answered or already carries that card. Notices: the next
    level's supervisors (SUPERVISION_ESCALATED), the level that went unanswered (SUPERVISION_UNANSWERED), and the
    director(s) of the body that holds the referral (SUPERVISION)."""
    at = now_or(at)
    card = CardLevel(card)
    with transaction.atomic():
        referral = _lock(supervision.referral)
        head = Supervision.objects.select_for_update().get(pk=supervision.head().pk)
        if head.status != SupervisionStatus.PENDING or CARD_RANK[CardLevel(head.card)] >= CARD_RANK[card]:
            return None
        from_level = SupervisionLevel(head.level)
        to_level = NEXT_LEVEL.get(from_level)
        waiting, now_level = raise_card_or_escalate(
            head, card, at, referral=referral, division_code=referral.division_code
        )
        ref = referral.reference
        notify_supervisors(
            NoticeKind.SUPERVISION_ESCALATED,
            referral.division_code,
            f"移送纠纷{ref}的{from_level.label}督办逾期未反馈，已{card.label}警示"
            + (f"并升级至{to_level.label}，请督促办理" if to_level else "，请督促办理"),
            at=at,
            sms=f"移送纠纷{ref}督办逾期未反馈，已{card.label}警示，请登录调解平台查看。",
            roles=[ROLE_OF_LEVEL[now_level]],
        )
        if to_level is not None:
            notify_supervisors(
                NoticeKind.SUPERVISION_UNANSWERED,
                referral.division_code,
                f"您单位对移送纠纷{ref}的督办逾期未反馈，已升级至{to_level.label}（{card.label}）",
                at=at,
                roles=[ROLE_OF_LEVEL[from_level]],
            )
        notify(
            director_ids(referral),
            NoticeKind.SUPERVISION,
            f"移送纠纷{ref}的督办逾期未反馈，已{card.label}警示，请立即反馈",
            at=at,
            sms=f"移送纠纷{ref}督办逾期未反馈，已{card.label}警示，请立即登录调解平台反馈。",
        )
    return waiting


def pending_for_director(user: User):
    """The referral 督办 waiting for this director's reply (the committee holds the referral)."""
    if user.role != Role.DIRECTOR or not user.committee_id:
        return Supervision.objects.none()
    return Supervision.objects.filter(case__isnull=True, status=SupervisionStatus.PENDING).filter(
        # held by the committee: the receiver while pending, the case's committee once accepted
        referral__in=Referral.objects.filter(receiver_id=user.committee_id, case__isnull=True)
        | Referral.objects.filter(case__committee_id=user.committee_id)
    )
