"""Keeping the index in step: every save of a case, a party, a record, an agreement or a term rewrites the case's
SearchDoc in the same transaction (the actions run inside transaction.atomic). Bulk inserts bypass these: see
search.index.reindex."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from cases.models import Agreement, AgreementTerm, Case, MediationRecord, Party
from search.index import index_case

# The case columns the index reads; a save that names only other columns (timers, counters) leaves it alone.
INDEXED = {"brief_facts", "claims", "case_no", "status", "dispute_type", "division_code", "committee", "committee_id"}


def _case_saved(sender, instance: Case, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and not INDEXED & set(update_fields)):
        return
    index_case(instance.pk)


def _child_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    case_id = instance.agreement.case_id if isinstance(instance, AgreementTerm) else instance.case_id
    if case_id:
        index_case(case_id)


def connect() -> None:
    post_save.connect(_case_saved, sender=Case, dispatch_uid="search_case_saved")
    for model in (Party, MediationRecord, Agreement, AgreementTerm):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"search_{model.__name__}_saved")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"search_{model.__name__}_deleted")
