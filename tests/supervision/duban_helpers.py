"""Shared by the 督办 tests: a case in mediation at village A (mediator_a presiding, mediator_a2 co-mediating), a
township officer of the next county's township, snapshots of everything a supervision action writes."""

from datetime import datetime

import pytest

from accounts.models import Role, User
from cases import actions as A
from cases.models import Case, CaseEvent, Notification, Timer
from notifications.models import OutboxMessage
from registry.models import Division
from supervision.models import Supervision, SupervisionEvent
from tests.actions.helpers import dt, register
from tests.world import PASSWORD, World
from workdays import calendar

ISSUE_AT = dt(2026, 3, 10, 10)  # a Tuesday; the SFS default reply deadline (5 working days) is 2026-03-17
INSTRUCTION = "该案已临近调解期限，请抓紧组织双方调解并报告进展情况。"
REPLY = "已于3月12日组织双方再次调解，双方就赔偿金额基本达成一致，预计一周内签订协议。"


@pytest.fixture(autouse=True)
def fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def mediating(world: World, at: datetime | None = None) -> Case:
    at = at or dt(2026, 3, 2, 10)
    case = register(world, at.replace(hour=at.hour - 1))
    A.do_accept_case(case, world.director_a, at=at)
    A.do_assign_mediators(
        case,
        world.director_a,
        presiding=world.mediator_a.mediator,
        co_mediators=[world.mediator_a2.mediator],
        rights_notified=True,
        identities_checked=True,
        at=at.replace(hour=at.hour + 1),
    )
    case.refresh_from_db()
    return case


def other_township_officer() -> User:
    """A 司法所 officer of 鱼岳镇 (嘉鱼县): a township of the next county."""
    return User.objects.create_user(
        username="sfs_other",
        password=PASSWORD,
        role=Role.SFS_OFFICER,
        full_name="鱼岳司法所",
        division=Division.objects.get(code="421221100"),
    )


def people(world: World) -> dict[str, User]:
    return {**world.personas(), "director_b": world.director_b, "sfs_other": other_township_officer()}


def written() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Supervision, SupervisionEvent, CaseEvent, Timer, Notification, OutboxMessage)
    }


def supervise(world: World, case: Case, who: User | None = None, at: datetime = ISSUE_AT) -> Supervision:
    return A.do_supervise_case(case, who or world.sfs_officer, instruction=INSTRUCTION, at=at)
