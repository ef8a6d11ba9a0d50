from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from ledgers.navigation import ledger_menu_entries
from ledgers.scoping import access_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The ledgers a user works on, with their roles; 404 for whoever has neither a role nor summaries."""
    entries = []
    for label, name, icon in ledger_menu_entries(request.user):
        try:
            entries.append((label, reverse(name), icon))
        except NoReverseMatch:  # a ledger app not installed in this deployment
            continue
    if not entries:
        raise Http404("无台账权限")
    return render(request, "ledgers/home.html", {"entries": entries, "roles": access_of(request.user).roles})
