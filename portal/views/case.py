"""A party's cases: the list and the notices, one case's page, and the steps a party takes on it (re-inviting the
other side, withdrawing, consenting or refusing, rating the service). Each step is a cases.actions call."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import actions as A
from cases.actions import ActionRefused
from cases.enums import PartySide
from cases.identity import mask_phone
from cases.scoping import access_case_by_id, cases_visible_to
from portal import citizen
from portal import forms as PF
from portal.codes import PortalRefused
from portal.invitations import invite_party
from portal.services.application import open_draft
from portal.views.common import case_context, own_party, party_required


@party_required
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(request.user).select_related("committee").order_by("-registered_at")[:100]
    rows = [(c, citizen.status_for(c, None)) for c in cases]
    notices = request.user.notifications.filter(read_at__isnull=True)[:5]
    return render(
        request, "portal/my_cases.html", {"rows": rows, "draft": open_draft(request.user), "notices": notices}
    )


@party_required
def notices(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.select_related("case")[:100])
    """The party's notices; reading them changes nothing (marked read by the POST of `notices_read`)."""
    visible = set(cases_visible_to(request.user).values_list("pk", flat=True))
    unread = any(n.read_at is None for n in items)
    return render(
        request, "portal/notices.html", {"rows": [(n, n.case_id in visible) for n in items], "unread": unread}
    )


@party_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    from accounts.views import mark_notices_read

    mark_notices_read(request)
    return redirect("portal:notices")


@party_required
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = case_context(request, case)
    other = case.parties.exclude(pk=ctx["party"].pk).filter(side=PartySide.RESPONDENT).first()
    ctx["can_reinvite"] = (
        ctx["party"].side == PartySide.APPLICANT
        and other is not None
        and other.user_id is None
        and bool(other.phone)
        and case.status not in citizen.ENDED
    )
    return render(request, "portal/case.html", ctx)


@party_required
@require_POST
def reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    party = own_party(case, request.user)
    other = case.parties.filter(side=PartySide.RESPONDENT, user__isnull=True).exclude(phone="").first()
    if party.side != PartySide.APPLICANT or other is None:
        raise Http404
    try:
        invite_party(request, other, request.user)
    except PortalRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已向对方（{mask_phone(other.phone)}）重新发送邀请短信")
    return redirect("portal:case", pk=case.pk)


@party_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = case_context(request, case)
    if not ctx["can_withdraw"]:
        messages.error(request, "本案当前不能撤回申请")
        return redirect("portal:case", pk=case.pk)
    form = PF.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            A.do_withdraw_application(
                case, request.user, party=ctx["party"], statement=form.cleaned_data["statement"], routes=PF.ALL_ROUTES
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "您已撤回调解申请")
            return redirect("portal:case", pk=case.pk)
    return render(request, "portal/withdraw.html", {**ctx, "form": form, "routes": citizen.ROUTES_TEXT})


@party_required
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = case_context(request, case)
    if not ctx["needs_consent"]:
        return redirect("portal:case", pk=case.pk)
    form = PF.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["answer"] == "yes":
                A.do_record_party_consent(case, request.user, party=ctx["party"])
                messages.success(request, "您已同意调解，调解员会联系您")
            else:
                A.do_record_party_refusal(
                    case, request.user, party=ctx["party"], statement=d["statement"], routes=PF.ALL_ROUTES
                )
                messages.info(request, "您已表示不同意调解。依照人民调解法，调解不再进行")
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return redirect("portal:case", pk=case.pk)
    return render(request, "portal/consent.html", {**ctx, "form": form, "routes": citizen.ROUTES_TEXT})


@party_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case_by_id(request.user, pk)
    ctx = case_context(request, case)
    if not ctx["can_rate"]:
        if ctx["rating"] is None:
            messages.info(request, "结案后才能评价")
        return redirect("portal:case", pk=case.pk)
    form = PF.RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            A.do_rate_service(
                case,
                request.user,
                party=ctx["party"],
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "感谢您的评价")
            return redirect("portal:case", pk=case.pk)
    return render(request, "portal/rate.html", {**ctx, "form": form})
