"""Cadence arithmetic (screening.cadence) with fixed dates: periods of each cadence, special periods replacing the
routine cadence on their days, working-day due dates over weekends, the 2026 National Day holiday and its 调休
make-up Saturday."""

from datetime import date, datetime, time

import pytest

from screening.cadence import TZ, more_frequent, period_containing, periods_between, plan
from screening.cadence import due_at as due
from screening.enums import Cadence

D = date
SIX_PM = time(18, 0)


def test_weekly_monday_to_sunday():
    assert period_containing(Cadence.WEEKLY, D(2026, 3, 4)) == (D(2026, 3, 2), D(2026, 3, 8))
    assert period_containing(Cadence.WEEKLY, D(2026, 3, 2)) == (D(2026, 3, 2), D(2026, 3, 8))
    assert period_containing(Cadence.WEEKLY, D(2026, 3, 8)) == (D(2026, 3, 2), D(2026, 3, 8))
    # A week across the year's end.
    assert period_containing(Cadence.WEEKLY, D(2027, 1, 1)) == (D(2026, 12, 28), D(2027, 1, 3))


@pytest.mark.parametrize(
    "day,expected",
    [
        (D(2026, 1, 1), (D(2026, 1, 1), D(2026, 1, 10))),
        (D(2026, 1, 10), (D(2026, 1, 1), D(2026, 1, 10))),
        (D(2026, 1, 11), (D(2026, 1, 11), D(2026, 1, 20))),
        (D(2026, 1, 21), (D(2026, 1, 21), D(2026, 1, 31))),  # 下旬 of a 31-day month: 11 days
        (D(2026, 1, 31), (D(2026, 1, 21), D(2026, 1, 31))),
        (D(2026, 2, 25), (D(2026, 2, 21), D(2026, 2, 28))),  # 下旬 of February: 8 days
        (D(2028, 2, 29), (D(2028, 2, 21), D(2028, 2, 29))),  # leap year: 9 days
        (D(2026, 4, 30), (D(2026, 4, 21), D(2026, 4, 30))),
    ],
)
def test_ten_days(day, expected):
    assert period_containing(Cadence.TEN_DAYS, day) == expected


def test_half_month_monthly_quarterly_daily():
    assert period_containing(Cadence.HALF_MONTH, D(2026, 2, 15)) == (D(2026, 2, 1), D(2026, 2, 15))
    assert period_containing(Cadence.HALF_MONTH, D(2026, 2, 16)) == (D(2026, 2, 16), D(2026, 2, 28))
    assert period_containing(Cadence.HALF_MONTH, D(2026, 3, 31)) == (D(2026, 3, 16), D(2026, 3, 31))
    assert period_containing(Cadence.MONTHLY, D(2026, 2, 10)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert period_containing(Cadence.QUARTERLY, D(2026, 5, 20)) == (D(2026, 4, 1), D(2026, 6, 30))
    assert period_containing(Cadence.QUARTERLY, D(2026, 12, 31)) == (D(2026, 10, 1), D(2026, 12, 31))
    assert period_containing(Cadence.DAILY, D(2026, 5, 20)) == (D(2026, 5, 20), D(2026, 5, 20))


def test_periods_between_whole_periods_in_order():
    assert periods_between(Cadence.TEN_DAYS, D(2026, 1, 15), D(2026, 2, 3)) == [
        (D(2026, 1, 11), D(2026, 1, 20)),
        (D(2026, 1, 21), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 10)),
    ]
    assert periods_between(Cadence.WEEKLY, D(2026, 3, 8), D(2026, 3, 9)) == [
        (D(2026, 3, 2), D(2026, 3, 8)),
        (D(2026, 3, 9), D(2026, 3, 15)),
    ]
    assert periods_between(Cadence.MONTHLY, D(2026, 3, 9), D(2026, 3, 1)) == []


def test_frequency_order():
    assert more_frequent(Cadence.DAILY, Cadence.WEEKLY)
    assert more_frequent(Cadence.WEEKLY, Cadence.TEN_DAYS)
    assert not more_frequent(Cadence.WEEKLY, Cadence.WEEKLY)
    assert not more_frequent(Cadence.MONTHLY, Cadence.HALF_MONTH)


def test_due_dates_over_a_weekend(sworld):
    # Week Mon 2 – Sun 8 March 2026: one working day after Sunday is Monday 9.
    assert due(D(2026, 3, 8), 1, SIX_PM) == datetime(2026, 3, 9, 18, 0, tzinfo=TZ)
    # A period ending on Friday 6 March, two working days: Tuesday 10 (Saturday and Sunday do not count).
    assert due(D(2026, 3, 6), 2, SIX_PM) == datetime(2026, 3, 10, 18, 0, tzinfo=TZ)
    # Offset 0: the last day itself, even a Sunday.
    assert due(D(2026, 3, 8), 0, time(20, 0)) == datetime(2026, 3, 8, 20, 0, tzinfo=TZ)


def test_due_dates_over_national_day_2026(sworld):
    # 下旬 of September 2026 ends Wednesday 30; 1–7 October are holidays; Saturday 10 October is a make-up day.
    assert due(D(2026, 9, 30), 1, SIX_PM) == datetime(2026, 10, 8, 18, 0, tzinfo=TZ)
    assert due(D(2026, 9, 30), 2, SIX_PM) == datetime(2026, 10, 9, 18, 0, tzinfo=TZ)
    assert due(D(2026, 9, 30), 3, SIX_PM) == datetime(2026, 10, 10, 18, 0, tzinfo=TZ)  # the 调休 Saturday
    assert due(D(2026, 9, 30), 4, SIX_PM) == datetime(2026, 10, 12, 18, 0, tzinfo=TZ)
    # Sunday 20 September 2026 is a make-up working day: the week ending on it, offset 1, is due Monday 21; the
    # week ending Sunday 27 (中秋 holiday) is due Monday 28.
    assert due(D(2026, 9, 19), 1, SIX_PM) == datetime(2026, 9, 20, 18, 0, tzinfo=TZ)
    assert due(D(2026, 9, 27), 1, SIX_PM) == datetime(2026, 9, 28, 18, 0, tzinfo=TZ)


def _spans(periods):
    return [(p.cadence, p.start, p.end, p.special_period_id) for p in periods]


def test_plan_routine_clipped_at_first_day_and_until(sworld):
    periods = plan(Cadence.WEEKLY, 1, SIX_PM, D(2026, 3, 4), D(2026, 3, 16))
    assert _spans(periods) == [
        (Cadence.WEEKLY, D(2026, 3, 4), D(2026, 3, 8), None),
        (Cadence.WEEKLY, D(2026, 3, 9), D(2026, 3, 15), None),
        (Cadence.WEEKLY, D(2026, 3, 16), D(2026, 3, 22), None),  # begun on the 16th: planned whole
    ]
    assert periods[0].due_at == datetime(2026, 3, 9, 18, 0, tzinfo=TZ)
    clipped = plan(Cadence.WEEKLY, 1, SIX_PM, D(2026, 3, 4), D(2026, 3, 16), until=D(2026, 3, 18))
    assert clipped[-1].end == D(2026, 3, 18)
    assert clipped[-1].due_at == datetime(2026, 3, 19, 18, 0, tzinfo=TZ)


def test_special_period_replaces_routine_on_its_days(sworld):
    # 10-day routine; a daily special period 9–12 March clips 1–10 to 1–8 and 11–20 to 13–20.
    specials = [(7, D(2026, 3, 9), D(2026, 3, 12), Cadence.DAILY)]
    periods = plan(Cadence.TEN_DAYS, 1, SIX_PM, D(2026, 3, 1), D(2026, 3, 31), specials)
    assert _spans(periods) == [
        (Cadence.TEN_DAYS, D(2026, 3, 1), D(2026, 3, 8), None),
        (Cadence.DAILY, D(2026, 3, 9), D(2026, 3, 9), 7),
        (Cadence.DAILY, D(2026, 3, 10), D(2026, 3, 10), 7),
        (Cadence.DAILY, D(2026, 3, 11), D(2026, 3, 11), 7),
        (Cadence.DAILY, D(2026, 3, 12), D(2026, 3, 12), 7),
        (Cadence.TEN_DAYS, D(2026, 3, 13), D(2026, 3, 20), None),
        (Cadence.TEN_DAYS, D(2026, 3, 21), D(2026, 3, 31), None),
    ]
    # No day in two periods, none left out.
    days = [p.start.toordinal() + i for p in periods for i in range((p.end - p.start).days + 1)]
    assert days == list(range(D(2026, 3, 1).toordinal(), D(2026, 3, 31).toordinal() + 1))
    # The routine piece before the special period is due a working day after its own last day (Sunday 8 → Mon 9).
    assert periods[0].due_at == datetime(2026, 3, 9, 18, 0, tzinfo=TZ)


def test_special_weekly_inside_monthly_clipped_both_sides(sworld):
    # Spring Festival special period Wed 11 – Tue 24 February, weekly, in a monthly routine.
    specials = [(3, D(2026, 2, 11), D(2026, 2, 24), Cadence.WEEKLY)]
    periods = plan(Cadence.MONTHLY, 0, SIX_PM, D(2026, 2, 1), D(2026, 3, 1), specials)
    assert _spans(periods) == [
        (Cadence.MONTHLY, D(2026, 2, 1), D(2026, 2, 10), None),
        (Cadence.WEEKLY, D(2026, 2, 11), D(2026, 2, 15), 3),  # clipped at the special period's start
        (Cadence.WEEKLY, D(2026, 2, 16), D(2026, 2, 22), 3),
        (Cadence.WEEKLY, D(2026, 2, 23), D(2026, 2, 24), 3),  # clipped at its end
        (Cadence.MONTHLY, D(2026, 2, 25), D(2026, 2, 28), None),
        (Cadence.MONTHLY, D(2026, 3, 1), D(2026, 3, 31), None),
    ]


def test_plan_only_periods_begun_by_last(sworld):
    specials = [(1, D(2026, 3, 9), D(2026, 3, 12), Cadence.DAILY)]
    periods = plan(Cadence.WEEKLY, 1, SIX_PM, D(2026, 3, 2), D(2026, 3, 10), specials)
    assert _spans(periods) == [
        (Cadence.WEEKLY, D(2026, 3, 2), D(2026, 3, 8), None),
        (Cadence.DAILY, D(2026, 3, 9), D(2026, 3, 9), 1),
        (Cadence.DAILY, D(2026, 3, 10), D(2026, 3, 10), 1),
    ]
