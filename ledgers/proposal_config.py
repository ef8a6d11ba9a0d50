"""The proposals ledger's configuration (data/proposal_rules.json): deadlines, result classes and the reply's
header, per province with defaults. Read through `rules_for(bureau_code)`; nothing of it lives in code."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings

from workdays.calendar import add_months, add_working_days, next_working_day


@dataclass(frozen=True)
class ResultClass:
    code: str
    label: str
    meaning: str
    follow_up: bool


@dataclass(frozen=True)
class ProposalRules:
    reply_months: int
    extended_months: int
    co_opinion_months: int
    rehandle_months: int
    return_window_days: int
    return_window_working_days: bool
    feedback_window_working_days: int
    remind_days_before: tuple[int, ...]
    roll_to_working_day: bool
    result_scheme: str
    classes: tuple[ResultClass, ...]
    reply_title: str
    docno_prefix: str
    opinion_title: str

    def result_class(self, code: str) -> ResultClass | None:
        return next((c for c in self.classes if c.code == code), None)

    def class_choices(self) -> list[tuple[str, str]]:
        return [(c.code, f"{c.label}：{c.meaning}") for c in self.classes]

    def _roll(self, d: date) -> date:
        return next_working_day(d) if self.roll_to_working_day else d

    def reply_due(self, assigned_on: date, *, extended: bool = False) -> date:
        """The reply deadline of a lead item: 3 months from 交办, 6 with an approved extension."""
        return self._roll(add_months(assigned_on, self.extended_months if extended else self.reply_months))

    def opinion_due(self, assigned_on: date) -> date:
        """A co-handling unit's opinion to the lead unit: 2 months from 交办."""
        return self._roll(add_months(assigned_on, self.co_opinion_months))

    def rehandle_due(self, rated_on: date) -> date:
        """A new reply after a 不满意 rating: one month from the day the rating was received."""
        return self._roll(add_months(rated_on, self.rehandle_months))

    def return_by(self, assigned_on: date) -> date:
        """The last day a wrongly assigned item may be returned."""
        if self.return_window_working_days:
            return add_working_days(assigned_on, self.return_window_days)
        return assigned_on + timedelta(days=self.return_window_days)


def rules_path() -> Path:
    return Path(settings.TIAOJIE.get("PROPOSAL_RULES", settings.BASE_DIR / "data" / "proposal_rules.json"))


@cache
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    for code in raw.get("provinces", {}):
        if not (code.isdigit() and len(code) == 2):
            raise ValueError(f"proposal_rules.json: province key {code!r} is not a two-digit code")
    for name, scheme in raw["schemes"].items():
        codes = [c["code"] for c in scheme]
        if not codes or len(set(codes)) != len(codes):
            raise ValueError(f"proposal_rules.json: scheme {name} has no or repeated classes")
    return raw


@cache
def rules_for(bureau_code: str) -> ProposalRules:
    raw = _load(str(rules_path()))
    merged = {**raw["defaults"], **raw.get("provinces", {}).get(bureau_code[:2], {})}
    scheme = merged["result_scheme"]
    if scheme not in raw["schemes"]:
        raise ValueError(f"proposal_rules.json: unknown result scheme {scheme!r}")
    rules = ProposalRules(
        reply_months=int(merged["reply_months"]),
        extended_months=int(merged["extended_months"]),
        co_opinion_months=int(merged["co_opinion_months"]),
        rehandle_months=int(merged["rehandle_months"]),
        return_window_days=int(merged["return_window_days"]),
        return_window_working_days=bool(merged["return_window_working_days"]),
        feedback_window_working_days=int(merged.get("feedback_window_working_days", 15)),
        remind_days_before=tuple(sorted({int(d) for d in merged.get("remind_days_before", [])}, reverse=True)),
        roll_to_working_day=bool(merged.get("roll_to_working_day", True)),
        result_scheme=scheme,
        classes=tuple(
            ResultClass(c["code"], c["label"], c["meaning"], bool(c.get("follow_up"))) for c in raw["schemes"][scheme]
        ),
        reply_title=merged["reply_title"],
        docno_prefix=merged["docno_prefix"],
        opinion_title=merged["opinion_title"],
    )
    if not 0 < rules.reply_months <= rules.extended_months or rules.return_window_days < 0:
        raise ValueError("proposal_rules.json: reply_months must be positive and not above extended_months")
    return rules


def clear_cache() -> None:
    _load.cache_clear()
    rules_for.cache_clear()
