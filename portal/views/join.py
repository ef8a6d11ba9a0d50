"""Joining a case as the other party: the invitation link (token) or code, then cases.actions.do_accept_invitation."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import Role
from cases import actions as A
from cases.actions import ActionRefused
from cases.enums import PartySide
from portal import forms as PF
from portal.services.joining import look_up


def join(request: HttpRequest, token: str = "") -> HttpResponse:
    """The invited party opens the SMS link (token) or types the code; after sign-in with the number the invitation
    was sent to, they see whose application it is and confirm joining. Wrong codes are counted in the database."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('portal:login')}?next={request.get_full_path()}")
    if request.user.role != Role.PARTY:
        return redirect("home")
    form = PF.JoinForm(request.POST or None)
    invitation = None
    error = ""
    secret = token or (request.POST.get("code") or "").strip().upper()
    if token or (request.method == "POST" and form.is_valid()):
        invitation, error = look_up(request.user, token=token, code="" if token else secret)
    if invitation is not None and request.POST.get("confirm") == "1":
        try:
            party = A.do_accept_invitation(request.user, invitation)
        except ActionRefused as refusal:
            error, invitation = refusal.message, None
        else:
            messages.success(request, "您已加入案件。请表明是否同意调解。")
            return redirect("portal:consent", pk=party.case_id)
    ctx = {"form": form, "invitation": invitation, "secret": secret, "token": token, "error": error}
    if invitation is not None:
        case = invitation.party.case
        ctx |= {
            "inv_case": case,
            "applicant_name": ", ".join(case.parties.filter(side=PartySide.APPLICANT).values_list("name", flat=True)),
        }
    return render(request, "portal/join.html", ctx)
