"""Pages of the suggestions and proposals ledger: the list, registering, the item page with its action panels, the
year's report (screen, .xlsx, PDF) and the public page of the items a bureau chose to publish."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.actions.base import ActionRefused
from documents.pdf import pdf_response, render_pdf
from ledgers.actions.proposals import allowed_actions, roles_on
from ledgers.events import history
from ledgers.forms_proposals import FORMS, TITLES, RegisterForm
from ledgers.models import LedgerRoleKind
from ledgers.models_proposals import (
    AWAITING_REPLY,
    HandlingRole,
    Proposal,
    ProposalStatus,
    ReplyStatus,
)
from ledgers.proposal_config import rules_for
from ledgers.proposal_report import DEFINITIONS, annual_figures
from ledgers.scoping import access_of, get_visible_or_404, items_visible_to, summary_bureaus
from registry.models import Division, DivisionLevel

# The order of the action panels on the item page.
PANEL_ORDER = [
    "assign",
    "draft",
    "approve",
    "send_back",
    "send",
    "feedback",
    "follow_up",
    "contact",
    "urge",
    "extend",
    "return",
    "publish",
]


def _int(value: str | None, default: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if 2000 <= number <= 2099 else default


def visible_items(request: HttpRequest):
    return items_visible_to(request.user, Proposal.objects.all()).select_related("bureau", "department", "leader")


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    if not access_of(request.user).has_roles:
        raise Http404("无建议提案办理职责")
    today = timezone.localdate()
    qs = visible_items(request)
    years = sorted(set(qs.values_list("year", flat=True)), reverse=True) or [today.year]
    year = _int(request.GET.get("year"), years[0])
    qs = qs.filter(year=year)
    status = request.GET.get("status", "")
    role = request.GET.get("role", "")
    if status == "overdue":
        qs = qs.filter(
            Q(status__in=AWAITING_REPLY, rehandle_round=0, due_on__lt=today)
            | Q(status__in=AWAITING_REPLY, rehandle_round__gt=0, rehandle_due_on__lt=today)
        )
    elif status in ProposalStatus.values:
        qs = qs.filter(status=status)
    if role in HandlingRole.values:
        qs = qs.filter(handling_role=role)
    items = list(qs.order_by("kind", "number", "id"))
    counts = {
        "total": len(items),
        "lead": sum(p.is_lead for p in items),
        "co": sum(not p.is_lead for p in items),
        "open": sum(p.status in AWAITING_REPLY for p in items),
        "overdue": sum(p.is_overdue(today) for p in items),
        "follow_up": sum(p.status == ProposalStatus.FOLLOW_UP for p in items),
    }
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    office = bool(access_of(request.user).bureau_ids(LedgerRoleKind.OFFICE))
    context = {
        "page": page,
        "counts": counts,
        "year": year,
        "years": years,
        "status": status,
        "role": role,
        "statuses": ProposalStatus.choices,
        "roles": HandlingRole.choices,
        "today": today,
        "query": query.urlencode(),
        "can_register": office,
        "can_report": summary_bureaus(request.user).exists(),  # a department's staff: no report (404 there)
    }
    return render(request, "ledgers/proposals/list.html", context)


def _office_bureau(request: HttpRequest) -> Division:
    bureaus = access_of(request.user).bureau_ids(LedgerRoleKind.OFFICE)
    if not bureaus:
        raise Http404("只有办公室可以登记")
    wanted = request.GET.get("bureau") or request.POST.get("bureau") or sorted(bureaus)[0]
    if wanted not in bureaus:
        raise Http404("不是本局")
    return Division.objects.get(pk=wanted)


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    bureau = _office_bureau(request)
    form = RegisterForm(request.POST or None, bureau=bureau, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = form.run()
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已登记{item}")
            return redirect("ledgers:proposal", item.pk)
    return render(request, "ledgers/proposals/new.html", {"form": form, "bureau": bureau})


def _detail_context(request: HttpRequest, item: Proposal, bound: dict | None = None) -> dict:
    offered = allowed_actions(request.user, item)
    panels = []
    for action in PANEL_ORDER:
        if action in offered:
            form = (bound or {}).get(action) or FORMS[action](item=item, actor=request.user)
            panels.append({"action": action, "title": TITLES[action], "form": form})
    rules = rules_for(item.bureau_id)
    replies = list(item.replies.select_related("drafted_by", "approved_by").order_by("round", "id"))
    for reply in replies:
        klass = rules.result_class(reply.result_class)
        reply.class_text = f"{klass.label}：{klass.meaning}" if klass else reply.result_class
    return {
        "item": item,
        "panels": panels,
        "replies": replies,
        "contacts": item.contacts.select_related("recorded_by"),
        "feedbacks": item.feedbacks.select_related("reply"),
        "follow_ups": item.follow_ups.all(),
        "events": history(item),
        "today": timezone.localdate(),
        "my_roles": sorted(LedgerRoleKind(k).label for k in roles_on(request.user, item)),
        "rules": rules,
        "result_class": rules.result_class(item.result_class),
        "reply_statuses": ReplyStatus,
    }


@login_required
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(request.user, Proposal.objects.select_related("bureau", "department", "leader"), pk)
    return render(request, "ledgers/proposals/detail.html", _detail_context(request, item))


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_visible_or_404(request.user, Proposal.objects.select_related("bureau", "department", "leader"), pk)
    if action not in FORMS:
        raise Http404("没有该操作")
    if action not in allowed_actions(request.user, item):
        messages.error(request, "该操作当前不可用，或您无权办理")
        return redirect("ledgers:proposal", item.pk)
    form = FORMS[action](request.POST, item=item, actor=request.user)
    if form.is_valid():
        try:
            form.run()
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{TITLES[action].split('（')[0]}：已完成")
            return redirect("ledgers:proposal", item.pk)
    item.refresh_from_db()
    context = _detail_context(request, item, {action: form})
    return render(request, "ledgers/proposals/detail.html", context, status=400)


# The year's report -----------------------------------------------------------------------------------------------
def _report_params(request: HttpRequest) -> tuple[Division, int, list[Division]]:
    bureaus = list(summary_bureaus(request.user))
    if not bureaus:
        raise Http404("无查看年报的权限")
    own = sorted(access_of(request.user).bureau_ids(LedgerRoleKind.OFFICE, LedgerRoleKind.LEADER))
    default = next((b for b in bureaus if b.pk in own), bureaus[0])
    code = request.GET.get("bureau") or default.pk
    bureau = next((b for b in bureaus if b.pk == code), None)
    if bureau is None:
        raise Http404("不在辖区内")
    years = sorted(set(Proposal.objects.filter(bureau=bureau).values_list("year", flat=True)), reverse=True)
    year = _int(request.GET.get("year"), years[0] if years else timezone.localdate().year)
    return bureau, year, bureaus


def _sees_items(user, bureau: Division) -> bool:
    """Item lists (titles, dates, ratings) only for the bureau's own office and leaders; everyone else who may see
    the report (a city bureau looking at a county, an administrator without a ledger role) gets the figures only."""
    return bureau.pk in access_of(user).bureau_ids(LedgerRoleKind.OFFICE, LedgerRoleKind.LEADER)


def _issuer(bureau: Division) -> str:
    return f"{bureau.name}司法局"


@login_required
def proposal_report(request: HttpRequest) -> HttpResponse:
    bureau, year, bureaus = _report_params(request)
    figures = annual_figures(bureau, year)
    # A city bureau (or a city administrator) sees the counties' figures beside its own.
    area = []
    if bureau.level == DivisionLevel.CITY:
        area = [annual_figures(b, year) for b in bureaus if b.pk.startswith(bureau.pk)]
    context = {
        "bureau": bureau,
        "issuer": _issuer(bureau),
        "year": year,
        "years": list(range(timezone.localdate().year, 2015, -1)),
        "bureaus": bureaus,
        "figures": figures,
        "area": area,
        "definitions": DEFINITIONS,
        "query": f"bureau={bureau.pk}&year={year}",
    }
    return render(request, "ledgers/proposals/report.html", context)


@login_required
def proposal_report_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bureau, year, bureaus = _report_params(request)
    figures = annual_figures(bureau, year)
    wb = Workbook()
    ws = wb.active
    ws.title = "办理情况"
    ws.append([f"{_issuer(bureau)}{year}年建议提案办理情况"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([figures.sentence()])
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.append([])
    ws.append(["项目", "数值"])
    for label, value in figures.rows():
        ws.append([label, value])
    ws.append([])
    for line in DEFINITIONS:
        ws.append([line])
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 24
    items = wb.create_sheet("办理明细")
    items.append(
        ["类别", "届次", "编号", "标题", "承办方式", "交办日期", "期限", "首次答复", "按时", "办理结果", "评价", "公开"]
    )
    listed = Proposal.objects.filter(bureau=bureau, year=year).exclude(status=ProposalStatus.RETURNED)
    if not _sees_items(request.user, bureau):
        listed = listed.none()
        items.append(["（明细仅向本局办公室和局领导提供）"])
    for p in listed:
        latest = p.feedbacks.order_by("-received_on", "-id").first()
        rating = f"态度{latest.get_attitude_display()}，结果{latest.get_result_display()}" if latest else ""
        items.append(
            [
                p.get_kind_display(),
                p.session,
                p.number,
                p.title,
                p.get_handling_role_display(),
                p.assigned_on,
                p.due_on,
                p.first_replied_on,
                {True: "是", False: "否", None: ""}[p.on_time],
                p.result_class,
                rating,
                "是" if p.published else "否",
            ]
        )
    for cell in items["F"] + items["G"] + items["H"]:
        cell.number_format = "yyyy-mm-dd"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    name = quote(f"{_issuer(bureau)}{year}年建议提案办理情况.xlsx", safe="")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def proposal_report_pdf(request: HttpRequest) -> HttpResponse:
    bureau, year, _bureaus = _report_params(request)
    figures = annual_figures(bureau, year)
    lead_items = Proposal.objects.filter(bureau=bureau, year=year, handling_role=HandlingRole.LEAD).exclude(
        status=ProposalStatus.RETURNED
    )
    if not _sees_items(request.user, bureau):  # figures only
        lead_items = lead_items.none()
    context = {
        "bureau": bureau,
        "issuer": _issuer(bureau),
        "year": year,
        "figures": figures,
        "lead_items": lead_items,
        "definitions": DEFINITIONS,
        "today": timezone.localdate(),
    }
    data = render_pdf("ledgers/proposals/report_pdf.html", context, request=request)
    return pdf_response(data, f"{_issuer(bureau)}{year}年建议提案办理情况.pdf")


# The public page (no sign-in) ----------------------------------------------------------------------------------------
def _bureau_or_404(code: str) -> Division:
    return get_object_or_404(Division, pk=code, level__in=(DivisionLevel.CITY, DivisionLevel.COUNTY))


def public_proposals(request: HttpRequest, code: str) -> HttpResponse:
    """建议提案办理结果公开: the items the bureau published, with their replies. No proposer's personal data."""
    bureau = _bureau_or_404(code)
    published = Proposal.objects.filter(bureau=bureau, published=True)
    years = sorted(set(published.values_list("year", flat=True)), reverse=True)
    year = _int(request.GET.get("year"), years[0] if years else timezone.localdate().year)
    items = published.filter(year=year).order_by("kind", "number")
    context = {"bureau": bureau, "issuer": _issuer(bureau), "year": year, "years": years, "items": items}
    return render(request, "ledgers/proposals/public_list.html", context)


def public_proposal(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    bureau = _bureau_or_404(code)
    item = get_object_or_404(Proposal, bureau=bureau, published=True, pk=pk)
    rules = rules_for(bureau.pk)
    replies = list(item.replies.filter(status=ReplyStatus.SENT).order_by("round"))
    for reply in replies:
        klass = rules.result_class(reply.result_class)
        reply.class_label = klass.label if klass else reply.result_class
    context = {"bureau": bureau, "issuer": _issuer(bureau), "item": item, "replies": replies}
    return render(request, "ledgers/proposals/public_detail.html", context)
