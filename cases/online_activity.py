"""What the parties did online, for staff (issue 9 §7): whether each party was invited, joined the online case and
consented to mediation (or refused it), and the summary of the application the applicant submitted in the portal.

Read from the portal's own records (Invitation, ApplicationDraft) and the case's append-only events (party_joined,
party_consent, party_refusal); nothing here writes. Callers have fetched the case through cases.scoping."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from cases.enums import CaseSource, DisputeType, PartySide
from cases.models import Case, Party


@dataclass
class PartyOnline:
    party: Party
    shown_name: str
    invited_at: datetime | None = None  # the latest invitation SMS still in force (or used)
    invitation_phone: str = ""  # masked
    joined_at: datetime | None = None
    joined: bool = False  # has a portal account linked (the applicant online, or an invited party who joined)
    applied_online: bool = False  # submitted the application in the portal
    applied: bool = False  # the applicant of a case opened on application (online or at the committee)
    consented_at: datetime | None = None
    refused_at: datetime | None = None

    @property
    def state(self) -> str:
        """One phrase: 已同意调解 / 已拒绝调解 / 已加入，尚未表示是否同意 / 已邀请，尚未加入 / 未加入线上案件."""
        if self.refused_at:
            return "已拒绝调解"
        if self.consented_at:
            return "已同意调解"
        if self.applied:
            return "申请调解（申请即表示同意）"
        if self.joined:
            return "已加入，尚未表示是否同意调解"
        if self.invited_at:
            return "已发送邀请，尚未加入"
        return "未加入线上案件"

    @property
    def tone(self) -> str:
        if self.refused_at:
            return "danger"
        if self.consented_at or self.applied:
            return "success"
        return "warning" if self.joined or self.invited_at else "secondary"


def parties_online(case: Case, shown_names: dict[int, str] | None = None) -> list[PartyOnline]:
    """Per party, in the case's order: invited, joined, consented or refused (from the portal and the events)."""
    from cases.identity import mask_phone
    from portal.models import ApplicationDraft, Invitation

    shown_names = shown_names or {}
    parties = list(case.parties.all())
    events = case.events.filter(action__in=["party_joined", "party_consent", "party_refusal"]).order_by("at", "id")
    first: dict[tuple[str, int], datetime] = {}
    for e in events:
        pk = (e.data or {}).get("party")
        if isinstance(pk, int):
            first.setdefault((e.action, pk), e.at)
    applied_by = set(
        ApplicationDraft.objects.filter(case=case, submitted_at__isnull=False).values_list("user_id", flat=True)
    )
    invitations: dict[int, Invitation] = {}
    for inv in Invitation.objects.filter(party__case=case).order_by("-created_at", "-id"):
        invitations.setdefault(inv.party_id, inv)
    out = []
    for p in parties:
        inv = invitations.get(p.pk)
        online = p.user_id is not None and p.user_id in applied_by
        out.append(
            PartyOnline(
                party=p,
                shown_name=shown_names.get(p.pk, p.display_name),
                invited_at=inv.created_at if inv and not inv.revoked_at else None,
                invitation_phone=mask_phone(inv.phone) if inv and inv.phone else "",
                joined_at=first.get(("party_joined", p.pk)) or (inv.accepted_at if inv else None),
                joined=p.user_id is not None,
                applied_online=online,
                applied=online or (p.side == PartySide.APPLICANT and case.source == CaseSource.ON_APPLICATION),
                consented_at=first.get(("party_consent", p.pk)),
                refused_at=first.get(("party_refusal", p.pk)),
            )
        )
    return out


@dataclass
class ApplicationSummary:
    submitted_at: datetime
    dispute_type: str
    brief_facts: str
    claims: str
    amount: Decimal | None
    occurred_on: str
    evidence_count: int


def application_summary(case: Case) -> ApplicationSummary | None:
    """The application as the applicant submitted it in the portal (what they asked for and the facts they gave,
    in their words), or None for a case registered by the committee."""
    from portal.models import ApplicationDraft

    draft = ApplicationDraft.objects.filter(case=case, submitted_at__isnull=False).order_by("submitted_at").first()
    if draft is None:
        return None
    what = (draft.data or {}).get("what") or {}
    try:
        amount = Decimal(str(what["amount"])) if what.get("amount") not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    dtype = what.get("dispute_type") or ""
    label = dict(DisputeType.choices).get(dtype, "")
    return ApplicationSummary(
        submitted_at=draft.submitted_at,
        dispute_type=str(label),
        brief_facts=str(what.get("brief_facts") or case.brief_facts),
        claims=str(what.get("claims") or case.claims),
        amount=amount,
        occurred_on=str(what.get("occurred_on") or ""),
        evidence_count=case.portal_evidence.filter(removed_at__isnull=True).count(),
    )


def source_line(case: Case) -> str:
    """The case's source as one line, the court named once: "法院委托移送 · 咸安区人民法院委派（诉前） · 法院案号 …".
    A referral body that repeats the court's name (the demo and imports write both) is not repeated."""
    parts = [case.get_source_display()]
    body = (case.referral_body or "").strip()
    court = case.court.name if case.court_id else ""
    if court:
        mode = case.get_court_mode_display() if case.court_mode else ""
        parts.append(f"{court}{mode}")
        if body and body not in court and court not in body:
            parts.append(body)
        if case.court_case_no:
            parts.append(f"法院案号 {case.court_case_no}")
    elif body:
        parts.append(body)
    return " · ".join(parts)
