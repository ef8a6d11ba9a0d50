"""The screening scan: which units must report, the report rows of each period, their due timers, and
compliance figures. Owner: h-policy.

- `policy_for(committee, day)`: the policy in force for the committee's level (the nearest division's: a
  county's overrides the city's), or None;
- `units_for(division_code, unit_level, include_industry)`: active committees that must report;
- `ensure_reports(now)`: create the missing report rows of periods that have begun (routine, special, campaign),
  each with its SCREENING_REPORT_DUE timers (a reminder on the due day's morning, overdue at due_at); idempotent;
  run daily by screening.tasks and after a policy, special period or campaign is saved;
- the SCREENING_REPORT_DUE handler: remind the unit, or mark OVERDUE, tell the unit and the township's 司法所;
- `compliance(division_code, start, end)`: per unit, reports expected / on time / late / missing / zero — shown
  to the township and the bureau and used by the assessment (考评, issue 15)."""

from dataclasses import dataclass
from datetime import date, datetime

from registry.models import Committee
from screening.models import ScreeningPolicy


@dataclass
class UnitCompliance:
    committee: Committee
    expected: int
    on_time: int
    late: int
    missing: int  # past due and not submitted (OVERDUE)
    zero: int
    pending: int  # not yet due


def policy_for(committee: Committee, day: date) -> ScreeningPolicy | None:
    raise NotImplementedError


def units_for(division_code: str, unit_level: int, include_industry: bool) -> list[Committee]:
    raise NotImplementedError


def ensure_reports(now: datetime, *, division_code: str = "") -> int:
    """Create the report rows due so far (and their timers); returns how many were created."""
    raise NotImplementedError


def compliance(division_code: str, start: date, end: date) -> list[UnitCompliance]:
    raise NotImplementedError
