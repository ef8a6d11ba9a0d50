"""Pages of screening. Owner: h-reports. Stubs (404) until built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def report(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def report_zero(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def report_submit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def report_correct(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def finding_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def finding(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def finding_to_case(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def finding_resolve(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")
