"""Reminders before the mediation time limit: once each, at the configured offsets, on working days where the rule
says so; to the case's mediators and director only; by SMS only for those who chose it."""

from datetime import date

import pytest
import time_machine

from cases import actions as A
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from notifications.models import NoticePreference, OutboxMessage
from tests.timers.helpers import dt, live, open_case, scan, scan_through, write_rules

K = TimerKind


def test_accepting_starts_the_time_limit_timers(world):
    case = open_case(world, dt(2026, 11, 2))
    assert case.time_limit_due == date(2026, 12, 2)
    # 3 and 1 working days before Wed 2 Dec: Fri 27 Nov (the weekend skipped) and Tue 1 Dec; overdue the morning
    # after; automatic termination is off by default.
    assert live(case) == [
        (K.TIME_LIMIT_REMINDER, date(2026, 12, 2), dt(2026, 11, 27, 8)),
        (K.TIME_LIMIT_REMINDER, date(2026, 12, 2), dt(2026, 12, 1, 8)),
        (K.TIME_LIMIT_OVERDUE, date(2026, 12, 2), dt(2026, 12, 3, 8)),
    ]


def test_each_reminder_fires_once_at_its_offset(world):
    case = open_case(world, dt(2026, 11, 2))
    fired = scan_through(date(2026, 11, 20), date(2026, 12, 2))
    assert fired == {
        date(2026, 11, 27): [(K.TIME_LIMIT_REMINDER, date(2026, 12, 2))],
        date(2026, 12, 1): [(K.TIME_LIMIT_REMINDER, date(2026, 12, 2))],
    }
    notices = Notification.objects.filter(case=case, kind=NoticeKind.REMINDER_TIME_LIMIT)
    assert sorted(notices.values_list("user__username", flat=True)) == sorted(["mediator_a", "director_a"] * 2)
    texts = set(notices.filter(user=world.mediator_a).values_list("message", flat=True))
    assert texts == {
        f"您承办的案件{case.case_no}调解期限将于12月2日（还有5天）届满，请及时处理。",
        f"您承办的案件{case.case_no}调解期限将于12月2日（还有1天）届满，请及时处理。",
    }
    assert notices.filter(user=world.director_a, message__startswith="本调委会案件").count() == 2
    # Running the scan again, at any hour, fires nothing twice.
    assert scan(dt(2026, 12, 1, 8, 30)) == 0
    assert scan(dt(2026, 12, 1, 8, 30)) == 0
    assert notices.count() == 4
    results = set(Timer.objects.filter(case=case, kind=K.TIME_LIMIT_REMINDER).values_list("result", flat=True))
    assert results == {"已提醒2人"}


@pytest.mark.parametrize(
    "working, expected",
    [
        # Due Thu 8 Oct 2026, right after the National Day holiday (1–7 Oct): counted in working days the
        # reminders go out before the holiday, on Mon 28 and Wed 30 Sep …
        (True, [dt(2026, 9, 28, 8), dt(2026, 9, 30, 8)]),
        # … in calendar days on Mon 5 and Wed 7 Oct, in the middle of it.
        (False, [dt(2026, 10, 5, 8), dt(2026, 10, 7, 8)]),
    ],
)
def test_a_holiday_in_between_moves_working_day_reminders(world, tmp_path, settings, working, expected):
    write_rules(
        tmp_path,
        settings,
        default={"reminders": {"TIME_LIMIT": {"enabled": True, "days_before": [3, 1], "working_days": working}}},
    )
    case = open_case(world, dt(2026, 9, 8))
    assert case.time_limit_due == date(2026, 10, 8)
    assert [at for _k, _d, at in live(case, K.TIME_LIMIT_REMINDER)] == expected
    fired = scan_through(date(2026, 9, 25), date(2026, 10, 8))
    assert sorted(fired) == [at.date() for at in expected]


def test_a_reminder_kind_switched_off_schedules_nothing(world, tmp_path, settings):
    write_rules(tmp_path, settings, default={"reminders": {"TIME_LIMIT": {"enabled": False, "days_before": [3, 1]}}})
    case = open_case(world, dt(2026, 11, 2))
    assert live(case, K.TIME_LIMIT_REMINDER) == []
    assert scan_through(date(2026, 11, 20), date(2026, 12, 2)) == {}


def test_reminders_reach_the_cases_mediators_and_director_only(world):
    case = open_case(world, dt(2026, 11, 2), co=[world.mediator_a2])
    other = open_case(world, dt(2026, 11, 9), at_committee="b")  # another committee, due later
    scan(dt(2026, 11, 27, 8))
    told = set(
        Notification.objects.filter(kind=NoticeKind.REMINDER_TIME_LIMIT).values_list("user__username", flat=True)
    )
    assert told == {"mediator_a", "mediator_a2", "director_a"}
    assert not Notification.objects.filter(case=other).filter(kind=NoticeKind.REMINDER_TIME_LIMIT).exists()
    assert (
        Notification.objects.filter(case=case, user=world.party_user, kind=NoticeKind.REMINDER_TIME_LIMIT).count() == 0
    )


def test_after_a_recusal_the_replacement_is_reminded_not_the_replaced(world):
    case = open_case(world, dt(2026, 11, 2))
    applicant = case.parties.order_by("order").first()
    with time_machine.travel(dt(2026, 11, 10), tick=False):
        A.do_recuse_mediator(
            case,
            world.director_a,
            party=applicant,
            replaced=world.mediator_a.mediator,
            replacement=world.mediator_a2.mediator,
            reason="与被申请人系亲属",
            at=dt(2026, 11, 10),
        )
    # A recusal does not stop the clock: the timers stay.
    assert len(live(case, K.TIME_LIMIT_REMINDER)) == 2
    scan(dt(2026, 11, 27, 8))
    told = set(
        Notification.objects.filter(kind=NoticeKind.REMINDER_TIME_LIMIT).values_list("user__username", flat=True)
    )
    assert told == {"mediator_a2", "director_a"}


def test_sms_only_for_those_who_chose_it(world):
    for user, phone in [
        (world.mediator_a, "13800000011"),
        (world.mediator_a2, "13800000012"),
        (world.director_a, "13800000013"),
    ]:
        user.phone = phone
        user.save(update_fields=["phone"])
    NoticePreference.objects.create(user=world.mediator_a2, kind=NoticeKind.REMINDER_TIME_LIMIT, sms=True)
    NoticePreference.objects.create(user=world.director_a, kind=NoticeKind.REMINDER_TIME_LIMIT, sms=False)
    # A preference for another kind does not count for reminders.
    NoticePreference.objects.create(user=world.mediator_a, kind=NoticeKind.CASE_OVERDUE, sms=True)
    case = open_case(world, dt(2026, 11, 2), co=[world.mediator_a2])
    scan(dt(2026, 11, 27, 8))
    sms = OutboxMessage.objects.filter(case=case, kind=NoticeKind.REMINDER_TIME_LIMIT)
    assert list(sms.values_list("address", flat=True)) == ["13800000012"]
    assert sms.get().body == f"【人民调解】您承办的案件{case.case_no}调解期限将于12月2日（还有5天）届满，请及时处理。"
    # Everyone still has the in-app notice.
    assert Notification.objects.filter(case=case, kind=NoticeKind.REMINDER_TIME_LIMIT).count() == 3
