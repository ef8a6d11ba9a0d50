"""data/deadline_rules.json: the shipped defaults, and a broken file refused at load rather than at the first case."""

import json

import pytest

from cases.deadline_rules import rules_for, scan_hour
from tests.timers.helpers import write_rules


def test_the_shipped_defaults():
    rules = rules_for("421202001001")
    assert scan_hour() == 8
    assert {k: (r.enabled, r.days_before, r.working_days) for k, r in rules.reminders.items()} == {
        "TIME_LIMIT": (True, (3, 1), True),
        "EXTENSION": (True, (3, 1), True),
        "PERFORMANCE": (True, (3, 0), False),
        "FOLLOW_UP": (True, (0,), True),
        "JC_WINDOW": (True, (5, 1), True),
        "REPLY": (True, (2, 0), True),
    }
    assert rules.mark_overdue and not rules.auto_terminate.enabled and rules.auto_terminate.grace_days == 5


@pytest.mark.parametrize(
    "patch, overrides, message",
    [
        ({"reminders": {"TIME_LIMT": {"enabled": True}}}, {}, "unknown reminder kinds"),
        ({"reminders": {"TIME_LIMIT": {"days_before": [-1]}}}, {}, "whole number of days"),
        ({"auto_terminate": {"grace_days": "5"}}, {}, "whole number of days"),
        ({}, {"Hubei": {}}, "not a division code"),
    ],
)
def test_a_broken_file_is_refused(tmp_path, settings, patch, overrides, message):
    write_rules(tmp_path, settings, default=patch, overrides=overrides)
    with pytest.raises(ValueError, match=message):
        rules_for("421202001001")


def test_scan_hour_must_be_an_hour(tmp_path, settings):
    write_rules(tmp_path, settings)
    path = settings.TIAOJIE["DEADLINE_RULES"]
    raw = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**raw, "scan_hour": 25}), encoding="utf-8")
    with pytest.raises(ValueError, match="scan_hour"):
        scan_hour()
