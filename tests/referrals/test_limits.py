"""The time-limit table of referrals (referrals.limits): the most specific row wins, a malformed table is refused
with a message naming the row and the field, and each stage's colour at frozen times."""

import copy
import json
from datetime import timedelta

import pytest
import time_machine

from cases.enums import DisputeType
from referrals import limits
from referrals.enums import ReferralStatus
from referrals.limits import GREEN, RED, YELLOW, TimeLimitConfigError, load_table, parse_table, stage_status
from tests.referrals.board_helpers import Board, dt, fresh_tables  # noqa: F401  (fresh_tables is autouse)

pytestmark = pytest.mark.django_db

DEFAULTS = [
    {"level": "*", "dispute_type": "*", "stage": s, "unit": "working_days", "yellow_after": 1, "red_after": 2}
    for s in limits.STAGES
]


def table(*extra):
    return parse_table({"rows": copy.deepcopy(DEFAULTS) + list(extra)})


# --- the table --------------------------------------------------------------------------------------------------


def test_the_shipped_table_loads_and_has_a_default_for_every_stage():
    t = load_table()
    for stage in limits.STAGES:
        assert t.row_for("city", DisputeType.OTHER, stage).is_default == (stage != "handle")


@pytest.mark.parametrize(
    ("level", "dtype", "stage", "expected"),
    [
        ("village", DisputeType.NEIGHBOR, "handle", ("village", "NEIGHBOR", 3, 7)),  # level and type
        ("village", DisputeType.CONTRACT, "handle", ("village", "*", 5, 10)),  # level only
        ("village", DisputeType.LABOR_MIGRANT_WAGES, "handle", ("village", "*", 5, 10)),  # level beats type
        ("township", DisputeType.LABOR_MIGRANT_WAGES, "handle", ("*", "LABOR_MIGRANT_WAGES", 5, 8)),  # type only
        ("township", DisputeType.NEIGHBOR, "handle", ("*", "*", 10, 15)),  # the default
        ("city", DisputeType.NEIGHBOR, "accept", ("*", "*", 2, 3)),
        ("county", "", "receive", ("county", "*", 4, 8)),  # no dispute type yet
    ],
)
def test_the_most_specific_row_wins(level, dtype, stage, expected):
    row = load_table().row_for(level, dtype, stage)
    assert (row.level, row.dispute_type, row.yellow_after, row.red_after) == expected


def test_units_are_stated_per_row():
    t = load_table()
    assert t.row_for("township", "", "receive").unit == "hours"
    assert t.row_for("township", "", "accept").unit == "working_days"
    assert t.row_for("township", DisputeType.LABOR_MIGRANT_WAGES, "reply").describe(24) == "24小时"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": "days"}, "row 5: unit must be one of"),
        ({"level": "province"}, "row 5: level must be one of"),
        ({"dispute_type": "NEIGHBOUR"}, "row 5: dispute_type 'NEIGHBOUR' is not a DisputeType code"),
        ({"stage": "verify"}, "row 5: stage must be one of"),
        ({"red_after": 3}, "row 5: red_after (3) must be greater than yellow_after (3)"),
        ({"yellow_after": 0}, "row 5: yellow_after must be a positive whole number"),
        ({"yellow_after": 1.5}, "row 5: yellow_after must be a positive whole number"),
        ({"yellow_after": True}, "row 5: yellow_after must be a positive whole number"),
        ({"colour": "x"}, "row 5: unknown field(s) ['colour']"),
    ],
)
def test_a_bad_row_is_refused_naming_the_row_and_the_field(change, message):
    row = {"level": "village", "dispute_type": "*", "stage": "handle", "unit": "working_days"}
    row |= {"yellow_after": 3, "red_after": 5} | change
    with pytest.raises(TimeLimitConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        table(row)


def test_missing_field_duplicate_row_and_missing_default_are_refused():
    with pytest.raises(TimeLimitConfigError, match="row 5: missing field 'red_after'"):
        table({"level": "village", "dispute_type": "*", "stage": "handle", "unit": "hours", "yellow_after": 3})
    dup = {"level": "village", "dispute_type": "*", "stage": "handle", "unit": "hours"}
    dup |= {"yellow_after": 3, "red_after": 5}
    with pytest.raises(TimeLimitConfigError, match="row 6: duplicate row for level=village"):
        table(dup, dict(dup))
    with pytest.raises(TimeLimitConfigError, match=r"no default row .* \['reply'\]"):
        parse_table({"rows": DEFAULTS[:3]})
    with pytest.raises(TimeLimitConfigError, match="non-empty list"):
        parse_table({"rows": []})


def test_a_file_that_is_not_json_is_refused(tmp_path, settings):
    bad = tmp_path / "limits.json"
    bad.write_text("{rows: }", encoding="utf-8")
    with pytest.raises(TimeLimitConfigError, match="not valid JSON"):
        load_table(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"rows": DEFAULTS}), encoding="utf-8")
    settings.TIAOJIE = {**settings.TIAOJIE, "REFERRAL_TIME_LIMITS": good}
    limits.time_limits.cache_clear()
    assert limits.time_limits().row_for("village", "", "handle").red_after == 2


# --- colours of each stage at frozen times ------------------------------------------------------------------------


def colour(referral, stage):
    referral = type(referral).objects.get(pk=referral.pk)
    s = stage_status(referral)[stage]
    return s.colour, s.threshold


def test_receive_at_the_township_hub_turns_yellow_at_4_hours_and_red_at_8(world):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))  # at the 温泉 hub (township): receive 4 / 8 hours
    with time_machine.travel(dt(2026, 3, 2, 12, 59), tick=False):
        assert colour(ref, "receive") == (GREEN, "")
        s = stage_status(ref)["receive"]
        assert s.current and s.running and s.elapsed == timedelta(hours=3, minutes=59)
        assert (s.yellow_at, s.red_at) == (dt(2026, 3, 2, 13), dt(2026, 3, 2, 17))
    with time_machine.travel(dt(2026, 3, 2, 13), tick=False):
        assert colour(ref, "receive") == (YELLOW, "yellow_after")
        assert not stage_status(ref)["accept"].applies or stage_status(ref)["accept"].started is None
    with time_machine.travel(dt(2026, 3, 2, 17), tick=False):
        assert colour(ref, "receive") == (RED, "red_after")


def test_dispatch_ends_receive_with_its_colour_and_starts_accept_at_the_village(world):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))
    board.dispatch(ref, board.world.village_a, dt(2026, 3, 2, 14))  # after the yellow moment of receive
    with time_machine.travel(dt(2026, 3, 3, 9, 59), tick=False):
        stages = stage_status(type(ref).objects.get(pk=ref.pk))
        assert stages["receive"].ended == dt(2026, 3, 2, 14) and stages["receive"].colour == YELLOW
        assert not stages["receive"].current and stages["accept"].current
        # village accept: 1 / 2 working days from the dispatch
        assert (stages["accept"].yellow_at, stages["accept"].red_at) == (dt(2026, 3, 3, 14), dt(2026, 3, 4, 14))
        assert colour(ref, "accept") == (GREEN, "")
    with time_machine.travel(dt(2026, 3, 3, 14), tick=False):
        assert colour(ref, "accept") == (YELLOW, "yellow_after")
    with time_machine.travel(dt(2026, 3, 4, 14), tick=False):
        assert colour(ref, "accept") == (RED, "red_after")


def test_accept_past_accept_by_is_red_by_the_statutory_due(world):
    board = Board(world)
    ref = board.referral(receiver=board.world.township, received_at=dt(2026, 3, 2, 9))  # accept_by 2026-03-05
    s = stage_status(ref, dt(2026, 3, 5, 23, 59))["accept"]
    assert (s.colour, s.threshold) == (RED, "red_after")  # township accept: default 2 / 3 working days
    assert s.due == dt(2026, 3, 6, 0)
    s = stage_status(ref, dt(2026, 3, 6, 0, 1))["accept"]
    assert (s.colour, s.threshold) == (RED, "due")
    assert not stage_status(ref, dt(2026, 3, 6))["receive"].applies  # sent straight to a committee, not a hub


def test_handle_at_a_village_for_a_neighbour_dispute_with_a_pause(world):
    board = Board(world)
    ref = board.referral(
        receiver=board.world.village_a,
        status=ReferralStatus.ACCEPTED,
        accepted_at=dt(2026, 3, 2, 10),
        mediation_due=dt(2026, 4, 1).date(),
    )  # village × NEIGHBOR handle: 3 / 7 working days → yellow Thu 03-05 10:00, red Wed 03-11 10:00
    with time_machine.travel(dt(2026, 3, 5, 9, 59), tick=False):
        assert colour(ref, "handle") == (GREEN, "")
        assert stage_status(ref)["handle"].current
        assert stage_status(ref)["accept"].ended == dt(2026, 3, 2, 10)
    with time_machine.travel(dt(2026, 3, 5, 10), tick=False):
        assert colour(ref, "handle") == (YELLOW, "yellow_after")
    with time_machine.travel(dt(2026, 3, 11, 10), tick=False):
        assert colour(ref, "handle") == (RED, "red_after")
    type(ref).objects.filter(pk=ref.pk).update(paused_days=2)  # an appraisal paused it two days
    with time_machine.travel(dt(2026, 3, 11, 10), tick=False):
        assert colour(ref, "handle") == (YELLOW, "yellow_after")
    with time_machine.travel(dt(2026, 4, 2, 0, 1), tick=False):
        assert colour(ref, "handle") == (RED, "due")
    type(ref).objects.filter(pk=ref.pk).update(concluded_at=dt(2026, 3, 4, 9), status=ReferralStatus.SUCCEEDED)
    with time_machine.travel(dt(2026, 5, 1), tick=False):
        s = stage_status(type(ref).objects.get(pk=ref.pk))["handle"]
        assert (s.colour, s.running, s.current) == (GREEN, False, False)  # concluded in time: stays green


def test_reply_runs_beside_the_current_stage_and_ends_with_the_reply(world):
    board = Board(world)
    ref = board.referral(
        institution=board.police,
        receiver=board.world.village_a,
        received_at=dt(2026, 3, 2, 9),
        channel_due=dt(2026, 3, 3, 9),  # a police 非警务 dispute: feedback within 24 hours
    )
    with time_machine.travel(dt(2026, 3, 3, 8), tick=False):
        stages = stage_status(type(ref).objects.get(pk=ref.pk))
        assert stages["reply"].running and not stages["reply"].current and stages["accept"].current
        assert colour(ref, "reply") == (GREEN, "")
    with time_machine.travel(dt(2026, 3, 3, 9, 1), tick=False):
        assert colour(ref, "reply") == (RED, "due")  # the channel's clock passed before the yellow threshold
        clock = limits.referral_clock(type(ref).objects.get(pk=ref.pk))
        assert (clock.colour, clock.worst) == (YELLOW, RED)  # village accept: yellow after 1 working day
    type(ref).objects.filter(pk=ref.pk).update(replied_at=dt(2026, 3, 2, 20))
    with time_machine.travel(dt(2026, 3, 9), tick=False):
        s = stage_status(type(ref).objects.get(pk=ref.pk))["reply"]
        assert (s.ended, s.colour, s.running) == (dt(2026, 3, 2, 20), GREEN, False)


def test_an_ended_referral_has_no_current_stage(world):
    board = Board(world)
    ref = board.referral(status=ReferralStatus.WITHDRAWN)
    clock = limits.referral_clock(ref, dt(2026, 4, 1))
    assert clock.current is None and clock.colour == GREEN
    assert not any(s.running for s in clock.stages.values())


def test_a_dispatch_waiting_for_its_answer_is_the_receivers_accept_stage(world):
    """As referrals.hub writes it: the referral stays with the hub until the receiver accepts the dispatch."""
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))
    d = board.dispatch(ref, board.world.village_a, dt(2026, 3, 2, 10), accepted=False)
    assert ref.receiver == board.hub
    stages = stage_status(type(ref).objects.get(pk=ref.pk), dt(2026, 3, 3, 10))
    assert stages["receive"].ended == dt(2026, 3, 2, 10) and not stages["receive"].running
    assert stages["accept"].current and stages["accept"].started == dt(2026, 3, 2, 10)
    assert (stages["accept"].row.level, stages["accept"].colour) == ("village", YELLOW)  # the village's 1 / 2 days
    # sent back: the hub's receive stage runs again, counted from the arrival
    type(d).objects.filter(pk=d.pk).update(status="RETURNED")
    stages = stage_status(type(ref).objects.get(pk=ref.pk), dt(2026, 3, 3, 10))
    assert stages["receive"].current and stages["receive"].started == dt(2026, 3, 2, 9)
    assert stages["receive"].colour == RED  # township hub: 8 hours
