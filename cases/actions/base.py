"""The machinery shared by every action: lock, check against the transition table, record the event, notify."""

import logging
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from accounts.models import User
from cases.enums import ActorKind, CaseStatus, SystemJob
from cases.models import Case, CaseEvent
from cases.permissions import relations
from cases.timer_rules import sync_case_timers
from cases.transitions import LABELS, Rel, find_row
from notifications.enums import NoticeKind
from notifications.services import case_recipient_ids, notify_case
from referrals.services import case_event_recorded

logger = logging.getLogger(__name__)


class ActionRefused(Exception):
    """A transition or guard the law or the rules do not allow. The message is shown to the user (Chinese)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def lock(case: Case) -> Case:
    """Re-read the case under a row lock so that concurrent actions on one case serialise."""
    return Case.objects.select_for_update().get(pk=case.pk)


def check(case: Case, action: str, actor: User | None) -> CaseStatus:
    """Refuse unless the table has a row for (action, current status) and the actor stands in an allowed relation.

    `actor=None` is the SYSTEM (timers, consequences of other actions). Returns the target status."""
    row = find_row(action, case.status)
    label = LABELS[action]
    if row is None:
        raise ActionRefused(f"案件当前状态为“{CaseStatus(case.status).label}”，不能执行“{label}”")
    if actor is None:
        if Rel.SYSTEM not in row.rels:
            raise ActionRefused(f"“{label}”必须由具体人员操作")
    elif not (relations(actor, case) & row.rels):
        raise ActionRefused(f"您无权对本案执行“{label}”")
    return CaseStatus(row.target)


def record(
    case: Case,
    action: str,
    actor: User | None,
    at: datetime,
    *,
    to: CaseStatus | None = None,
    note: str = "",
    data: dict | None = None,
    from_status: str | None = None,
    job: SystemJob | None = None,
) -> CaseEvent:
    """Move the case to `to` (if given) and append the event. Caller holds the lock inside a transaction.

    `actor=None` is the system: `job` names which of its jobs acted (default: a consequence of another action)."""
    before = case.status if from_status is None else from_status
    if to is not None and to != case.status:
        case.status = to
        case.save(update_fields=["status", "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=before,
        to_status=case.status,
        actor=actor,
        actor_kind=ActorKind.PERSON if actor is not None else ActorKind.SYSTEM,
        system_job="" if actor is not None else (job or SystemJob.WORKFLOW),
        at=at,
        note=note,
        data=data or {},
    )
    # Deadlines are data: the clocks this state starts, moves or stops (cases.timer_rules), in this transaction.
    sync_case_timers(case, at)
    # What the institutions that referred the case must hear of (issue 11), in this transaction.
    case_event_recorded(case, event)
    return event


def recipient_ids(case: Case) -> set[int]:
    return case_recipient_ids(case)


def notify_after_commit(
    case: Case,
    message: str,
    actor: User | None,
    extra: Iterable[User] = (),
    at: datetime | None = None,
    kind: str = NoticeKind.CASE_PROGRESS,
) -> None:
    """Tell everyone on the case. Despite the historical name, the notice and its SMS are written now, inside the
    action's transaction (the outbox): they exist exactly when the action committed, and the worker delivers the
    SMS after commit (notifications.delivery)."""
    notify_case(case, message, actor, kind=kind, extra=extra, at=at)


def require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise ActionRefused(message, field)


def cn_day(day: date) -> str:
    """A date as refusals and notices name it: 2026年4月9日."""
    return f"{day.year}年{day.month}月{day.day}日"
