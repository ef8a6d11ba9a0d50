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


def do_reclassify(case: Case, actor: User, dispute_type: str, reason: str, *, at: datetime | None = None) -> Case:
    """Self-loop (rows "reclassify"): set the case's dispute type to `dispute_type`, for `reason`.

    Who and when (cases.transitions): while the case is open, the committee's director and the case's mediators;
    once closed, they and the county bureau; once archived, only the county bureau (the dossier is the committee's
    no more, the statistics still count it). Preconditions: a type of the national list, different from the current
    one; a reason of at least 4 characters. Side effects: the case's type; the event reclassify with from → to and
    the reason; a TriageSuggestion (subject RECLASSIFY) for the case's facts with the decision: the new type, the
    suggested level, flags and route."""
    from triage import decisions
    from triage.enums import Subject

    at = now_or(at)
    reason = (reason or "").strip()
    require(dispute_type in DisputeType.values, "请选择纠纷类型", "dispute_type")
    require(len(reason) >= 4, "请写明重新分类的理由（至少4个字）", "reason")
    with transaction.atomic():
        case = lock(case)
        check(case, "reclassify", actor)
        before = case.dispute_type
        require(dispute_type != before, "新的纠纷类型与原类型相同", "dispute_type")
        suggestion = None
        if decisions.enabled():
            suggestion = decisions.record_suggestion(
                Subject.RECLASSIFY,
                decisions.case_text(case.brief_facts, case.claims),
                case=case,
                division_code=case.division_code,
                headcount=case.party_count or None,
                amount_yuan=case.amount_involved or None,
            )
            decisions.decide_as_suggested_but(suggestion, actor, dispute_type=dispute_type, note=reason)
        case.dispute_type = dispute_type
        case.save(update_fields=["dispute_type", "updated_at"])
        record(
            case,
            "reclassify",
            actor,
            at,
            note=f"纠纷类型由“{DisputeType(before).label}”改为“{DisputeType(dispute_type).label}”：{reason}",
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
