"""Which standard documents (文书) a case has, who may print each, and where each goes in the dossier.

The binding order itself is configuration (data/dossier_checklist.json, read through cases.dossier); this module
only maps each checklist key to the printable documents that file it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from cases.enums import AgreementForm, AgreementStatus, CaseSource, PartySide
from cases.models import Case
from cases.permissions import current_agreement, relations
from cases.transitions import Rel


def printable_agreement(case: Case, form: str):
    """The agreement a document prints: the current one (a draft is printed with its 草稿 banner), or, while a
    re-mediation has set it aside and no new one exists yet, none."""
    agreement = current_agreement(case)
    if agreement is not None and agreement.form == form and agreement.status != AgreementStatus.REVOKED:
        return agreement
    return None


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    applies: Callable[[Case], bool]
    # Documents printing identity numbers (full ones when the viewer may see them, masked otherwise).
    prints_id_numbers: bool = False


def _accepted(case: Case) -> bool:
    return case.accepted_at is not None


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in [
        Kind("cover", _("卷宗封面"), lambda c: bool(c.case_no)),
        Kind("index", _("卷内目录"), lambda c: bool(c.case_no)),
        Kind("application", _("人民调解申请书"), lambda c: c.source == CaseSource.ON_APPLICATION),
        Kind("acceptance", _("人民调解受理登记表"), _accepted),
        Kind("rights_notice", _("当事人权利义务告知书"), _accepted),
        Kind("identity", _("当事人身份证明"), _accepted, prints_id_numbers=True),
        Kind("investigation", _("人民调解调查记录"), lambda c: c.records.filter(kind="INVESTIGATION").exists()),
        Kind("session", _("人民调解记录"), lambda c: c.records.filter(kind="SESSION").exists()),
        Kind(
            "agreement",
            _("人民调解协议书"),
            lambda c: printable_agreement(c, AgreementForm.WRITTEN) is not None,
            prints_id_numbers=True,
        ),
        Kind(
            "oral_agreement",
            _("人民调解口头协议登记表"),
            lambda c: printable_agreement(c, AgreementForm.ORAL) is not None,
        ),
        Kind("performance", _("履行情况登记表"), lambda c: c.performance_records.exists()),
        Kind("follow_up", _("人民调解回访记录"), lambda c: c.follow_ups.exists()),
        Kind(
            "judicial_confirmation",
            _("司法确认有关材料"),
            lambda c: c.judicial_confirmations.exists(),
            prints_id_numbers=True,
        ),
        Kind("closing_report", _("人民调解结案报告表"), lambda c: c.closed_at is not None),
    ]
}

# Dossier checklist key (data/dossier_checklist.json) → the documents filed under it, in this order.
CHECKLIST_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "application": ("application", "acceptance"),
    "rights_notice": ("rights_notice",),
    "identity": ("identity",),
    "investigation": ("investigation",),
    "session_record": ("session",),
    "written_agreement": ("agreement",),
    "oral_agreement": ("oral_agreement",),
    "performance_proof": ("performance",),
    "follow_up": ("follow_up",),
    "judicial_confirmation": ("judicial_confirmation",),
    "closing_report": ("closing_report",),
}

PARTY_KINDS = {"agreement", "oral_agreement"}


def _party_of_case(user: User, case: Case) -> bool:
    return Rel.PARTY in relations(user, case)


def may_print(user: User, case: Case, slug: str) -> bool:
    """Staff in scope print everything; a party only their own agreement (and their application if they applied).
    The caller has already fetched the case through cases.scoping (so it is in the user's scope)."""
    if slug not in KINDS:
        return False
    if user.role != Role.PARTY:
        return True
    if not _party_of_case(user, case):
        return False
    if slug in PARTY_KINDS:
        return True
    if slug == "application":
        return case.parties.filter(user=user, side=PartySide.APPLICANT).exists()
    return False


def applies(case: Case, slug: str) -> bool:
    return slug in KINDS and KINDS[slug].applies(case)


def document_url(case: Case, slug: str) -> str:
    return reverse("documents:case_document", kwargs={"pk": case.pk, "kind": slug})


def available_documents(case: Case, user: User) -> list[tuple[str, str, str]]:
    """(kind, Chinese label, url) of every document this user may print for this case now, in binding order.
    Empty for a case outside the user's scope (the views answer 404 there)."""
    from cases.scoping import cases_visible_to

    if not cases_visible_to(user).filter(pk=case.pk).exists():
        return []
    return [
        (slug, str(kind.label), document_url(case, slug))
        for slug, kind in KINDS.items()
        if may_print(user, case, slug) and kind.applies(case)
    ]


def dossier_available(case: Case, user: User) -> bool:
    """The whole dossier is a staff document, once the case has its number."""
    return user.is_authenticated and user.role != Role.PARTY and bool(case.case_no)


def dossier_kinds(case: Case) -> list[str]:
    """The documents of the bound dossier after cover and index, in the binding order of the checklist."""
    from cases.dossier import checklist_config

    slugs: list[str] = []
    for item in checklist_config():
        for slug in CHECKLIST_DOCUMENTS.get(item["key"], ()):
            if slug not in slugs and KINDS[slug].applies(case):
                slugs.append(slug)
    return slugs


def dossier_layout(case: Case) -> list[tuple[str, object]]:
    """The bound dossier after cover and index, in the checklist's binding order: ("doc", slug) for a document
    printed from the records, ("scan", CaseAttachment) for a scan filed under that checklist item (after the
    printed documents of the item, in upload order). Withdrawn scans are not bound."""
    from cases.dossier import checklist_config

    scans: dict[str, list] = {}
    for scan in case.attachments.current().order_by("uploaded_at", "id"):
        scans.setdefault(scan.kind, []).append(scan)
    layout: list[tuple[str, object]] = []
    seen: set[str] = set()
    for item in checklist_config():
        for slug in CHECKLIST_DOCUMENTS.get(item["key"], ()):
            if slug not in seen and KINDS[slug].applies(case):
                seen.add(slug)
                layout.append(("doc", slug))
        layout += [("scan", scan) for scan in scans.get(item["key"], [])]
    return layout
