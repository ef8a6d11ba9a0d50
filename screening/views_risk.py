"""Pages of screening. Owner: h-risk. Stubs (404) until built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def risk(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_new_case(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_new_finding(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_level(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_update(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_instruct(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_review(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def risk_resolve(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def hop_acknowledge(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")
