"""The monthly review meeting (每月召开一次局党委会议，由责任科室负责同志汇报进展情况): its page lists every open item
with what was reported since the previous meeting, and records the meeting's decisions (in general and per item)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.actions.base import ActionRefused, local_date, now_or, require
from ledgers.rectification import access as P
from ledgers.rectification.actions import _log
from ledgers.rectification.models import (
    OPEN,
    Inspection,
    MeetingDecision,
    ReviewMeeting,
)


def previous_meeting(inspection: Inspection, before: date) -> ReviewMeeting | None:
    return inspection.meetings.filter(held_on__lt=before).order_by("-held_on", "-id").first()


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def agenda(inspection: Inspection, on: date, items=None) -> tuple[ReviewMeeting | None, list[dict]]:
    """Every open item of the inspection (of `items`, the viewer's visible ones, if given) with its reports after
    the previous meeting's day and up to `on`, as plain data: what a meeting keeps as it stood
    (ReviewMeeting.agenda)."""
    prev = previous_meeting(inspection, on)
    qs = (items if items is not None else inspection.items.all()).filter(inspection=inspection, status__in=OPEN)
    qs = qs.select_related("department", "leader").order_by("number")
    lines = []
    end = _start(on) + timedelta(days=1)
    for item in qs:
        reports = item.reports.filter(at__lt=end)
        if prev is not None:
            reports = reports.filter(at__gte=_start(prev.held_on) + timedelta(days=1))
        lines.append(
            {
                "pk": item.pk,
                "number": item.number,
                "problem": item.problem,
                "department": item.department.name,
                "leader": item.leader.full_name,
                "deadline": item.deadline.isoformat(),
                "status": item.status,
                "overdue": item.is_overdue(on),
                "reports": [
                    {"at": timezone.localtime(r.at).strftime("%Y-%m-%d"), "text": r.text}
                    for r in reports.order_by("at")
                ],
            }
        )
    return prev, lines


def do_record_meeting(
    actor: User,
    inspection: Inspection,
    *,
    held_on: date,
    title: str,
    chair: str,
    attendees: str,
    decisions: str,
    item_decisions: dict[int, str] | None = None,
    at: datetime | None = None,
) -> ReviewMeeting:
    """Record a review meeting. Preconditions: the actor is the bureau's office or a leader; a date not in the
    future; the decisions written; per-item decisions only for the inspection's open items. Side effects: the
    meeting, its item decisions, a change-log line on the inspection and one on each item discussed."""
    at = now_or(at)
    if not P.may_record_meeting(actor, inspection.bureau_id):
        raise ActionRefused("只有本局办公室或局领导可以记录整改调度会")
    require(held_on <= local_date(at), "会议日期不能晚于今天", "held_on")
    require(len(title.strip()) >= 4, "请填写会议名称", "title")
    require(bool(chair.strip()), "请填写主持人", "chair")
    require(bool(attendees.strip()), "请填写参会人员", "attendees")
    require(len(decisions.strip()) >= 10, "请写明会议决定（不少于10个字）", "decisions")
    per_item = {int(k): v.strip() for k, v in (item_decisions or {}).items() if v and v.strip()}
    with transaction.atomic():
        open_items = {
            i.pk: i for i in inspection.items.select_for_update().filter(pk__in=per_item.keys(), status__in=OPEN)
        }
        require(set(per_item) <= set(open_items), "只能对未销号的事项提出研究意见", "decisions")
        prev, lines = agenda(inspection, held_on)
        meeting = ReviewMeeting.objects.create(
            inspection=inspection,
            agenda={"previous": prev.held_on.isoformat() if prev else "", "lines": lines},
            held_on=held_on,
            title=title.strip(),
            chair=chair.strip(),
            attendees=attendees.strip(),
            decisions=decisions.strip(),
            created_by=actor,
            created_at=at,
        )
        MeetingDecision.objects.bulk_create(
            [MeetingDecision(meeting=meeting, item=open_items[pk], text=text[:500]) for pk, text in per_item.items()]
        )
        _log(inspection, "meeting", f"召开{meeting.title}（{held_on:%Y-%m-%d}）", actor, at)
        for pk, text in per_item.items():
            _log(open_items[pk], "meeting_decision", f"{meeting.title}研究意见：{text[:150]}", actor, at)
    return meeting
