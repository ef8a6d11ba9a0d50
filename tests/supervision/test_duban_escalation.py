"""Escalation of an unanswered 督办 under frozen time: yellow card and the county at the first threshold, red card
and the city at the second, nothing after a reply, nothing twice (data/supervision_rules.json: SFS replies in 5
working days, yellow 1 and red 5 working days after the deadline)."""

from datetime import timedelta

import pytest
import time_machine

from cases import actions as A
from cases import timers
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from supervision.models import Supervision
from supervision.models_duban import CardLevel, SupervisionLevel, SupervisionStatus
from tests.actions.helpers import dt
from tests.supervision.duban_helpers import REPLY, fresh_calendar, mediating, supervise  # noqa: F401

pytestmark = pytest.mark.django_db

# Deadline Tue 17 March; yellow at the start of Wed 18; red at the start of Tue 24 (18, 19, 20, 23, 24).
YELLOW, RED = dt(2026, 3, 18, 0), dt(2026, 3, 24, 0)


def fire(at):
    """Fire the due 督办 deadlines (the case's own clocks — time-limit reminders and the like — fire too in the
    scan, but are not what these tests count)."""
    with time_machine.travel(at, tick=False):
        due = Timer.objects.filter(
            kind=TimerKind.SUPERVISION_DEADLINE, fired_at__isnull=True, cancelled_at__isnull=True, fire_at__lte=at
        ).values_list("pk", flat=True)
        return sum(1 for pk in list(due) if timers.fire_one(pk, at))


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_yellow_then_red_each_to_the_next_level(world):
    case = mediating(world)
    sfs = supervise(world, case)
    assert fire(YELLOW - timedelta(seconds=1)) == 0
    assert fire(YELLOW) == 1
    sfs.refresh_from_db()
    assert (sfs.status, sfs.card) == (SupervisionStatus.ESCALATED, CardLevel.YELLOW)
    county = Supervision.objects.get(escalated_from=sfs)
    assert (county.level, county.card, county.status, county.issued_by) == (
        SupervisionLevel.COUNTY,
        CardLevel.YELLOW,
        SupervisionStatus.PENDING,
        None,
    )
    assert told(NoticeKind.SUPERVISION_ESCALATED) == {"county_admin"}  # not the next county, not the city yet
    assert told(NoticeKind.SUPERVISION_UNANSWERED) == {"sfs_officer"}
    ev = case.events.get(action="supervision_escalate")
    assert ev.actor is None and ev.actor_label == "系统（督办监控）"

    assert fire(YELLOW + timedelta(days=1)) == 0  # firing again escalates nothing
    assert fire(RED) == 1
    county.refresh_from_db()
    assert (county.status, county.card) == (SupervisionStatus.ESCALATED, CardLevel.RED)
    city = Supervision.objects.get(escalated_from=county)
    assert (city.level, city.card, city.status) == (SupervisionLevel.CITY, CardLevel.RED, SupervisionStatus.PENDING)
    assert told(NoticeKind.SUPERVISION_ESCALATED) == {"county_admin", "city_admin"}
    assert fire(RED + timedelta(days=30)) == 0
    assert case.events.filter(action="supervision_escalate").count() == 2
    assert [s.pk for s in sfs.chain()] == [sfs.pk, county.pk, city.pk]

    # the committee answers the city's 督办: the chain is answered, the city and the first issuer are told
    A.do_reply_supervision(sfs, world.director_a, text=REPLY, at=RED + timedelta(hours=10))
    city.refresh_from_db()
    assert city.status == SupervisionStatus.REPLIED
    assert told(NoticeKind.SUPERVISION_REPLY) == {"sfs_officer", "city_admin"}


def test_no_escalation_after_a_reply(world):
    case = mediating(world)
    sup = supervise(world, case)
    A.do_reply_supervision(sup, world.mediator_a, text=REPLY, at=dt(2026, 3, 17, 17))
    assert fire(RED + timedelta(days=10)) == 0
    sup.refresh_from_db()
    assert (sup.status, sup.card) == (SupervisionStatus.REPLIED, CardLevel.NONE)
    assert not case.events.filter(action="supervision_escalate").exists()
    assert not told(NoticeKind.SUPERVISION_ESCALATED)


def test_late_scan_fires_both_thresholds_once_and_ends_red(world):
    """A scan that runs only after both thresholds escalates twice in order (yellow, then red), never more."""
    case = mediating(world)
    sup = supervise(world, case)
    assert fire(RED + timedelta(days=2)) == 2
    assert fire(RED + timedelta(days=3)) == 0
    head = sup.head()
    assert (head.level, head.card) == (SupervisionLevel.CITY, CardLevel.RED)
    assert case.events.filter(action="supervision_escalate").count() == 2


def test_city_supervision_raises_cards_in_place(world):
    case = mediating(world)
    sup = supervise(world, case, world.city_admin)  # CITY: 3 days, yellow 1, red 3 → deadline Fri 13 March
    assert str(sup.reply_deadline) == "2026-03-13"
    fire(dt(2026, 3, 16, 0))
    sup.refresh_from_db()
    assert (sup.status, sup.card) == (SupervisionStatus.PENDING, CardLevel.YELLOW)
    fire(dt(2026, 3, 18, 0))
    sup.refresh_from_db()
    assert sup.card == CardLevel.RED and not Supervision.objects.filter(escalated_from=sup).exists()
    assert told(NoticeKind.SUPERVISION_ESCALATED) == {"city_admin"}


def test_escalation_directly_is_idempotent(world):
    case = mediating(world)
    sup = supervise(world, case)
    assert A.do_escalate_supervision(sup, card=CardLevel.YELLOW, at=YELLOW) is not None
    assert A.do_escalate_supervision(sup, card=CardLevel.YELLOW, at=YELLOW) is None
    assert case.events.filter(action="supervision_escalate").count() == 1
