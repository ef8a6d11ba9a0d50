"""The data each printed form shows, read from the case records and cut to what the viewer may see.

Identity numbers are masked unless `can_view_full_id`, phones unless `can_view_full_phone`; a party viewer does
not get the other parties' phone numbers (mediation-domain.md §13.3: data minimisation). Ages are printed
instead of birth dates.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from cases import identity
from cases.actions.base import local_date
from cases.closing import closing_advice
from cases.enums import (
    AgreementForm,
    AgreementStatus,
    CaseSource,
    FollowUpOutcome,
    PartySide,
    RecordKind,
    SignatureMethod,
    SignerRole,
)
from cases.models import Agreement, Case, Party
from cases.models.case import mask_name
from cases.online_activity import source_line
from cases.permissions import can_view_full_id, can_view_full_phone, sees_protected_in_full, shown_phone
from documents.catalogue import KINDS, printable_agreement

PERFORMANCE_KINDS = {
    "IMMEDIATE": "即时履行",
    "PAYMENT": "履行给付",
    "NOT_PERFORMED": "未履行",
    "URGED": "督促履行",
    "ADVISED_LITIGATION": "告知诉讼途径",
}


@dataclass
class Viewer:
    """Who the document is printed for, and what of the parties' data that person may see."""

    user: User
    full_ids: bool
    party_ids: set[int]  # the viewer's own Party rows (a party viewer)
    is_party: bool
    # A case involving a minor or a ward, printed for someone other than its mediators or director: names of the
    # wards, phones, addresses masked (docs/adr/0003-minors.md).
    masked: bool = False
    # Full phone numbers (docs/adr/0008-phone-numbers.md): the assigned mediators and the director.
    full_phones: bool = False

    @classmethod
    def of(cls, user: User, case: Case) -> "Viewer":
        own = set(case.parties.filter(user=user).values_list("pk", flat=True)) if user.is_authenticated else set()
        return cls(
            user=user,
            full_ids=can_view_full_id(user, case),
            party_ids=own,
            is_party=user.role == Role.PARTY,
            masked=not sees_protected_in_full(user, case),
            full_phones=can_view_full_phone(user, case),
        )


@dataclass
class PartyInfo:
    pk: int
    side: str
    side_label: str
    name: str
    is_person: bool
    gender: str
    ethnicity: str
    age: int | None
    occupation: str
    phone: str
    address: str
    id_number: str
    credit_code: str
    legal_representative: str
    guardian_name: str
    verified: bool


def party_info(p: Party, viewer: Viewer, on: date, *, with_id: bool) -> PartyInfo:
    id_number = ""
    if with_id and p.id_number_masked:
        id_number = p.full_id_number() if viewer.full_ids else p.id_number_masked
    own_or_staff = not viewer.is_party or p.pk in viewer.party_ids
    if viewer.masked and p.pk not in viewer.party_ids:
        return PartyInfo(
            pk=p.pk,
            side=p.side,
            side_label=str(PartySide(p.side).label),
            name=p.display_name,
            is_person=p.is_person,
            gender=p.get_gender_display() if p.gender else "",
            ethnicity=p.ethnicity,
            age=None,
            occupation="",
            phone=shown_phone(p.phone, full=False) if own_or_staff else "",
            address="（已隐去）" if p.address else "",
            id_number=p.id_number_masked if with_id else "",
            credit_code=p.credit_code,
            legal_representative=p.legal_representative,
            guardian_name=mask_name(p.guardian_name) if p.guardian_name else "",
            verified=p.identity_verified,
        )
    return PartyInfo(
        pk=p.pk,
        side=p.side,
        side_label=str(PartySide(p.side).label),
        name=p.name,
        is_person=p.is_person,
        gender=p.get_gender_display() if p.gender else "",
        ethnicity=p.ethnicity,
        age=identity.age_at(p.birth_date, on) if p.birth_date else None,
        occupation=p.occupation,
        phone=shown_phone(p.phone, full=viewer.full_phones or p.pk in viewer.party_ids) if own_or_staff else "",
        address=p.address,
        id_number=id_number,
        credit_code=p.credit_code,
        legal_representative=p.legal_representative,
        guardian_name=p.guardian_name,
        verified=p.identity_verified,
    )


def _parties(case: Case, viewer: Viewer, on: date, *, with_id: bool = False) -> list[PartyInfo]:
    return [party_info(p, viewer, on, with_id=with_id) for p in case.parties.all()]


def _user_name(user: User | None) -> str:
    return (user.full_name or user.username) if user else ""


def _day(value) -> date:
    return local_date(value) if value else timezone.localdate()


@dataclass
class Signature:
    """What the platform knows of one signature, seal or fingerprint on the current text, and how a print says it.

    `online`: it happened on the platform itself — a party signing in their own portal session (signed in by SMS
    code), the mediator signing from their own account, the director confirming the seal — so the print states
    what happened (who, when, how, the text's SHA-256) instead of a signature. Anything else (a signature, seal or
    fingerprint on paper that staff registered) leaves the place on the print blank: the paper original counts."""

    role: str
    name: str
    method: str
    signed_at: Any
    hash12: str
    electronic: bool
    online: bool = False
    record: str = ""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _sealed_on_platform(agreement: Agreement) -> bool:
    """The director confirmed the seal through do_seal_agreement (its event), not a seal carried over from a paper
    ledger by the historical import (whose events are marked historical)."""
    events = agreement.case.events.filter(action="seal_agreement").values_list("data", flat=True)
    return any(d.get("agreement") == agreement.pk and not d.get("historical") for d in events)


def _signature(s, agreement: Agreement) -> Signature:
    name = s.party.name if s.party_id else (s.mediator.name if s.mediator_id else "")
    digest = f"协议文本摘要 SHA-256: {s.text_hash[:16]}…"
    electronic = s.method == SignatureMethod.E_SIGNATURE
    if s.signer_role == SignerRole.SEAL:
        who = _user_name(s.recorded_by)
        online = _sealed_on_platform(agreement)
        record = (
            f"调解委员会已于 {_when(s.signed_at)} 在线确认用印（{who}操作；电子记录，非实物印章），{digest}"
            if online
            else f"（盖章已于{_day(s.signed_at).isoformat()}登记，以存卷纸质原件为准）"
        )
    elif s.signer_role == SignerRole.PARTY:
        online = (
            electronic and bool(s.session_ref) and s.party.user_id is not None and s.recorded_by_id == s.party.user_id
        )
        record = (
            f"{name}已于 {_when(s.signed_at)} 通过平台在线签署（登录时经手机短信验证码核验身份），{digest}"
            if online
            else f"（{SignatureMethod(s.method).label}已于{_day(s.signed_at).isoformat()}登记，以存卷纸质原件为准）"
        )
    else:
        online = electronic and s.mediator_id is not None and s.recorded_by_id == s.mediator.user_id
        record = (
            f"调解员{name}已于 {_when(s.signed_at)} 通过本人平台账号在线签署，{digest}"
            if online
            else f"（{SignatureMethod(s.method).label}已于{_day(s.signed_at).isoformat()}登记，以存卷纸质原件为准）"
        )
    return Signature(
        role=s.signer_role,
        name=name,
        method=str(SignatureMethod(s.method).label),
        signed_at=s.signed_at,
        hash12=s.text_hash[:12],
        electronic=electronic,
        online=online,
        record=record,
    )


@dataclass
class Part:
    """One document of a print: its kind, label and the context its template reads. `pages` holds one context
    per record for documents made of several records (each starts on a new page)."""

    slug: str
    label: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)
    pages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.pages) if self.pages else 1


def _common(case: Case, viewer: Viewer) -> dict[str, Any]:
    return {
        "case": case,
        "committee": case.committee,
        "number": case.case_no or case.registration_no,
        "mediators": case.mediators(),
        "viewer": viewer,
    }


def _application(case: Case, viewer: Viewer) -> dict[str, Any]:
    on = _day(case.registered_at)
    claims = [line.strip(" 　;；") for line in case.claims.splitlines() if line.strip()]
    return {
        "applicants": [p for p in _parties(case, viewer, on) if p.side == PartySide.APPLICANT],
        "others": [p for p in _parties(case, viewer, on) if p.side != PartySide.APPLICANT],
        "claims": claims or [case.claims],
        "date": case.registered_at,
    }


def _acceptance(case: Case, viewer: Viewer) -> dict[str, Any]:
    parties = _parties(case, viewer, _day(case.accepted_at))
    return {
        "parties": parties,
        "applicant_names": "、".join(p.name for p in parties if p.side == PartySide.APPLICANT),
        "respondent_names": "、".join(p.name for p in parties if p.side != PartySide.APPLICANT),
        "source_application": case.source == CaseSource.ON_APPLICATION,
        "source_proactive": case.source == CaseSource.PROACTIVE,
        "source_referred": case.source not in (CaseSource.ON_APPLICATION, CaseSource.PROACTIVE),
        # Who referred it, the court named once (as on the case page).
        "referral_line": "，".join(source_line(case).split(" · ")[1:]),
        "registrar": _user_name(case.registered_by),
        "acceptor": _user_name(case.accepted_by),
        "date": case.accepted_at,
    }


def _rights_notice(case: Case, viewer: Viewer) -> dict[str, Any]:
    return {"parties": _parties(case, viewer, _day(case.accepted_at)), "date": case.rights_notified_at}


def _identity(case: Case, viewer: Viewer) -> dict[str, Any]:
    return {"parties": _parties(case, viewer, _day(case.accepted_at), with_id=True), "full_ids": viewer.full_ids}


def _records(case: Case, viewer: Viewer, kind: str) -> list[dict[str, Any]]:
    parties = case.parties.all()
    by_name = {p.name: p for p in parties}
    pages = []
    records = list(case.records.filter(kind=kind).select_related("recorded_by"))
    for n, r in enumerate(records, start=1):
        on = _day(r.held_at)
        subject_party = by_name.get(r.subject.strip())
        pages.append(
            {
                "record": r,
                "n": n,
                "total": len(records),
                "recorder": _user_name(r.recorded_by),
                "subject_info": party_info(subject_party, viewer, on, with_id=False) if subject_party else None,
                "parties": [party_info(p, viewer, on, with_id=False) for p in parties],
                "content_lines": [line for line in r.content.splitlines() if line.strip()] or [r.content],
            }
        )
    return pages


def _signatures(agreement: Agreement | None) -> tuple[dict[int, Signature], Signature | None, Signature | None]:
    parties: dict[int, Signature] = {}
    mediator = seal = None
    if agreement is None:
        return parties, mediator, seal
    for s in agreement.valid_signatures().select_related("party", "mediator", "recorded_by"):
        sig = _signature(s, agreement)
        if s.signer_role == SignerRole.PARTY:
            parties[s.party_id] = sig
        elif s.signer_role == SignerRole.MEDIATOR:
            mediator = sig
        else:
            seal = sig
    return parties, mediator, seal


def _terms(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {"term": t, "instalments": list(t.instalments.all())}
        for t in agreement.terms.select_related("obligor", "obligee").prefetch_related("instalments")
    ]


def _agreement(case: Case, viewer: Viewer) -> dict[str, Any]:
    agreement = printable_agreement(case, AgreementForm.WRITTEN)
    party_sigs, mediator_sig, seal = _signatures(agreement)
    on = _day(agreement.effective_at or agreement.drafted_at)
    parties = _parties(case, viewer, on, with_id=True)
    effective = agreement.effective_at is not None and agreement.status != AgreementStatus.DRAFT
    return {
        "agreement": agreement,
        "effective": effective,
        "parties": parties,
        "party_rows": [(p, party_sigs.get(p.pk)) for p in parties],
        "mediator_sig": mediator_sig,
        "seal": seal,
        "terms": _terms(agreement),
        "copies": len(parties) + 1,
        "presiding": case.presiding_mediator,
        "recorder": _user_name(agreement.drafted_by),
    }


def _oral_agreement(case: Case, viewer: Viewer) -> dict[str, Any]:
    agreement = printable_agreement(case, AgreementForm.ORAL)
    return {
        "agreement": agreement,
        "parties": _parties(case, viewer, _day(agreement.effective_at)),
        "terms": _terms(agreement),
        "presiding": case.presiding_mediator,
        "recorder": _user_name(agreement.drafted_by),
    }


def _performance(case: Case, viewer: Viewer) -> dict[str, Any]:
    rows = [
        {"r": r, "kind": PERFORMANCE_KINDS.get(r.kind, r.kind), "recorder": _user_name(r.recorded_by)}
        for r in case.performance_records.select_related("recorded_by")
    ]
    return {"rows": rows, "status": case.get_performance_status_display() if case.performance_status else ""}


def _follow_ups(case: Case, viewer: Viewer) -> list[dict[str, Any]]:
    visits = list(case.follow_ups.select_related("party", "visitor"))
    agreement = case.agreements.filter(effective_at__isnull=False).first()
    return [
        {
            "visit": v,
            "n": n,
            "total": len(visits),
            "agreement_no": case.case_no if agreement else "",
            "visitor": _user_name(v.visitor),
            "sued": v.outcome == FollowUpOutcome.SUED,
            "risk": v.outcome == FollowUpOutcome.NEW_RISK,
        }
        for n, v in enumerate(visits, start=1)
    ]


def _judicial_confirmation(case: Case, viewer: Viewer) -> list[dict[str, Any]]:
    jcs = list(case.judicial_confirmations.select_related("court", "applicant", "consenting", "agreement"))
    return [
        {
            "jc": jc,
            "parties": _parties(case, viewer, jc.applied_on, with_id=True),
            "agreement_effective": jc.agreement.effective_at,
        }
        for jc in reversed(jcs)  # oldest first, as filed
    ]


def _closing_report(case: Case, viewer: Viewer) -> dict[str, Any]:
    return {
        "parties": _parties(case, viewer, _day(case.closed_at)),
        "filled_on": case.archived_at or case.closed_at,
        "handlers": "、".join(m.name for m in case.mediators()),
        "advice": closing_advice(case),
    }


def _cover(case: Case, viewer: Viewer) -> dict[str, Any]:
    last_record = case.records.order_by("-held_at").first()
    end = case.closed_at or (last_record.held_at if last_record else None)
    compiled_by = case.archived_by or (case.presiding_mediator.user if case.presiding_mediator_id else None)
    return {
        "start": case.accepted_at,
        "end": end,
        "compiled_by": _user_name(compiled_by),
        "compiled_on": case.archived_at,
        "retention": case.get_retention_class_display() if case.retention_class else "",
    }


SINGLE = {
    "application": _application,
    "acceptance": _acceptance,
    "rights_notice": _rights_notice,
    "identity": _identity,
    "agreement": _agreement,
    "oral_agreement": _oral_agreement,
    "performance": _performance,
    "closing_report": _closing_report,
    "cover": _cover,
}
MULTI = {
    "investigation": lambda c, v: _records(c, v, RecordKind.INVESTIGATION),
    "session": lambda c, v: _records(c, v, RecordKind.SESSION),
    "follow_up": _follow_ups,
    "judicial_confirmation": _judicial_confirmation,
}


def build_part(case: Case, slug: str, viewer: Viewer) -> Part:
    """The printable part of one kind (the caller has checked that it applies and that the viewer may print it)."""
    part = Part(slug=slug, label=str(KINDS[slug].label), template=f"documents/parts/{slug}.html")
    part.data = _common(case, viewer)
    if slug in SINGLE:
        part.data.update(SINGLE[slug](case, viewer))
    elif slug in MULTI:
        part.pages = MULTI[slug](case, viewer)
    return part
