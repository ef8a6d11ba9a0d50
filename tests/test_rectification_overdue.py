"""Deadlines with frozen time (issue 16 §4): reminders before the 整改时限 and 督办 after it, through the engine room's
timers (cases.timers.fire_due); an overdue item turns red on the pages; an accepted item's clocks stop; a revised
deadline restarts them."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cases import timers
from cases.models import Notification
from ledgers.events import history
from ledgers.rectification import actions as A
from ledgers.rectification import clock
from tests.rectification_people import at, build, listed_item
from tests.test_rectification_flow import accepted, in_progress


@pytest.fixture
def r(world):
    return build(world)


def test_the_clocks_of_a_listed_item(r):
    item = listed_item(r)  # deadline 2026-04-30
    rules = sorted((t.rule, t.fire_at.isoformat()) for t in clock.live(item))
    assert rules == [
        ("RECT_DUBAN:+1", "2026-05-01T01:00:00+00:00"),
        ("RECT_DUBAN:+15", "2026-05-15T01:00:00+00:00"),
        ("RECT_REMINDER:-1", "2026-04-29T01:00:00+00:00"),
        ("RECT_REMINDER:-7", "2026-04-23T01:00:00+00:00"),
    ]


def test_reminder_then_duban_and_the_red_mark(r, client):
    item = listed_item(r)
    in_progress(r, item)
    with time_machine.travel(at(2026, 4, 22, 18), tick=False):
        assert timers.fire_due() == 0
        assert not item.is_overdue(date(2026, 4, 22))
    with time_machine.travel(at(2026, 4, 23, 9, 30), tick=False):
        assert timers.fire_due() == 1
    reminded = Notification.objects.filter(kind=clock.NOTICE_REMINDER)
    assert set(reminded.values_list("user", flat=True)) == {r.staff.pk, r.leader.pk}
    assert "还有7天" in reminded.first().message
    assert reminded.first().link == reverse("rectification:item", args=[item.pk])
    with time_machine.travel(at(2026, 4, 30, 20), tick=False):
        timers.fire_due()  # the -1 reminder
        client.force_login(r.office)
        page = client.get(reverse("rectification:inspection", args=[item.inspection_id])).content.decode()
        assert "table-danger" not in page  # the deadline day itself is not overdue
    with time_machine.travel(at(2026, 5, 1, 9, 30), tick=False):
        assert item.is_overdue(date(2026, 5, 1))
        assert timers.fire_due() == 1
        client.force_login(r.office)
        page = client.get(reverse("rectification:inspection", args=[item.inspection_id])).content.decode()
        assert "table-danger" in page and "逾期" in page
        overdue = client.get(reverse("rectification:inspection", args=[item.inspection_id]) + "?status=overdue")
        assert overdue.content.decode().count(reverse("rectification:item", args=[item.pk])) == 2  # table and list
        detail = client.get(reverse("rectification:item", args=[item.pk])).content.decode()
        assert "已超过整改时限" in detail
    duban = Notification.objects.filter(kind=clock.NOTICE_DUBAN)
    assert set(duban.values_list("user", flat=True)) == {r.staff.pk, r.leader.pk, r.office.pk}
    assert "已超过整改时限1天" in duban.first().message
    assert [e.action for e in history(item)][-3:] == ["reminder", "reminder", "duban"]
    assert history(item).last().actor is None
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        assert timers.fire_due() == 0  # fired once, never twice


def test_acceptance_stops_the_clocks_and_an_accepted_item_is_not_red(r):
    item = accepted(r, listed_item(r))
    assert not clock.live(item).exists()
    with time_machine.travel(at(2026, 5, 20, 10), tick=False):
        assert timers.fire_due() == 0
        assert not item.is_overdue(date(2026, 5, 20))
    assert not Notification.objects.filter(kind=clock.NOTICE_DUBAN).exists()


def test_a_revised_deadline_restarts_the_clocks(r):
    item = listed_item(r)
    A.do_revise_item(
        r.office,
        item,
        measures=item.measures,
        deadline=date(2026, 6, 30),
        reason="经党组会议研究延期",
        at=at(2026, 3, 1),
    )
    item.refresh_from_db()
    assert {t.deadline for t in clock.live(item)} == {date(2026, 6, 30)}
    assert history(item).last().changes == {"deadline": ["2026-04-30", "2026-06-30"]}
    with time_machine.travel(at(2026, 5, 2, 10), tick=False):
        assert timers.fire_due() == 0  # the old deadline's clocks were cancelled
        assert not item.is_overdue(date(2026, 5, 2))


def test_a_clock_that_fires_after_the_item_was_closed_does_nothing(r):
    item = listed_item(r)
    timer = clock.live(item).get(rule="RECT_DUBAN:+1")
    accepted(r, item)
    A.do_close_item(r.office, item, at=at(2026, 3, 5))
    # Even if the row were still live (e.g. written by an older version), the handler checks the state.
    assert clock.fire_duban(timer, at(2026, 5, 1, 9)) == "无需督办"
