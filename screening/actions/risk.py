"""Risk assessment (研判): levels, owner, measures, review, resolution, meetings (issue 12 point 3). Owner: h-risk."""

from datetime import date, datetime
from decimal import Decimal

from accounts.models import User
from cases.models import Case
from registry.models import Division
from screening.models import Finding, RiskAssessment, RiskMeeting

_UNSET = object()


def do_assess_risk(
    actor: User,
    *,
    case: Case | None = None,
    finding: Finding | None = None,
    title: str,
    flags: list[str],
    level: str,
    reasons: str,
    owner: User | None = None,
    measures: str = "",
    review_on: date | None = None,
    headcount: int = 0,
    amount: Decimal | None = None,
    at: datetime | None = None,
) -> RiskAssessment:
    """A new risk on a case or a finding (exactly one). RED and ORANGE start the escalation ladder at once
    (screening.actions.escalation.start_chain); flags in police_flags also go to the police. A finding's risk
    marks it 重大 when RED or ORANGE."""
    raise NotImplementedError


def do_change_level(
    actor: User, risk: RiskAssessment, *, level: str, reason: str, at: datetime | None = None
) -> RiskAssessment:
    """Raise (can_raise: anyone on the case) or lower (can_lower: the owner or above) with a reason. Raising to
    ORANGE/RED (re)starts the ladder with the new level's deadlines; lowering to YELLOW stops pending hops."""
    raise NotImplementedError


def do_update_risk(
    actor: User,
    risk: RiskAssessment,
    *,
    reason: str,
    flags: list[str] | None = None,
    owner: object = _UNSET,
    measures: str | None = None,
    review_on: object = _UNSET,
    at: datetime | None = None,
) -> RiskAssessment:
    """Change flags, owner (包案领导), measures or review date, with a reason; a new police flag starts the police
    hand-off."""
    raise NotImplementedError


def do_review_risk(
    actor: User, risk: RiskAssessment, *, note: str, next_review_on: date | None = None, at: datetime | None = None
) -> RiskAssessment:
    """The periodic review (复核) of an open risk: what was found, and the next review date."""
    raise NotImplementedError


def do_resolve_risk(
    actor: User, risk: RiskAssessment, *, note: str, handed_over: bool = False, at: datetime | None = None
) -> RiskAssessment:
    """化解 (or 移交处置): the risk is no longer open; pending hops stop."""
    raise NotImplementedError


def do_record_meeting(
    actor: User,
    division: Division,
    *,
    held_on: date,
    title: str,
    chair: str,
    attendees: str,
    minutes: str,
    risks: list[RiskAssessment],
    at: datetime | None = None,
) -> RiskMeeting:
    """Minutes of a 研判 meeting, attached to the risks it discussed (each gets a DISCUSSED event)."""
    raise NotImplementedError


def open_risk_from_termination(
    case: Case, actor: User, at: datetime, *, note: str, measures: str = ""
) -> RiskAssessment:
    """Called by cases.actions.do_terminate_mediation (in its transaction) when the mediator marks 存在激化风险: a
    risk at the configured termination_level on the case, which starts the ladder."""
    raise NotImplementedError
