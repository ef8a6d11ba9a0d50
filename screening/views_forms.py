"""Pages of screening. Owner: h-form. Stubs (404) until built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def forms(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def form_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def form(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def form_submit(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def form_correct(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def form_xlsx(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def form_pdf(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")
