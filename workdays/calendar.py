"""Working days under the Chinese statutory holiday schedule.

Default rule: Monday–Friday work, Saturday–Sunday rest. `CalendarOverride` rows change single days: a HOLIDAY is a
rest day (法定节假日), a WORKDAY is a 调休 makeup working Saturday or Sunday. The State Council publishes each
year's schedule in the autumn before; a year with no rows at all falls back to the weekend rule, and
`has_calendar_for()` lets the UI warn that its deadlines are not confirmed.

Overrides are read once per year and kept in a per-process cache. Saving or deleting a row through the ORM
(admin, `load_holidays`) clears it via signals connected in `WorkdaysConfig.ready()`; bulk `QuerySet.update()` or
`bulk_create()` send no signals, so call `clear_cache()` after them. Other processes see an edit at the latest
after `CACHE_TTL_SECONDS`.
"""

import threading
import time
from calendar import monthrange
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from workdays.models import CalendarOverride, DayKind

CACHE_TTL_SECONDS = 300
# No real schedule has more than a few consecutive rest days; a longer search means the data is broken.
MAX_SEARCH_DAYS = 366

# year -> (loaded at, {date: is working day}) for the days that differ from the weekend rule.
_cache: dict[int, tuple[float, dict[date, bool]]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every cached year, so the next call reads the overrides again."""
    with _lock:
        _cache.clear()


def invalidate_on_change(sender: type[CalendarOverride], **kwargs: Any) -> None:
    """`post_save`/`post_delete` receiver for CalendarOverride.

    Clears at once and again after commit: a read between the write and a rollback would otherwise keep the
    rolled-back value. The whole cache is cleared because an edit may move a row from one year to another.
    """
    clear_cache()
    transaction.on_commit(clear_cache, using=kwargs.get("using"))


def _overrides(year: int) -> dict[date, bool]:
    now = time.monotonic()
    entry = _cache.get(year)
    if entry is not None and now - entry[0] < CACHE_TTL_SECONDS:
        return entry[1]
    rows = CalendarOverride.objects.filter(date__year=year).values_list("date", "kind")
    days = {day: kind == DayKind.WORKDAY for day, kind in rows}
    with _lock:
        _cache[year] = (now, days)
    return days


def has_calendar_for(year: int) -> bool:
    """Whether any holiday or makeup day is recorded for `year`; if not, only weekends are rest days."""
    return bool(_overrides(year))


def is_working_day(d: date) -> bool:
    """Whether `d` is a working day: an override if there is one, otherwise Monday–Friday."""
    override = _overrides(d.year).get(d)
    if override is not None:
        return override
    return d.weekday() < 5


def next_working_day(d: date) -> date:
    """`d` itself if it is a working day, otherwise the first working day after it."""
    for offset in range(MAX_SEARCH_DAYS):
        candidate = d + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {d}; check the holiday overrides")


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d` (`d` itself never counts); n=0 gives `next_working_day(d)`.

    From a rest day, n=0 and n=1 give the same date: the first working day after it.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return next_working_day(d)
    current = d
    for _ in range(n):
        current = next_working_day(current + timedelta(days=1))
    return current


def add_months(d: date, months: int) -> date:
    """`d` moved by calendar months, the day clamped to the month's end (Jan 31 + 1 month = Feb 28 or 29)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, monthrange(year, month)[1]))


def mediation_due_date(start: date, months: int = 1) -> date:
    """Deadline of a mediation begun on `start`: `months` calendar months later, moved to a working day.

    The regulations ask for a dispute to be concluded "generally within one month"; a limit that ends on a rest
    day is taken to run to the next working day, as for procedural time limits.
    """
    return next_working_day(add_months(start, months))


def working_days_between(a: date, b: date) -> int:
    """Number of working days in the half-open range (a, b]; 0 if `b` is not after `a`."""
    return sum(1 for offset in range(1, (b - a).days + 1) if is_working_day(a + timedelta(days=offset)))


def working_days_overdue(due: date, today: date | None = None) -> int:
    """Working days elapsed after `due` up to `today` (default: the local date); 0 while not overdue."""
    return working_days_between(due, today or timezone.localdate())
