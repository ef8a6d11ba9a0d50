"""The rectification items' clocks on the engine room's timers (cases.timers): reminders before the 整改时限 and
督办 after it (data/rectification_rules.json), one Timer row each (case=None, target = the item). The actions
schedule them when an item is listed or its deadline changes and cancel them once it is accepted; the periodic
scan fires them here, as the system: a notice to the people concerned and a line in the change log."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import timers
from cases.models import Timer
from ledgers.models import LedgerName, LedgerRoleKind
from ledgers.rectification.config import rules
from ledgers.rectification.models import RUNNING, RectificationItem
from ledgers.scoping import role_users
from notifications.enums import NoticeKind
from notifications.services import notify

REMINDER = "RECT_REMINDER"  # 整改时限临近提醒
DUBAN = "RECT_DUBAN"  # 整改逾期督办
KINDS = [REMINDER, DUBAN]
# The engine room's notice kinds these use (催办 before the deadline, 督办 after it).
NOTICE_REMINDER = NoticeKind.URGE
NOTICE_DUBAN = NoticeKind.SUPERVISION
NOTICE_FLOW = NoticeKind.SUPERVISION_REPLY
FIRE_HOUR = 9


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(FIRE_HOUR)))


def schedule_item(item: RectificationItem, now: datetime) -> None:
    """(Re)start the item's clocks for its current deadline; reminders whose time has passed are not scheduled."""
    timers.cancel(KINDS, target=item, reason="期限变更", at=now)
    r = rules()
    for days in r.reminder_days_before:
        fire_at = _at(item.deadline - timedelta(days=days))
        if fire_at > now:
            timers.schedule(
                REMINDER, case=None, target=item, deadline=item.deadline, fire_at=fire_at, rule=f"{REMINDER}:-{days}"
            )
    for days in r.duban_after_days:
        timers.schedule(
            DUBAN,
            case=None,
            target=item,
            deadline=item.deadline,
            fire_at=_at(item.deadline + timedelta(days=days)),
            rule=f"{DUBAN}:+{days}",
        )


def stop_item(item: RectificationItem, now: datetime, reason: str) -> None:
    timers.cancel(KINDS, target=item, reason=reason, at=now)


def live(item: RectificationItem):
    return Timer.objects.filter(
        kind__in=KINDS,
        target_type=RectificationItem._meta.label,
        target_id=item.pk,
        fired_at__isnull=True,
        cancelled_at__isnull=True,
    )


def item_link(item: RectificationItem) -> str:
    return reverse("rectification:item", args=[item.pk])


def _item_of(timer: Timer) -> RectificationItem | None:
    return (
        RectificationItem.objects.select_for_update(of=("self",))
        .select_related("inspection", "department", "leader")
        .filter(pk=timer.target_id)
        .first()
    )


def department_staff(item: RectificationItem) -> list:
    return role_users(item.bureau_id, LedgerRoleKind.DEPARTMENT, item.department)


@timers.handler(REMINDER)
def fire_reminder(timer: Timer, now: datetime) -> str:
    from ledgers.events import record

    with transaction.atomic():
        item = _item_of(timer)
        if item is None or item.status not in RUNNING or item.deadline != timer.deadline:
            return "无需提醒"
        days = (item.deadline - timezone.localtime(now).date()).days
        text = (
            f"整改事项第{item.number}项“{item.problem[:40]}”将于{item.deadline:%Y年%-m月%-d日}到期"
            f"（还有{days}天），请抓紧整改并报送进展"
        )
        notify(
            [*department_staff(item), item.leader],
            NOTICE_REMINDER,
            text,
            at=now,
            link=item_link(item),
            sms=f"整改事项第{item.number}项将于{item.deadline:%Y年%-m月%-d日}到期，请登录平台报送整改进展。",
        )
        record(
            ledger=LedgerName.RECTIFICATION,
            bureau=item.bureau_id,
            target=item,
            action="reminder",
            summary=f"系统提醒：整改时限临近（{item.deadline:%Y-%m-%d}，还有{days}天）",
            at=now,
        )
    return f"已提醒（还有{days}天）"


@timers.handler(DUBAN)
def fire_duban(timer: Timer, now: datetime) -> str:
    from ledgers.events import record

    with transaction.atomic():
        item = _item_of(timer)
        if item is None or item.status not in RUNNING or item.deadline != timer.deadline:
            return "无需督办"
        late = (timezone.localtime(now).date() - item.deadline).days
        office = role_users(item.bureau_id, LedgerRoleKind.OFFICE)
        text = (
            f"督办：整改事项第{item.number}项“{item.problem[:40]}”已超过整改时限{late}天"
            f"（{item.deadline:%Y年%-m月%-d日}），仍为“{item.get_status_display()}”，请立即整改并报送情况"
        )
        notify(
            [*department_staff(item), item.leader, *office],
            NOTICE_DUBAN,
            text,
            at=now,
            link=item_link(item),
            sms=f"整改事项第{item.number}项已逾期{late}天，请立即登录平台报送整改情况。",
        )
        record(
            ledger=LedgerName.RECTIFICATION,
            bureau=item.bureau_id,
            target=item,
            action="duban",
            summary=f"逾期督办：已超过整改时限{late}天，已通知责任部门、责任领导和办公室",
            at=now,
        )
    return f"已督办（逾期{late}天）"
