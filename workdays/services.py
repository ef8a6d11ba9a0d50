"""The one door for editing the working-day calendar: every change of a CalendarOverride writes a HolidayChange
(who, when, the day, before → after, why) in the same transaction. The console, the admin site and
`load_holidays` all come through here.

An edit moves the deadlines of every case whose count runs over that day, which is why it must be traceable.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.actions.base import ActionRefused
from workdays.models import CalendarOverride, ChangeSource, DayKind, HolidayChange

MAX_REASON = 200


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ActionRefused("请填写修改理由（如国务院办公厅通知的文号）", "reason")
    if len(text) > MAX_REASON:
        raise ActionRefused(f"修改理由最多{MAX_REASON}字", "reason")
    return text


def do_set_day(
    actor: User | None,
    day: date,
    kind: str,
    name: str,
    reason: str,
    *,
    source: str = ChangeSource.CONSOLE,
    at: datetime | None = None,
) -> CalendarOverride:
    """Make `day` a holiday or a 调休 working day (new, or a change of an existing setting), and record it.

    Preconditions: `kind` is a DayKind, a reason is given, and something changes. Side effects: one HolidayChange
    row; the calendar cache is cleared by the model signals (and again after commit)."""
    if kind not in DayKind.values:
        raise ActionRefused("请选择类型", "kind")
    name = (name or "").strip()
    text = _reason(reason)
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(date=day).first()
        before_kind, before_name = (override.kind, override.name) if override else ("", "")
        if (before_kind, before_name) == (kind, name):
            raise ActionRefused(f"{day:%Y-%m-%d}已是该设置，未作修改", "kind")
        if override is None:
            override = CalendarOverride(date=day)
        override.kind, override.name = kind, name
        override.save()
        HolidayChange.objects.create(
            actor=actor,
            at=at or timezone.now(),
            source=source,
            date=day,
            before_kind=before_kind,
            before_name=before_name,
            after_kind=kind,
            after_name=name,
            reason=text,
        )
    return override


def do_clear_day(
    actor: User | None,
    day: date,
    reason: str,
    *,
    source: str = ChangeSource.CONSOLE,
    at: datetime | None = None,
) -> None:
    """Remove the setting of `day` (it follows the weekend rule again), and record it.

    Preconditions: the day has a setting and a reason is given. Side effects: one HolidayChange row."""
    text = _reason(reason)
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if override is None:
            raise ActionRefused(f"{day:%Y-%m-%d}没有设置，无需删除")
        HolidayChange.objects.create(
            actor=actor,
            at=at or timezone.now(),
            source=source,
            date=day,
            before_kind=override.kind,
            before_name=override.name,
            reason=text,
        )
        override.delete()


__all__ = ["do_clear_day", "do_set_day"]
