"""Policy, special periods and campaigns (issue 12 point 1). Owner: h-policy."""

from datetime import date, datetime, time

from accounts.models import User
from registry.models import Division
from screening.models import ScreeningCampaign, ScreeningPolicy, SpecialPeriod


def do_set_policy(
    actor: User,
    division: Division,
    *,
    unit_level: int,
    cadence: str,
    due_offset_workdays: int,
    due_time: time,
    zero_report_required: bool,
    include_industry: bool,
    effective_from: date,
    document_no: str = "",
    note: str = "",
    at: datetime | None = None,
) -> ScreeningPolicy:
    """A new version of the screening policy of `division` for units at `unit_level`, in force from
    `effective_from` (not in the past); the version in force before it ends the day before. Only
    can_set_policy(actor, division.code). Reports of periods already begun keep their policy."""
    raise NotImplementedError


def do_add_special_period(
    actor: User,
    division: Division,
    *,
    name: str,
    start: date,
    end: date,
    cadence: str,
    unit_levels: list[int],
    at: datetime | None = None,
) -> SpecialPeriod:
    """A special period (节假日、敏感时期): from `start` to `end` the units of `unit_levels` (all if empty) screen at
    `cadence`, which must be more frequent than their policy's."""
    raise NotImplementedError


def do_cancel_special_period(actor: User, period: SpecialPeriod, *, at: datetime | None = None) -> SpecialPeriod:
    """Cancel a special period that has not begun (one that has begun ends today instead)."""
    raise NotImplementedError


def do_start_campaign(
    actor: User,
    division: Division,
    *,
    theme: str,
    description: str,
    area_codes: list[str],
    start: date,
    end: date,
    cadence: str,
    at: datetime | None = None,
) -> ScreeningCampaign:
    """A special screening campaign (专项排查) with a theme, areas inside `division` and dates; the scan gives every
    unit in the areas a campaign report per campaign period; the units are notified."""
    raise NotImplementedError


def do_close_campaign(actor: User, campaign: ScreeningCampaign, *, at: datetime | None = None) -> ScreeningCampaign:
    """End a campaign early: later periods get no reports; periods already begun are still due."""
    raise NotImplementedError
