"""A unit's screening report: zero report, findings, submission, correction; a finding's way on (issue 12 point 2).
Owner: h-reports."""

from datetime import date, datetime
from decimal import Decimal

from accounts.models import User
from cases.actions.intake import CaseData
from cases.models import Case
from screening.models import Finding, ScreeningReport


def do_submit_zero_report(
    actor: User,
    report: ScreeningReport,
    *,
    participants: str = "",
    method: str = "",
    note: str = "",
    at: datetime | None = None,
) -> ScreeningReport:
    """零报告: nothing found this period, attested by the actor (one tap). Refused when the report has findings.
    Late when after due_at (is_late). Freezes the report (snapshot) and cancels its timers."""
    raise NotImplementedError


def do_add_finding(
    actor: User,
    report: ScreeningReport,
    *,
    place: str,
    parties: str,
    headcount: int,
    dispute_type: str,
    facts: str,
    risk_signs: str = "",
    measures: str = "",
    amount: Decimal | None = None,
    division_code: str | None = None,
    found_on: date | None = None,
    at: datetime | None = None,
) -> Finding:
    """A dispute or risk found in the report's period (found_on inside it, default today capped to the period).
    `division_code` defaults to the committee's division and must lie inside it. is_major per screening.rules."""
    raise NotImplementedError


def do_submit_report(
    actor: User,
    report: ScreeningReport,
    *,
    participants: str,
    method: str,
    note: str = "",
    at: datetime | None = None,
) -> ScreeningReport:
    """Submit a report with at least one finding (none: a zero report instead). Frozen from then on."""
    raise NotImplementedError


def do_correct_report(
    actor: User, report: ScreeningReport, *, reason: str, at: datetime | None = None
) -> ScreeningReport:
    """A correction of a submitted report: a new version (open for findings and resubmission) that supersedes it;
    the old version keeps its snapshot and becomes SUPERSEDED when the new one is submitted."""
    raise NotImplementedError


def do_open_case_from_finding(actor: User, finding: Finding, data: CaseData, *, at: datetime | None = None) -> Case:
    """Register the finding as a case through cases.actions.do_register_case with source PROACTIVE (排查发现); the
    finding becomes IN_CASE and links the case; its risks follow the case."""
    raise NotImplementedError


def do_resolve_finding(actor: User, finding: Finding, *, note: str, at: datetime | None = None) -> Finding:
    """Resolved on the spot without a case (就地化解), with what was done."""
    raise NotImplementedError
