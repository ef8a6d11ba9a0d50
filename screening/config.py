"""The configuration of risk assessment and escalation (data/risk_escalation.json), with per-area overrides: the
longest division-code prefix in "divisions" wins, key by key (DESIGN rule 6: what varies by province is data)."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

PATH = Path(settings.BASE_DIR) / "data" / "risk_escalation.json"


@cache
def _raw() -> dict[str, Any]:
    return json.loads(PATH.read_text(encoding="utf-8"))


def rules(division_code: str = "") -> dict[str, Any]:
    """The rules in force for an area: the file's top level, overridden by each matching "divisions" entry from the
    shortest code to the longest."""
    raw = _raw()
    merged = {k: v for k, v in raw.items() if k not in ("note", "divisions")}
    for code in sorted(raw.get("divisions", {}), key=len):
        if division_code.startswith(code):
            merged.update(raw["divisions"][code])
    return merged


def thresholds(division_code: str = "") -> dict[str, Any]:
    return rules(division_code)["thresholds"]


def level_rules(level: str, division_code: str = "") -> dict[str, Any] | None:
    """The ladder, report_up_to and ack_minutes of a colour (None: no escalation, e.g. YELLOW)."""
    return rules(division_code)["levels"].get(level)


def headcount_buckets(division_code: str = "") -> list[int]:
    """The bounds of the screening form's headcount buckets: [50, 100, 500] → <50, 50–100, 100–500, >500."""
    return list(thresholds(division_code)["headcount_buckets"])


def reload() -> None:
    """Forget the cached file (tests that write an override call this)."""
    _raw.cache_clear()
