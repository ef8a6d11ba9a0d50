"""Pages of screening. Owner: h-policy. Stubs (404) until built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def policies(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def policy_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def special_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def special_cancel(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def campaigns(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def campaign_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def campaign(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def campaign_close(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def compliance(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")
