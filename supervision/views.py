"""The reconciliation (三统一) and the monthly entry notice (录入情况通报), as pages and as a PDF."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.scoping import cases_visible_to
from documents.pdf import pdf_response, render_pdf
from insights.base import make_period
from supervision import entries as E
from supervision.access import NOTICE_ROLES, area_for, require_role
from supervision.config import entry_rules
from supervision.forms import NoticeForm, ReconciliationForm, last_month
from supervision.forms_notice import IssueForm
from supervision.notice import entry_notice
from supervision.notice_header import cn_date, header_for
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


def _issue(request: HttpRequest, user, area, year: int) -> dict:
    """The notice's head and 落款 as issued by the user's own bureau (the area's when the user has none): issuer,
    文号 with the sequence entered on the page, addressees and date (data/document_headers.json)."""
    issue_form = IssueForm(request.GET if "docno" in request.GET or "issued" in request.GET else None)
    seq, issued = issue_form.values() if issue_form.is_bound else (None, None)
    header = header_for(user.division or area)
    issued = issued or timezone.localdate()
    return {
        "issue_form": issue_form,
        "header": header,
        "docno": header.docno(issued.year, seq),
        "docno_seq": seq,
        "issued_on": issued,
        "issued_cn": cn_date(issued),
    }


@login_required
def entry_notice_page(request: HttpRequest) -> HttpResponse:
    user, area, year, month, form = _notice_params(request)
    notice = entry_notice(cases_visible_to(user), area, year, month)
    query = f"area={area.code}&year={year}&month={month}"
    issue = _issue(request, user, area, year)
    if issue["docno_seq"]:
        query += f"&docno={issue['docno_seq']}"
    query += f"&issued={issue['issued_on']:%Y-%m-%d}"
    context = {"notice": notice, "form": form, "query": query, "number_format": number_format(), **issue}
    return render(request, "supervision/entry_notice.html", context)


@login_required
def entry_notice_pdf(request: HttpRequest) -> HttpResponse:
    user, area, year, month, _form = _notice_params(request)
    notice = entry_notice(cases_visible_to(user), area, year, month)
    context = {"notice": notice, "number_format": number_format(), **_issue(request, user, area, year)}
    data = render_pdf("supervision/entry_notice_pdf.html", context, request=request)
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
