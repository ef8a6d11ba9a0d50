"""Working-day calendar: the shipped 2025–2026 schedule, deadline arithmetic, cache invalidation, 2027 fallback."""

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from workdays import calendar
from workdays.calendar import (
    add_months,
    add_working_days,
    has_calendar_for,
    is_working_day,
    mediation_due_date,
    next_working_day,
    working_days_between,
    working_days_overdue,
)
from workdays.management.commands.load_holidays import DEFAULT_PATH
from workdays.models import CalendarOverride, DayKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAY_NAMES = {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}


def load(path: Path | str | None = None) -> str:
    out = StringIO()
    call_command("load_holidays", *([str(path)] if path else []), stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    # Test transactions roll back without sending post_delete, so the per-process cache must not leak.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def holidays(db: None) -> None:
    load()


def days_of(kind: str) -> dict[date, str]:
    document = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    return {date.fromisoformat(d["date"]): d["name"] for d in document["days"] if d["kind"] == kind}


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# The shipped data file, checked against the State Council notices.


def test_data_file_shape() -> None:
    document = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert "国务院办公厅" in document["source"]
    for day in document["days"]:
        assert set(day) == {"date", "kind", "name"}
        assert day["kind"] in DayKind.values
        assert day["name"] in HOLIDAY_NAMES
        assert date.fromisoformat(day["date"]).year in {2025, 2026}
    workdays = days_of(DayKind.WORKDAY)
    assert all(d.weekday() >= 5 for d in workdays), "a makeup working day is always a Saturday or Sunday"


def test_data_file_2025_schedule() -> None:
    holidays, workdays = days_of(DayKind.HOLIDAY), days_of(DayKind.WORKDAY)
    # 春节 26 January and 8 February, 劳动节 27 April, 国庆节/中秋节 28 September and 11 October.
    expected = [(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)]
    assert {d for d in workdays if d.year == 2025} == {date(2025, month, day) for month, day in expected}
    assert holidays[date(2025, 1, 1)] == "元旦"
    assert set(day_range(date(2025, 1, 28), date(2025, 2, 4))) <= set(holidays)
    assert set(day_range(date(2025, 5, 1), date(2025, 5, 5))) <= set(holidays)
    assert set(day_range(date(2025, 10, 1), date(2025, 10, 8))) <= set(holidays)
    assert holidays[date(2025, 10, 6)] == "中秋节"
    assert date(2025, 10, 9) not in holidays


def test_data_file_2026_schedule() -> None:
    holidays, workdays = days_of(DayKind.HOLIDAY), days_of(DayKind.WORKDAY)
    # 元旦 4 January, 春节 14 and 28 February, 劳动节 9 May, 国庆节 20 September and 10 October.
    expected = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]
    assert {d for d in workdays if d.year == 2026} == {date(2026, month, day) for month, day in expected}
    assert set(day_range(date(2026, 1, 1), date(2026, 1, 3))) <= set(holidays)
    assert set(day_range(date(2026, 2, 15), date(2026, 2, 23))) <= set(holidays)
    assert set(day_range(date(2026, 9, 25), date(2026, 9, 27))) <= set(holidays)
    assert set(day_range(date(2026, 10, 1), date(2026, 10, 7))) <= set(holidays)
    assert holidays[date(2026, 2, 17)] == "春节"


# The load_holidays command.


@pytest.mark.django_db
def test_load_holidays_is_idempotent() -> None:
    total = len(json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["days"])
    assert f"{total} created" in load()
    assert CalendarOverride.objects.count() == total
    assert "0 created, 0 updated" in load()
    assert CalendarOverride.objects.count() == total

    CalendarOverride.objects.filter(date=date(2025, 10, 1)).update(kind=DayKind.WORKDAY, name="")
    assert "0 created, 1 updated" in load()
    repaired = CalendarOverride.objects.get(date=date(2025, 10, 1))
    assert (repaired.kind, repaired.name) == (DayKind.HOLIDAY, "国庆节")


@pytest.mark.django_db
def test_load_holidays_from_given_path(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps([{"date": "2027-02-06", "kind": "WORKDAY", "name": "春节"}]), encoding="utf-8")
    load(path)
    assert has_calendar_for(2027)
    assert is_working_day(date(2027, 2, 6))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"days": 3}',
        '[{"date": "2025-13-01", "kind": "HOLIDAY"}]',
        '[{"date": "2025-10-01", "kind": "REST"}]',
        '[{"date": "2025-10-01", "kind": "HOLIDAY"}, {"date": "2025-10-01", "kind": "WORKDAY"}]',
    ],
)
def test_load_holidays_rejects_bad_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        load(path)
    assert not CalendarOverride.objects.exists()


# Working days.


@pytest.mark.usefixtures("holidays")
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 30), True),  # ordinary Tuesday
        (date(2025, 9, 27), False),  # ordinary Saturday
        (date(2025, 10, 6), False),  # Monday, 中秋节
        (date(2025, 10, 9), True),  # Thursday after the 国庆 block
        (date(2025, 1, 26), True),  # makeup Sunday
        (date(2025, 2, 8), True),  # makeup Saturday
        (date(2026, 1, 4), True),  # makeup Sunday after 元旦 2026
        (date(2026, 2, 28), True),  # makeup Saturday after 春节 2026
        (date(2026, 2, 23), False),  # Monday, last day of 春节 2026
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.usefixtures("holidays")
def test_next_working_day() -> None:
    assert next_working_day(date(2025, 9, 30)) == date(2025, 9, 30)
    assert next_working_day(date(2025, 10, 1)) == date(2025, 10, 9)
    assert next_working_day(date(2025, 2, 7)) == date(2025, 2, 7)  # Friday
    assert next_working_day(date(2026, 1, 3)) == date(2026, 1, 4)  # 元旦 Saturday → makeup Sunday


@pytest.mark.usefixtures("holidays")
def test_add_working_days_across_spring_festival_2026() -> None:
    friday = date(2026, 2, 13)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == date(2026, 2, 14)  # makeup Saturday counts
    assert add_working_days(friday, 2) == date(2026, 2, 24)  # 15–23 February are rest days
    assert add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 24)
    # From a rest day the first working day after it is the 1st, so n=0 and n=1 coincide.
    assert add_working_days(date(2026, 2, 15), 1) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 15), 2) == date(2026, 2, 25)
    assert add_working_days(date(2026, 2, 26), 2) == date(2026, 2, 28)  # Fri 27, makeup Sat 28
    with pytest.raises(ValueError, match="negative"):
        add_working_days(friday, -1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 9, 1), 12, date(2026, 9, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.usefixtures("holidays")
def test_mediation_due_date() -> None:
    # 2025-10-01 is 国庆节; the holiday runs to 8 October and Thursday 9 October is the next working day.
    assert mediation_due_date(date(2025, 9, 1)) == date(2025, 10, 9)
    # 2026-01-31 is a Saturday; 2026 元旦 (1–3 January, makeup Sunday 4 January) does not reach it → Monday 2 Feb.
    assert mediation_due_date(date(2025, 12, 31)) == date(2026, 2, 2)
    # 2026-02-16 is inside 春节 (15–23 February).
    assert mediation_due_date(date(2026, 1, 16)) == date(2026, 2, 24)
    assert mediation_due_date(date(2025, 8, 20), months=2) == date(2025, 10, 20)


@pytest.mark.usefixtures("holidays")
def test_working_days_between() -> None:
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3  # 9, 10, makeup Saturday 11
    assert working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
    assert working_days_between(date(2025, 10, 10), date(2025, 10, 9)) == 0
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # makeup Saturday 14, Tuesday 24


@pytest.mark.usefixtures("holidays")
def test_overdue_counts_working_days_until_today() -> None:
    due = mediation_due_date(date(2025, 9, 1))
    with time_machine.travel(datetime(2025, 10, 9, 23, 30, tzinfo=SHANGHAI), tick=False):
        assert working_days_overdue(due) == 0
    # 00:30 in Shanghai is still the previous day in UTC; the local date must be used.
    with time_machine.travel(datetime(2025, 10, 13, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert working_days_overdue(due) == 3  # Friday 10, makeup Saturday 11, Monday 13
    assert working_days_overdue(due, today=date(2025, 10, 12)) == 2


# Cache and administrators' edits.


@pytest.mark.usefixtures("holidays")
def test_overrides_are_cached(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    is_working_day(date(2025, 10, 1))
    with django_assert_num_queries(0):
        assert working_days_between(date(2025, 1, 1), date(2025, 12, 31)) > 240


@pytest.mark.usefixtures("holidays")
def test_model_edits_invalidate_cache() -> None:
    day = date(2025, 10, 8)
    assert not is_working_day(day)
    override = CalendarOverride.objects.get(date=day)
    override.kind = DayKind.WORKDAY
    override.save()
    assert is_working_day(day)
    override.delete()
    assert is_working_day(day)  # a Wednesday with no override
    CalendarOverride.objects.create(date=date(2025, 9, 30), kind=DayKind.HOLIDAY, name="临时调整")
    assert next_working_day(date(2025, 9, 30)) == date(2025, 10, 8)  # 1–7 October rest, 8 October now plain


@pytest.mark.usefixtures("holidays")
def test_admin_edit_changes_due_date_immediately(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    admin_user = django_user_model.objects.create_superuser("calendar-admin", "admin@example.com", "pw-123456")
    client.force_login(admin_user)
    assert mediation_due_date(date(2025, 9, 1)) == date(2025, 10, 9)
    assert client.get(reverse("admin:workdays_calendaroverride_changelist")).status_code == 200

    override = CalendarOverride.objects.get(date=date(2025, 10, 1))
    response = client.post(
        reverse("admin:workdays_calendaroverride_change", args=[override.pk]),
        {"date": "2025-10-01", "kind": DayKind.WORKDAY, "name": "测试调整"},
    )
    assert response.status_code == 302
    assert mediation_due_date(date(2025, 9, 1)) == date(2025, 10, 1)


# Years without a published schedule.


@pytest.mark.usefixtures("holidays")
def test_unpublished_year_falls_back_to_weekends() -> None:
    assert has_calendar_for(2025)
    assert has_calendar_for(2026)
    assert not has_calendar_for(2027)
    assert is_working_day(date(2027, 1, 1))  # a Friday: 元旦 2027 is not known yet
    assert not is_working_day(date(2027, 1, 2))
    assert mediation_due_date(date(2026, 12, 31)) == date(2027, 2, 1)  # 31 January 2027 is a Sunday
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)


@pytest.mark.django_db
def test_empty_database_uses_weekends_only() -> None:
    assert not has_calendar_for(2025)
    assert is_working_day(date(2025, 10, 1))
    assert mediation_due_date(date(2025, 9, 1)) == date(2025, 10, 1)
