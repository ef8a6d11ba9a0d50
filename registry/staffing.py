"""Staffing against the rules, per area of a supervisor's jurisdiction (issue 9 §2).

The targets for 专职人民调解员 are configuration (data/staffing_rules.json, with their sources): the 2013 plan's
5:2:1 for district : street : village and 2–4 in each professional committee. A committee takes the first rule it
matches; one that matches none (an enterprise committee, a personal studio) has no target and is counted as 不适用.

Only committees in use count, and only mediators who serve today: active, not left, term not ended. The report
has one row per area one level below the user's division (city → counties, county → townships, township →
villages) plus a 本级 row for the committees at the user's own level, and these rows add up to the totals.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from accounts.models import SUPERVISOR_ROLES, User
from registry.models import Committee, Division, Mediator, MediatorCategory
from registry.scoping import committees_visible_to

MATCH_KEYS = ("kind", "committee_type", "division_level")


def rules_path() -> Path:
    return Path(settings.TIAOJIE.get("STAFFING_RULES", settings.BASE_DIR / "data" / "staffing_rules.json"))


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    match: dict[str, tuple]
    exclude: dict[str, tuple]
    min_full_time: int
    max_full_time: int | None
    sources: tuple[str, ...]
    note: str
    source_texts: tuple[str, ...] = ()

    def applies_to(self, committee: Committee, division_level: int) -> bool:
        values = {"kind": committee.kind, "committee_type": committee.committee_type, "division_level": division_level}
        if any(values[k] not in allowed for k, allowed in self.match.items()):
            return False
        return not any(values[k] in banned for k, banned in self.exclude.items())

    @property
    def requirement(self) -> str:
        if self.max_full_time is not None:
            return f"{self.min_full_time}–{self.max_full_time}名"
        return f"≥{self.min_full_time}名"


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    sources: dict[str, str]
    counted: str

    def rule_for(self, committee: Committee, division_level: int) -> Rule | None:
        return next((r for r in self.rules if r.applies_to(committee, division_level)), None)


def _conditions(raw: dict[str, Any], where: str) -> dict[str, tuple]:
    unknown = set(raw) - set(MATCH_KEYS)
    if unknown:
        raise ValueError(f"staffing rule {where}: unknown keys {sorted(unknown)}")
    return {k: tuple(v) for k, v in raw.items()}


def parse_rules(config: dict[str, Any]) -> Rules:
    rules = []
    sources = {k: v["text"] if isinstance(v, dict) else str(v) for k, v in config.get("sources", {}).items()}
    for raw in config["rules"]:
        cited = tuple(raw.get("source", ()))
        missing = [s for s in cited if s not in sources]
        if missing or not cited:
            raise ValueError(f"staffing rule {raw.get('key')}: every rule cites a source in 'sources' ({missing})")
        rules.append(
            Rule(
                key=raw["key"],
                label=raw["label"],
                match=_conditions(raw.get("match", {}), raw["key"]),
                exclude=_conditions(raw.get("exclude", {}), raw["key"]),
                min_full_time=int(raw["min_full_time"]),
                max_full_time=int(raw["max_full_time"]) if raw.get("max_full_time") is not None else None,
                sources=cited,
                note=raw.get("note", ""),
                source_texts=tuple(sources[s] for s in cited),
            )
        )
    return Rules(tuple(rules), dict(sources), config.get("counted", ""))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Rules:
    return parse_rules(json.loads(Path(path).read_text(encoding="utf-8")))


def load_rules(path: Path | None = None) -> Rules:
    """The configured rules (re-read when the file changes)."""
    p = path or rules_path()
    return _load(str(p), p.stat().st_mtime)


def serving_mediators(today: date) -> QuerySet[Mediator]:
    """Mediators who count today: active, not left, and whose term has not ended."""
    return Mediator.objects.filter(is_active=True).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=today), Q(left_on__isnull=True) | Q(left_on__gt=today)
    )


@dataclass
class CommitteeStaffing:
    committee: Committee
    rule: Rule | None
    full_time: int
    part_time: int

    @property
    def applicable(self) -> bool:
        return self.rule is not None

    @property
    def shortfall(self) -> int:
        return max(0, self.rule.min_full_time - self.full_time) if self.rule else 0

    @property
    def excess(self) -> int:
        if self.rule is None or self.rule.max_full_time is None:
            return 0
        return max(0, self.full_time - self.rule.max_full_time)

    @property
    def meets(self) -> bool:
        return self.applicable and not self.shortfall and not self.excess

    @property
    def status(self) -> str:
        if self.rule is None:
            return "不适用"
        if self.shortfall:
            return f"缺{self.shortfall}名"
        if self.excess:
            return f"超出上限{self.excess}名"
        return "达标"


@dataclass
class AreaStaffing:
    """One row of the report: an area (or 本级, division None meaning the user's own level) and its committees."""

    label: str
    division: Division | None
    committees: list[CommitteeStaffing] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.committees)

    @property
    def applicable(self) -> int:
        return sum(1 for c in self.committees if c.applicable)

    @property
    def meeting(self) -> int:
        return sum(1 for c in self.committees if c.meets)

    @property
    def not_meeting(self) -> int:
        return self.applicable - self.meeting

    @property
    def shortfall(self) -> int:
        return sum(c.shortfall for c in self.committees)

    @property
    def full_time(self) -> int:
        return sum(c.full_time for c in self.committees)

    @property
    def part_time(self) -> int:
        return sum(c.part_time for c in self.committees)

    @property
    def failing(self) -> list[CommitteeStaffing]:
        return [c for c in self.committees if c.applicable and not c.meets]


@dataclass
class StaffingReport:
    division: Division
    today: date
    rules: Rules
    areas: list[AreaStaffing]
    own_level: AreaStaffing
    total: AreaStaffing
    by_rule: list[tuple[Rule, int, int, int]]  # rule, committees, meeting, shortfall

    @property
    def rows(self) -> list[AreaStaffing]:
        return [*self.areas, self.own_level]


def may_view_staffing(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in SUPERVISOR_ROLES and bool(user.division_id)


def staffing_report(user: User, area: Division | None = None, today: date | None = None) -> StaffingReport:
    """The report for `area` (default: the user's division), which must lie inside the user's jurisdiction
    (the caller checks, and answers 404 otherwise)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    division = area or user.division
    rules = load_rules()
    in_use = committees_visible_to(user).filter(is_active=True, division__code__startswith=division.code)
    committees = list(in_use.select_related("division").order_by("division_id", "name"))
    counts = (
        serving_mediators(today)
        .filter(committee__in=in_use.values("pk"))
        .values("committee_id")
        .annotate(
            ft=Count("id", filter=Q(category=MediatorCategory.FULL_TIME)),
            pt=Count("id", filter=~Q(category=MediatorCategory.FULL_TIME)),
        )
    )
    per = {r["committee_id"]: (r["ft"], r["pt"]) for r in counts}
    children = list(Division.objects.filter(parent=division).order_by("code"))
    areas = [AreaStaffing(child.name, child) for child in children]
    own = AreaStaffing(f"本级（{division.name}）", None)
    total = AreaStaffing("合计", division)
    for c in committees:
        ft, pt = per.get(c.pk, (0, 0))
        row = CommitteeStaffing(c, rules.rule_for(c, c.division.level), ft, pt)
        target = next((a for a in areas if c.division_id.startswith(a.division.code)), own)
        target.committees.append(row)
        total.committees.append(row)
    by_rule = []
    for rule in rules.rules:
        mine = [c for c in total.committees if c.rule is rule]
        by_rule.append((rule, len(mine), sum(1 for c in mine if c.meets), sum(c.shortfall for c in mine)))
    return StaffingReport(division, today, rules, areas, own, total, by_rule)


__all__ = [
    "AreaStaffing",
    "CommitteeStaffing",
    "Rule",
    "Rules",
    "StaffingReport",
    "load_rules",
    "may_view_staffing",
    "parse_rules",
    "serving_mediators",
    "staffing_report",
]
