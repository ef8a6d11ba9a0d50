"""The statistics definitions (统计口径) as configuration: data/statistics_definitions.json.

What counts as 受理, 调解成功, 调解终止 and 在办, in which period a case is counted (`period_by`: "ended" — the period
in which its mediation ended, agreement effective or termination — or "accepted"), and the success rate's
denominator (`rate_denominator`: "ended" = 成功 + 终止, or "counted" = every counted case). insights.base and
insights.metrics read them from here, and the form prints their Chinese texts, so a province that counts
differently changes the file, not the code.

The moment a mediation ended is the latest case event whose action is one of `ending_events` (cases.enums
.CaseAction values); a case whose outcome is empty (still mediating, or in 重新调解) has not ended.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import CharField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from cases.enums import CaseAction, Outcome

PATH = Path(settings.BASE_DIR) / "data" / "statistics_definitions.json"
PERIOD_BY = ("ended", "accepted")
RATE_DENOMINATORS = ("ended", "counted")

# Buckets every case of a report falls in (the cube groups on them).
SUCCESS, TERMINATED, OPEN, BEFORE, AFTER, UNDATED = "success", "terminated", "open", "before", "after", "undated"


class DefinitionsError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    text: str


@dataclass(frozen=True)
class Definitions:
    version: str
    period_by: str
    rate_denominator: str
    success_events: tuple[str, ...]
    termination_events: tuple[str, ...]
    raw_terms: tuple[dict, ...]

    @property
    def ending_events(self) -> tuple[str, ...]:
        return self.success_events + self.termination_events

    @property
    def counted_buckets(self) -> tuple[str, ...]:
        """The buckets that make the form's 调解案件: ended ones, or (by acceptance) open ones too."""
        return (SUCCESS, TERMINATED) if self.period_by == "ended" else (SUCCESS, TERMINATED, OPEN)

    def rate_base(self, success: int, terminated: int, counted: int) -> int:
        return success + terminated if self.rate_denominator == "ended" else counted

    def terms(self) -> list[Term]:
        """The Chinese definitions as printed with the form, resolved for the current settings."""
        choice = {"period": self.period_by, "cases": self.period_by, "open": self.period_by}
        choice["rate"] = self.rate_denominator
        out = []
        for t in self.raw_terms:
            text = t["text"]
            if isinstance(text, dict):
                text = text[choice[t["key"]]]
            out.append(Term(t["key"], t["label"], text))
        return out

    def summary(self) -> str:
        """One paragraph of every definition (the .xlsx footer, the screen's note)."""
        return "；".join(f"{t.label}：{t.text.rstrip('。')}" for t in self.terms()) + "。"


def _parse(data: dict) -> Definitions:
    if data.get("period_by") not in PERIOD_BY:
        raise DefinitionsError(f"period_by must be one of {PERIOD_BY}")
    if data.get("rate_denominator") not in RATE_DENOMINATORS:
        raise DefinitionsError(f"rate_denominator must be one of {RATE_DENOMINATORS}")
    events = data.get("ending_events") or {}
    success, termination = tuple(events.get("success") or ()), tuple(events.get("termination") or ())
    unknown = set(success + termination) - set(CaseAction.values)
    if unknown or not success or not termination:
        raise DefinitionsError(f"ending_events: unknown or missing actions {sorted(unknown)}")
    terms = tuple(data.get("terms") or ())
    for t in terms:
        if isinstance(t["text"], dict):
            options = RATE_DENOMINATORS if t["key"] == "rate" else PERIOD_BY
            if set(options) - set(t["text"]):
                raise DefinitionsError(f"terms/{t['key']}: a text is needed for each of {options}")
    return Definitions(
        version=str(data.get("version", "")),
        period_by=data["period_by"],
        rate_denominator=data["rate_denominator"],
        success_events=success,
        termination_events=termination,
        raw_terms=terms,
    )


@lru_cache(maxsize=1)
def _from_file() -> Definitions:
    return _parse(json.loads(PATH.read_text(encoding="utf-8")))


_override: list[Definitions] = []


def definitions() -> Definitions:
    """The definitions in force (the file, validated once; a test may override them with `use_definitions`)."""
    return _override[-1] if _override else _from_file()


@contextmanager
def use_definitions(**changes: object) -> Iterator[Definitions]:
    """Count with other settings for a while (tests; e.g. period_by="accepted")."""
    d = replace(_from_file(), **changes)
    _parse(
        {
            "period_by": d.period_by,
            "rate_denominator": d.rate_denominator,
            "ending_events": {"success": list(d.success_events), "termination": list(d.termination_events)},
        }
    )
    _override.append(d)
    try:
        yield d
    finally:
        _override.pop()


def ending_key(spans: list[tuple[str, datetime, datetime]], after: datetime) -> Subquery:
    """Per case, "<key>|S" or "<key>|T" for the span [start, end) its mediation last ended in (S: success, T:
    termination), "after" when it ended at or after `after`, "before" otherwise; NULL without an ending event.
    One correlated subquery over the case's events (indexed by case), evaluated once per case row."""
    from cases.models import CaseEvent

    d = definitions()
    whens = [When(at__gte=after, then=Value(AFTER))]
    for key, start, end in spans:
        whens.append(When(at__gte=start, at__lt=end, action__in=d.success_events, then=Value(f"{key}|S")))
        whens.append(When(at__gte=start, at__lt=end, then=Value(f"{key}|T")))
    events = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), action__in=d.ending_events)
        .order_by("-at", "-id")
        .annotate(key=When_(*whens, default=Value(BEFORE), output_field=CharField()))
        .values("key")[:1]
    )
    return Subquery(events, output_field=CharField())


def bucket_expr(start: datetime, end: datetime) -> When_:
    """The raw bucket of a case for the report of [start, end) (see BUCKET_VALUES): ended within it (by success or
    termination), open (not ended by its end: outcome empty, or ended later), before (ended earlier). By
    acceptance, the outcome alone decides. Callers restrict the cases to those accepted before `end` (and, by
    acceptance, from `start`)."""
    d = definitions()
    if d.period_by == "accepted":
        return When_(
            When(outcome=Outcome.SUCCESS, then=Value(SUCCESS)),
            When(outcome=Outcome.FAILURE, then=Value(TERMINATED)),
            default=Value(OPEN),
            output_field=CharField(),
        )
    return When_(
        When(outcome="", then=Value(OPEN)),
        default=Coalesce(ending_key([("p", start, end)], end), Value(UNDATED)),
        output_field=CharField(),
    )


# Raw bucket values (of bucket_expr) → the bucket they stand for.
BUCKET_OF = {SUCCESS: SUCCESS, TERMINATED: TERMINATED, OPEN: OPEN, "p|S": SUCCESS, "p|T": TERMINATED, AFTER: OPEN}


def raw_buckets(*names: str) -> list[str]:
    """The raw values of bucket_expr that mean any of `names` (for filtering a queryset on its bucket)."""
    return [raw for raw, name in BUCKET_OF.items() if name in names]
