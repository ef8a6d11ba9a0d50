"""重新分类: a case's dispute type changed after registration (issue 13), by the people who know the dispute.

The type decides the statistics the case is counted in (the national list, mediation-domain.md §5.1), so a wrong
type found during mediation, at closing or by the county's review is corrected here, with its reason, never by
editing the case: one transaction, the transition table's reclassify rows, an event naming the old and the new
type, and a triage suggestion of subject RECLASSIFY stored with the person's decision beside it (PIPL art. 24: what
the model said and what the person decided are both kept)."""

from datetime import datetime

from django.db import transaction

from accounts.models import User
from cases.actions.base import check, lock, now_or, record, require
from cases.enums import DisputeType
from cases.models import Case


def _label(code: str) -> str:
    """The type's name; a code outside the national list (imported or old data) as it is, never an error."""
    try:
        return str(DisputeType(code).label)
    except ValueError:
        return code or "未分类"


def do_reclassify(case: Case, actor: User, dispute_type: str, reason: str, *, at: datetime | None = None) -> Case:
    """Self-loop (rows "reclassify"): set the case's dispute type to `dispute_type`, for `reason`.

    Who and when (cases.transitions): while the case is open, the committee's director and the case's mediators;
    once closed, they and the county bureau; once archived, only the county bureau (the dossier is the committee's
    no more, the statistics still count it). Preconditions: a type of the national list, different from the current
    one; a reason of at least 4 characters. Side effects: the case's type; the event reclassify with from → to and
    the reason; a TriageSuggestion (subject RECLASSIFY) for the case's facts with the decision: the new type only
    (level, route and flags are not asked here, so not decided)."""
    from triage import decisions
    from triage.enums import Subject

    at = now_or(at)
    reason = (reason or "").strip()
    require(bool(dispute_type), "请选择纠纷类型", "dispute_type")
    require(dispute_type in DisputeType.values, f"“{dispute_type}”不是全国纠纷类型目录中的类型", "dispute_type")
    require(len(reason) >= 4, "请写明重新分类的理由（至少4个字）", "reason")
    # Triage is advice: the fresh suggestion for the case's facts is computed before the transaction (no lock held
    # while the model loads) and the reclassification goes on without it if the engine fails.
    text = decisions.case_text(case.brief_facts, case.claims)
    live = decisions.compute(
        text,
        headcount=case.party_count or None,
        amount_yuan=case.amount_involved or None,
        division_code=case.division_code,
    )
    with transaction.atomic():
        case = lock(case)
        check(case, "reclassify", actor)
        before = case.dispute_type
        require(dispute_type != before, "新的纠纷类型与原类型相同", "dispute_type")
        suggestion = decisions.record_suggestion(
            Subject.RECLASSIFY, text, live, case=case, division_code=case.division_code
        )
        if suggestion is not None:  # the person decides the type only here (level, route, flags: not asked)
            decisions.decide_as_suggested_but(suggestion, actor, dispute_type=dispute_type, note=reason)
        case.dispute_type = dispute_type
        case.save(update_fields=["dispute_type", "updated_at"])
        record(
            case,
            "reclassify",
            actor,
            at,
            note=f"纠纷类型由“{_label(before)}”改为“{_label(dispute_type)}”：{reason}",
            data={
                "from": before,
                "to": dispute_type,
                "reason": reason,
                "suggestion": suggestion.pk if suggestion else None,
                "suggested": suggestion.suggested_type if suggestion else "",
            },
        )
    return case


__all__ = ["do_reclassify"]
