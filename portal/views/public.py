"""Public pages: what people's mediation is, and the roster of committees and mediators (名册公示)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.places import Place, roster


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
    rows = roster(place, q)
    return render(request, "portal/roster.html", {"place": place, "q": q, "rows": rows, **place.options()})
