"""The one door for changes of the rectification ledger (整改台账). Each `do_*` is one transaction: it locks what it
changes, checks the actor and the state (ledgers.rectification.access), writes the change, its ledgers.LedgerEvent
and its notices (notifications.services.notify, in the same transaction), and (re)starts or stops the item's clocks
(ledgers.rectification.clock). Refusals raise cases.actions.ActionRefused with the reason in Chinese.

The item's flow (references-2 §D.3): 挂账 → 整改中 (the department's first progress report) → 申请销号 (the
department, with evidence on file) → 已验收 (the item's named reviewer) or back to 整改中 with reasons → 已销号 (the
office; only after acceptance)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from cases import uploads
from cases.actions.base import ActionRefused, local_date, now_or, require
from ledgers.events import diff, record, snapshot
from ledgers.models import BureauDepartment, LedgerName, LedgerRoleKind
from ledgers.rectification import access as P
from ledgers.rectification import clock
from ledgers.rectification.config import rules
from ledgers.rectification.models import (
    ClosureOutcome,
    ClosureRequest,
    Evidence,
    Inspection,
    InspectionKind,
    ItemStatus,
    Milestone,
    ProgressReport,
    RectificationItem,
)
from ledgers.scoping import access_of, role_users
from notifications.services import notify
from registry.models import Division

S = ItemStatus
LEDGER = LedgerName.RECTIFICATION
TEXT_MIN = 5


def _log(item_or_inspection, action: str, summary: str, actor: User | None, at: datetime, changes=None) -> None:
    record(
        ledger=LEDGER,
        bureau=item_or_inspection.bureau_id,
        target=item_or_inspection,
        action=action,
        summary=summary,
        actor=actor,
        changes=changes,
        at=at,
    )


def _require_office(actor: User, bureau_id: str) -> None:
    if not P.is_office(actor, bureau_id):
        raise ActionRefused("只有本局办公室可以登记整改台账")


# ------------------------------------------------------------------------------------------------ inspections
def do_create_inspection(
    actor: User,
    bureau: Division,
    *,
    kind: str,
    name: str,
    body: str,
    feedback_on: date,
    issuer: str = "",
    at: datetime | None = None,
) -> Inspection:
    """Register an inspection's feedback (巡察、审计、督察). Preconditions: the actor is the bureau's office; a name and
    the inspecting body; a feedback date not in the future. Side effects: the record and its change-log line."""
    at = now_or(at)
    _require_office(actor, bureau.pk)
    name, body = name.strip(), body.strip()
    require(len(name) >= 4, "请填写检查名称（不少于4个字）", "name")
    require(bool(body), "请填写检查机关（如：市委第六巡察组）", "body")
    require(kind in InspectionKind.values, "请选择检查类别", "kind")
    require(feedback_on <= local_date(at), "反馈日期不能晚于今天", "feedback_on")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            bureau=bureau,
            kind=kind,
            name=name,
            body=body,
            feedback_on=feedback_on,
            issuer=issuer.strip(),
            created_by=actor,
            created_at=at,
        )
        _log(inspection, "create_inspection", f"登记{inspection.get_kind_display()}反馈：{name}", actor, at)
    return inspection


# ------------------------------------------------------------------------------------------------------ items
@dataclass
class ItemData:
    problem: str
    leader: User
    department: BureauDepartment
    reviewer: User
    measures: str
    deadline: date
    long_term: bool = False
    milestones: list[tuple[str, date]] = field(default_factory=list)
    number: int | None = None


def check_item_data(inspection: Inspection, data: ItemData) -> list[tuple[str | None, str]]:
    """Every problem of one item's data, as (field, message): also used by the Excel import, row by row."""
    errors: list[tuple[str | None, str]] = []
    bureau = inspection.bureau_id
    if len(data.problem.strip()) < TEXT_MIN:
        errors.append(("problem", f"请填写问题描述（不少于{TEXT_MIN}个字）"))
    if len(data.measures.strip()) < TEXT_MIN:
        errors.append(("measures", f"请填写整改措施（不少于{TEXT_MIN}个字）"))
    if data.department.bureau_id != bureau or not data.department.active:
        errors.append(("department", f"“{data.department.name}”不是本局在用的科室"))
    if not access_of(data.leader).is_(LedgerRoleKind.LEADER, bureau):
        errors.append(("leader", f"“{data.leader.full_name or data.leader.username}”不是本局领导"))
    if not access_of(data.reviewer).is_(LedgerRoleKind.REVIEWER, bureau):
        errors.append(("reviewer", f"“{data.reviewer.full_name or data.reviewer.username}”不是本局的验收人"))
    if data.deadline < inspection.feedback_on:
        errors.append(("deadline", f"整改时限不能早于反馈日期（{inspection.feedback_on:%Y年%-m月%-d日}）"))
    for title, due in data.milestones:
        if not title.strip():
            errors.append(("milestones", "阶段目标需写明内容"))
        elif due > data.deadline:
            errors.append(("milestones", f"阶段目标“{title[:20]}”的完成时间晚于整改时限"))
    return errors


def _add_item(actor: User, inspection: Inspection, data: ItemData, at: datetime, number: int) -> RectificationItem:
    item = RectificationItem.objects.create(
        inspection=inspection,
        bureau_id=inspection.bureau_id,
        number=number,
        problem=data.problem.strip(),
        leader=data.leader,
        department=data.department,
        reviewer=data.reviewer,
        measures=data.measures.strip(),
        deadline=data.deadline,
        long_term=data.long_term,
        created_at=at,
        updated_at=at,
    )
    Milestone.objects.bulk_create(
        [Milestone(item=item, order=i, title=t.strip()[:200], due_on=d) for i, (t, d) in enumerate(data.milestones)]
    )
    _log(
        item,
        "list_item",
        f"挂账：第{number}项，责任部门{data.department.name}，整改时限{data.deadline:%Y-%m-%d}",
        actor,
        at,
        snapshot(item, ["problem", "leader", "department", "reviewer", "measures", "deadline", "long_term"]),
    )
    clock.schedule_item(item, at)
    notify(
        clock.department_staff(item),
        clock.NOTICE_FLOW,
        f"新的整改事项已挂账：第{number}项“{item.problem[:40]}”，整改时限{item.deadline:%Y年%-m月%-d日}",
        actor=actor,
        at=at,
        link=clock.item_link(item),
    )
    return item


def _next_number(inspection: Inspection) -> int:
    last = inspection.items.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def do_add_item(actor: User, inspection: Inspection, data: ItemData, *, at: datetime | None = None):
    """挂账 of one problem. Preconditions: the actor is the bureau's office; the data passes check_item_data; the
    number (default: the next) is free. Side effects: the item (挂账), its milestones, its change-log line, its
    reminder and 督办 timers, a notice to the department's staff."""
    at = now_or(at)
    _require_office(actor, inspection.bureau_id)
    errors = check_item_data(inspection, data)
    if errors:
        raise ActionRefused(errors[0][1], errors[0][0])
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        number = data.number or _next_number(inspection)
        require(not inspection.items.filter(number=number).exists(), f"序号{number}已被使用", "number")
        return _add_item(actor, inspection, data, at, number)


def do_import_items(actor: User, inspection: Inspection, rows: list[ItemData], *, file_name: str = "", at=None):
    """All the rows of an imported problem list, or nothing: every row is checked first, and one bad row (or a
    number already used) refuses the whole file. Side effects: as do_add_item for each, plus an import line."""
    at = now_or(at)
    _require_office(actor, inspection.bureau_id)
    require(bool(rows), "表格中没有整改事项")
    for i, data in enumerate(rows, start=1):
        errors = check_item_data(inspection, data)
        if errors:
            raise ActionRefused(f"第{i}条：{errors[0][1]}")
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        used = set(inspection.items.values_list("number", flat=True))
        explicit = [d.number for d in rows if d.number]
        for number in explicit:
            require(number not in used, f"序号{number}已在本次检查的台账中", "file")
        require(len(set(explicit)) == len(explicit), "表格中有重复的序号", "file")
        used |= set(explicit)
        items = []
        for data in rows:
            number = data.number
            if not number:
                number = max(used | {0}) + 1
                used.add(number)
            items.append(_add_item(actor, inspection, data, at, number))
        _log(inspection, "import_items", f"从“{file_name[:60]}”导入整改事项{len(items)}项", actor, at)
    return items


def _lock(item: RectificationItem) -> RectificationItem:
    return (
        RectificationItem.objects.select_for_update(of=("self",))
        .select_related("inspection", "department", "leader", "reviewer")
        .get(pk=item.pk)
    )


def _check(action: str, item: RectificationItem, actor: User) -> None:
    reason = P.refusal(action, item, actor)
    if reason:
        raise ActionRefused(reason)


def do_revise_item(
    actor: User,
    item: RectificationItem,
    *,
    measures: str,
    deadline: date,
    reason: str,
    at: datetime | None = None,
) -> RectificationItem:
    """调整 of an open item's measures or deadline by the office, with the reason. Side effects: the change (before
    and after) in the change log; a new deadline restarts the clocks; the department is told."""
    at = now_or(at)
    require(len(reason.strip()) >= TEXT_MIN, f"请写明调整理由（不少于{TEXT_MIN}个字）", "reason")
    require(len(measures.strip()) >= TEXT_MIN, f"请填写整改措施（不少于{TEXT_MIN}个字）", "measures")
    with transaction.atomic():
        item = _lock(item)
        _check(P.REVISE, item, actor)
        require(deadline >= item.inspection.feedback_on, "整改时限不能早于反馈日期", "deadline")
        before = snapshot(item, ["measures", "deadline"])
        item.measures, item.deadline, item.updated_at = measures.strip(), deadline, at
        changes = diff(before, snapshot(item, ["measures", "deadline"]))
        require(bool(changes), "整改措施和时限都没有变化", "measures")
        item.save(update_fields=["measures", "deadline", "updated_at"])
        _log(
            item,
            "revise",
            f"调整整改{'时限' if 'deadline' in changes else '措施'}：{reason.strip()}",
            actor,
            at,
            changes,
        )
        if "deadline" in changes:
            clock.schedule_item(item, at)
        notify(
            clock.department_staff(item),
            clock.NOTICE_FLOW,
            f"整改事项第{item.number}项的{'整改时限' if 'deadline' in changes else '整改措施'}已调整：{reason.strip()}",
            actor=actor,
            at=at,
            link=clock.item_link(item),
        )
    return item


def do_report_progress(
    actor: User,
    item: RectificationItem,
    *,
    text: str,
    files: list[tuple[UploadedFile, uploads.CheckedFile]] | None = None,
    milestone: Milestone | None = None,
    at: datetime | None = None,
) -> ProgressReport:
    """报送整改进展 by the item's department, with evidence (documents, photos: `files` are (upload, CheckedFile)
    pairs that passed cases.uploads.check_upload). From 挂账 the item moves to 整改中. A milestone may be marked done.
    Side effects: the report, its stored files, the change-log line."""
    at = now_or(at)
    files = files or []
    text = text.strip()
    require(len(text) >= TEXT_MIN, f"请写明整改进展（不少于{TEXT_MIN}个字）", "text")
    require(len(files) <= rules().evidence_max_files, f"每次最多上传{rules().evidence_max_files}个文件", "files")
    with transaction.atomic():
        item = _lock(item)
        _check(P.REPORT, item, actor)
        if milestone is not None:
            milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
            require(milestone.item_id == item.pk and milestone.done_on is None, "该阶段目标不可选", "milestone")
            milestone.done_on = local_date(at)
            milestone.save(update_fields=["done_on"])
        report = ProgressReport.objects.create(item=item, author=actor, at=at, text=text, milestone_done=milestone)
        for upload, checked in files:
            Evidence.objects.create(
                report=report,
                path=uploads.store(upload, checked, f"rectification/{item.pk}"),
                original_name=checked.original_name,
                content_type=checked.content_type,
                kind=checked.kind,
                size=checked.size,
                sha256=uploads.sha256_of(upload),
            )
        changes = {}
        if item.status == S.LISTED:
            changes = {"status": [S.LISTED.label, S.IN_PROGRESS.label]}
            item.status, item.started_at = S.IN_PROGRESS, at
        item.updated_at = at
        item.save(update_fields=["status", "started_at", "updated_at"])
        extra = f"，完成阶段目标“{milestone.title[:30]}”" if milestone else ""
        _log(item, "report", f"报送整改进展（佐证材料{len(files)}件{extra}）：{text[:120]}", actor, at, changes)
    return report


def do_request_closure(actor: User, item: RectificationItem, *, summary: str, at=None) -> ClosureRequest:
    """申请销号 by the department: 整改中 → 申请销号, with the completion summary; at least one piece of evidence must
    be on file. Side effects: the request, the change-log line, a notice to the named reviewer."""
    at = now_or(at)
    summary = summary.strip()
    require(len(summary) >= TEXT_MIN * 2, f"请写明整改完成情况（不少于{TEXT_MIN * 2}个字）", "summary")
    with transaction.atomic():
        item = _lock(item)
        _check(P.REQUEST, item, actor)
        require(
            Evidence.objects.filter(report__item=item).exists(), "申请销号前请先报送整改进展并上传佐证材料", "summary"
        )
        closure = ClosureRequest.objects.create(item=item, requested_by=actor, requested_at=at, summary=summary)
        item.status, item.updated_at = S.CLOSURE_REQUESTED, at
        item.save(update_fields=["status", "updated_at"])
        _log(item, "request_closure", f"申请销号：{summary[:150]}", actor, at, {"status": ["整改中", "申请销号"]})
        notify(
            [item.reviewer],
            clock.NOTICE_FLOW,
            f"整改事项第{item.number}项“{item.problem[:40]}”申请销号，请验收",
            actor=actor,
            at=at,
            link=clock.item_link(item),
            sms=f"整改事项第{item.number}项申请销号，请登录平台验收。",
        )
    return closure


def _pending(item: RectificationItem) -> ClosureRequest:
    closure = item.closures.select_for_update().filter(outcome=ClosureOutcome.PENDING).order_by("-id").first()
    if closure is None:  # pragma: no cover -- the state says a request is pending
        raise ActionRefused("没有待验收的销号申请")
    return closure


def do_accept_closure(actor: User, item: RectificationItem, *, opinion: str = "", at=None) -> ClosureRequest:
    """验收通过 by the item's named reviewer: 申请销号 → 已验收. Side effects: the decision on the request, the
    change-log line, the clocks stopped, a notice to the office (which then 销号) and the department."""
    at = now_or(at)
    with transaction.atomic():
        item = _lock(item)
        _check(P.ACCEPT, item, actor)
        closure = _pending(item)
        if closure.requested_by_id == actor.pk:  # a reviewer who is also the department's staff
            raise ActionRefused("不能验收本人提出的销号申请，请由其他验收人验收")
        closure.outcome, closure.decided_by, closure.decided_at = ClosureOutcome.ACCEPTED, actor, at
        closure.opinion = opinion.strip() or "经验收，整改到位，同意销号"
        closure.save(update_fields=["outcome", "decided_by", "decided_at", "opinion"])
        item.status, item.accepted_at, item.updated_at = S.ACCEPTED, at, at
        item.save(update_fields=["status", "accepted_at", "updated_at"])
        _log(item, "accept", f"验收通过：{closure.opinion[:150]}", actor, at, {"status": ["申请销号", "已验收"]})
        clock.stop_item(item, at, "已验收")
        notify(
            [*role_users(item.bureau_id, LedgerRoleKind.OFFICE), *clock.department_staff(item)],
            clock.NOTICE_FLOW,
            f"整改事项第{item.number}项已验收通过，待办公室销号",
            actor=actor,
            at=at,
            link=clock.item_link(item),
        )
    return closure


def do_return_closure(actor: User, item: RectificationItem, *, reasons: str, at=None) -> ClosureRequest:
    """退回整改 by the item's named reviewer: 申请销号 → 整改中, with the reasons. Side effects: the decision on the
    request, the change-log line, a notice (and SMS) to the department."""
    at = now_or(at)
    reasons = reasons.strip()
    minimum = rules().return_reason_min
    require(len(reasons) >= minimum, f"请写明退回理由（不少于{minimum}个字）", "reasons")
    with transaction.atomic():
        item = _lock(item)
        _check(P.RETURN, item, actor)
        closure = _pending(item)
        closure.outcome, closure.decided_by, closure.decided_at = ClosureOutcome.RETURNED, actor, at
        closure.opinion = reasons
        closure.save(update_fields=["outcome", "decided_by", "decided_at", "opinion"])
        item.status, item.updated_at = S.IN_PROGRESS, at
        item.save(update_fields=["status", "updated_at"])
        _log(item, "return", f"退回整改：{reasons[:150]}", actor, at, {"status": ["申请销号", "整改中"]})
        notify(
            clock.department_staff(item),
            clock.NOTICE_FLOW,
            f"整改事项第{item.number}项的销号申请被退回：{reasons}"[:200],
            actor=actor,
            at=at,
            link=clock.item_link(item),
            sms=f"整改事项第{item.number}项的销号申请被退回，请登录平台查看退回理由。",
        )
    return closure


def do_close_item(actor: User, item: RectificationItem, *, at=None) -> RectificationItem:
    """销号 by the office, only after the reviewer's acceptance: 已验收 → 已销号. Side effects: the change-log line, a
    notice to the department and the responsible leader."""
    at = now_or(at)
    with transaction.atomic():
        item = _lock(item)
        if item.status != S.ACCEPTED and P.holds(actor, P.CLOSE, item):
            raise ActionRefused("验收通过后才能销号")
        _check(P.CLOSE, item, actor)
        item.status, item.closed_at, item.closed_by, item.updated_at = S.CLOSED, at, actor, at
        item.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        _log(item, "close", f"销号：第{item.number}项整改完成", actor, at, {"status": ["已验收", "已销号"]})
        clock.stop_item(item, at, "已销号")
        notify(
            [*clock.department_staff(item), item.leader],
            clock.NOTICE_FLOW,
            f"整改事项第{item.number}项已销号",
            actor=actor,
            at=at,
            link=clock.item_link(item),
        )
    return item
