"""Clocks after an agreement: instalments and performance dates, follow-up visits due, the judicial-confirmation
window; plus the reconcile sweep for cases from before timers existed, and the query cost of one sync."""

from datetime import date, timedelta
from decimal import Decimal

import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import actions as A
from cases.enums import CaseStatus, FollowUpOutcome, SignatureMethod
from cases.models import Case, Instalment, Notification, Timer, TimerKind
from cases.timer_rules import reconcile_open_cases, sync_case_timers
from notifications.enums import NoticeKind
from tests.timers.helpers import dt, live, open_case, scan_through

K = TimerKind


def _at(at, fn, *args, **kw):
    with time_machine.travel(at, tick=False):
        return fn(*args, at=at, **kw)


def performing_case(world) -> Case:
    """Accepted 2 Nov 2026; a written agreement effective 10 Nov: 1500 yuan in two instalments, 30 Nov (500) and
    Sun 20 Dec (1000), the term's deadline."""
    case = open_case(world, dt(2026, 11, 2))
    applicant, respondent = case.parties.order_by("order")[:2]
    term = A.TermData(
        obligor=respondent,
        obligee=applicant,
        content="被申请人分期支付排水沟修复费用",
        amount=Decimal("1500"),
        manner="银行转账",
        place="桂花村调委会",
        deadline=date(2026, 12, 20),
        instalments=[(date(2026, 11, 30), Decimal("500")), (date(2026, 12, 20), Decimal("1000"))],
    )
    t = dt(2026, 11, 10)
    _at(
        t,
        A.do_draft_agreement,
        case,
        world.mediator_a,
        facts=case.brief_facts,
        responsibilities="双方各自承担责任",
        terms=[term],
    )
    for i, party in enumerate([applicant, respondent, None], start=1):
        _at(
            t + timedelta(minutes=i),
            A.do_sign_agreement,
            case,
            world.mediator_a,
            party=party,
            method=SignatureMethod.FINGERPRINT,
        )
    _at(t + timedelta(minutes=4), A.do_seal_agreement, case, world.director_a)
    case.refresh_from_db()
    assert case.status == CaseStatus.PERFORMING
    return case


def test_the_agreement_stops_the_time_limit_and_starts_the_performance_clocks(world):
    case = performing_case(world)
    assert [(k, d, at.date()) for k, d, at in live(case)] == [
        (K.PERFORMANCE_REMINDER, date(2026, 11, 30), date(2026, 11, 27)),  # 3 calendar days before
        (K.PERFORMANCE_REMINDER, date(2026, 11, 30), date(2026, 11, 30)),  # on the day
        (K.FOLLOW_UP_REMINDER, date(2026, 12, 1), date(2026, 12, 1)),  # 1 working day after 30 Nov
        (K.JC_WINDOW_REMINDER, date(2026, 12, 10), date(2026, 12, 3)),  # 5 working days before 10 Dec
        (K.JC_WINDOW_REMINDER, date(2026, 12, 10), date(2026, 12, 9)),
        (K.PERFORMANCE_REMINDER, date(2026, 12, 20), date(2026, 12, 17)),
        (K.PERFORMANCE_REMINDER, date(2026, 12, 20), date(2026, 12, 20)),
        (K.FOLLOW_UP_REMINDER, date(2026, 12, 21), date(2026, 12, 21)),  # after Sun 20 Dec: Mon 21
    ]
    assert not Timer.objects.filter(
        case=case,
        kind__in=[K.TIME_LIMIT_REMINDER, K.TIME_LIMIT_OVERDUE],
        cancelled_at__isnull=True,
        fired_at__isnull=True,
    ).exists()


def test_paid_instalments_visits_and_an_application_stop_their_reminders(world):
    case = performing_case(world)
    first = Instalment.objects.filter(term__agreement__case=case).order_by("due_date").first()
    fired = scan_through(date(2026, 11, 11), date(2026, 11, 28), hours=(8,))
    assert fired == {date(2026, 11, 27): [(K.PERFORMANCE_REMINDER, date(2026, 11, 30))]}
    _at(
        dt(2026, 11, 28),
        A.do_record_payment,
        case,
        world.mediator_a,
        on=date(2026, 11, 28),
        note="转账凭证已存档",
        instalment=first,
    )
    fired = scan_through(date(2026, 11, 29), date(2026, 12, 1), hours=(8,))
    # The paid instalment is not reminded on its day; the follow-up visit after 30 Nov still is.
    assert fired == {date(2026, 12, 1): [(K.FOLLOW_UP_REMINDER, date(2026, 12, 1))]}
    applicant, respondent = case.parties.order_by("order")[:2]
    _at(
        dt(2026, 12, 1, 15),
        A.do_record_follow_up,
        case,
        world.mediator_a,
        party=applicant,
        visited_on=date(2026, 12, 1),
        outcome=FollowUpOutcome.PARTIAL,
        satisfaction="SATISFIED",
        notes="首期已付，第二期按约定履行",
    )
    _at(
        dt(2026, 12, 2),
        A.do_apply_judicial_confirmation,
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 12, 2),
    )
    fired = scan_through(date(2026, 12, 2), date(2026, 12, 22), hours=(8,))
    assert fired == {
        date(2026, 12, 17): [(K.PERFORMANCE_REMINDER, date(2026, 12, 20))],
        date(2026, 12, 20): [(K.PERFORMANCE_REMINDER, date(2026, 12, 20))],
        date(2026, 12, 21): [(K.FOLLOW_UP_REMINDER, date(2026, 12, 21))],
    }
    texts = list(
        Notification.objects.filter(user=world.mediator_a, kind=NoticeKind.REMINDER_PERFORMANCE).values_list(
            "message", flat=True
        )
    )
    assert f"您承办的案件{case.case_no}调解协议约定的履行期限将于12月20日（还有3天）到期，请及时跟进履行情况。" in texts
    assert not Notification.objects.filter(kind=NoticeKind.REMINDER_JC_WINDOW).exists()


def test_the_jc_window_reminds_while_nobody_applied(world):
    case = performing_case(world)
    fired = scan_through(date(2026, 12, 2), date(2026, 12, 10), hours=(8,))
    assert [d for d, kinds in fired.items() if (K.JC_WINDOW_REMINDER, date(2026, 12, 10)) in kinds] == [
        date(2026, 12, 3),
        date(2026, 12, 9),
    ]
    assert (
        Notification.objects.filter(
            case=case,
            user=world.director_a,
            kind=NoticeKind.REMINDER_JC_WINDOW,
            message__contains="申请司法确认的期限将于12月10日",
        ).count()
        == 2
    )


def test_reconcile_gives_timers_to_cases_without_any_and_is_idempotent(world):
    case = open_case(world, dt(2026, 11, 2))
    closed_long_ago = open_case(world, dt(2026, 11, 2))
    Timer.objects.filter(case__in=[case, closed_long_ago]).delete()  # as if from before timers existed
    Case.objects.filter(pk=closed_long_ago.pk).update(status=CaseStatus.ARCHIVED)
    with time_machine.travel(dt(2026, 11, 20, 8), tick=False):
        assert reconcile_open_cases(dt(2026, 11, 20, 8)) == 1
        assert reconcile_open_cases(dt(2026, 11, 20, 8)) == 0
    assert [k for k, _d, _at in live(case)] == [K.TIME_LIMIT_REMINDER, K.TIME_LIMIT_REMINDER, K.TIME_LIMIT_OVERDUE]
    assert not Timer.objects.filter(case=closed_long_ago).exists()
    # Past reminder days are not created late; the acts are, and the next scan carries them out.
    Timer.objects.filter(case=case).delete()
    with time_machine.travel(dt(2026, 12, 5, 8), tick=False):
        reconcile_open_cases(dt(2026, 12, 5, 8))
    assert [k for k, _d, _at in live(case)] == [K.TIME_LIMIT_OVERDUE]


def test_one_sync_costs_a_few_queries(world):
    mediating = open_case(world, dt(2026, 11, 2))
    performing = performing_case(world)
    for case, most in [(mediating, 2), (performing, 8)]:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            sync_case_timers(case, dt(2026, 11, 11))
        assert len(ctx.captured_queries) <= most, [q["sql"] for q in ctx.captured_queries]
