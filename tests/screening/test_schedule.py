"""The screening scan with frozen time: report rows for the right units and periods (a county's policy overriding
the city's; a new committee from its establishment; special periods; campaigns), idempotence, the due timers
(reminder on the due day, OVERDUE at due_at with notices to the unit and the 司法所), late submission and the
compliance figures."""

from datetime import date, datetime, time, timedelta

import pytest

from cases import timers
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from registry.models import Committee, CommitteeKind, CommitteeType, Division, DivisionLevel
from screening import schedule
from screening.actions.reports import do_submit_zero_report
from screening.enums import Cadence, ReportStatus
from screening.models import ScreeningCampaign, ScreeningReport, SpecialPeriod
from tests.screening.factories import TZ, at, make_policy, make_report

D = date
pytestmark = pytest.mark.django_db


def periods(committee, **kw):
    return [
        (r.cadence, r.period_start, r.period_end)
        for r in ScreeningReport.objects.filter(committee=committee, **kw).order_by("period_start")
    ]


@pytest.fixture
def policies(sworld):
    w = sworld.w
    city = Division.objects.get(code="4212")
    xianan = Division.objects.get(code="421202")
    make_policy(city, DivisionLevel.VILLAGE, Cadence.MONTHLY, effective_from=D(2026, 1, 1), by=w.city_admin)
    make_policy(xianan, DivisionLevel.VILLAGE, Cadence.WEEKLY, effective_from=D(2026, 6, 1), by=w.county_admin)
    make_policy(city, DivisionLevel.TOWNSHIP, Cadence.TEN_DAYS, effective_from=D(2026, 6, 1), by=w.city_admin)
    return sworld


def test_units_and_periods_county_overrides_city(policies):
    w = policies.w
    Committee.objects.filter(pk=w.village_b.pk).update(established_on=D(2026, 5, 15))
    created = schedule.ensure_reports(at(2026, 6, 10, 8))
    # 桂花村 (咸安区): the city's monthly rule to May, the district's weekly rule from 1 June.
    assert periods(w.village_a) == [
        (Cadence.MONTHLY, D(2026, 1, 1), D(2026, 1, 31)),
        (Cadence.MONTHLY, D(2026, 2, 1), D(2026, 2, 28)),
        (Cadence.MONTHLY, D(2026, 3, 1), D(2026, 3, 31)),
        (Cadence.MONTHLY, D(2026, 4, 1), D(2026, 4, 30)),
        (Cadence.MONTHLY, D(2026, 5, 1), D(2026, 5, 31)),
        (Cadence.WEEKLY, D(2026, 6, 1), D(2026, 6, 7)),
        (Cadence.WEEKLY, D(2026, 6, 8), D(2026, 6, 14)),
    ]
    # 柏墩村 established 15 May: from then on.
    assert periods(w.village_b) == [
        (Cadence.MONTHLY, D(2026, 5, 15), D(2026, 5, 31)),
        (Cadence.WEEKLY, D(2026, 6, 1), D(2026, 6, 7)),
        (Cadence.WEEKLY, D(2026, 6, 8), D(2026, 6, 14)),
    ]
    # 城关村 (嘉鱼县, no district rule): the city's monthly rule, June begun.
    assert [p[1].month for p in periods(w.village_c)] == [1, 2, 3, 4, 5, 6]
    # 温泉街道调委会: township level, every 10 days from 1 June.
    assert periods(w.township) == [(Cadence.TEN_DAYS, D(2026, 6, 1), D(2026, 6, 10))]
    assert created == 7 + 3 + 6 + 1
    report = ScreeningReport.objects.get(committee=w.village_a, period_start=D(2026, 6, 1))
    assert report.division_code == w.village_a.division_id
    assert report.unit_level == DivisionLevel.VILLAGE
    assert report.policy.division_id == "421202"
    assert report.due_at == datetime(2026, 6, 8, 18, 0, tzinfo=TZ)  # Monday after the week
    assert report.status == ReportStatus.PENDING
    # Idempotent.
    assert schedule.ensure_reports(at(2026, 6, 10, 8)) == 0
    assert schedule.ensure_reports(at(2026, 6, 10, 20)) == 0
    assert ScreeningReport.objects.count() == 17
    assert Timer.objects.filter(kind=TimerKind.SCREENING_REPORT_DUE, cancelled_at__isnull=True).count() == (
        Timer.objects.filter(kind=TimerKind.SCREENING_REPORT_DUE).count()
    )
    # The next day's scan adds what has begun since.
    assert schedule.ensure_reports(at(2026, 6, 11, 0, 5)) == 1  # the township's 中旬
    assert schedule.policy_for(w.village_a, D(2026, 5, 31)).cadence == Cadence.MONTHLY
    assert schedule.policy_for(w.village_a, D(2026, 6, 1)).cadence == Cadence.WEEKLY
    assert schedule.policy_for(w.village_c, D(2026, 6, 1)).cadence == Cadence.MONTHLY
    assert schedule.policy_for(w.village_a, D(2025, 12, 31)) is None


def test_units_for_kinds_and_inactive(sworld):
    w = sworld.w
    industry = Committee.objects.create(
        name="桂花村物业纠纷调委会",
        short_name="桂物",
        committee_type=CommitteeType.SOCIAL_ORG_OTHER,
        kind=CommitteeKind.INDUSTRY,
        division_id="421202001001",
    )
    Committee.objects.filter(pk=w.village_b.pk).update(is_active=False)
    assert [c.pk for c in schedule.units_for("421202", DivisionLevel.VILLAGE, False)] == [w.village_a.pk]
    assert {c.pk for c in schedule.units_for("421202", DivisionLevel.VILLAGE, True)} == {industry.pk, w.village_a.pk}
    assert [c.pk for c in schedule.units_for("4212", DivisionLevel.TOWNSHIP, False)] == [w.township.pk]


def test_timers_remind_on_due_day_then_overdue_with_notices(sworld):
    w = sworld.w
    make_policy(
        Division.objects.get(code="421202"),
        DivisionLevel.VILLAGE,
        Cadence.WEEKLY,
        effective_from=D(2026, 6, 1),
        by=w.county_admin,
    )
    schedule.ensure_reports(at(2026, 6, 1, 0, 5))
    report = ScreeningReport.objects.get(committee=w.village_a, period_start=D(2026, 6, 1))
    rows = {t.rule: t for t in Timer.objects.filter(target_type="screening.ScreeningReport", target_id=report.pk)}
    assert rows["REPORT:remind"].fire_at == datetime(2026, 6, 8, 9, 0, tzinfo=TZ)
    assert rows["REPORT:overdue"].fire_at == datetime(2026, 6, 8, 18, 0, tzinfo=TZ)
    assert rows["REPORT:overdue"].deadline == D(2026, 6, 8)

    assert timers.fire_due(at(2026, 6, 8, 8, 59)) == 0
    timers.fire_due(at(2026, 6, 8, 9, 0))
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING and report.reminded_at == at(2026, 6, 8, 9, 0)
    due = Notification.objects.filter(kind=NoticeKind.SCREENING_DUE)
    assert {n.user_id for n in due} == {
        w.director_a.pk,
        w.mediator_a.pk,
        w.mediator_a2.pk,
        w.director_b.pk,
        w.mediator_b.pk,
    }
    link = f"/screening/reports/{report.pk}/"
    assert due.get(user=w.mediator_a).link == link
    assert "18:00前报送截止" in due.get(user=w.mediator_a).message

    assert timers.fire_due(at(2026, 6, 8, 17, 59)) == 0
    timers.fire_due(at(2026, 6, 8, 18, 0))
    report.refresh_from_db()
    assert report.status == ReportStatus.OVERDUE
    overdue = Notification.objects.filter(kind=NoticeKind.SCREENING_OVERDUE, link=link)
    assert {n.user_id for n in overdue} == {w.director_a.pk, w.mediator_a.pk, w.mediator_a2.pk, w.sfs_officer.pk}
    assert "逾期未报" in overdue.get(user=w.sfs_officer).message
    assert not Notification.objects.filter(user=w.county_admin).exists()
    # Fired once only.
    assert timers.fire_due(at(2026, 6, 9, 9)) == 0

    # Reported late: SUBMITTED with is_late, counted late.
    do_submit_zero_report(w.mediator_a, report, at=at(2026, 6, 9, 10))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.is_late and report.is_zero
    [unit] = [u for u in schedule.compliance("421202001", D(2026, 6, 1), D(2026, 6, 7)) if u.committee == w.village_a]
    assert (unit.expected, unit.on_time, unit.late, unit.missing, unit.zero, unit.pending) == (1, 0, 1, 0, 1, 0)


def test_submitted_before_due_cancels_timers(sworld):
    w = sworld.w
    make_policy(
        Division.objects.get(code="421202"),
        DivisionLevel.VILLAGE,
        Cadence.WEEKLY,
        effective_from=D(2026, 6, 1),
        by=w.county_admin,
    )
    schedule.ensure_reports(at(2026, 6, 1, 0, 5))
    report = ScreeningReport.objects.get(committee=w.village_a, period_start=D(2026, 6, 1))
    do_submit_zero_report(w.director_a, report, at=at(2026, 6, 7, 16))
    timers.fire_due(at(2026, 6, 8, 19))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    assert not Notification.objects.filter(user=w.director_a, kind__startswith="SCREENING").exists()


def test_remind_skipped_when_due_before_nine(sworld):
    w = sworld.w
    make_policy(
        Division.objects.get(code="421202"),
        DivisionLevel.VILLAGE,
        Cadence.WEEKLY,
        effective_from=D(2026, 6, 1),
        offset=0,
        due_time=time(8, 30),
        by=w.county_admin,
    )
    schedule.ensure_reports(at(2026, 6, 1, 0, 5))
    report = ScreeningReport.objects.get(committee=w.village_a, period_start=D(2026, 6, 1))
    assert report.due_at == datetime(2026, 6, 7, 8, 30, tzinfo=TZ)  # offset 0: Sunday itself
    assert list(
        Timer.objects.filter(target_id=report.pk, target_type="screening.ScreeningReport").values_list(
            "rule", flat=True
        )
    ) == ["REPORT:overdue"]


def test_special_period_and_campaign_reports(sworld):
    w = sworld.w
    xianan = Division.objects.get(code="421202")
    make_policy(xianan, DivisionLevel.VILLAGE, Cadence.TEN_DAYS, effective_from=D(2026, 9, 1), by=w.county_admin)
    SpecialPeriod.objects.create(
        division=xianan,
        name="国庆节",
        start=D(2026, 9, 30),
        end=D(2026, 10, 7),
        cadence=Cadence.DAILY,
        unit_levels=[DivisionLevel.VILLAGE],
        created_by=w.county_admin,
    )
    campaign = ScreeningCampaign.objects.create(
        division=xianan,
        theme="欠薪矛盾专项排查",
        area_codes=["421202001001"],
        start=D(2026, 9, 28),
        end=D(2026, 10, 11),
        cadence=Cadence.WEEKLY,
        created_by=w.county_admin,
    )
    schedule.ensure_reports(at(2026, 10, 2, 0, 5))
    assert periods(w.village_a, campaign__isnull=True) == [
        (Cadence.TEN_DAYS, D(2026, 9, 1), D(2026, 9, 10)),
        (Cadence.TEN_DAYS, D(2026, 9, 11), D(2026, 9, 20)),
        (Cadence.TEN_DAYS, D(2026, 9, 21), D(2026, 9, 29)),  # 下旬 clipped by the special period
        (Cadence.DAILY, D(2026, 9, 30), D(2026, 9, 30)),
        (Cadence.DAILY, D(2026, 10, 1), D(2026, 10, 1)),
        (Cadence.DAILY, D(2026, 10, 2), D(2026, 10, 2)),
    ]
    daily = ScreeningReport.objects.get(committee=w.village_a, period_start=D(2026, 10, 1))
    assert daily.special_period.name == "国庆节"
    assert daily.due_at == datetime(2026, 10, 8, 18, 0, tzinfo=TZ)  # one working day after 1 October
    # The campaign: only 桂花村 (its area), weekly from Monday 28 September.
    assert periods(w.village_a, campaign=campaign) == [(Cadence.WEEKLY, D(2026, 9, 28), D(2026, 10, 4))]
    assert not ScreeningReport.objects.filter(committee=w.village_b, campaign=campaign).exists()
    # Closing the campaign early: the week begun is still due, nothing later.
    ScreeningCampaign.objects.filter(pk=campaign.pk).update(closed_at=at(2026, 10, 3, 10))
    schedule.ensure_reports(at(2026, 10, 6, 0, 5))
    assert periods(w.village_a, campaign=campaign) == [(Cadence.WEEKLY, D(2026, 9, 28), D(2026, 10, 4))]
    schedule.ensure_reports(at(2026, 10, 12, 0, 5))
    assert periods(w.village_a, campaign__isnull=True)[-3:] == [
        (Cadence.DAILY, D(2026, 10, 7), D(2026, 10, 7)),
        (Cadence.TEN_DAYS, D(2026, 10, 8), D(2026, 10, 10)),  # 上旬 after the special period
        (Cadence.TEN_DAYS, D(2026, 10, 11), D(2026, 10, 20)),
    ]


def test_compliance_counts_fixed_dataset(sworld):
    w = sworld.w
    wk = [(D(2026, 3, 2) + timedelta(days=7 * i), D(2026, 3, 8) + timedelta(days=7 * i)) for i in range(4)]
    # 桂花村: on time (zero), on time (with findings), late (zero), overdue.
    make_report(w.village_a, *wk[0], status=ReportStatus.SUBMITTED, is_zero=True, submitted_by=w.mediator_a)
    make_report(w.village_a, *wk[1], status=ReportStatus.SUBMITTED, submitted_by=w.mediator_a)
    make_report(
        w.village_a, *wk[2], status=ReportStatus.SUBMITTED, is_zero=True, is_late=True, submitted_by=w.mediator_a
    )
    make_report(w.village_a, *wk[3], status=ReportStatus.OVERDUE)
    # 柏墩村: a superseded version and its submitted correction (counted once), and one pending.
    old = make_report(w.village_b, *wk[0], status=ReportStatus.SUPERSEDED, is_zero=True)
    make_report(w.village_b, *wk[0], status=ReportStatus.SUBMITTED, version=2, supersedes=old, is_zero=False)
    make_report(w.village_b, *wk[3], status=ReportStatus.PENDING, due=at(2026, 3, 30, 18))
    # A pending correction of a submitted report does not count twice.
    sub = make_report(w.village_b, *wk[1], status=ReportStatus.SUBMITTED, is_zero=True)
    make_report(w.village_b, *wk[1], status=ReportStatus.PENDING, version=2, supersedes=sub)
    # Outside the area or the range.
    make_report(w.village_c, *wk[0], status=ReportStatus.OVERDUE)
    make_report(w.village_a, D(2026, 2, 23), D(2026, 3, 1), status=ReportStatus.OVERDUE)

    rows = schedule.compliance("421202001", D(2026, 3, 2), D(2026, 3, 29))
    got = {u.committee.pk: (u.expected, u.on_time, u.late, u.missing, u.zero, u.pending) for u in rows}
    assert got == {w.village_a.pk: (4, 2, 1, 1, 2, 0), w.village_b.pk: (3, 2, 0, 0, 1, 1)}
    a = next(u for u in rows if u.committee == w.village_a)
    assert a.rate == 50
    assert [r.period_start for r in a.reports] == [wk[3][0], wk[2][0], wk[1][0], wk[0][0]]
    city = schedule.compliance("4212", D(2026, 3, 2), D(2026, 3, 8))
    assert {u.committee.pk for u in city} == {w.village_a.pk, w.village_b.pk, w.village_c.pk}
