"""The actions of the suggestions and proposals ledger (建议提案办理). Each runs in a transaction, checks who may do
it (ledgers.scoping roles: OFFICE registers, assigns, sends, extends, returns, publishes and 督办; the responsible
LEADER approves; the item's DEPARTMENT drafts, records contacts, ratings and follow-up), changes the item, writes a
LedgerEvent, re-syncs the item's clocks (ledgers.proposal_clock) and tells the people concerned (notices)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from cases.actions.base import ActionRefused, local_date, now_or, require
from ledgers import proposal_clock
from ledgers.events import diff, record, snapshot
from ledgers.models import BureauDepartment, LedgerName, LedgerRole, LedgerRoleKind
from ledgers.models_proposals import (
    AWAITING_REPLY,
    ContactMode,
    ContactStage,
    HandlingRole,
    Proposal,
    ProposalContact,
    ProposalFeedback,
    ProposalFollowUp,
    ProposalKind,
    ProposalReply,
    ProposalStatus,
    Rating,
    ReplyStatus,
)
from ledgers.proposal_config import rules_for
from ledgers.scoping import access_of, role_users
from notifications.enums import NoticeKind
from notifications.services import notify
from registry.models import Division

OFFICE, LEADER, DEPARTMENT = LedgerRoleKind.OFFICE, LedgerRoleKind.LEADER, LedgerRoleKind.DEPARTMENT
TRACKED = [
    "status",
    "leader",
    "department",
    "due_on",
    "extended",
    "returned_on",
    "result_class",
    "rehandle_round",
    "rehandle_due_on",
    "solved_on",
    "published",
]


def cn(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# Who may act ---------------------------------------------------------------------------------------------------
def roles_on(user: User, item: Proposal) -> set[str]:
    """The user's roles on this item: OFFICE / LEADER of its bureau, DEPARTMENT if it is their department's."""
    access = access_of(user)
    kinds = {k for k in access.kinds_in(item.bureau_id) if k in (OFFICE, LEADER)}
    if access.in_department(item.department_id):
        kinds.add(DEPARTMENT)
    return kinds


def _may(user: User, item: Proposal, *kinds: str, what: str) -> None:
    if not roles_on(user, item) & set(kinds):
        raise ActionRefused(f"您无权{what}")


def _is_leader(user: User, item: Proposal) -> bool:
    if LEADER not in roles_on(user, item):
        return False
    return item.leader_id in (None, user.pk)


def allowed_actions(user: User, item: Proposal) -> set[str]:
    """The actions the page offers this user now (the actions check again)."""
    roles = roles_on(user, item)
    status = ProposalStatus(item.status)
    offered: set[str] = set()
    office, dept = OFFICE in roles, DEPARTMENT in roles
    if status == ProposalStatus.RETURNED:
        return offered
    if office and status in (ProposalStatus.REGISTERED, ProposalStatus.HANDLING, ProposalStatus.REHANDLING):
        offered.add("assign")
    if roles:
        offered.add("contact")
    if (office or dept) and status in (ProposalStatus.HANDLING, ProposalStatus.REHANDLING, ProposalStatus.DRAFTED):
        offered.add("draft")
    if _is_leader(user, item) and status == ProposalStatus.DRAFTED:
        offered |= {"approve", "send_back"}
    if office and status == ProposalStatus.APPROVED:
        offered.add("send")
    if office and item.is_lead and not item.extended and not item.rehandle_round and status in AWAITING_REPLY:
        offered.add("extend")
    if office and not item.rehandle_round and status in (ProposalStatus.REGISTERED, ProposalStatus.HANDLING):
        offered.add("return")
    if (office or dept) and status == ProposalStatus.REPLIED:
        offered.add("feedback")
    if (office or dept) and status == ProposalStatus.FOLLOW_UP:
        offered.add("follow_up")
    if office and item.replies.filter(status=ReplyStatus.SENT).exists():
        offered.add("publish")
    if office and status in AWAITING_REPLY:
        offered.add("urge")
    return offered


# Shared steps --------------------------------------------------------------------------------------------------
def _lock(item: Proposal) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("bureau").get(pk=item.pk)


def _link(item: Proposal) -> str:
    return reverse("ledgers:proposal", args=[item.pk])


def _log(item: Proposal, actor: User | None, action: str, summary: str, before: dict, at: datetime, **extra) -> None:
    changes = diff(before, snapshot(item, TRACKED))
    changes.update({k: [None, v] for k, v in extra.items()})
    record(
        ledger=LedgerName.PROPOSALS,
        bureau=item.bureau_id,
        target=item,
        action=action,
        summary=summary,
        actor=actor,
        changes=changes,
        at=at,
    )


def _save(item: Proposal, at: datetime) -> None:
    item.updated_at = at
    item.save()
    proposal_clock.sync(item, at)


def handlers_of(item: Proposal) -> set[int]:
    """The department's staff and the responsible leader."""
    ids = {u.pk for u in role_users(item.bureau_id, DEPARTMENT, item.department)} if item.department_id else set()
    if item.leader_id:
        ids.add(item.leader_id)
    return ids


def office_of(item: Proposal) -> set[int]:
    return {u.pk for u in role_users(item.bureau_id, OFFICE)}


def _tell(item: Proposal, users: set[int], kind: str, message: str, actor: User | None, at: datetime, sms=None):
    notify(users, kind, message, actor=actor, at=at, link=_link(item), sms=sms)


# Registering and assigning -------------------------------------------------------------------------------------
@dataclass
class ProposalData:
    kind: str
    session: str
    number: str
    title: str
    proposers: str
    content: str
    assigning_body: str
    assigned_on: date
    handling_role: str
    key_supervised: bool = False
    lead_unit: str = ""
    other_units: str = ""
    year: int | None = None


def do_register(bureau: Division, actor: User, data: ProposalData, *, at: datetime | None = None) -> Proposal:
    """登记 an item assigned to the bureau. Preconditions: the actor is the bureau's office; the 交办 date is not in
    the future; a 会办 item names its lead unit; the session and number are not registered yet. Side effects: the
    reply (3 months) or opinion (2 months) deadline and the return window are set and their clocks started."""
    at = now_or(at)
    today = local_date(at)
    if OFFICE not in access_of(actor).kinds_in(bureau.pk):
        raise ActionRefused("只有本局办公室可以登记建议提案")
    require(data.kind in ProposalKind.values, "请选择类别", "kind")
    require(data.handling_role in HandlingRole.values, "请选择主办或会办", "handling_role")
    for name, label in (("session", "会议届次"), ("number", "编号"), ("title", "标题"), ("proposers", "提出人")):
        require(bool(str(getattr(data, name)).strip()), f"请填写{label}", name)
    require(bool(data.assigning_body.strip()), "请填写交办单位", "assigning_body")
    require(data.assigned_on <= today, "交办日期不能晚于今天", "assigned_on")
    if data.handling_role == HandlingRole.CO:
        require(bool(data.lead_unit.strip()), "会办件请填写主办单位", "lead_unit")
    rules = rules_for(bureau.pk)
    lead = data.handling_role == HandlingRole.LEAD
    with transaction.atomic():
        duplicate = Proposal.objects.filter(
            bureau=bureau, kind=data.kind, session=data.session.strip(), number=data.number.strip()
        )
        require(not duplicate.exists(), "该届次该编号的建议提案已登记", "number")
        item = Proposal.objects.create(
            bureau=bureau,
            year=data.year or data.assigned_on.year,
            kind=data.kind,
            session=data.session.strip(),
            number=data.number.strip(),
            title=data.title.strip(),
            proposers=data.proposers.strip(),
            content=data.content.strip(),
            assigning_body=data.assigning_body.strip(),
            key_supervised=data.key_supervised,
            assigned_on=data.assigned_on,
            handling_role=data.handling_role,
            lead_unit=data.lead_unit.strip() if not lead else "",
            other_units=data.other_units.strip(),
            due_on=rules.reply_due(data.assigned_on) if lead else rules.opinion_due(data.assigned_on),
            return_by=rules.return_by(data.assigned_on),
            created_by=actor,
            created_at=at,
            updated_at=at,
        )
        _log(
            item,
            actor,
            "registered",
            f"登记{item}（{item.get_handling_role_display()}），{item.reply_word}期限{cn(item.due_on)}",
            {},
            at,
        )
        proposal_clock.sync(item, at)
    return item


def do_assign(
    item: Proposal, actor: User, *, leader: User, department: BureauDepartment, at: datetime | None = None
) -> Proposal:
    """分办 to a responsible leader and a department of the bureau (again to change them). Notices to both."""
    at = now_or(at)
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, what="分办建议提案")
        require(item.status not in (ProposalStatus.CLOSED, ProposalStatus.RETURNED), "该件已办结或已退回")
        require(department.bureau_id == item.bureau_id and department.active, "请选择本局的在用科室", "department")
        is_leader = LedgerRole.objects.filter(
            user=leader, bureau_id=item.bureau_id, kind=LEADER, ended_at__isnull=True
        ).exists()
        require(is_leader, "请选择本局的局领导", "leader")
        before = snapshot(item, TRACKED)
        item.leader, item.department = leader, department
        if item.status == ProposalStatus.REGISTERED:
            item.status = ProposalStatus.HANDLING
        _save(item, at)
        _log(item, actor, "assigned", f"分办：责任领导{leader.display_name}，承办科室{department.name}", before, at)
        _tell(
            item,
            handlers_of(item),
            NoticeKind.DISPATCH_RECEIVED,
            f"{item}《{item.title}》已交由{department.name}承办，{item.reply_word}期限{cn(item.current_due)}",
            actor,
            at,
        )
    return item


def do_record_contact(
    item: Proposal,
    actor: User,
    *,
    on: date,
    stage: str,
    mode: str,
    participants: str = "",
    note: str = "",
    at: datetime | None = None,
) -> ProposalContact:
    """记录沟通: 办前面商, contacts during handling, a visit after it (date and mode; face-to-face counts for
    见面率)."""
    at = now_or(at)
    require(stage in ContactStage.values, "请选择沟通阶段", "stage")
    require(mode in ContactMode.values, "请选择沟通方式", "mode")
    require(on <= local_date(at), "沟通日期不能晚于今天", "on")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, LEADER, DEPARTMENT, what="记录沟通情况")
        require(item.status != ProposalStatus.RETURNED, "该件已退回")
        require(on >= item.assigned_on, "沟通日期不能早于交办日期", "on")
        contact = ProposalContact.objects.create(
            proposal=item,
            on=on,
            stage=stage,
            mode=mode,
            participants=participants.strip(),
            note=note.strip(),
            recorded_by=actor,
            created_at=at,
        )
        _log(
            item,
            actor,
            "contact",
            f"{contact.get_stage_display()}：{cn(on)} {contact.get_mode_display()}",
            {},
            at,
            contact=contact.pk,
        )
    return contact


# The reply ------------------------------------------------------------------------------------------------------
def default_title(item: Proposal) -> str:
    rules = rules_for(item.bureau_id)
    template = rules.reply_title if item.is_lead else rules.opinion_title
    from supervision.notice_header import short_name

    return template.format(
        bureau=f"{item.bureau.name}司法局", session=item.session, number=item.number, noun=item.noun
    ).replace("{short}", short_name(item.bureau.name))


def default_addressee(item: Proposal) -> str:
    return item.assigning_body if item.is_lead else item.lead_unit


def do_draft_reply(
    item: Proposal,
    actor: User,
    *,
    body: str,
    result_class: str,
    addressee: str = "",
    title: str = "",
    at: datetime | None = None,
) -> ProposalReply:
    """拟稿 (or revise the draft of) the reply or opinion of the current round, with its result class from the
    province's configured list. The item waits for the leader's approval; notice to the leader."""
    at = now_or(at)
    body = body.strip()
    require(len(body) >= 20, "请写明答复内容（不少于20个字）", "body")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, DEPARTMENT, what="起草答复")
        require(
            item.status in (ProposalStatus.HANDLING, ProposalStatus.REHANDLING, ProposalStatus.DRAFTED),
            "该件当前不能起草答复（请先分办）",
        )
        require(rules_for(item.bureau_id).result_class(result_class) is not None, "请选择办理结果", "result_class")
        before = snapshot(item, TRACKED)
        reply = item.replies.filter(round=item.rehandle_round, status=ReplyStatus.DRAFT).first()
        if reply is None:
            reply = ProposalReply(proposal=item, round=item.rehandle_round, drafted_by=actor, drafted_at=at)
        reply.title = title.strip() or default_title(item)
        reply.addressee = addressee.strip() or default_addressee(item)
        reply.body, reply.result_class, reply.due_on = body, result_class, item.current_due
        reply.drafted_by, reply.drafted_at = actor, at
        reply.save()
        item.status = ProposalStatus.DRAFTED
        _save(item, at)
        _log(item, actor, "drafted", f"起草{item.reply_word}（办理结果{result_class}类）", before, at, reply=reply.pk)
        if item.leader_id:
            _tell(item, {item.leader_id}, NoticeKind.SUPERVISION_REPLY, f"{item}的{item.reply_word}待您审签", actor, at)
    return reply


def _draft(item: Proposal) -> ProposalReply:
    reply = item.replies.filter(round=item.rehandle_round, status=ReplyStatus.DRAFT).first()
    require(reply is not None, "没有待审签的答复稿")
    return reply


def do_approve_reply(item: Proposal, actor: User, *, at: datetime | None = None) -> ProposalReply:
    """审签 by the responsible leader (who becomes the signer). Notice to the office to send it."""
    at = now_or(at)
    with transaction.atomic():
        item = _lock(item)
        if not _is_leader(actor, item):
            raise ActionRefused("只有责任领导可以审签答复")
        require(item.status == ProposalStatus.DRAFTED, "该件没有待审签的答复")
        reply = _draft(item)
        before = snapshot(item, TRACKED)
        reply.status, reply.approved_by, reply.approved_at = ReplyStatus.APPROVED, actor, at
        reply.signer, reply.revision_note = actor.display_name, ""
        reply.save()
        item.status = ProposalStatus.APPROVED
        _save(item, at)
        _log(item, actor, "approved", f"{actor.display_name}审签{item.reply_word}", before, at, reply=reply.pk)
        _tell(
            item,
            office_of(item),
            NoticeKind.SUPERVISION_REPLY,
            f"{item}的{item.reply_word}已审签，请编号发出",
            actor,
            at,
        )
    return reply


def do_send_back_draft(item: Proposal, actor: User, *, note: str, at: datetime | None = None) -> ProposalReply:
    """退回修改 by the leader, with the changes asked for."""
    at = now_or(at)
    note = note.strip()
    require(len(note) >= 4, "请写明修改意见", "note")
    with transaction.atomic():
        item = _lock(item)
        if not _is_leader(actor, item):
            raise ActionRefused("只有责任领导可以退回修改")
        require(item.status == ProposalStatus.DRAFTED, "该件没有待审签的答复")
        reply = _draft(item)
        before = snapshot(item, TRACKED)
        reply.revision_note = note
        reply.save()
        item.status = ProposalStatus.REHANDLING if item.rehandle_round else ProposalStatus.HANDLING
        _save(item, at)
        _log(item, actor, "sent_back", f"退回修改：{note}", before, at, reply=reply.pk)
        _tell(item, handlers_of(item), NoticeKind.SUPERVISION_REPLY, f"{item}的答复稿被退回修改：{note}", actor, at)
    return reply


def do_send_reply(
    item: Proposal, actor: User, *, doc_no: str, sent_on: date | None = None, at: datetime | None = None
) -> ProposalReply:
    """发出 the approved reply (主办: to the assigning body and the proposer) or opinion (会办: to the lead unit)
    with its document number. Stops the clock; whether it was on time is kept on the reply and the item."""
    at = now_or(at)
    sent_on = sent_on or local_date(at)
    doc_no = doc_no.strip()
    require(bool(doc_no), "请填写文号", "doc_no")
    require(sent_on <= local_date(at), "发出日期不能晚于今天", "sent_on")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, what="发出答复")
        require(item.status == ProposalStatus.APPROVED, "答复尚未审签")
        require(sent_on >= item.assigned_on, "发出日期不能早于交办日期", "sent_on")
        reply = item.replies.get(round=item.rehandle_round, status=ReplyStatus.APPROVED)
        before = snapshot(item, TRACKED)
        reply.status, reply.doc_no, reply.sent_on = ReplyStatus.SENT, doc_no, sent_on
        reply.due_on = item.current_due or reply.due_on  # an extension granted after the draft counts
        reply.on_time = sent_on <= reply.due_on
        reply.save()
        if item.rehandle_round == 0:
            item.first_replied_on, item.on_time = sent_on, reply.on_time
        item.replied_on, item.result_class = sent_on, reply.result_class
        item.status = ProposalStatus.REPLIED
        _save(item, at)
        late = "" if reply.on_time else "（已超过期限）"
        _log(item, actor, "sent", f"发出{item.reply_word}{doc_no}，办理结果{reply.result_class}类{late}", before, at)
        _tell(
            item,
            handlers_of(item),
            NoticeKind.SUPERVISION_REPLY,
            f"{item}的{item.reply_word}已发出（{doc_no}）",
            actor,
            at,
        )
    return reply


# Deadlines: extension and return --------------------------------------------------------------------------------
def do_extend(item: Proposal, actor: User, *, reason: str, approved_by: str, at: datetime | None = None) -> Proposal:
    """延期 of a lead item to 6 months from 交办, with the assigning body's consent (recorded, not asked here)."""
    at = now_or(at)
    reason, approved_by = reason.strip(), approved_by.strip()
    require(len(reason) >= 4, "请写明延期理由（涉及面广、处理难度大等）", "reason")
    require(bool(approved_by), "请填写同意延期的交办单位", "approved_by")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, what="办理延期")
        require(item.is_lead, "会办件不能延期，请按期向主办单位报送会办意见")
        require(not item.extended, "该件已延期")
        require(item.rehandle_round == 0 and item.status in AWAITING_REPLY, "该件已答复，无需延期")
        before = snapshot(item, TRACKED)
        item.extended, item.extension_reason, item.extension_approved_by = True, reason, approved_by
        item.due_on = rules_for(item.bureau_id).reply_due(item.assigned_on, extended=True)
        item.replies.filter(round=0).exclude(status=ReplyStatus.SENT).update(due_on=item.due_on)
        _save(item, at)
        _log(item, actor, "extended", f"经{approved_by}同意延期至{cn(item.due_on)}：{reason}", before, at)
        _tell(item, handlers_of(item), NoticeKind.SUPERVISION_REPLY, f"{item}答复期限延至{cn(item.due_on)}", actor, at)
    return item


def do_return(
    item: Proposal,
    actor: User,
    *,
    reason: str,
    consent_by: str,
    returned_on: date | None = None,
    at: datetime | None = None,
) -> Proposal:
    """退回 a wrongly assigned item within the configured window, with the assigning body's consent."""
    at = now_or(at)
    returned_on = returned_on or local_date(at)
    reason, consent_by = reason.strip(), consent_by.strip()
    require(len(reason) >= 4, "请写明退回理由（不属于本单位职责范围等）", "reason")
    require(bool(consent_by), "请填写同意退回的交办单位", "consent_by")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, what="退回建议提案")
        require(
            item.rehandle_round == 0 and item.status in (ProposalStatus.REGISTERED, ProposalStatus.HANDLING),
            "该件已在办理答复，不能退回",
        )
        require(returned_on <= item.return_by, f"退回期限已过（应于{cn(item.return_by)}前申请退回）", "returned_on")
        before = snapshot(item, TRACKED)
        item.status, item.returned_on, item.return_reason = ProposalStatus.RETURNED, returned_on, reason
        _save(item, at)
        _log(item, actor, "returned", f"经{consent_by}同意退回：{reason}", before, at)
        _tell(item, handlers_of(item), NoticeKind.SUPERVISION_REPLY, f"{item}已退回交办单位", actor, at)
    return item


# The proposer's ratings, re-handling, follow-up ------------------------------------------------------------------
def do_record_feedback(
    item: Proposal,
    actor: User,
    *,
    received_on: date,
    attitude: str,
    result: str,
    comments: str = "",
    at: datetime | None = None,
) -> ProposalFeedback:
    """登记征询意见: attitude and result rated separately. 不满意 (either) → re-handling with a new reply due one
    month after the rating was received; otherwise the item is closed, or followed up if its class asks for it."""
    at = now_or(at)
    require(attitude in Rating.values, "请选择办理态度评价", "attitude")
    require(result in Rating.values, "请选择办理结果评价", "result")
    require(received_on <= local_date(at), "收到日期不能晚于今天", "received_on")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, DEPARTMENT, what="登记征询意见")
        require(item.status == ProposalStatus.REPLIED, "该件没有待评价的答复")
        reply = item.replies.filter(status=ReplyStatus.SENT).order_by("-round", "-id").first()
        require(received_on >= reply.sent_on, "收到日期不能早于答复发出日期", "received_on")
        if Rating.UNSATISFIED in (attitude, result):
            require(len(comments.strip()) >= 4, "评价为不满意时请写明提出人的意见", "comments")
        before = snapshot(item, TRACKED)
        feedback = ProposalFeedback.objects.create(
            proposal=item,
            reply=reply,
            received_on=received_on,
            attitude=attitude,
            result=result,
            comments=comments.strip(),
            recorded_by=actor,
            created_at=at,
        )
        rules = rules_for(item.bureau_id)
        klass = rules.result_class(item.result_class)
        if feedback.unsatisfied:
            item.rehandle_round += 1
            item.rehandle_due_on = rules.rehandle_due(received_on)
            item.status = ProposalStatus.REHANDLING
            outcome = f"，重新办理，期限{cn(item.rehandle_due_on)}"
        elif klass is not None and klass.follow_up and not item.solved_on:
            item.status, outcome = ProposalStatus.FOLLOW_UP, "，转入跟踪办理"
        else:
            item.status, outcome = ProposalStatus.CLOSED, "，办结"
        _save(item, at)
        _log(
            item,
            actor,
            "feedback",
            f"征询意见：办理态度{feedback.get_attitude_display()}，办理结果{feedback.get_result_display()}{outcome}",
            before,
            at,
            feedback=feedback.pk,
        )
        if feedback.unsatisfied:
            _tell(
                item,
                handlers_of(item) | office_of(item),
                NoticeKind.SUPERVISION,
                f"{item}评价不满意，请于{cn(item.rehandle_due_on)}前重新办理答复",
                actor,
                at,
            )
    return feedback


def do_record_follow_up(
    item: Proposal, actor: User, *, on: date, progress: str, solved: bool, at: datetime | None = None
) -> ProposalFollowUp:
    """跟踪办理 of a B or C item: its progress, until the problem is solved (then the item is closed)."""
    at = now_or(at)
    progress = progress.strip()
    require(len(progress) >= 4, "请写明进展情况", "progress")
    require(on <= local_date(at), "日期不能晚于今天", "on")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, DEPARTMENT, what="登记跟踪办理情况")
        require(item.status == ProposalStatus.FOLLOW_UP, "该件不在跟踪办理中")
        before = snapshot(item, TRACKED)
        entry = ProposalFollowUp.objects.create(
            proposal=item, on=on, progress=progress, solved=solved, recorded_by=actor, created_at=at
        )
        if solved:
            item.solved_on, item.status = on, ProposalStatus.CLOSED
        _save(item, at)
        _log(item, actor, "follow_up", f"跟踪办理：{progress}{'（已解决，办结）' if solved else ''}"[:300], before, at)
    return entry


def do_publish(item: Proposal, actor: User, *, published: bool, at: datetime | None = None) -> Proposal:
    """公开 (or withdraw from) the public page: the item and its sent replies."""
    at = now_or(at)
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, what="公开办理结果")
        require(item.replies.filter(status=ReplyStatus.SENT).exists(), "答复发出后才能公开")
        before = snapshot(item, TRACKED)
        item.published = published
        item.published_at = at if published else None
        _save(item, at)
        _log(
            item,
            actor,
            "published" if published else "unpublished",
            "在门户网站公开" if published else "撤回公开",
            before,
            at,
        )
    return item


def do_urge(item: Proposal, actor: User, *, note: str, at: datetime | None = None) -> Proposal:
    """督办 by the office: a notice to the department and the leader, kept in the log."""
    at = now_or(at)
    note = note.strip()
    require(len(note) >= 4, "请写明督办意见", "note")
    with transaction.atomic():
        item = _lock(item)
        _may(actor, item, OFFICE, what="督办")
        require(item.status in AWAITING_REPLY, "该件已答复，无需督办")
        _log(item, actor, "duban", f"办公室督办：{note}"[:300], snapshot(item, TRACKED), at)
        _tell(item, handlers_of(item), NoticeKind.SUPERVISION, f"{item}督办：{note}", actor, at)
    return item


# The clock's side (called by the timer handlers as the system) ---------------------------------------------------
def system_remind(item: Proposal, *, kind: str, deadline: date, days: int, at: datetime) -> str:
    """A reminder before a deadline: to the handlers (reply, re-handling), or to the office (return window)."""
    from ledgers.proposal_clock import RETURN_WINDOW

    if kind == RETURN_WINDOW:
        _tell(
            item,
            office_of(item),
            NoticeKind.REMINDER_REPLY,
            f"{item}如属交办有误，请于{cn(deadline)}前经交办单位同意后退回",
            None,
            at,
        )
        return "已提醒办公室退回期限"
    word = "重新办理答复" if item.rehandle_round else item.reply_word
    _tell(
        item,
        handlers_of(item) | office_of(item),
        NoticeKind.REMINDER_REPLY,
        f"{item}《{item.title}》{word}期限{cn(deadline)}，还有{days}天",
        None,
        at,
        sms=f"{item}{word}期限{cn(deadline)}，还有{days}天，请按时办理。",
    )
    return f"已提醒（{days}天）"


def system_overdue(item: Proposal, *, deadline: date, at: datetime) -> str:
    """逾期督办: the deadline passed with no reply sent — the office 督办s the department and the leader."""
    word = "重新办理答复" if item.rehandle_round else item.reply_word
    _log(item, None, "overdue_duban", f"{word}期限{cn(deadline)}已过，办公室督办", snapshot(item, TRACKED), at)
    _tell(
        item,
        handlers_of(item) | office_of(item),
        NoticeKind.SUPERVISION,
        f"督办：{item}《{item.title}》{word}期限{cn(deadline)}已过，请立即办理",
        None,
        at,
        sms=f"督办：{item}{word}期限已过，请立即办理。",
    )
    return "逾期，已督办"


def as_data(**kw: Any) -> ProposalData:
    return ProposalData(**kw)
