"""整改进展情况通报: the figures (done, in progress, not started, overdue) computed from the items, and the notice
issued from them as a snapshot (the list as it stood that day), rendered as a PDF and as a public page.

What a notice makes public: per item its number, the problem, the responsible department, the deadline, the stage
and what was done (the accepted closure's summary, else the latest progress report). Not the responsible leader's
or the staff's names, nor the evidence."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.actions.base import ActionRefused, local_date, now_or, require
from ledgers.rectification import access as P
from ledgers.rectification.actions import _log
from ledgers.rectification.config import rules
from ledgers.rectification.models import (
    DONE,
    NOT_STARTED,
    UNDER_WAY,
    ClosureOutcome,
    Inspection,
    ProgressNotice,
    RectificationItem,
)

GROUPS = (
    ("done", "已完成整改（已销号）", DONE),
    ("under_way", "正在整改", UNDER_WAY),
    ("not_started", "尚未启动", NOT_STARTED),
)


@dataclass
class Figures:
    total: int
    done: int
    under_way: int
    not_started: int
    overdue: int
    long_term: int

    @property
    def done_rate(self) -> str:
        return f"{self.done * 100 / self.total:.1f}%" if self.total else "—"


def figures(items, today: date) -> Figures:
    items = list(items)
    return Figures(
        total=len(items),
        done=sum(1 for i in items if i.status in DONE),
        under_way=sum(1 for i in items if i.status in UNDER_WAY),
        not_started=sum(1 for i in items if i.status in NOT_STARTED),
        overdue=sum(1 for i in items if i.is_overdue(today)),
        long_term=sum(1 for i in items if i.long_term),
    )


def _what_was_done(item: RectificationItem) -> str:
    accepted = item.closures.filter(outcome=ClosureOutcome.ACCEPTED).order_by("-id").first()
    if accepted is not None:
        return accepted.summary
    latest = item.reports.order_by("-at", "-id").first()
    return latest.text if latest else ""


def build_snapshot(inspection: Inspection, today: date) -> dict:
    items = list(inspection.items.select_related("department").order_by("number"))
    f = figures(items, today)
    groups = []
    for key, label, states in GROUPS:
        rows = [
            {
                "number": i.number,
                "problem": i.problem,
                "department": i.department.name,
                "deadline": i.deadline.isoformat(),
                "status": i.get_status_display(),
                "long_term": i.long_term,
                "overdue": i.is_overdue(today),
                "done": _what_was_done(i),
                "closed_on": timezone.localtime(i.closed_at).date().isoformat() if i.closed_at else "",
            }
            for i in items
            if i.status in states
        ]
        groups.append({"key": key, "label": label, "rows": rows})
    return {
        "as_of": today.isoformat(),
        "figures": {
            "total": f.total,
            "done": f.done,
            "under_way": f.under_way,
            "not_started": f.not_started,
            "overdue": f.overdue,
            "long_term": f.long_term,
            "done_rate": f.done_rate,
        },
        "groups": groups,
        "inspection": {
            "kind": inspection.get_kind_display(),
            "name": inspection.name,
            "body": inspection.body,
            "feedback_on": inspection.feedback_on.isoformat(),
        },
    }


def default_title(inspection: Inspection) -> str:
    return rules().notice_title.format(inspection=inspection.name)


def do_issue_notice(
    actor: User,
    inspection: Inspection,
    *,
    title: str = "",
    issuer: str = "",
    intro: str = "",
    published: bool = True,
    at: datetime | None = None,
) -> ProgressNotice:
    """Issue a 整改进展情况通报 of the inspection as it stands today. Preconditions: the actor is the bureau's office;
    the inspection has items. Side effects: the notice with its snapshot, shown on the public page if `published`,
    and the change-log line."""
    at = now_or(at)
    if not P.is_office(actor, inspection.bureau_id):
        raise ActionRefused("只有本局办公室可以发布整改进展情况通报")
    require(inspection.items.exists(), "该检查尚无整改事项")
    with transaction.atomic():
        today = local_date(at)
        notice = ProgressNotice.objects.create(
            inspection=inspection,
            title=(title.strip() or default_title(inspection))[:150],
            issuer=(issuer.strip() or inspection.issuer or "")[:60],
            issued_on=today,
            intro=intro.strip(),
            snapshot=build_snapshot(inspection, today),
            published=published,
            created_by=actor,
            created_at=at,
        )
        f = notice.snapshot["figures"]
        _log(
            inspection,
            "notice",
            f"{'发布' if published else '印发（不公开）'}整改进展情况通报：共{f['total']}项，已完成{f['done']}项，"
            f"正在整改{f['under_way']}项，尚未启动{f['not_started']}项",
            actor,
            at,
        )
    return notice
