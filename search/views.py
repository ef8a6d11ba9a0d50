"""全文检索 (search:home) and the similar-cases panel of a case page (search:similar, loaded by HTMX)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import log_access
from accounts.models import AccessKind, Role
from cases.scoping import access_case_by_id
from search.query import search_cases
from search.similar import similar_cases

SEARCH_ROLES = {
    Role.MEDIATOR,
    Role.DIRECTOR,
    Role.SFS_OFFICER,
    Role.COUNTY_ADMIN,
    Role.CITY_ADMIN,
    Role.COURT_LIAISON,
}


def _require(request: HttpRequest) -> None:
    if request.user.role not in SEARCH_ROLES:
        raise PermissionDenied


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require(request)
    q = (request.GET.get("q") or "").strip()[:100]
    results = search_cases(request.user, q, request.GET.get("page")) if q else None
    if results is not None and results.page is not None:
        detail = f"全文检索第{results.page.number}页，显示{len(results.hits)}件"
        log_access(request, AccessKind.VIEW_CASE_LIST, detail=detail)
    return render(request, "search/home.html", {"q": q, "results": results})


@login_required
@require_GET
def similar(request: HttpRequest, case_id: int) -> HttpResponse:
    _require(request)
    case = access_case_by_id(request.user, case_id)
    items = similar_cases(request.user, case)
    return render(request, "search/_similar.html", {"case": case, "items": items})
