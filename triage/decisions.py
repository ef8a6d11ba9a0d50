"""A suggestion recorded for one of the four doors (or a reclassification), and the person's decision beside it.

PIPL art. 24: triage only suggests, with its reasons; the registrar, the director accepting, or the mediator
reclassifying decides. Both are kept on one TriageSuggestion row: the suggested fields are written once and never
changed (TriageSuggestion.save refuses it), the decided fields are filled once by `record_decision`.

Triage is advice and never blocks the act itself: the suggestion is computed by `compute` BEFORE the door's
transaction (the first call in a process may load or train the model), and any failure of the engine is logged and
means "no suggestion". `record_suggestion` and `record_decision` then run inside the caller's transaction: the
stored suggestion exists exactly when the case, the referral's acceptance or the finding's case does.

A decided field is blank (None for the flags) when the person was not asked for it: the acceptance rates of the
model page count each field only over the rows where it was decided.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from cases.actions.base import ActionRefused
from cases.enums import DisputeType
from screening.enums import RiskFlag, RiskLevel
from triage import service
from triage.enums import Route, Subject
from triage.models import TriageSuggestion

log = logging.getLogger(__name__)

# The text triage reads is the dispute's description only (PIPL art. 55 note: docs/pipl-triage.md).
MAX_TEXT = 5000


def enabled() -> bool:
    """Triage at the doors can be switched off for a deployment (TIAOJIE["TRIAGE_ENABLED"], default on)."""
    from django.conf import settings

    return bool(settings.TIAOJIE.get("TRIAGE_ENABLED", True))


def case_text(brief_facts: str, claims: str = "") -> str:
    """What triage reads of a dispute: the facts and the claims (never names, ID numbers or phones as fields)."""
    return "\n".join(t.strip() for t in (brief_facts or "", claims or "") if t and t.strip())[:MAX_TEXT]


def _object_key(obj: object | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)  # type: ignore[attr-defined]


def compute(
    text: str,
    *,
    headcount: int | None = None,
    amount_yuan: Decimal | int | None = None,
    division_code: str = "",
) -> service.Suggestion | None:
    """What triage suggests for `text`, or None when triage is switched off or the engine fails (logged). Call it
    before the door's transaction: triage is advice, and the act goes on without it."""
    if not enabled():
        return None
    try:
        return service.suggest(
            (text or "")[:MAX_TEXT], headcount=headcount, amount_yuan=amount_yuan, division_code=division_code or ""
        )
    except Exception:  # noqa: BLE001 - any failure of the engine (model file, library versions, a bug) is no suggestion
        log.exception("triage: no suggestion (the engine failed); the action goes on without it")
        return None


def record_suggestion(
    subject: str,
    text: str,
    suggestion: service.Suggestion | None,
    *,
    case=None,
    obj=None,
    division_code: str,
) -> TriageSuggestion | None:
    """Store `suggestion` (from `compute`, on `text`) for `case` and/or `obj` (a referral, a screening finding);
    nothing when it is None. Inside the caller's transaction."""
    if suggestion is None:
        return None
    s = suggestion
    subject = Subject(subject)
    text = (text or "")[:MAX_TEXT]
    kind, object_id = _object_key(obj)
    return TriageSuggestion.objects.create(
        subject=subject,
        case=case,
        object_kind=kind,
        object_id=object_id,
        division_code=(division_code or "")[:12],
        model_version=(s.model_version or "")[:60],
        text_chars=len(text),
        suggested_type=s.dispute_type,
        type_confidence=float(s.type_confidence),
        suggested_level=s.risk_level,
        level_confidence=float(s.level_confidence),
        suggested_flags=list(s.risk_flags),
        suggested_route=s.route,
        route_confidence=float(s.route_confidence),
        reasons=s.reasons or {},
    )


def record_decision(
    suggestion: TriageSuggestion,
    user: User,
    *,
    dispute_type: str,
    risk_level: str | None = None,
    risk_flags: list[str] | None = None,
    route: str | None = None,
    note: str = "",
) -> TriageSuggestion:
    """The person's decision on `suggestion` (written once). Inside the caller's transaction. A level, route or
    flags of None: the person was not asked (stored blank / null, "not decided")."""
    if dispute_type not in DisputeType.values:
        raise ActionRefused("请选择纠纷类型", "dispute_type")
    if risk_level is not None and risk_level not in RiskLevel.values:
        raise ActionRefused("风险等级无效", "risk_level")
    if route is not None and route not in Route.values:
        raise ActionRefused("去向无效", "route")
    flags = None if risk_flags is None else list(dict.fromkeys(risk_flags))
    if flags and any(f not in RiskFlag.values for f in flags):
        raise ActionRefused("风险标签无效", "risk_flags")
    row = TriageSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if row.decided_at is not None:
        raise ActionRefused("该智能分类建议已有人作出决定")
    row.decided_type, row.decided_level, row.decided_flags = dispute_type, risk_level or "", flags
    row.decided_route = route or ""
    row.decided_by, row.decided_at, row.decision_note = user, timezone.now(), (note or "").strip()[:200]
    row.save(
        update_fields=[
            "decided_type",
            "decided_level",
            "decided_flags",
            "decided_route",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
    )
    return row


def link_case(suggestion: TriageSuggestion, case) -> None:
    """A suggestion made before the case existed (a referral, a finding) now names the case it led to."""
    if suggestion.case_id is None:
        suggestion.case = case
        suggestion.save(update_fields=["case"])


def pending_for_case(case) -> TriageSuggestion | None:
    """The latest suggestion on a case still waiting for a person's decision (an online application)."""
    return case.triage_suggestions.filter(decided_at__isnull=True).order_by("-created_at", "-pk").first()


def close_pending(case, user: User, step: str) -> TriageSuggestion | None:
    """A case leaving intake without acceptance (不予受理, 移交, 并案): the suggestion still waiting for a decision
    (an online application) is decided by that step, so none stays undecided forever: the type as registered, the
    level, route and flags not decided (nobody was asked), the step as the note. Inside the step's transaction;
    never refuses the step (a type outside the national list is left undecided, logged)."""
    row = pending_for_case(case)
    if row is None:
        return None
    if case.dispute_type not in DisputeType.values:
        log.warning("triage: suggestion %s left undecided (case type %r)", row.pk, case.dispute_type)
        return None
    return record_decision(row, user, dispute_type=case.dispute_type, note=step)


def latest_for_object(obj) -> TriageSuggestion | None:
    kind, object_id = _object_key(obj)
    return TriageSuggestion.objects.filter(object_kind=kind, object_id=object_id).order_by("-created_at", "-pk").first()


def decide_as_suggested_but(
    suggestion: TriageSuggestion,
    user: User,
    *,
    dispute_type: str,
    risk_level: str | None = None,
    route: str | None = None,
    note: str = "",
) -> TriageSuggestion:
    """The common decision of the doors: the type the person chose. The level and route only where the door's form
    asked for them: "" (the form's "按系统建议") is the suggested one, kept; None is not asked, not decided. The
    flags are never asked at a door: not decided."""

    def asked(value: str | None, allowed: list[str], suggested: str) -> str | None:
        if value is None:
            return None
        return value if value in allowed else suggested

    return record_decision(
        suggestion,
        user,
        dispute_type=dispute_type,
        risk_level=asked(risk_level, RiskLevel.values, suggestion.suggested_level),
        risk_flags=None,
        route=asked(route, Route.values, suggestion.suggested_route),
        note=note,
    )


# --- presentation (the panel) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A suggestion ready for the panel: labels, percentages, reasons, and the text with the words marked."""

    dispute_type: str
    type_label: str
    type_pct: int
    type_words: list[str]
    alternatives: list[tuple[str, int]]
    risk_level: str
    level_label: str
    level_pct: int
    level_rules: list[str]
    level_words: list[str]
    flags: list[dict]
    route: str
    route_label: str
    route_pct: int
    route_rule: str
    route_words: list[str]
    model_version: str
    marked_text: SafeString
    stored: TriageSuggestion | None = None


def _label(enum, code: str) -> str:
    try:
        return str(enum(code).label)
    except ValueError:
        return code


def _pct(p: object) -> int:
    try:
        return max(0, min(100, round(float(p) * 100)))
    except (TypeError, ValueError):
        return 0


def _words(value: object) -> list[str]:
    return [str(w) for w in value if str(w).strip()] if isinstance(value, list | tuple) else []


def mark_words(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with every occurrence of `words` (the longest first) wrapped in <mark>."""
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        hit = next((w for w in ordered if text.startswith(w, i)), None)
        if hit:
            out.append(f"<mark>{escape(hit)}</mark>")
            i += len(hit)
        else:
            out.append(escape(text[i]))
            i += 1
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def shown(s: service.Suggestion | TriageSuggestion, text: str = "") -> Shown:
    """The panel's view of a live Suggestion or a stored TriageSuggestion."""
    if isinstance(s, TriageSuggestion):
        code, tp, level, lp, flags, route, rp, reasons, version, stored = (
            s.suggested_type,
            s.type_confidence,
            s.suggested_level,
            s.level_confidence,
            s.suggested_flags or [],
            s.suggested_route,
            s.route_confidence,
            s.reasons or {},
            s.model_version,
            s,
        )
    else:
        code, tp, level, lp, flags, route, rp, reasons, version, stored = (
            s.dispute_type,
            s.type_confidence,
            s.risk_level,
            s.level_confidence,
            s.risk_flags,
            s.route,
            s.route_confidence,
            s.reasons or {},
            s.model_version,
            None,
        )
    rt = reasons.get("dispute_type") or {}
    rl = reasons.get("risk_level") or {}
    rf = reasons.get("risk_flags") or {}
    rr = reasons.get("route") or {}
    alternatives = []
    for alt in rt.get("alternatives") or []:
        if isinstance(alt, list | tuple) and len(alt) == 2 and alt[0] != code:
            alternatives.append((_label(DisputeType, str(alt[0])), _pct(alt[1])))
    flag_rows = []
    for f in flags:
        why = rf.get(f) or {}
        flag_rows.append(
            {"code": f, "label": _label(RiskFlag, f), "words": _words(why.get("words")), "rule": why.get("rule") or ""}
        )
    all_words = [*_words(rt.get("words")), *_words(rl.get("words")), *_words(rr.get("words"))]
    for row in flag_rows:
        all_words.extend(row["words"])
    rules = rl.get("rules") or []
    return Shown(
        dispute_type=code,
        type_label=_label(DisputeType, code),
        type_pct=_pct(rt.get("confidence", tp)),
        type_words=_words(rt.get("words")),
        alternatives=alternatives[:3],
        risk_level=level,
        level_label=_label(RiskLevel, level),
        level_pct=_pct(rl.get("confidence", lp)),
        level_rules=[str(r) for r in rules] if isinstance(rules, list) else [],
        level_words=_words(rl.get("words")),
        flags=flag_rows,
        route=route,
        route_label=_label(Route, route),
        route_pct=_pct(rr.get("confidence", rp)),
        route_rule=str(rr.get("rule") or ""),
        route_words=_words(rr.get("words")),
        model_version=version,
        marked_text=mark_words(text, all_words) if text else mark_safe(""),
        stored=stored,
    )


def live(text: str, *, headcount: int | None = None, amount_yuan=None, division_code: str = "") -> Shown | None:
    """A suggestion shown while the facts are typed (nothing stored); None when the engine fails (logged)."""
    text = (text or "")[:MAX_TEXT]
    s = compute(text, headcount=headcount, amount_yuan=amount_yuan, division_code=division_code)
    return shown(s, text) if s is not None else None


# --- the model page's figure: how often the person kept what was suggested ---------------------------------------


def acceptance(qs: QuerySet[TriageSuggestion] | None = None) -> dict:
    """Decided suggestions, and the share of them where the person kept the suggested type, level and route: each
    share over the rows where that field was decided (a blank decided level or route: not asked, not counted)."""
    qs = (qs if qs is not None else TriageSuggestion.objects.all()).filter(decided_at__isnull=False)
    agg = qs.aggregate(
        n=Count("pk"),
        type_kept=Count("pk", filter=Q(decided_type=F("suggested_type"))),
        level_n=Count("pk", filter=~Q(decided_level="")),
        level_kept=Count("pk", filter=Q(decided_level=F("suggested_level"))),
        route_n=Count("pk", filter=~Q(decided_route="")),
        route_kept=Count("pk", filter=Q(decided_route=F("suggested_route"))),
    )
    n = agg["n"] or 0

    def share(kept: str, of: int) -> float | None:
        return round(agg[kept] / of, 3) if of else None

    return {
        "decided": n,
        "type": share("type_kept", n),
        "level": share("level_kept", agg["level_n"] or 0),
        "level_decided": agg["level_n"] or 0,
        "route": share("route_kept", agg["route_n"] or 0),
        "route_decided": agg["route_n"] or 0,
    }


__all__ = [
    "Shown",
    "acceptance",
    "case_text",
    "close_pending",
    "compute",
    "decide_as_suggested_but",
    "enabled",
    "latest_for_object",
    "link_case",
    "live",
    "mark_words",
    "pending_for_case",
    "record_decision",
    "record_suggestion",
    "shown",
]
