"""The rectification ledger's rules (data/rectification_rules.json): when reminders and 督办 fire, how many files a
report may carry, the notice's default title. Read once; tests may clear the cache."""

import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings


@dataclass(frozen=True)
class RectificationRules:
    reminder_days_before: tuple[int, ...]
    duban_after_days: tuple[int, ...]
    evidence_max_files: int
    notice_title: str
    return_reason_min: int


def load_rules(path=None) -> RectificationRules:
    path = path or settings.BASE_DIR / "data" / "rectification_rules.json"
    raw = json.loads(open(path, encoding="utf-8").read())
    rules = RectificationRules(
        reminder_days_before=tuple(sorted({int(d) for d in raw["reminder_days_before"]}, reverse=True)),
        duban_after_days=tuple(sorted({int(d) for d in raw["duban_after_days"]})),
        evidence_max_files=int(raw["evidence_max_files"]),
        notice_title=str(raw["notice_title"]),
        return_reason_min=int(raw["return_reason_min"]),
    )
    if any(d < 1 for d in rules.reminder_days_before + rules.duban_after_days) or rules.evidence_max_files < 1:
        raise ValueError("rectification_rules.json: day counts and evidence_max_files must be >= 1")
    return rules


@cache
def rules() -> RectificationRules:
    return load_rules()
