"""The dossier checklist (卷宗目录): which documents a case's file holds, in binding order, and which are missing.

The list, labels and conditions come from data/dossier_checklist.json (configuration); this module only knows how
to tell whether each kind of document exists for a case.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from cases.enums import AgreementForm, AgreementStatus, Outcome, RecordKind
from cases.models import Case


@dataclass(frozen=True)
class DossierItem:
    key: str
    label: str
    required: bool
    present: bool


def _agreement(case: Case, form: str | None = None):
    qs = case.agreements.filter(effective_at__isnull=False).exclude(status=AgreementStatus.REVOKED)
    return qs.filter(form=form) if form else qs


PRESENT: dict[str, Callable[[Case], bool]] = {
    "application": lambda c: c.registered_at is not None,
    "rights_notice": lambda c: c.rights_notified_at is not None,
    "identity": lambda c: not c.parties.filter(identity_verified=False).exists(),
    "investigation": lambda c: c.records.filter(kind=RecordKind.INVESTIGATION).exists(),
    "session_record": lambda c: c.records.filter(kind=RecordKind.SESSION).exists(),
    "written_agreement": lambda c: _agreement(c, AgreementForm.WRITTEN).exists(),
    "oral_agreement": lambda c: _agreement(c, AgreementForm.ORAL).exists(),
    "performance_proof": lambda c: c.performance_records.exists(),
    "follow_up": lambda c: c.follow_ups.exists(),
    "judicial_confirmation": lambda c: c.judicial_confirmations.exists(),
    "closing_report": lambda c: bool(c.closing_summary.strip()),
}


def _condition(case: Case, when: str) -> bool:
    mediated = case.presiding_mediator_id is not None
    if when == "always":
        return True
    if when == "mediated":
        return mediated
    if when == "agreement":
        return case.outcome == Outcome.SUCCESS
    if when == "written_agreement":
        return _agreement(case, AgreementForm.WRITTEN).exists()
    if when == "oral_agreement":
        return _agreement(case, AgreementForm.ORAL).exists()
    return False  # as_needed


@cache
def checklist_config() -> list[dict]:
    with open(settings.TIAOJIE["DOSSIER_CHECKLIST"], encoding="utf-8") as fh:
        items = json.load(fh)["items"]
    unknown = [i["key"] for i in items if i["key"] not in PRESENT]
    if unknown:
        raise ValueError(f"Unknown dossier checklist keys: {unknown}")
    return items


def dossier_items(case: Case) -> list[DossierItem]:
    return [
        DossierItem(i["key"], i["label"], _condition(case, i["required_when"]), PRESENT[i["key"]](case))
        for i in checklist_config()
    ]


def missing_items(case: Case) -> list[str]:
    return [i.label for i in dossier_items(case) if i.required and not i.present]
