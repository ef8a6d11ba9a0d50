"""The agreement, read and signed online by a party."""

import hashlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cases import actions as A
from cases.actions import ActionRefused
from cases.enums import AgreementStatus
from cases.scoping import access_case_by_id
from portal import forms as PF
from portal.codes import client_ip
from portal.views.common import case_context, party_required


def _session_ref(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return hashlib.sha256(request.session.session_key.encode()).hexdigest()


@party_required
def agreement_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the agreement on the phone and sign it online: the signature records who, when, from which session and
    the hash of the exact text read; a text changed since then is refused, not signed."""
    case = access_case_by_id(request.user, pk)
    ctx = case_context(request, case)
    agreement = ctx["agreement"]
    if agreement is None:
        messages.info(request, "调解员还没有起草调解协议")
        return redirect("portal:case", pk=case.pk)
    form = PF.SignForm(request.POST or None, initial={"text_hash": agreement.text_hash()})
    sign_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            A.do_sign_agreement(
                case,
                request.user,
                party=ctx["party"],
                method="E_SIGNATURE",
                expected_hash=form.cleaned_data["text_hash"],
                session_ref=_session_ref(request),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ActionRefused as refusal:
            sign_error = refusal.message
            form = PF.SignForm(initial={"text_hash": agreement.text_hash()})  # the text as it is now, to read again
        else:
            messages.success(request, "您已签署调解协议")
            return redirect("portal:agreement", pk=case.pk)
    valid = list(agreement.valid_signatures())
    signed = {s.party_id: s for s in valid if s.party_id}
    own_voided = agreement.signatures.filter(party=ctx["party"]).exclude(pk__in=[s.pk for s in valid]).exists()
    rows = [(p, signed.get(p.pk)) for p in case.parties.all()]
    return render(
        request,
        "portal/agreement.html",
        {
            **ctx,
            "form": form,
            "sign_error": sign_error,
            "terms": agreement.terms.select_related("obligor", "obligee").prefetch_related("instalments"),
            "sign_rows": rows,
            "mediator_signed": next((s for s in valid if s.signer_role == "MEDIATOR"), None),
            "sealed": next((s for s in valid if s.signer_role == "SEAL"), None),
            "own_signature": signed.get(ctx["party"].pk),
            "own_voided": own_voided and ctx["party"].pk not in signed,
            "effective": agreement.status != AgreementStatus.DRAFT and agreement.effective_at,
        },
    )
