"""黄牌 / 红牌 (REFERRAL_STAGE_ALERT): the periodic scan gives open referrals their alert timers, each threshold fires
once with the right recipients, a change of stage moves the timers, an alert of an ended stage says nothing."""

import pytest
import time_machine

from cases import timers
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from referrals.enums import ReferralEventKind, ReferralStatus
from referrals.models import Referral, ReferralEvent
from referrals.timers_board import scan_stage_alerts, sync_stage_timers
from tests.referrals.board_helpers import Board, dt, fresh_tables  # noqa: F401  (fresh_tables is autouse)

pytestmark = pytest.mark.django_db
KIND = TimerKind.REFERRAL_STAGE_ALERT


def alerts():
    return Timer.objects.filter(kind=KIND)


def alerted(**filters) -> set[str]:
    return set(
        Notification.objects.filter(kind=NoticeKind.REFERRAL_ALERT, **filters).values_list("user__username", flat=True)
    )


def test_yellow_then_red_at_the_hub_with_the_right_recipients(world):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))  # receive at the township hub: 4 / 8 hours
    assert scan_stage_alerts(dt(2026, 3, 2, 9, 30)) == 1
    assert {(t.rule, t.fire_at) for t in alerts()} == {
        ("receive:YELLOW", dt(2026, 3, 2, 13)),
        ("receive:RED", dt(2026, 3, 2, 17)),
    }
    assert all(t.case_id is None and t.target_id == ref.pk for t in alerts())
    scan_stage_alerts(dt(2026, 3, 2, 10))  # idempotent
    assert alerts().count() == 2

    assert timers.fire_due(dt(2026, 3, 2, 12, 59)) == 0
    assert alerted() == set()
    scan_stage_alerts(dt(2026, 3, 2, 13))
    assert alerted() == {"hub_director"}  # 黄牌: the holder's director only
    yellow = Notification.objects.get(kind=NoticeKind.REFERRAL_ALERT)
    assert "黄牌" in yellow.message and "受理分流" in yellow.message and "4小时" in yellow.message

    with time_machine.travel(dt(2026, 3, 2, 17, 5), tick=False):
        assert timers.fire_due() == 1
    red = set(
        Notification.objects.filter(kind=NoticeKind.REFERRAL_ALERT, message__startswith="红牌").values_list(
            "user__username", flat=True
        )
    )
    # 红牌: the director and the supervisors above the hub (its 司法所 and county), nobody elsewhere
    assert red == {"hub_director", "sfs_officer", "county_admin"}
    events = ReferralEvent.objects.filter(referral=ref, kind=ReferralEventKind.OVERDUE).order_by("at")
    assert [e.data["card"] for e in events] == ["YELLOW", "RED"]
    assert all(e.actor_kind == "SYSTEM" and e.actor_id is None for e in events)

    before = Notification.objects.count()
    scan_stage_alerts(dt(2026, 3, 3, 9))  # nothing fires twice, nothing is rescheduled
    timers.fire_due(dt(2026, 3, 4, 9))
    assert Notification.objects.count() == before
    assert alerts().filter(fired_at__isnull=False).count() == 2


def test_a_dispatch_moves_the_alerts_to_the_receiving_committee(world):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))
    scan_stage_alerts(dt(2026, 3, 2, 9, 30))
    board.dispatch(ref, world.village_a, dt(2026, 3, 2, 11))
    sync_stage_timers(Referral.objects.get(pk=ref.pk), dt(2026, 3, 2, 11))
    live = alerts().filter(cancelled_at__isnull=True)
    # village accept: 1 / 2 working days from the dispatch
    assert {(t.rule, t.fire_at) for t in live} == {
        ("accept:YELLOW", dt(2026, 3, 3, 11)),
        ("accept:RED", dt(2026, 3, 4, 11)),
    }
    assert set(alerts().filter(cancelled_at__isnull=False).values_list("rule", flat=True)) == {
        "receive:YELLOW",
        "receive:RED",
    }
    timers.fire_due(dt(2026, 3, 3, 11))
    assert alerted() == {"director_a"}
    timers.fire_due(dt(2026, 3, 4, 11))
    assert alerted(message__startswith="红牌") == {"director_a", "sfs_officer", "county_admin"}
    assert "mediator_a" not in alerted() and "hub_director" not in alerted()


def test_red_only_when_found_late_and_nothing_for_an_ended_stage(world):
    board = Board(world)
    late = board.referral(receiver=world.village_c, received_at=dt(2026, 3, 2, 9))  # 嘉鱼县: not 咸安
    scan_stage_alerts(dt(2026, 3, 9, 9))  # both accept thresholds passed long ago: one card, the red
    assert set(alerts().filter(target_id=late.pk).values_list("rule", flat=True)) == {"accept:RED"}
    # the holder's director and 嘉鱼县's bureau (鱼岳镇 has no 司法所 account); 咸安's supervisors hear nothing
    assert alerted() == {"director_c", "other_county_admin"}

    ended = board.referral(receiver=world.village_a, received_at=dt(2026, 3, 2, 9))
    sync_stage_timers(ended, dt(2026, 3, 2, 9))
    Referral.objects.filter(pk=ended.pk).update(status=ReferralStatus.DECLINED, declined_at=dt(2026, 3, 2, 15))
    timers.fire_due(dt(2026, 3, 5, 9))  # accepted/declined without a sync: the alerts fire into an ended stage
    results = set(alerts().filter(target_id=ended.pk).values_list("result", flat=True))
    assert results == {"该阶段已结束，无需预警"}
    assert "director_a" not in alerted()


def test_the_scan_cancels_alerts_of_a_referral_that_ended_and_follows_the_reply_stage(world):
    board = Board(world)
    ref = board.referral(
        institution=board.police,
        receiver=world.village_a,
        received_at=dt(2026, 3, 2, 9),
        channel_due=dt(2026, 3, 3, 9),
    )
    scan_stage_alerts(dt(2026, 3, 2, 9, 5))
    # the channel's 24 hours end before the reply's yellow threshold (2 working days): one card, the red, at the due
    assert {(t.rule, t.fire_at) for t in alerts().filter(rule__startswith="reply")} == {
        ("reply:RED", dt(2026, 3, 3, 9))
    }
    assert {"accept:YELLOW", "accept:RED"} <= set(alerts().values_list("rule", flat=True))
    Referral.objects.filter(pk=ref.pk).update(replied_at=dt(2026, 3, 2, 10))
    scan_stage_alerts(dt(2026, 3, 2, 10, 5))
    assert set(alerts().filter(cancelled_at__isnull=True).values_list("rule", flat=True)) == {
        "accept:YELLOW",
        "accept:RED",
    }
    Referral.objects.filter(pk=ref.pk).update(status=ReferralStatus.WITHDRAWN)
    scan_stage_alerts(dt(2026, 3, 2, 11))
    assert not alerts().filter(cancelled_at__isnull=True).exists()


def test_a_waiting_dispatch_sends_the_yellow_to_the_receivers_director(world):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))
    board.dispatch(ref, world.village_b, dt(2026, 3, 2, 10), accepted=False)
    scan_stage_alerts(dt(2026, 3, 3, 10, 5))  # village accept: yellow after 1 working day
    assert alerted() == {"director_b"}
