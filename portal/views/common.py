"""Shared by the portal's pages for a signed-in party: the guard, the party's own party record, the case context."""

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cases.actions import jc_deadline
from cases.enums import CaseStatus, PartySide
from cases.models import Case, Party, Rating
from cases.permissions import available_actions, current_agreement, current_jc
from portal import citizen


def party_required(view):
    """Portal pages for a signed-in party. Anonymous → the phone sign-in; staff → their own interface."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.get_full_path()}")
        if request.user.role != Role.PARTY:
            if "pk" in kwargs:
                return redirect("cases:detail", pk=kwargs["pk"])
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapped


def own_party(case: Case, user: User) -> Party:
    party = case.parties.filter(user=user).first()
    if party is None:
        raise Http404
    return party


def case_context(request: HttpRequest, case: Case) -> dict:
    """What every page of one case shows a party: where it stands, its timeline, what the party may do now."""
    party = own_party(case, request.user)
    offered = dict(available_actions(case, request.user))
    consented = case.events.filter(action="party_consent", data__party=party.pk).exists()
    rating = Rating.objects.filter(case=case, party=party).first()
    return {
        "case": case,
        "party": party,
        "parties": case.parties.all(),
        "status": citizen.status_for(case, party),
        "steps": citizen.STEPS,
        "step_index": citizen.step_index(case),
        "timeline": citizen.timeline(case),
        "offered": offered,
        "agreement": current_agreement(case),
        "can_withdraw": "party_refusal" in offered and party.side == PartySide.APPLICANT,
        "needs_consent": "party_refusal" in offered and party.side != PartySide.APPLICANT and not consented,
        "consented": consented,
        "can_sign": "sign_agreement" in offered,
        "jc_deadline": jc_deadline(case),
        "jc": current_jc(case),
        "can_rate": case.status in (CaseStatus.CLOSED, CaseStatus.ARCHIVED) and rating is None,
        "rating": rating,
        "evidence": case.portal_evidence.filter(uploaded_by=request.user, removed_at__isnull=True),
        "user": request.user,
        "party_view": True,
        "today": timezone.localdate(),
    }
