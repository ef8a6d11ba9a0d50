"""Public pages: what people's mediation is, and the roster of committees and mediators (名册公示)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from cases.scoping import cases_visible_to
from portal.places import Place, roster_page_of
from portal.privacy import privacy_notice
from registry.models import Committee


def home(request: HttpRequest) -> HttpResponse:
    """The public front page: what people's mediation is, that it is free, how to apply, and the roster search."""
    place = Place(county=request.GET.get("county", "")).clean()
    return render(request, "portal/home.html", {"place": place, **place.options()})


def roster_page(request: HttpRequest) -> HttpResponse:
    """名册公示: committees (address, phone) and their mediators (name, office, specialties) by area. Nothing else
    about a mediator is shown: no phone, no ID, no address."""
    place = Place(
        county=request.GET.get("county", ""),
        township=request.GET.get("township", ""),
        village=request.GET.get("village", ""),
    ).clean()
    q = request.GET.get("q", "")[:50]
    page, rows = roster_page_of(place, q, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"place": place, "q": q, "rows": rows, "page": page, "query": query.urlencode(), **place.options()}
    return render(request, "portal/roster.html", context)


def privacy(request: HttpRequest) -> HttpResponse:
    """个人信息保护说明: what the platform collects, why, who sees it, how long it is kept, the citizen's rights and
    whom to ask (PIPL arts 17 and 30). Public; a signed-in party also sees the committees of their own cases."""
    committees = []
    if request.user.is_authenticated and request.user.role == Role.PARTY:
        ids = cases_visible_to(request.user).values("committee_id")
        committees = list(Committee.objects.filter(pk__in=ids).order_by("name"))
    return render(request, "portal/privacy.html", {"notice": privacy_notice(), "committees": committees})
