"""Case pages shared by all interfaces: the case page, the action pages, the full-ID reveal, a party's list.

Every fetch goes through cases.scoping (404 outside jurisdiction); the actions offered come from
cases.permissions.available_actions; every state change goes through the form's run() → cases.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_access
from accounts.clientip import client_ip
from accounts.models import AccessKind, AccessLog, Role
from cases import forms as F
from cases import forms_agreement as FA
from cases.actions import ActionRefused
from cases.actions.judicial import jc_deadline
from cases.closing import closing_advice
from cases.dossier import dossier_items
from cases.enums import CLOCK_STATES
from cases.models.case import mask_name
from cases.next_step import next_steps
from cases.online_activity import application_summary, parties_online, source_line
from cases.permissions import (
    available_actions,
    can_view_full_id,
    can_view_full_phone,
    current_agreement,
    current_jc,
    jc_status,
    jc_unavailable_reason,
    may_reveal_phone,
    relations,
    sees_protected_in_full,
    shown_phone,
)
from cases.scoping import access_case_by_id, cases_visible_to
from cases.transitions import JC_TABLE, LABELS, find_row
from supervision import forms_duban as FD
from tiaojie.forms import add_refusal
from workdays.calendar import working_days_overdue

FORMS: dict[str, type[F.ActionForm]] = {
    f.action: f
    for f in [
        F.AcceptForm,
        F.RefuseForm,
        F.TransferForm,
        F.AssignForm,
        F.RecuseForm,
        F.InvestigationForm,
        F.SessionForm,
        F.ExtendForm,
        F.ReclassifyForm,
        F.PauseForm,
        F.ResumeForm,
        F.TerminateForm,
        F.PartyRefusalForm,
        F.GuardianConsentForm,
        FA.OralInWritingForm,
        FA.DraftAgreementForm,
        FA.OralAgreementForm,
        FA.SignForm,
        FA.SealForm,
        FA.ImmediatePerformanceForm,
        FA.PaymentForm,
        FA.FollowUpForm,
        FA.ConfirmPerformedForm,
        FA.NonPerformanceForm,
        FA.UrgeForm,
        FA.RemediateForm,
        FA.CloseForm,
        FA.ArchiveForm,
        FA.DisposeForm,
        FA.JCApplyForm,
        FA.JCAcceptForm,
        FA.JCRefuseForm,
        FA.JCDecideForm,
        FD.SuperviseCaseForm,
        FD.UrgeCaseForm,
        FD.SupervisionReplyForm,
    ]
}


def overdue_days(case) -> int:
    if case.status not in CLOCK_STATES or case.time_limit_due is None:
        return 0
    return working_days_overdue(case.time_limit_due)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    if request.user.role == Role.PARTY:
        # Parties follow their case in the portal (citizen timeline, signing, messages); every link to a case —
        # notifications, messages, bookings — lands there.
        return redirect("portal:case", pk=case.pk)
    # Every staff view of a case is logged (mediation-domain.md §13.3): supervisors, courts and committee staff.
    # The entry records the path served; nothing in the query string reaches it (accounts.access).
    log_access(request, AccessKind.VIEW_CASE, case=case, detail="查看案件")
    full_view = sees_protected_in_full(request.user, case)
    if case.protected and full_view and request.user.role != Role.PARTY:
        # Each full view of a minor's or a ward's case is logged (docs/adr/0003-minors.md).
        AccessLog.objects.create(
            user=request.user,
            action=AccessKind.VIEW_PROTECTED_CASE,
            case=case,
            ip_address=client_ip(request),
            detail="查看涉未成年人或无、限制民事行为能力人案件的完整当事人信息",
        )
    agreement = current_agreement(case)
    actions = available_actions(case, request.user)
    parties = _shown_parties(
        case,
        masked=not full_view,
        full_phones=can_view_full_phone(request.user, case),
        own=frozenset(case.parties.filter(user=request.user).values_list("pk", flat=True)),
    )
    context = {
        "case": case,
        "actions": actions,
        "parties": parties,
        **_what_the_parties_did(case, parties),
        "source_line": source_line(case),
        "may_reveal_phone": may_reveal_phone(request.user, case),
        "masked_view": not full_view,
        "jc_blocked": _jc_blocked(case, request.user, actions),
        "advice": closing_advice(case),
        "recusals": case.recusals.select_related("requested_by", "replaced", "replacement"),
        "mediators": case.mediators(),
        "records": case.records.select_related("recorded_by"),
        "agreement": agreement,
        "terms": agreement.terms.select_related("obligor", "obligee").prefetch_related("instalments")
        if agreement
        else [],
        "signatures": agreement.signatures.select_related("party", "mediator") if agreement else [],
        "valid_signature_ids": set(agreement.valid_signatures().values_list("pk", flat=True)) if agreement else set(),
        "follow_ups": case.follow_ups.select_related("party"),
        "performance": case.performance_records.all(),
        "extensions": case.extensions.all(),
        "jc": current_jc(case),
        "jc_deadline": jc_deadline(case),
        "events": case.events.select_related("actor"),
        "dossier": dossier_items(case),
        "can_view_id": can_view_full_id(request.user, case),
        "overdue": overdue_days(case),
        "today": timezone.localdate(),
        "clock_running": case.status in CLOCK_STATES,
        # A party sees their own dispute, not the committee's working papers or the other side's contacts.
        "party_view": request.user.role == Role.PARTY,
        "own_party_ids": set(case.parties.filter(user=request.user).values_list("pk", flat=True)),
    }
    return render(request, "cases/detail.html", context)


def _triage_panel(case, form, action: str) -> dict:
    from django.urls import reverse

    from triage.decisions import enabled
    from triage.views import case_shown

    if not enabled():
        return {}
    decision = getattr(form, "triage_decision", None) if getattr(form, "triage_pending", None) else None
    return {
        "triage_panel": True,
        # Acceptance: the suggestion recorded at the door; reclassification: a fresh one for the facts as they are
        # (and its "重新分析" asks for a fresh one too: the suggestion do_reclassify records).
        "panel_url": reverse("triage:panel_case", args=[case.pk]) + ("?fresh=1" if action == "reclassify" else ""),
        "triage_shown": case_shown(case, stored=action == "accept", fresh=action == "reclassify"),
        "triage_type_only": action == "reclassify",
        "triage_live": False,
        "adopt_target": "id_dispute_type",
        "decision_level": decision["level"] if decision else None,
        "decision_route": decision["route"] if decision else None,
        "decision_opt_out": decision["opt_out"] if decision else None,
    }


def _what_the_parties_did(case, parties: list) -> dict:
    """The panels that show staff what the parties did online and what comes next (issue 9 §7): each party's
    invitation, joining and consent; the application as submitted in the portal; the next step the law expects."""
    return {
        "parties_online": parties_online(case, {p.pk: p.shown_name for p in parties}),
        "application": application_summary(case),
        "next_steps": next_steps(case),
    }


def _shown_parties(case, *, masked: bool, full_phones: bool = True, own: frozenset[int] = frozenset()) -> list:
    """The parties as this viewer may see them: in a case involving a minor or a ward, anyone but its mediators
    and the director sees the wards' names as surname + 某, phones masked, addresses and birth dates withheld.
    Phones are masked for anyone but the assigned mediators and the director in every case, a party's own excepted
    (docs/adr/0008-phone-numbers.md)."""
    parties = list(case.parties.all())
    for p in parties:
        p.shown_name = p.display_name if masked else p.name
        p.shown_phone = shown_phone(p.phone, full=(full_phones and not masked) or p.pk in own)
        p.shown_address = "（已隐去）" if masked and p.address else p.address
        p.show_birth = not masked
        p.shown_guardian = mask_name(p.guardian_name) if masked and p.guardian_name else p.guardian_name
    return parties


def _jc_blocked(case, user, actions) -> str | None:
    """Why the judicial-confirmation button is not offered, for a user who could otherwise apply: the agreement
    is oral and not yet in writing, or its terms concern what a court may not confirm."""
    if any(code == "jc_apply" for code, _label in actions):
        return None
    row = find_row("jc_apply", case.status)
    if row is None or not (relations(user, case) & row.rels):
        return None
    if jc_status(case) not in JC_TABLE["jc_apply"][0]:
        return None
    return jc_unavailable_reason(case)


@login_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The staff action pages. A party never uses them: these forms let the user name any party, date and method,
    while a party acts only as themselves through the portal's own pages (which record the session, the text read,
    the other party's consent). So for a party every action page does not exist (404)."""
    if request.user.role == Role.PARTY:
        raise Http404
    case = access_case_by_id(request.user, pk)
    form_class = FORMS.get(action)
    if form_class is None:
        raise Http404("没有这个操作")
    offered = dict(available_actions(case, request.user))
    if action not in offered:
        messages.error(request, f"本案当前不能执行“{LABELS[action]}”")
        return redirect("cases:detail", pk=case.pk)
    # A refused acceptance sends the director on to the refuse page with the exclusion found (?exclusion=...).
    initial = {"exclusion": request.GET.get("exclusion", "")} if action == "refuse" else {}
    form = form_class(request.POST or None, case=case, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            form.run()
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已完成：{LABELS[action]}")
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "form": form, "action": action, "label": LABELS[action]}
    if action in ("accept", "reclassify"):
        # Issue 13: the triage suggestion for the case's facts (an application's stored one, waiting for the decision).
        context.update(_triage_panel(case, form, action))
    if action in ("accept", "refuse"):
        # The director decides on acceptance knowing whether the other side joined and consented, what the
        # applicant asked for, and by when the decision is due.
        shown = _shown_parties(case, masked=not sees_protected_in_full(request.user, case))
        context.update(_what_the_parties_did(case, shown))
    return render(request, "cases/action.html", context)


@login_required
@require_POST
def reveal_id_number(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """Show one party's full ID number to a role that needs it, and write the access log."""
    case = access_case_by_id(request.user, pk)
    party = get_object_or_404(case.parties, pk=party_pk)
    if not can_view_full_id(request.user, case):
        raise Http404
    AccessLog.objects.create(
        user=request.user,
        action=AccessKind.VIEW_ID_NUMBER,
        case=case,
        party=party,
        ip_address=client_ip(request),
        detail=f"查看{party.name}的身份证号码",
    )
    return render(request, "cases/_id_number.html", {"party": party, "full": party.full_id_number()})


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """Show one party's full phone to staff who see it masked, for a reason they give; the reason goes into the
    access log (docs/adr/0008-phone-numbers.md). Only by POST: a link or a prefetch reveals nothing."""
    case = access_case_by_id(request.user, pk)
    party = get_object_or_404(case.parties, pk=party_pk)
    if not may_reveal_phone(request.user, case) or not party.phone:
        raise Http404
    reason = " ".join((request.POST.get("reason") or "").split())[:100]
    if not reason:
        context = {"case": case, "party": party, "error": "请填写查看事由"}
        return render(request, _phone_template(request), context, status=400)
    AccessLog.objects.create(
        user=request.user,
        action=AccessKind.VIEW_PHONE,
        case=case,
        party=party,
        ip_address=client_ip(request),
        detail=f"查看{party.name}的完整电话号码；事由：{reason}"[:200],
    )
    return render(request, _phone_template(request), {"case": case, "party": party, "full": party.phone})


def _phone_template(request: HttpRequest) -> str:
    """The fragment for the page's htmx form; a whole page when the form was posted without JavaScript."""
    return "cases/_phone.html" if request.headers.get("HX-Request") else "cases/phone_page.html"


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """A party's own cases (the portal proper comes with the party-portal issue)."""
    cases = cases_visible_to(request.user).select_related("committee").order_by("-registered_at")
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "cases/mine.html", {"page": page})
