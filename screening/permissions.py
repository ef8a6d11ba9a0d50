"""Who may do what in screening (the server decides; pages show only what is allowed). Every check assumes the
record was fetched through screening.scoping (so it is inside the user's jurisdiction) and adds the role rule.

Ranks ("the owner or above" lowers a level): mediator 1, director 2, 司法所 and 综治中心 3, county bureau 4, city 5."""

from accounts.models import Role, User
from screening.enums import EscalationStep, HopStatus, RiskStatus
from screening.models import EscalationHop, Finding, RiskAssessment, ScreeningReport

RANK = {
    Role.MEDIATOR: 1,
    Role.DIRECTOR: 2,
    Role.SFS_OFFICER: 3,
    Role.GOVERNANCE_OFFICER: 3,
    Role.COUNTY_ADMIN: 4,
    Role.CITY_ADMIN: 5,
}
POLICY_ROLES = (Role.COUNTY_ADMIN, Role.CITY_ADMIN)
SUPERVISORS = (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN)


def rank(user: User | None) -> int:
    return RANK.get(user.role, 0) if user is not None else 0


def covers(user: User, division_code: str) -> bool:
    """An area role whose division contains `division_code`."""
    return (
        user.role in (*SUPERVISORS, Role.GOVERNANCE_OFFICER)
        and bool(user.division_id)
        and division_code.startswith(str(user.division_id))
    )


def is_member_of(user: User, committee_id: int | None) -> bool:
    return (
        user.role in (Role.MEDIATOR, Role.DIRECTOR) and committee_id is not None and user.committee_id == committee_id
    )


def can_set_policy(user: User, division_code: str) -> bool:
    """A county (or city) bureau administrator sets the policy, special periods and campaigns of its own area."""
    return user.role in POLICY_ROLES and bool(user.division_id) and division_code.startswith(str(user.division_id))


def can_submit_report(user: User, report: ScreeningReport) -> bool:
    """A member of the reporting unit files (or corrects) its report; a submitted one is corrected, not edited."""
    return is_member_of(user, report.committee_id)


def can_add_finding(user: User, report: ScreeningReport) -> bool:
    return is_member_of(user, report.committee_id) and report.is_open


def can_handle_finding(user: User, finding: Finding) -> bool:
    """Register it as a case, mark it resolved on site: the finding unit's members."""
    return is_member_of(user, finding.committee_id)


def can_assess_case(user: User, case) -> bool:
    """Anyone on the case (its committee's members, its mediators) and the supervisors covering it."""
    if user.role in (Role.MEDIATOR, Role.DIRECTOR):
        return user.committee_id == case.committee_id or case.co_mediators.filter(user=user).exists()
    return covers(user, case.division_code) and user.role in SUPERVISORS


def can_assess_finding(user: User, finding: Finding) -> bool:
    return is_member_of(user, finding.committee_id) or (
        user.role in SUPERVISORS and covers(user, finding.division_code)
    )


def on_the_risk(user: User, risk: RiskAssessment) -> bool:
    """Anyone on the case or finding, and the area roles covering it."""
    if user.role in (Role.MEDIATOR, Role.DIRECTOR):
        if risk.case_id is not None:
            return can_assess_case(user, risk.case)
        return is_member_of(user, risk.committee_id)
    return covers(user, risk.division_code)


def can_raise(user: User, risk: RiskAssessment) -> bool:
    return risk.status == RiskStatus.OPEN and on_the_risk(user, risk)


def can_lower(user: User, risk: RiskAssessment) -> bool:
    """Only the owner (包案领导) or someone above them; with no owner, the committee's director or above."""
    if risk.status != RiskStatus.OPEN or not on_the_risk(user, risk):
        return False
    if risk.owner_id is not None:
        return user.pk == risk.owner_id or rank(user) > rank(risk.owner)
    return rank(user) >= RANK[Role.DIRECTOR]


def can_update(user: User, risk: RiskAssessment) -> bool:
    """Owner, measures, review date, flags: the owner, the committee's director, the area roles covering it."""
    if risk.status != RiskStatus.OPEN:
        return False
    if user.pk is not None and user.pk == risk.owner_id:
        return True
    if user.role == Role.DIRECTOR:
        return is_member_of(user, risk.committee_id)
    return covers(user, risk.division_code)


def can_resolve(user: User, risk: RiskAssessment) -> bool:
    """Mark it 化解 or 移交: the owner or above (as for lowering it)."""
    return can_lower(user, risk)


# The rank of those a rung reaches: a supervisor of at least this rank covering the rung's area may acknowledge
# for it. Nobody but the police acknowledges a POLICE hop.
STEP_RANK = {
    EscalationStep.COMMITTEE: RANK[Role.DIRECTOR],
    EscalationStep.TOWNSHIP: RANK[Role.SFS_OFFICER],
    EscalationStep.TOWNSHIP_GOV: RANK[Role.GOVERNANCE_OFFICER],
    EscalationStep.COUNTY: RANK[Role.COUNTY_ADMIN],
}


def can_acknowledge(user: User, hop: EscalationHop) -> bool:
    """Those the hop reached, and the supervisors at or above its rung covering its area."""
    if hop.status != HopStatus.PENDING:
        return False
    if user.pk in (hop.recipient_ids or []):
        # Told at push time, and still in a position to see it (not moved to another area since).
        from screening.scoping import hops_visible_to

        return hops_visible_to(user).filter(pk=hop.pk).exists()
    needed = STEP_RANK.get(hop.step)
    return needed is not None and user.role in SUPERVISORS and covers(user, hop.division_code) and rank(user) >= needed


def can_instruct(user: User, risk: RiskAssessment) -> bool:
    """Instructions (批示) come from the committee's director, the owner and the area roles covering it."""
    return risk.status == RiskStatus.OPEN and (can_update(user, risk) or user.pk == risk.owner_id)


def can_record_meeting(user: User) -> bool:
    return user.role in (*SUPERVISORS, Role.GOVERNANCE_OFFICER) and bool(user.division_id)


def can_make_form(user: User, division_code: str) -> bool:
    """The screening report form of an area: the supervisors of that area (a 司法所 its township, a bureau its
    county or city, and the areas inside)."""
    return user.role in SUPERVISORS and bool(user.division_id) and division_code.startswith(str(user.division_id))
