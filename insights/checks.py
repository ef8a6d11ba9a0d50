"""Checks of the roll-ups the statistics read for speed against the records they summarise.

`Case.agreement_form` and `Case.party_count` are kept by cases.actions so that the monthly form is one scan of the
case table; here they are recomputed from the agreements and parties with the original definitions (correlated
subqueries) and compared. Run `verify_case_facts()` after anything that wrote case rows outside the actions (a
restore, a manual SQL repair); `fix=True` rewrites the differing rows from the records.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cases.models import Case, Party
from insights.slices import agreement_form_expr


@dataclass(frozen=True)
class CaseFactDiff:
    """One case whose stored roll-ups differ from its records."""

    case_id: int
    stored_agreement_form: str
    record_agreement_form: str
    stored_party_count: int
    record_party_count: int


def parties_count_expr() -> Coalesce:
    """Parties registered on a case, from the Party rows (the definition `Case.party_count` rolls up)."""
    counted = Party.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id").annotate(n=Count("id"))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), 0)


def with_record_facts(qs: QuerySet[Case]) -> QuerySet[Case]:
    """`qs` annotated with `record_agreement_form` and `record_party_count` computed from the records."""
    return qs.annotate(
        record_agreement_form=Coalesce(agreement_form_expr(), Value("")),
        record_party_count=parties_count_expr(),
    )


def verify_case_facts(qs: QuerySet[Case] | None = None, *, fix: bool = False) -> list[CaseFactDiff]:
    """The cases of `qs` (default: all) whose `agreement_form`/`party_count` differ from their records; with
    `fix=True` those rows are rewritten from the records (in one transaction). Returns the differences found."""
    base = qs if qs is not None else Case.objects.all()
    differing = (
        with_record_facts(base.order_by())
        .filter(~Q(agreement_form=F("record_agreement_form")) | ~Q(party_count=F("record_party_count")))
        .order_by("pk")
        .values_list("pk", "agreement_form", "record_agreement_form", "party_count", "record_party_count")
    )
    diffs = [CaseFactDiff(*row) for row in differing]
    if fix and diffs:
        with transaction.atomic():
            for d in diffs:
                Case.objects.filter(pk=d.case_id).update(
                    agreement_form=d.record_agreement_form, party_count=d.record_party_count
                )
    return diffs


__all__ = ["CaseFactDiff", "parties_count_expr", "verify_case_facts", "with_record_facts"]
