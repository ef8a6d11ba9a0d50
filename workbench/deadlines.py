"""The workbench's 到期提醒 panel: the deadlines coming up on the user's cases (from the live timers of
cases.timer_rules) and the reminders the system sent them. A mediator sees the cases they mediate; the committee
director sees every case of the committee."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from accounts.models import Role, User
from cases.models import Case, Notification, Timer, TimerKind
from cases.scoping import cases_visible_to
from notifications.enums import NoticeKind

HORIZON_DAYS = 30
# What a deadline is, whichever of its timers is still to fire (the overdue marking stands for the limit itself).
DEADLINE_LABELS = {
    TimerKind.TIME_LIMIT_REMINDER: "调解期限",
    TimerKind.TIME_LIMIT_OVERDUE: "调解期限",
    TimerKind.AUTO_TERMINATE: "调解期限",
    TimerKind.EXTENSION_REMINDER: "延长后的调解期限",
    TimerKind.PERFORMANCE_REMINDER: "履行期限",
    TimerKind.FOLLOW_UP_REMINDER: "回访",
    TimerKind.JC_WINDOW_REMINDER: "司法确认申请期限",
    TimerKind.REPLY_REMINDER: "回复期限",
}
REMINDER_NOTICES = [
    NoticeKind.REMINDER_TIME_LIMIT,
    NoticeKind.REMINDER_EXTENSION,
    NoticeKind.REMINDER_PERFORMANCE,
    NoticeKind.REMINDER_FOLLOW_UP,
    NoticeKind.REMINDER_JC_WINDOW,
    NoticeKind.REMINDER_REPLY,
    NoticeKind.CASE_OVERDUE,
    NoticeKind.AUTO_TERMINATED,
]


@dataclass
class Deadline:
    case: Case
    label: str
    deadline: date
    days_left: int


@dataclass
class DeadlinePanel:
    upcoming: list[Deadline]
    received: list[Notification]
    unread: int


def deadline_panel(user: User, today: date, limit: int = 8) -> DeadlinePanel:
    cases = cases_visible_to(user)
    if user.role != Role.DIRECTOR:
        mediator = getattr(user, "mediator", None)
        if mediator is None:
            cases = cases.none()
        else:
            cases = cases.filter(Q(presiding_mediator=mediator) | Q(co_mediators=mediator))
    timers = (
        Timer.objects.filter(
            case__in=cases.values("pk"),
            kind__in=list(DEADLINE_LABELS),
            fired_at__isnull=True,
            cancelled_at__isnull=True,
            deadline__gte=today,
            deadline__lte=today + timedelta(days=HORIZON_DAYS),
        )
        .select_related("case")
        .order_by("deadline", "case_id", "fire_at")[:200]
    )
    seen: set[tuple] = set()
    upcoming: list[Deadline] = []
    for t in timers:
        label = DEADLINE_LABELS[t.kind]
        key = (t.case_id, label, t.deadline, t.target_type, t.target_id)
        if key in seen:
            continue
        seen.add(key)
        upcoming.append(Deadline(t.case, label, t.deadline, (t.deadline - today).days))
        if len(upcoming) == limit:
            break
    notices = Notification.objects.filter(user=user, kind__in=REMINDER_NOTICES)
    received = list(notices.select_related("case")[:5])
    return DeadlinePanel(upcoming, received, notices.filter(read_at__isnull=True).count())
