"""The reconciliation (三统一) and the monthly entry notice (录入情况通报), as pages and as a PDF."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.scoping import cases_visible_to
from documents.pdf import pdf_response, render_pdf
from insights.base import make_period
from supervision import entries as E
from supervision.access import NOTICE_ROLES, area_for, require_role
from supervision.config import entry_rules
from supervision.forms import NoticeForm, ReconciliationForm, last_month
from supervision.notice import entry_notice
from supervision.reconciliation import reconcile


def number_format() -> str:
    """The numbering rule in words, for the notice."""
    return settings.TIAOJIE["CASE_NUMBER_FORMAT"].format(year="年度", short="调委会简称", seq="N")


def _notice_params(request: HttpRequest):
    user = require_role(request, NOTICE_ROLES)
    area = area_for(user, request.GET.get("area"))
    year, month = last_month()
    initial = {"area": area.code, "year": year, "month": month}
    form = NoticeForm({**initial, **request.GET.dict()} if request.GET else initial, user=user)
    if form.is_valid():
        year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    return user, area, year, month, form


@login_required
def entry_notice_page(request: HttpRequest) -> HttpResponse:
    user, area, year, month, form = _notice_params(request)
    notice = entry_notice(cases_visible_to(user), area, year, month)
    query = f"area={area.code}&year={year}&month={month}"
    context = {"notice": notice, "form": form, "query": query, "number_format": number_format()}
    return render(request, "supervision/entry_notice.html", context)


@login_required
def entry_notice_pdf(request: HttpRequest) -> HttpResponse:
    user, area, year, month, _form = _notice_params(request)
    notice = entry_notice(cases_visible_to(user), area, year, month)
    data = render_pdf(
        "supervision/entry_notice_pdf.html", {"notice": notice, "number_format": number_format()}, request=request
    )
    return pdf_response(data, f"{area.name}{notice.period.label}案件录入情况通报.pdf")


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    user = require_role(request, NOTICE_ROLES)
    area = area_for(user, request.GET.get("area"))
    year, month = last_month()
    initial = {"area": area.code, "year": year, "kind": "month", "index": month}
    form = ReconciliationForm({**initial, **request.GET.dict()} if request.GET else initial, user=user)
    kind, index = "month", month
    if form.is_valid():
        year, kind, index = form.cleaned_data["year"], form.cleaned_data["kind"], form.cleaned_data["index"]
    period = make_period(year, kind, index)
    result = reconcile(cases_visible_to(user), period, area.code)
    context = {
        "form": form,
        "area": area,
        "result": result,
        "definitions": [
            E.ENTRY_DEFINITION.format(days=entry_rules().deadline_days),
            E.DOSSIER_DEFINITION,
            E.REPORT_DEFINITION,
        ],
        "notice_query": f"area={area.code}&year={year}&month={index if kind == 'month' else ''}",
        "is_month": kind == "month",
    }
    return render(request, "supervision/reconciliation.html", context)
