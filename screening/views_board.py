"""Pages of screening. Owner: h-board. Stubs (404) until built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def board(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def areas(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def meetings(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def meeting_new(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")


@login_required
def meeting(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "screening/_stub.html")
