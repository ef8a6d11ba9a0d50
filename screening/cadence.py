"""Cadence arithmetic (pure functions, no database): the periods of a cadence, special periods, due times.
Owner: h-policy.

- WEEKLY: Monday–Sunday; TEN_DAYS: 1–10, 11–20, 21–month end (上/中/下旬); HALF_MONTH: 1–15, 16–month end;
  MONTHLY; QUARTERLY (Jan–Mar, …); DAILY: one day.
- Inside a special period the special cadence applies, its periods clipped to the special period; the routine
  period around it is clipped to the days outside it (so no day is in two periods of one unit).
- A period's report is due `due_offset_workdays` working days (workdays.calendar, holidays included) after its
  last day, at `due_time`, Asia/Shanghai."""

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class PlannedPeriod:
    cadence: str
    start: date
    end: date
    due_at: datetime
    special_period_id: int | None = None


def period_containing(cadence: str, day: date) -> tuple[date, date]:
    """The period of `cadence` that contains `day`."""
    raise NotImplementedError


def periods_between(cadence: str, first: date, last: date) -> list[tuple[date, date]]:
    """The periods of `cadence` that overlap [first, last], in order, not clipped."""
    raise NotImplementedError


def due_at(period_end: date, offset_workdays: int, due_time: time) -> datetime:
    """When the report of a period ending `period_end` is due (aware datetime)."""
    raise NotImplementedError


def plan(
    cadence: str,
    offset_workdays: int,
    due_time: time,
    first: date,
    last: date,
    specials: list[tuple[int, date, date, str]] = (),
) -> list[PlannedPeriod]:
    """The reporting periods of one unit between `first` and `last`: the routine cadence, with each special period
    (id, start, end, cadence) in force replacing it on its days."""
    raise NotImplementedError
