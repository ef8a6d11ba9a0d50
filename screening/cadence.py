"""Cadence arithmetic (pure functions, no database but the working-day calendar): the periods of a cadence,
special periods, due times. Owner: h-policy.

- WEEKLY: Monday–Sunday; TEN_DAYS: 1–10, 11–20, 21–month end (上/中/下旬); HALF_MONTH: 1–15, 16–month end;
  MONTHLY; QUARTERLY (Jan–Mar, …); DAILY: one day.
- Inside a special period the special cadence applies, its periods clipped to the special period; the routine
  period around it is clipped to the days outside it (so no day is in two periods of one unit: a routine period
  with a special period in its middle becomes two pieces).
- A period's report is due `due_offset_workdays` working days (workdays.calendar, holidays and 调休 make-up days
  included) after its last day, at `due_time`, Asia/Shanghai; offset 0 is the last day itself."""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from screening.enums import Cadence
from workdays.calendar import add_working_days

TZ = ZoneInfo("Asia/Shanghai")

# How often: a lower number is more frequent (a special period must be more frequent than the routine cadence).
FREQUENCY = {
    Cadence.DAILY: 1,
    Cadence.WEEKLY: 2,
    Cadence.TEN_DAYS: 3,
    Cadence.HALF_MONTH: 4,
    Cadence.MONTHLY: 5,
    Cadence.QUARTERLY: 6,
}


def more_frequent(a: str, b: str) -> bool:
    """Whether cadence `a` reports more often than cadence `b`."""
    return FREQUENCY[Cadence(a)] < FREQUENCY[Cadence(b)]


@dataclass(frozen=True)
class PlannedPeriod:
    cadence: str
    start: date
    end: date
    due_at: datetime
    special_period_id: int | None = None


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def period_containing(cadence: str, day: date) -> tuple[date, date]:
    """The period of `cadence` that contains `day`."""
    cadence = Cadence(cadence)
    if cadence == Cadence.DAILY:
        return day, day
    if cadence == Cadence.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if cadence == Cadence.TEN_DAYS:
        if day.day <= 10:
            return day.replace(day=1), day.replace(day=10)
        if day.day <= 20:
            return day.replace(day=11), day.replace(day=20)
        return day.replace(day=21), _month_end(day)
    if cadence == Cadence.HALF_MONTH:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), _month_end(day)
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1), _month_end(day)
    # QUARTERLY
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return start, _month_end(date(day.year, first_month + 2, 1))


def periods_between(cadence: str, first: date, last: date) -> list[tuple[date, date]]:
    """The periods of `cadence` that overlap [first, last], in order, not clipped."""
    out: list[tuple[date, date]] = []
    day = first
    while day <= last:
        start, end = period_containing(cadence, day)
        out.append((start, end))
        day = end + timedelta(days=1)
    return out


def due_at(period_end: date, offset_workdays: int, due_time: time) -> datetime:
    """When the report of a period ending `period_end` is due (aware datetime, Asia/Shanghai): `offset_workdays`
    working days after the last day (0: the last day itself), at `due_time`."""
    day = period_end if offset_workdays <= 0 else add_working_days(period_end, offset_workdays)
    return datetime.combine(day, due_time, tzinfo=TZ)


def _subtract(start: date, end: date, holes: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """[start, end] without the days of `holes` (sorted, non-overlapping), as maximal pieces."""
    pieces: list[tuple[date, date]] = []
    cursor = start
    for h_start, h_end in holes:
        if h_end < cursor or h_start > end:
            continue
        if h_start > cursor:
            pieces.append((cursor, h_start - timedelta(days=1)))
        cursor = max(cursor, h_end + timedelta(days=1))
        if cursor > end:
            break
    if cursor <= end:
        pieces.append((cursor, end))
    return pieces


def plan(
    cadence: str,
    offset_workdays: int,
    due_time: time,
    first: date,
    last: date,
    specials: list[tuple[int, date, date, str]] = (),
    *,
    until: date | None = None,
) -> list[PlannedPeriod]:
    """The reporting periods of one unit between `first` and `last`: the routine cadence, with each special period
    (id, start, end, cadence) in force replacing it on its days.

    `first` is the first day the unit reports (the period containing it begins on it); the periods returned are
    those that begin on or before `last` (normally today: a period is planned once it has begun), whole. `until`,
    when given, is the last day of the rule (the day before a new policy version takes over): periods are clipped
    to it. Overlapping special periods: the one that begins first keeps the shared days."""
    horizon = until
    # The special periods' own days, clipped to the rule's days, made non-overlapping.
    clipped: list[tuple[int, date, date, str]] = []
    for sid, s_start, s_end, s_cadence in sorted(specials, key=lambda sp: (sp[1], sp[0])):
        s_start = max(s_start, first)
        if horizon is not None:
            s_end = min(s_end, horizon)
        if clipped:
            s_start = max(s_start, clipped[-1][2] + timedelta(days=1))
        if s_start <= s_end:
            clipped.append((sid, s_start, s_end, s_cadence))
    holes = [(s, e) for _, s, e, _ in clipped]

    out: list[PlannedPeriod] = []
    if horizon is not None and horizon < first:
        return out
    end_of_plan = last if horizon is None else min(last, horizon)
    for p_start, p_end in periods_between(cadence, first, end_of_plan):
        p_start = max(p_start, first)
        if horizon is not None:
            p_end = min(p_end, horizon)
        for s, e in _subtract(p_start, p_end, holes):
            if s <= last:
                out.append(PlannedPeriod(cadence, s, e, due_at(e, offset_workdays, due_time)))
    for sid, s_start, s_end, s_cadence in clipped:
        if s_start > last:
            continue
        for p_start, p_end in periods_between(s_cadence, s_start, min(s_end, last)):
            s, e = max(p_start, s_start), min(p_end, s_end)
            out.append(PlannedPeriod(s_cadence, s, e, due_at(e, offset_workdays, due_time), sid))
    out.sort(key=lambda p: (p.start, p.end))
    return out
