"""Stopped clocks fire nothing, an extension reschedules, the system marks overdue the morning after, and automatic
termination happens only where the jurisdiction's rules say so, only after the grace period, never silently."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from cases import actions as A
from cases.actions.base import check
from cases.enums import ActorKind, CaseStatus, Route, SystemJob, TerminationReason
from cases.models import Case, Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from notifications.models import OutboxMessage
from tests.timers.helpers import dt, live, open_case, scan, scan_through, write_rules

K = TimerKind
TIME_LIMIT_KINDS = {K.TIME_LIMIT_REMINDER, K.EXTENSION_REMINDER, K.TIME_LIMIT_OVERDUE, K.AUTO_TERMINATE}


def _term(case: Case, deadline: date) -> A.TermData:
    applicant, respondent = case.parties.order_by("order")[:2]
    return A.TermData(
        obligor=respondent,
        obligee=applicant,
        content="被申请人疏通排水沟并赔偿损失",
        amount=Decimal("800"),
        manner="现金",
        place="桂花村调委会",
        deadline=deadline,
    )


def _pause(world, case, at):
    A.do_pause_mediation(case, world.mediator_a, reason="等待房屋受损鉴定结论", at=at)


def _oral_agreement(world, case, at):
    A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts="双方因宅前排水沟堵塞发生争执，现已和解",
        terms=[_term(case, date(2026, 11, 30))],
        oral_reason="当事人认为无需书面协议",
        at=at,
    )


def _terminate(world, case, at):
    A.do_terminate_mediation(
        case,
        world.mediator_a,
        reason=TerminationReason.NO_PROSPECT,
        note="双方分歧过大无法调和",
        routes=[Route.LITIGATION],
        at=at,
    )


@pytest.mark.parametrize("stop", [_pause, _oral_agreement, _terminate], ids=["pause", "agreement", "termination"])
def test_a_stopped_clock_fires_nothing(world, tmp_path, settings, stop):
    write_rules(tmp_path, settings, default={"auto_terminate": {"enabled": True, "grace_days": 0}})
    case = open_case(world, dt(2026, 11, 2))
    assert {k for k, _d, _at in live(case)} == TIME_LIMIT_KINDS - {K.EXTENSION_REMINDER}
    with time_machine.travel(dt(2026, 11, 20), tick=False):
        stop(world, case, dt(2026, 11, 20))
    assert not [t for t in live(case) if t[0] in TIME_LIMIT_KINDS]
    cancelled = Timer.objects.filter(case=case, cancelled_at__isnull=False)
    assert cancelled.count() == 4 and all(t.cancel_reason.startswith("计时停止或期限变更") for t in cancelled)
    before = Case.objects.get(pk=case.pk).status
    fired = scan_through(date(2026, 11, 21), date(2026, 12, 10), hours=(8,))
    assert not [k for day in fired.values() for k, _d in day if k in TIME_LIMIT_KINDS]
    case.refresh_from_db()
    assert case.status == before and case.overdue_since is None
    assert not case.events.filter(action__in=["mark_overdue", "auto_terminate"]).exists()


def test_state_moved_after_scheduling_fires_nothing_and_says_why(world):
    case = open_case(world, dt(2026, 11, 2))
    timer = Timer.objects.get(case=case, kind=K.TIME_LIMIT_OVERDUE)
    # A pause written behind the timers' back (no sync): the handler re-checks and does nothing.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.PAUSED)
    scan(dt(2026, 12, 3, 8))
    timer.refresh_from_db()
    assert timer.fired_at is not None and timer.result == "未标记：计时已停止或期限已变更（暂缓）"
    assert not case.events.filter(action="mark_overdue").exists()


def test_resuming_restarts_the_clock_on_the_moved_limit(world):
    case = open_case(world, dt(2026, 11, 2))
    with time_machine.travel(dt(2026, 11, 10), tick=False):
        _pause(world, case, dt(2026, 11, 10))
    with time_machine.travel(dt(2026, 11, 17), tick=False):
        A.do_resume_mediation(case, world.mediator_a, at=dt(2026, 11, 17))
    case.refresh_from_db()
    assert case.time_limit_due == date(2026, 12, 9)  # 7 paused days do not count
    assert [(k, d) for k, d, _at in live(case)] == [
        (K.TIME_LIMIT_REMINDER, date(2026, 12, 9)),
        (K.TIME_LIMIT_REMINDER, date(2026, 12, 9)),
        (K.TIME_LIMIT_OVERDUE, date(2026, 12, 9)),
    ]


def test_extension_replaces_the_old_limits_timers(world):
    case = open_case(world, dt(2026, 11, 2))
    with time_machine.travel(dt(2026, 11, 26), tick=False):
        A.do_extend_time_limit(
            case,
            world.mediator_a,
            new_due=date(2026, 12, 16),
            reason="需等待村委会协调",
            consent_record="双方当面同意延长",
            consenting_parties=list(case.parties.all()),
            at=dt(2026, 11, 26),
        )
    assert live(case) == [
        (K.EXTENSION_REMINDER, date(2026, 12, 16), dt(2026, 12, 11, 8)),
        (K.EXTENSION_REMINDER, date(2026, 12, 16), dt(2026, 12, 15, 8)),
        (K.TIME_LIMIT_OVERDUE, date(2026, 12, 16), dt(2026, 12, 17, 8)),
    ]
    fired = scan_through(date(2026, 11, 26), date(2026, 12, 17), hours=(8,))
    assert fired == {
        date(2026, 12, 11): [(K.EXTENSION_REMINDER, date(2026, 12, 16))],
        date(2026, 12, 15): [(K.EXTENSION_REMINDER, date(2026, 12, 16))],
        date(2026, 12, 17): [(K.TIME_LIMIT_OVERDUE, date(2026, 12, 16))],
    }
    texts = Notification.objects.filter(user=world.mediator_a, kind=NoticeKind.REMINDER_EXTENSION)
    assert texts.filter(message__contains="延长后的调解期限将于12月16日").count() == 2
    assert not Notification.objects.filter(kind=NoticeKind.REMINDER_TIME_LIMIT).exists()


def test_overdue_is_marked_the_morning_after_by_the_system(world, client):
    case = open_case(world, dt(2026, 11, 2))
    scan(dt(2026, 12, 2, 20))  # the last day of the limit: the reminders, not yet the marking
    assert scan(dt(2026, 12, 3, 7, 59)) == 0
    assert not case.events.filter(action="mark_overdue").exists()
    scan(dt(2026, 12, 3, 8))
    case.refresh_from_db()
    assert case.overdue_since == date(2026, 12, 3) and case.marked_overdue
    event = case.events.get(action="mark_overdue")
    assert (event.actor_id, event.actor_kind, event.system_job) == (None, ActorKind.SYSTEM, SystemJob.DEADLINE_MONITOR)
    assert event.actor_label == "系统（期限监控）" and event.label == "标记超期"
    assert event.from_status == event.to_status == CaseStatus.IN_MEDIATION
    told = Notification.objects.filter(case=case, kind=NoticeKind.CASE_OVERDUE)
    assert sorted(told.values_list("user__username", flat=True)) == ["director_a", "mediator_a"]
    assert scan(dt(2026, 12, 3, 9)) == 0 and scan(dt(2026, 12, 4, 8)) == 0
    assert case.events.filter(action="mark_overdue").count() == 1
    # The staff timeline and the citizen's both name the system as the actor, in Chinese.
    client.force_login(world.mediator_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "标记超期" in page and "系统（期限监控）" in page
    client.force_login(world.party_user)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "调解期限已届满" in page and "系统（期限监控）" in page
    # Extending after the limit (allowed) clears the mark for the new limit.
    with time_machine.travel(dt(2026, 12, 4), tick=False):
        A.do_extend_time_limit(
            case,
            world.mediator_a,
            new_due=date(2026, 12, 18),
            reason="需等待村委会协调",
            consent_record="双方当面同意延长",
            consenting_parties=list(case.parties.all()),
            at=dt(2026, 12, 4),
        )
    case.refresh_from_db()
    assert not case.marked_overdue, (case.overdue_since, case.time_limit_due, case.status)


def test_marking_overdue_is_a_system_row_only(world):
    case = open_case(world, dt(2026, 11, 2))
    # No person may take the row, not even the director.
    with pytest.raises(A.ActionRefused, match="您无权对本案执行“标记超期”"):
        check(case, "mark_overdue", world.director_a)
    with pytest.raises(A.ActionRefused, match="调解期限尚未届满"):
        A.do_mark_overdue(case, at=dt(2026, 12, 2, 20))


AUTO = {"auto_terminate": {"enabled": True, "grace_days": 5, "working_days": True}}


def test_no_automatic_termination_by_default(world):
    case = open_case(world, dt(2026, 11, 2))
    assert not Timer.objects.filter(case=case, kind=K.AUTO_TERMINATE).exists()
    scan_through(date(2026, 12, 1), date(2027, 1, 10), hours=(8,))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION and case.marked_overdue


def test_automatic_termination_after_the_grace_period_where_configured(world, tmp_path, settings):
    # 咸安区 (421202) terminates after 5 working days; the rest of the city keeps the default (off).
    write_rules(tmp_path, settings, overrides={"421202": AUTO})
    case = open_case(world, dt(2026, 11, 2))
    elsewhere = open_case(world, dt(2026, 11, 2), at_committee="c")  # 嘉鱼县
    assert Timer.objects.get(case=case, kind=K.AUTO_TERMINATE).fire_at == dt(2026, 12, 10, 8)
    assert not Timer.objects.filter(case=elsewhere, kind=K.AUTO_TERMINATE).exists()
    scan_through(date(2026, 12, 2), date(2026, 12, 9))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION  # the grace period runs to Wed 9 Dec
    scan(dt(2026, 12, 10, 8))
    case.refresh_from_db()
    assert case.status == CaseStatus.TERMINATED
    assert case.termination_reason == TerminationReason.TIME_LIMIT_NO_CONSENT
    assert case.get_termination_reason_display() == "期满未达成协议且当事人不同意延长"
    assert case.outcome == "FAILURE" and case.routes_informed == "向人民法院起诉、申请仲裁、请求行政机关处理"
    event = case.events.get(action="auto_terminate")
    assert (event.actor_id, event.system_job, event.to_status) == (None, SystemJob.DEADLINE_MONITOR, "TERMINATED")
    assert event.actor_label == "系统（期限监控）"
    assert event.note.startswith(
        "期满未达成协议且当事人不同意延长：调解期限2026-12-02届满，宽限5个工作日（至2026-12-09）"
    )
    staff = Notification.objects.filter(case=case, kind=NoticeKind.AUTO_TERMINATED)
    assert sorted(staff.values_list("user__username", flat=True)) == ["director_a", "mediator_a"]
    party = Notification.objects.get(
        case=case, user=world.party_user, kind=NoticeKind.CASE_PROGRESS, message__startswith="调解期限届满未达成协议"
    )
    assert "向人民法院起诉" in party.message
    assert OutboxMessage.objects.filter(case=case, user=world.party_user).exists()  # parties hear by SMS
    assert scan(dt(2026, 12, 11, 8)) == 0
    assert case.events.filter(action="auto_terminate").count() == 1
    elsewhere.refresh_from_db()
    assert elsewhere.status == CaseStatus.IN_MEDIATION


def test_the_longest_prefix_wins(world, tmp_path, settings):
    # The county enables it; village A (a longer prefix) switches it off again; village B keeps the county's rule.
    write_rules(
        tmp_path,
        settings,
        overrides={
            "421202": AUTO,
            "421202001001": {"auto_terminate": {"enabled": False}},
            "42": {"reminders": {"TIME_LIMIT": {"days_before": [2]}}},
        },
    )
    a = open_case(world, dt(2026, 11, 2))
    b = open_case(world, dt(2026, 11, 2), at_committee="b")
    assert not Timer.objects.filter(case=a, kind=K.AUTO_TERMINATE).exists()
    assert Timer.objects.filter(case=b, kind=K.AUTO_TERMINATE).exists()
    # The province's reminder offsets apply to both (merged key by key: still on, still in working days).
    assert [at for _k, _d, at in live(a, K.TIME_LIMIT_REMINDER)] == [dt(2026, 11, 30, 8)]
    scan(dt(2026, 12, 10, 8))
    assert Case.objects.get(pk=a.pk).status == CaseStatus.IN_MEDIATION
    assert Case.objects.get(pk=b.pk).status == CaseStatus.TERMINATED


def test_rules_changed_before_firing_terminate_nothing(world, tmp_path, settings):
    write_rules(tmp_path, settings, default=AUTO)
    case = open_case(world, dt(2026, 11, 2))
    # Both acts switched off again before their day: the handlers re-check against the rules of the day.
    write_rules(tmp_path, settings, default={"mark_overdue": False})
    scan(dt(2026, 12, 10, 8))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION and case.overdue_since is None
    results = dict(Timer.objects.filter(case=case, fired_at__isnull=False).values_list("kind", "result"))
    assert results[K.AUTO_TERMINATE] == "未终止：计时已停止、期限已变更或规则已变更（调解中）"
    assert results[K.TIME_LIMIT_OVERDUE] == "未标记：计时已停止或期限已变更（调解中）"


def test_run_timers_command_fires_once(world):
    case = open_case(world, dt(2026, 11, 2))
    with time_machine.travel(dt(2026, 12, 3, 9), tick=False):
        call_command("run_timers", "--now", "2026-12-03T09:00:00+08:00", verbosity=0)
        call_command("run_timers", "--now", "2026-12-03T09:00:00+08:00", verbosity=0)
    assert case.events.filter(action="mark_overdue").count() == 1
    assert Timer.objects.filter(case=case, fired_at__isnull=False).count() == 3
