"""The demo's screening history (demo/screening_seed.py, issue 12): two years of reports in the demo county with
realistic gaps, findings that became cases or were resolved on site, red and orange risks with their whole
escalation chains (one hop timed out and moved up, one with the police), meetings, the last full quarter's form,
and the two demo accounts of this part — all made through screening.actions with the real clocks, before --today."""

import time
from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import Role, User
from cases.enums import CaseSource
from cases.models import CaseEvent, Notification
from demo.city import CITY_CODE, DEMO_COUNTY, DEMO_PASSWORD, DEMO_TOWNSHIP, TZ
from demo.scenarios import in_working_hours
from demo.screening_seed import GOV_USERNAME, POLICE_USERNAME, SCREENING_ACCOUNTS
from notifications.models import OutboxMessage
from registry.models import DivisionLevel
from screening.enums import Cadence, EscalationStep, FormStatus, HopStatus, ReportStatus, RiskEventKind, RiskLevel
from screening.models import (
    EscalationHop,
    Finding,
    RiskAssessment,
    RiskEvent,
    RiskMeeting,
    ScreeningCampaign,
    ScreeningForm,
    ScreeningPolicy,
    ScreeningReport,
    SpecialPeriod,
)
from screening.scoping import risks_visible_to

TODAY = "2026-06-30"
END = datetime(2026, 6, 30, tzinfo=TZ)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One small demo (40 cases) with the full screening history, shared by the tests of this module and dropped
    afterwards.

    SQLite only: the demo is the embedded database's (`make demo`), and seeding two years of history inside one
    test transaction on PostgreSQL runs tens of thousands of savepoints in a single transaction, past the server's
    subtransaction cache, where every snapshot becomes slow (a run took over 20 minutes). Seeding the demo on
    PostgreSQL in chunks of committed transactions is issue 14's (the production profile)."""
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        pytest.skip("the demo's two-year screening seed is tested on SQLite (the demo's database); see the docstring")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_divisions", stdout=StringIO())
            out = StringIO()
            started = time.monotonic()
            call_command("seed_demo", "--seed", "5", "--cases", "40", "--today", TODAY, stdout=out, stderr=StringIO())
            yield {"out": out.getvalue(), "seconds": time.monotonic() - started}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def db_seeded(seeded, db):
    return seeded


def test_policies_special_periods_and_campaigns(db_seeded):
    policies = {p.unit_level: p for p in ScreeningPolicy.objects.all()}
    assert {level: (p.division_id, p.cadence) for level, p in policies.items()} == {
        DivisionLevel.VILLAGE: (DEMO_COUNTY, Cadence.WEEKLY),
        DivisionLevel.TOWNSHIP: (DEMO_COUNTY, Cadence.TEN_DAYS),
        DivisionLevel.COUNTY: (CITY_CODE, Cadence.MONTHLY),  # a policy is set for the levels below its division
    }
    two_years_ago = (END - timedelta(days=700)).date()
    assert all(p.zero_report_required and p.effective_from <= two_years_ago for p in policies.values())
    specials = list(SpecialPeriod.objects.order_by("start"))
    assert [s.start.year for s in specials] == [2025, 2026] and all("春节" in s.name for s in specials)
    assert all(s.cadence == Cadence.DAILY for s in specials)
    assert ScreeningCampaign.objects.count() == 2
    assert ScreeningReport.objects.exclude(campaign=None).filter(status=ReportStatus.SUBMITTED).exists()
    assert ScreeningReport.objects.exclude(special_period=None).filter(cadence=Cadence.DAILY).count() > 50


def test_two_years_of_reports_with_realistic_gaps(db_seeded):
    reports = ScreeningReport.objects.filter(campaign=None)
    first, last = min(reports.values_list("period_start", flat=True)), max(reports.values_list("period_end", flat=True))
    assert first <= (END - timedelta(days=700)).date() and last >= (END - timedelta(days=7)).date()
    # The demo village reports every week for two years (plus the 春节 days): no unit is thinned out.
    from demo.city import DEMO_VILLAGE

    village_weeks = reports.filter(division_code=DEMO_VILLAGE, cadence=Cadence.WEEKLY).count()
    assert village_weeks >= 100
    units = Counter(reports.filter(cadence=Cadence.WEEKLY).values_list("committee_id", flat=True))
    assert len(units) > 40 and min(units.values()) >= 95
    assert reports.filter(cadence=Cadence.TEN_DAYS).count() >= 10 * 70

    due = ScreeningReport.objects.filter(due_at__lt=END, version=1)
    n = due.count()
    status = Counter(due.values_list("status", flat=True))
    submitted = due.filter(status=ReportStatus.SUBMITTED)
    zero = submitted.filter(is_zero=True).count()
    late = submitted.filter(is_late=True).count()
    overdue = status[ReportStatus.OVERDUE]
    assert n > 5000
    assert 0.80 < zero / submitted.count() < 0.95  # mostly zero reports; about 10% with findings
    assert 0.03 < late / n < 0.08
    assert 0.01 < overdue / n < 0.04
    assert status[ReportStatus.PENDING] == 0  # everything due before today was filed or marked overdue
    # Late means after its deadline; on time means before it; nothing after today.
    assert all(s > d for s, d in submitted.filter(is_late=True).values_list("submitted_at", "due_at"))
    assert all(s <= d for s, d in submitted.filter(is_late=False).values_list("submitted_at", "due_at"))
    assert not ScreeningReport.objects.filter(submitted_at__gte=END).exists()
    # The open reports of today are there for the units to file.
    assert ScreeningReport.objects.filter(status=ReportStatus.PENDING, due_at__gte=END).count() > 40
    # The clocks acted: reminders on the due day, overdue notices to the unit and to the township's 司法所.
    kinds = Counter(Notification.objects.values_list("kind", flat=True))
    assert kinds["SCREENING_DUE"] > 100 and kinds["SCREENING_OVERDUE"] >= overdue
    sfs = User.objects.get(username="sfs")
    assert Notification.objects.filter(kind="SCREENING_OVERDUE", user=sfs).exists()
    assert not OutboxMessage.objects.exists()  # the past's SMS are not sent now


def test_findings_cases_and_resolutions(db_seeded):
    findings = Finding.objects.all()
    assert findings.count() > 300
    in_case = findings.filter(status="IN_CASE")
    assert in_case.count() > 30 and findings.filter(status="RESOLVED").count() > 100
    assert findings.filter(status="WATCHING").exists()
    for f in in_case.select_related("case"):
        assert f.case.source == CaseSource.PROACTIVE and f.case.committee_id == f.committee_id
    assert all(f.resolution_note and f.resolved_at < END for f in findings.filter(status="RESOLVED"))
    assert findings.exclude(campaign=None).exists()
    assert findings.filter(is_major=True).exists() and findings.filter(headcount__gt=100).exists()
    # The cases made from findings were walked in office hours, before today.
    events = CaseEvent.objects.filter(case__screening_finding__isnull=False)
    assert events.exists() and all(in_working_hours(t) and t < END for t in events.values_list("at", flat=True))
    assert in_case.filter(case__status__in=["CLOSED", "ARCHIVED"]).exists()


def _steps(risk: RiskAssessment) -> list[tuple[str, str]]:
    return list(risk.hops.order_by("seq").values_list("step", "status"))


def test_red_and_orange_risks_with_their_chains(db_seeded):
    risks = RiskAssessment.objects.all()
    levels = Counter(risks.values_list("level", flat=True))
    assert levels[RiskLevel.RED] >= 2 and levels[RiskLevel.ORANGE] >= 2 and levels[RiskLevel.YELLOW] >= 5
    assert not RiskEvent.objects.filter(at__gte=END).exists()
    assert not EscalationHop.objects.filter(pushed_at__gte=END).exists()

    # A red risk acknowledged rung by rung up to the county, with its PUSHED and ACKNOWLEDGED events.
    complete = [
        r
        for r in risks.filter(level=RiskLevel.RED)
        if [s for s, st in _steps(r) if st == HopStatus.ACKNOWLEDGED and s != EscalationStep.POLICE]
        == [EscalationStep.COMMITTEE, EscalationStep.TOWNSHIP, EscalationStep.TOWNSHIP_GOV, EscalationStep.COUNTY]
    ]
    assert complete, [(_steps(r)) for r in risks.filter(level=RiskLevel.RED)]
    red = complete[0]
    kinds = Counter(red.events.values_list("kind", flat=True))
    assert kinds[RiskEventKind.PUSHED] >= 4 and kinds[RiskEventKind.ACKNOWLEDGED] >= 4
    assert kinds[RiskEventKind.ASSESSED] == 1 and kinds[RiskEventKind.INSTRUCTED] >= 1
    gov = User.objects.get(username=GOV_USERNAME)
    assert red.hops.get(step=EscalationStep.TOWNSHIP_GOV).acknowledged_by == gov
    for hop in red.hops.all():
        assert hop.pushed_at <= hop.acknowledged_at <= hop.ack_due_at

    # An orange risk acknowledged by its committee and the township (report_up_to TOWNSHIP).
    orange = [
        r
        for r in risks.filter(level=RiskLevel.ORANGE)
        if (EscalationStep.TOWNSHIP, HopStatus.ACKNOWLEDGED) in _steps(r)
    ]
    assert orange

    # One hop nobody signed in time: TIMED_OUT by the clock (no actor), the next rung pushed automatically.
    timed_out = EscalationHop.objects.filter(status=HopStatus.TIMED_OUT)
    assert timed_out.count() >= 1
    hop = timed_out.first()
    event = RiskEvent.objects.get(hop=hop, kind=RiskEventKind.TIMED_OUT)
    assert event.actor is None and event.actor_label and event.at == hop.ack_due_at
    after = hop.risk.hops.filter(seq__gt=hop.seq).order_by("seq").first()
    assert after is not None and "逾期" in after.reason and after.pushed_at == hop.ack_due_at
    assert after.status == HopStatus.ACKNOWLEDGED

    # One risk handed to the police in parallel, signed by the demo police liaison.
    police = User.objects.get(username=POLICE_USERNAME)
    police_hops = EscalationHop.objects.filter(step=EscalationStep.POLICE)
    assert police_hops.filter(status=HopStatus.ACKNOWLEDGED, acknowledged_by=police).exists()
    assert RiskEvent.objects.filter(kind=RiskEventKind.POLICE_HANDOFF).exists()

    # Resolved ones and an open red one (the board shows it today).
    assert risks.filter(status="RESOLVED").exists()
    assert risks.filter(status="OPEN", level=RiskLevel.RED).exists()

    # Meetings of the township, attached to the risks they discussed.
    meetings = RiskMeeting.objects.all()
    assert meetings.count() >= 3 and all(m.risks.exists() for m in meetings)
    assert RiskEvent.objects.filter(kind=RiskEventKind.DISCUSSED).count() >= meetings.count()


def test_the_last_full_quarter_form_is_submitted(db_seeded):
    form = ScreeningForm.objects.get(division_id=DEMO_COUNTY)
    assert form.period_kind == "QUARTER" and form.period_start == date(2026, 1, 1)
    assert form.status == FormStatus.SUBMITTED and form.signer and form.preparer and form.data
    assert form.submitted_at < END


def test_the_accounts_of_this_part(db_seeded, client):
    request = RequestFactory().post("/accounts/login/")
    for username in (*SCREENING_ACCOUNTS, POLICE_USERNAME):
        assert client.login(request=request, username=username, password=DEMO_PASSWORD), username
        client.logout()
    gov = User.objects.get(username=GOV_USERNAME)
    assert gov.role == Role.GOVERNANCE_OFFICER and gov.division_id == DEMO_TOWNSHIP
    police = User.objects.get(username=POLICE_USERNAME)
    assert police.role == Role.INSTITUTION_LIAISON
    # Both see risks: the governance officer those of the township, the police those pushed to the station.
    assert risks_visible_to(gov).filter(level=RiskLevel.RED).exists()
    assert risks_visible_to(police).exists()
    assert not risks_visible_to(police).exclude(hops__step=EscalationStep.POLICE).exists()
    for user in (gov, police):
        client.force_login(user)
        red = risks_visible_to(user).filter(level=RiskLevel.RED).first()
        assert client.get(f"/screening/risks/{red.pk}/").status_code == 200
        client.logout()


def test_printed_summary_and_time(db_seeded):
    out = db_seeded["out"]
    assert "排查预警：报送单位" in out and GOV_USERNAME in out
