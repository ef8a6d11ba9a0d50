"""Supervision configuration, read through one function each: the entry rules (录入纪律), the spot-check checklist
(卷宗评查) and the case-number rule as a regular expression. Local rules live in data/, not in code."""

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings


@dataclass(frozen=True)
class EntryRules:
    deadline_days: int  # calendar days after the end of the case's month
    facts_min_chars: int
    drop_alert_percent: int
    written_share_min_percent: int
    # A drop (or a rise) in per cent is stated only against at least this many cases in the same period last year:
    # "下降66.7%" on a base of 3 cases is noise, not a finding.
    drop_min_base: int = 10


@cache
def entry_rules() -> EntryRules:
    with open(settings.TIAOJIE["ENTRY_RULES"], encoding="utf-8") as fh:
        raw = json.load(fh)
    rules = EntryRules(
        deadline_days=int(raw["deadline_days_after_month_end"]),
        facts_min_chars=int(raw["brief_facts_min_chars"]),
        drop_alert_percent=int(raw.get("drop_alert_percent", 30)),
        written_share_min_percent=int(raw.get("written_share_min_percent", 0)),
        drop_min_base=int(raw.get("drop_min_base", 10)),
    )
    if rules.deadline_days < 0 or rules.facts_min_chars < 0 or rules.drop_min_base < 1:
        raise ValueError("entry_rules.json: negative deadline or threshold")
    return rules


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    max_points: Decimal
    suggest: str | None
    guide: str


SUGGESTERS = {
    "acceptance",
    "dossier_complete",
    "facts",
    "agreement_terms",
    "signatures",
    "seal",
    "follow_up",
    "timeliness",
}


def load_checklist(path: str | None = None) -> dict:
    """The checklist as stored with each spot check (a snapshot: later edits of the file do not change old checks)."""
    with open(path or settings.TIAOJIE["SPOT_CHECK_CHECKLIST"], encoding="utf-8") as fh:
        raw = json.load(fh)
    items = raw["items"]
    keys = [i["key"] for i in items]
    if len(set(keys)) != len(keys):
        raise ValueError("spot_check_checklist.json: duplicate keys")
    unknown = [i["suggest"] for i in items if i.get("suggest") and i["suggest"] not in SUGGESTERS]
    if unknown:
        raise ValueError(f"spot_check_checklist.json: unknown suggesters {unknown}")
    grades = sorted(raw["grades"], key=lambda g: -g["min_score"])
    return {"items": items, "grades": grades}


@cache
def spot_check_checklist() -> dict:
    return load_checklist()


def checklist_items(snapshot: dict) -> list[ChecklistItem]:
    return [
        ChecklistItem(
            key=i["key"],
            label=i["label"],
            max_points=Decimal(str(i["max_points"])),
            suggest=i.get("suggest"),
            guide=i.get("guide", ""),
        )
        for i in snapshot["items"]
    ]


def grade_for(score: Decimal | float | None, snapshot: dict) -> str:
    if score is None:
        return "—"
    for g in snapshot["grades"]:
        if score >= g["min_score"]:
            return g["label"]
    return snapshot["grades"][-1]["label"]


@cache
def case_number_regex(fmt: str | None = None) -> re.Pattern:
    """settings.TIAOJIE["CASE_NUMBER_FORMAT"] turned into a regex with named groups year, short and seq.

    The literal parts are matched exactly; {year} is four digits, {seq} a number without leading zeros and
    {short} any non-empty text (checked against the committee's short name by the caller)."""
    fmt = fmt or settings.TIAOJIE["CASE_NUMBER_FORMAT"]
    fields = {"year": r"(?P<year>\d{4})", "short": r"(?P<short>.+?)", "seq": r"(?P<seq>[1-9]\d*)"}
    parts = re.split(r"(\{year\}|\{short\}|\{seq\})", fmt)
    pattern = "".join(fields[p[1:-1]] if p in ("{year}", "{short}", "{seq}") else re.escape(p) for p in parts)
    return re.compile(rf"^{pattern}$")


@dataclass(frozen=True)
class LevelRule:
    reply_days: int  # default reply deadline of a 督办, working days from the day it is issued
    yellow_after_days: int  # working days after an unanswered reply deadline: escalate with a yellow card
    red_after_days: int  # … and with a red card


@dataclass(frozen=True)
class SupervisionRules:
    levels: dict[str, LevelRule]
    due_soon_days: int
    entry_check_months: int

    def level(self, level: str) -> LevelRule:
        return self.levels[str(level)]


def load_supervision_rules(path: str | None = None) -> SupervisionRules:
    default = settings.BASE_DIR / "data" / "supervision_rules.json"
    with open(path or settings.TIAOJIE.get("SUPERVISION_RULES", default), encoding="utf-8") as fh:
        raw = json.load(fh)
    levels = {}
    for name in ("SFS", "COUNTY", "CITY"):
        row = raw["levels"][name]
        rule = LevelRule(int(row["reply_days"]), int(row["yellow_after_days"]), int(row["red_after_days"]))
        if rule.reply_days < 1 or rule.yellow_after_days < 1 or rule.red_after_days <= rule.yellow_after_days:
            raise ValueError(f"supervision_rules.json: level {name} needs reply_days >= 1 and 1 <= yellow < red")
        levels[name] = rule
    rules = SupervisionRules(levels, int(raw.get("due_soon_days", 5)), int(raw.get("entry_check_months", 3)))
    if rules.due_soon_days < 0 or rules.entry_check_months < 1:
        raise ValueError("supervision_rules.json: due_soon_days >= 0 and entry_check_months >= 1")
    return rules


@cache
def supervision_rules() -> SupervisionRules:
    return load_supervision_rules()
