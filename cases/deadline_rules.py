"""The deadline rules of a jurisdiction (data/deadline_rules.json, documented in data/README.md): which reminders go
out how many days before which deadline, whether the system marks overdue cases, and whether (after how long) it
terminates a case whose time limit passed. Local rules live in data/, not in code.

`rules_for(division_code)` merges the default with every override whose key is a prefix of the code, shortest
first, so the longest matching prefix wins. Parsed files and merged rules are cached per file path and division
code; `clear_cache()` forgets them (tests, or after editing the file in a running process).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

REMINDER_KEYS = ("TIME_LIMIT", "EXTENSION", "PERFORMANCE", "FOLLOW_UP", "JC_WINDOW", "REPLY")


@dataclass(frozen=True)
class ReminderRule:
    enabled: bool
    days_before: tuple[int, ...]
    working_days: bool


@dataclass(frozen=True)
class AutoTerminateRule:
    enabled: bool
    grace_days: int
    working_days: bool


@dataclass(frozen=True)
class DeadlineRules:
    reminders: dict[str, ReminderRule]
    mark_overdue: bool
    auto_terminate: AutoTerminateRule
    follow_up_after_days: int  # a follow-up visit is due this many days after each performance date
    follow_up_after_closing_days: int  # … and this many days after closing a difficult (疑难) case; 0 = none

    def reminder(self, key: str) -> ReminderRule:
        return self.reminders[key]


def rules_path() -> Path:
    return Path(settings.TIAOJIE.get("DEADLINE_RULES", settings.BASE_DIR / "data" / "deadline_rules.json"))


@cache
def _raw(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    if not isinstance(raw.get("default"), dict):
        raise ValueError(f"{path}: a `default` object is required")
    for prefix in raw.get("overrides", {}):
        if not (prefix.isdigit() and len(prefix) in (2, 4, 6, 9, 12)):
            raise ValueError(f"{path}: override key {prefix!r} is not a division code")
    _parse(raw["default"], path)  # fail at load, not at the first case that uses a broken default
    hour = raw.get("scan_hour", 8)
    if not (isinstance(hour, int) and 0 <= hour <= 23):
        raise ValueError(f"{path}: scan_hour must be an hour 0–23")
    return raw


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _days(value: Any, what: str, path: str) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 366):
        raise ValueError(f"{path}: {what} must be a whole number of days 0–366, not {value!r}")
    return value


def _parse(data: dict, path: str) -> DeadlineRules:
    reminders = {}
    unknown = set(data.get("reminders", {})) - set(REMINDER_KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown reminder kinds {sorted(unknown)}")
    for key in REMINDER_KEYS:
        r = data.get("reminders", {}).get(key, {})
        offsets = tuple(sorted({_days(d, f"{key}.days_before", path) for d in r.get("days_before", [])}, reverse=True))
        reminders[key] = ReminderRule(bool(r.get("enabled", False)), offsets, bool(r.get("working_days", False)))
    auto = data.get("auto_terminate", {})
    follow = data.get("follow_up", {})
    return DeadlineRules(
        reminders=reminders,
        mark_overdue=bool(data.get("mark_overdue", True)),
        auto_terminate=AutoTerminateRule(
            enabled=bool(auto.get("enabled", False)),
            grace_days=_days(auto.get("grace_days", 0), "auto_terminate.grace_days", path),
            working_days=bool(auto.get("working_days", True)),
        ),
        follow_up_after_days=_days(follow.get("days_after_performance_date", 1), "follow_up days", path),
        follow_up_after_closing_days=_days(follow.get("days_after_closing_difficult", 0), "follow_up days", path),
    )


@cache
def _rules(path: str, division_code: str) -> DeadlineRules:
    raw = _raw(path)
    data = raw["default"]
    for prefix in sorted(raw.get("overrides", {}), key=len):
        if division_code.startswith(prefix):
            data = _merge(data, raw["overrides"][prefix])
    return _parse(data, path)


def rules_for(division_code: str) -> DeadlineRules:
    """The rules that apply to a case of `division_code` (its committee's division)."""
    return _rules(str(rules_path()), division_code or "")


def scan_hour() -> int:
    """The hour of the morning (local time) at which the scans run and timers are due."""
    return int(_raw(str(rules_path())).get("scan_hour", 8))


def clear_cache() -> None:
    _raw.cache_clear()
    _rules.cache_clear()
