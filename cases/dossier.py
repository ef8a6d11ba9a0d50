"""The dossier checklist (卷宗目录): which documents a case's file holds, in binding order, and which are missing.

The list, labels and conditions come from data/dossier_checklist.json (configuration); this module only knows how
to tell whether each kind of document exists for a case. A document is present when the record it is printed from
exists (the registration, the records of sessions, an effective agreement, …) or when a scan of it was filed
(cases.models.CaseAttachment) — never because a box was ticked: the "identities checked" tick of the assignment
form is shown as a note only. A document whose paper original carries signatures or is an ID copy (`needs_scan`)
shows 缺扫描件 until its scan is filed; `archive_requires_scans` makes that block archiving too.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from cases.enums import AgreementForm, AgreementStatus, Outcome, PartyType, RecordKind, SignatureMethod, SignerRole
from cases.models import Case


@dataclass(frozen=True)
class DossierItem:
    key: str
    label: str
    required: bool
    present: bool
    # The paper original must be scanned in (config) and no scan of it is filed (nor was it all signed online).
    scan_missing: bool = False
    scans: int = 0
    # What a tick or a record says beside the document (shown, never counted).
    note: str = ""


def _agreement(case: Case, form: str | None = None):
    qs = case.agreements.filter(effective_at__isnull=False).exclude(status=AgreementStatus.REVOKED)
    return qs.filter(form=form) if form else qs


def _identities_registered(case: Case) -> bool:
    """Every party's identity is on record: an ID number for a person, a credit code for an organisation."""
    parties = list(case.parties.all())
    return bool(parties) and all(
        p.id_number_masked if p.party_type == PartyType.NATURAL_PERSON else p.credit_code for p in parties
    )


def _signed_online(case: Case) -> bool:
    """The effective written agreement was signed online by every party and the mediator (electronic signatures):
    there is no paper original to scan."""
    agreement = _agreement(case, AgreementForm.WRITTEN).first()
    if agreement is None:
        return False
    sigs = agreement.valid_signatures().exclude(signer_role=SignerRole.SEAL)
    # A party's online signature is made in their own portal session (documents.builders reads it the same way).
    paper = (
        sigs.exclude(method=SignatureMethod.E_SIGNATURE).exists()
        or sigs.filter(signer_role=SignerRole.PARTY, session_ref="").exists()
    )
    return sigs.exists() and not paper


# The record each document is printed from. A scan of the document counts as well (dossier_items).
PRESENT: dict[str, Callable[[Case], bool]] = {
    "application": lambda c: c.registered_at is not None,
    # The service of the notice, recorded by the assignment action (do_assign_mediators).
    "rights_notice": lambda c: c.rights_notified_at is not None,
    "identity": _identities_registered,
    "investigation": lambda c: c.records.filter(kind=RecordKind.INVESTIGATION).exists(),
    "session_record": lambda c: c.records.filter(kind=RecordKind.SESSION).exists(),
    "written_agreement": lambda c: _agreement(c, AgreementForm.WRITTEN).exists(),
    "oral_agreement": lambda c: _agreement(c, AgreementForm.ORAL).exists(),
    "performance_proof": lambda c: c.performance_records.exists(),
    "follow_up": lambda c: c.follow_ups.exists(),
    "judicial_confirmation": lambda c: c.judicial_confirmations.exists(),
    "other_materials": lambda c: False,  # scans only
    "closing_report": lambda c: bool(c.closing_summary.strip()),
}

# A paper original that needs no scan: the written agreement signed online by all.
NO_SCAN_NEEDED: dict[str, Callable[[Case], bool]] = {"written_agreement": _signed_online}


def _note(case: Case, key: str) -> str:
    if key == "identity":
        unverified = case.parties.filter(identity_verified=False).exists()
        return "身份核验未勾选" if unverified else "已勾选“身份已核验”（仅作记录）"
    if key == "written_agreement" and _signed_online(case):
        return "各方已在线签署"
    return ""


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


def _config() -> dict:
    with open(settings.TIAOJIE["DOSSIER_CHECKLIST"], encoding="utf-8") as fh:
        return json.load(fh)


@cache
def checklist_config() -> list[dict]:
    items = _config()["items"]
    unknown = [i["key"] for i in items if i["key"] not in PRESENT]
    if unknown:
        raise ValueError(f"Unknown dossier checklist keys: {unknown}")
    return items


@cache
def archive_requires_scans() -> bool:
    return bool(_config().get("archive_requires_scans", False))


def scan_counts(case: Case) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in case.attachments.current().values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def dossier_items(case: Case) -> list[DossierItem]:
    scans = scan_counts(case)
    items = []
    for i in checklist_config():
        key = i["key"]
        n = scans.get(key, 0)
        present = n > 0 or PRESENT[key](case)
        online = key in NO_SCAN_NEEDED and NO_SCAN_NEEDED[key](case)
        scan_missing = bool(i.get("needs_scan")) and present and n == 0 and not online
        required = _condition(case, i["required_when"])
        items.append(DossierItem(key, i["label"], required, present, scan_missing, n, _note(case, key)))
    return items


def missing_items(case: Case) -> list[str]:
    """The labels of required documents missing from the dossier (what blocks archiving)."""
    strict = archive_requires_scans()
    missing = []
    for i in dossier_items(case):
        if i.required and not i.present:
            missing.append(i.label)
        elif strict and i.required and i.scan_missing:
            missing.append(f"{i.label}（扫描件）")
    return missing
