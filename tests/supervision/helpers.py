"""Building supervision test data through the real actions, at chosen dates, with a chosen entry time."""

import random
from datetime import datetime, timedelta

from cases import actions as A
from cases.enums import CaseStatus
from cases.models import Case
from demo.scenarios import Cast, Walker
from tests.world import TZ, World, case_data


def dt(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def cast_for(world: World, committee) -> Cast:
    if committee == world.village_a:
        return Cast(director=world.director_a, mediator=world.mediator_a)
    if committee == world.village_b:
        return Cast(director=world.director_b, mediator=world.mediator_b)
    return Cast(director=world.director_c, mediator=world.mediator_c)


def build(
    world: World,
    status: CaseStatus,
    at: datetime,
    *,
    committee=None,
    entered_at: datetime | None = None,
    oral: bool = False,
    seed: int = 0,
    **overrides,
) -> Case:
    """Register at `at` (entered an hour later unless told otherwise) and walk to `status` through the actions.
    Acceptance happens within 30 hours of `at`, so a case registered early in a month is accepted in it."""
    committee = committee or world.village_a
    cast = cast_for(world, committee)
    data = case_data(None, **overrides)
    case = A.do_register_case(cast.mediator, committee, data, at=at, entered_at=entered_at or at + timedelta(hours=1))
    walker = Walker(case, cast, at, random.Random(seed), oral_share=1.0 if oral else 0.0)
    return walker.walk(status)


def set_entered(case: Case, when: datetime) -> None:
    """Simulate a late (backdated) entry: the case reached the system at `when`."""
    Case.objects.filter(pk=case.pk).update(entered_at=when)
