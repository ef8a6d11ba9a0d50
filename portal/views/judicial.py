"""Joint application for judicial confirmation (PML 33), online: one party requests, the other consents or declines,
the requester may withdraw. Each is an action of cases.actions.judicial (the 30-day rule is the actions' alone)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases import actions as A
from cases.actions import ActionRefused
from cases.scoping import access_case_by_id
from portal import forms as PF
from portal.models import JCRequest, JCRequestStatus
from portal.services.judicial import courts_for, other_side, pending_of, requests_of
from portal.views.common import case_context, party_required


def _told(request: HttpRequest, answered: JCRequest) -> None:
    if answered.status == JCRequestStatus.APPLIED:
        messages.success(request, f"已共同向{answered.court.name}申请司法确认")
    elif answered.status == JCRequestStatus.REFUSED:
        messages.error(request, f"未能提交：{answered.reason}")
    else:
        messages.info(request, "您已表示不同意共同申请司法确认")


@party_required
def judicial(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = case_context(request, case)
    party, agreement = ctx["party"], ctx["agreement"]
    if agreement is None or ctx["jc_deadline"] is None:
        messages.info(request, "只有已生效的书面调解协议可以申请司法确认")
        return redirect("portal:case", pk=case.pk)
    requests = requests_of(case, agreement)
    pending = pending_of(requests)
    other = other_side(case, party)
    which = request.POST.get("form") if request.method == "POST" else None
    request_form = consent_form = None
    error = ""
    try:
        if pending is None and "jc_request" in ctx["offered"]:
            data = request.POST if which == "request" else None
            request_form = PF.JCRequestForm(data, courts=courts_for(case), initial={"address": party.address})
            if request_form.is_bound and request_form.is_valid():
                d = request_form.cleaned_data
                A.do_request_joint_confirmation(
                    case,
                    request.user,
                    applicant=party,
                    court=d["court"],
                    address=d["address"],
                    materials=d["materials"],
                )
                messages.success(request, "已提交，等待对方同意后即向法院提交")
                return redirect("portal:judicial", pk=case.pk)
        if pending is not None and pending.consenting_id == party.pk:
            consent_form = PF.JCConsentForm(request.POST if which == "consent" else None)
            if consent_form.is_bound and consent_form.is_valid():
                d = consent_form.cleaned_data
                answered = A.do_answer_joint_confirmation(
                    case, request.user, request=pending, consent=d["answer"] == "yes", address=d["address"]
                )
                _told(request, answered)
                return redirect("portal:judicial", pk=case.pk)
        if which == "cancel" and pending is not None and pending.applicant_id == party.pk:
            A.do_withdraw_joint_confirmation_request(case, request.user, request=pending)
            messages.info(request, "已撤回司法确认申请")
            return redirect("portal:judicial", pk=case.pk)
    except ActionRefused as refusal:
        error = refusal.message
    return render(
        request,
        "portal/judicial.html",
        {
            **ctx,
            "requests": requests,
            "pending": pending,
            "other": other,
            "request_form": request_form,
            "consent_form": consent_form,
            "error": error,
            "days_left": (ctx["jc_deadline"] - timezone.localdate()).days,
            "materials": PF.JC_MATERIALS,
        },
    )
