"""Statistics pages of the console: the dashboard, the MoJ monthly form (screen and .xlsx) and the case list
behind every number. Supervisors only (司法所, county and city bureaus), each within their own jurisdiction: an
area or committee outside it is a 404."""

from datetime import timedelta
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.access import log_access
from accounts.models import SUPERVISOR_ROLES, AccessKind
from cases.enums import CLOCK_STATES
from cases.listing import for_case_table
from cases.scoping import cases_visible_to
from insights.base import Period, make_period, parse_period_key, period_key
from insights.charts import area_chart, breakdown_chart, trend_chart
from insights.definitions import definitions
from insights.forms import ScopeForm
from insights.layout import build_grids, load_form
from insights.metrics import dashboard_metrics, monthly_form, to_wan
from insights.slices import PREVENTION_FIELDS, Slice
from insights.xlsx import form_workbook
from registry.models import Committee, Division
from registry.scoping import committees_visible_to


def _require_supervisor(request: HttpRequest) -> Division:
    """Wrong role → 403 (as in the console); a supervisor without a division sees nothing → 404."""
    if request.user.role not in SUPERVISOR_ROLES:
        raise PermissionDenied
    division = request.user.division
    if division is None:
        raise Http404("未设置所属区划")
    return division


def _area(request: HttpRequest, root: Division) -> Division:
    code = request.GET.get("area") or root.code
    if not (code.isascii() and code.isdigit()) or not code.startswith(root.code):
        raise Http404("地区不在本辖区")
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Http404("地区不存在")
    return division


def _committee(request: HttpRequest, area: Division) -> Committee | None:
    raw = request.GET.get("committee")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Http404("调委会不存在")
    committee = committees_visible_to(request.user).filter(pk=int(raw), division__code__startswith=area.code).first()
    if committee is None:
        raise Http404("调委会不存在")
    return committee


def _period(request: HttpRequest, default: Period) -> tuple[Period, str]:
    raw = request.GET.get("period")
    if not raw:
        return default, ""
    period = parse_period_key(raw)
    if period is None:
        return default, "统计期间无效，已显示默认期间"
    return period, ""


def _breadcrumbs(root: Division, area: Division) -> list[Division]:
    chain = [*area.ancestors(), area]
    return [d for d in chain if d.code.startswith(root.code)]


def case_list_url(piece: Slice) -> str:
    return reverse("insights:cases") + "?" + piece.query()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    root = _require_supervisor(request)
    area = _area(request, root)
    committee = _committee(request, area)
    today = timezone.localdate()
    period, period_error = _period(request, make_period(today.year, "year"))
    d = dashboard_metrics(
        cases_visible_to(request.user),
        area.code,
        period,
        committee_id=committee.pk if committee else None,
        today=today,
    )
    link = case_list_url
    charts = {
        "chart-trend": trend_chart(d, link),
        "chart-dispute": breakdown_chart("按纠纷类型", d.by_dispute, d, link),
        "chart-source": breakdown_chart("按案件来源", d.by_source, d, link),
        "chart-ctype": breakdown_chart("按调委会类型", d.by_committee_type, d, link),
    }
    if d.areas:
        charts["chart-area"] = area_chart(d.areas, d, link)
    kpis = [
        ("收案", d.received, "件", link(d.slice("received"))),
        ("受理", d.totals["accepted"], "件", link(d.slice("accepted"))),
        ("调解案件", d.totals["cases"], "件", link(d.slice("cases"))),
        ("调解成功", d.totals["success"], "件", link(d.slice("success"))),
        ("调解成功率", d.rate if d.rate is not None else "—", "%", link(d.slice("success"))),
        ("在办", d.totals["open"], "件", link(d.slice("open"))),
        ("涉及金额", f"{d.totals['amount'] / 10000:,.2f}", "万元", link(d.slice("cases"))),
        ("疑难复杂", d.totals["difficult"], "件", link(d.slice("difficult"))),
        ("超期未结", d.overdue, "件", link(d.slice("overdue"))),
        (
            "平均办理时长",
            d.avg_duration_days if d.avg_duration_days is not None else "—",
            "天",
            link(d.slice("closed")),
        ),
        ("满意度", d.rating_avg if d.rating_avg is not None else "—", "分", link(d.slice("rated"))),
    ]
    form = ScopeForm(initial={"area": area.code, "period": period_key(period)}, root=root)
    pkey = period_key(period)
    return render(
        request,
        "insights/dashboard.html",
        {
            "d": d,
            "area": area,
            "committee": committee,
            "form": form,
            "period_error": period_error,
            "period_key": pkey,
            "crumbs": _breadcrumbs(root, area),
            "charts": charts,
            "trend_rows": list(zip(d.trend_months, d.trend_this, d.trend_success, d.trend_last, strict=True)),
            "kpis": kpis,
            "breakdowns": [
                (
                    "按纠纷类型",
                    [
                        (r, link(d.slice("cases", **r.filters)), link(d.slice("success", **r.filters)))
                        for r in d.by_dispute
                        if r.cases
                    ],
                ),
                (
                    "按案件来源",
                    [
                        (r, link(d.slice("cases", **r.filters)), link(d.slice("success", **r.filters)))
                        for r in d.by_source
                        if r.cases
                    ],
                ),
                (
                    "按调委会类型",
                    [
                        (r, link(d.slice("cases", **r.filters)), link(d.slice("success", **r.filters)))
                        for r in d.by_committee_type
                        if r.cases
                    ],
                ),
            ],
            "area_rows": [
                (
                    r,
                    link(Slice(r.code, period, "cases", r.committee_id)),
                    link(Slice(r.code, period, "success", r.committee_id)),
                )
                for r in d.areas
            ],
            "rating_link": link(d.slice("rated")),
            "area_total": _area_total(d),
            "definitions": definitions().terms(),
        },
    )


def _area_total(d) -> dict:
    """The 合计 line under the drill-down rows: the headline figures the rows add up to."""
    return {
        "cases": d.totals["cases"],
        "success": d.totals["success"],
        "terminated": d.totals["terminated"],
        "open": d.totals["open"],
        "rate": d.rate,
        "difficult": d.totals["difficult"],
        "amount_wan": to_wan(d.totals["amount"]),
    }


def _form_context(request: HttpRequest) -> tuple[Division, Period, str, Division]:
    root = _require_supervisor(request)
    area = _area(request, root)
    # The form is reported for the month just ended (录入 by the first week of the next month).
    previous = timezone.localdate().replace(day=1) - timedelta(days=1)
    period, error = _period(request, make_period(previous.year, "month", previous.month))
    return area, period, error, root


@login_required
def monthly_form_view(request: HttpRequest) -> HttpResponse:
    area, period, period_error, root = _form_context(request)
    layout = load_form("moj_monthly")
    result = monthly_form(cases_visible_to(request.user), area.code, period, today=timezone.localdate())
    grids = build_grids(layout, result, link=case_list_url)
    form = ScopeForm(initial={"area": area.code, "period": period_key(period)}, root=root)
    return render(
        request,
        "insights/monthly_form.html",
        {
            "layout": layout,
            "result": result,
            "grids": grids,
            "form": form,
            "area": area,
            "period": result.period,
            "period_key": period_key(period),
            "period_error": period_error,
            "definitions": definitions().terms(),
        },
    )


@login_required
def monthly_form_xlsx(request: HttpRequest) -> HttpResponse:
    area, period, _error, _root = _form_context(request)
    layout = load_form("moj_monthly")
    result = monthly_form(cases_visible_to(request.user), area.code, period, today=timezone.localdate())
    grids = build_grids(layout, result)
    shown = result.period
    subtitle = f"填报单位：{result.area_name}　　统计期间：{shown.full_label}（{shown.span_text}）"
    terms = definitions().terms()
    footer = (
        "说明：调解案件为统计期间内调解结束（协议生效或调解终止）的案件，在办案件单独列示；"
        if definitions().period_by == "ended"
        else "说明：调解案件为统计期间内受理的案件；"
    )
    footer += f"各项统计口径见“统计口径”工作表；金额单位万元。数据由平台依案件记录自动生成于 {result.generated_at}。"
    notes = [(t.label, t.text) for t in terms]
    data = form_workbook(f"{layout['title']}", subtitle, grids, footer, notes=notes)
    filename = f"人民调解工作统计表_{area.code}_{period_key(period)}.xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases behind one number: the same Slice the number was computed from."""
    root = _require_supervisor(request)
    piece = Slice.from_query(request.GET)
    if piece is None:
        return render(request, "insights/cases.html", {"invalid": True, "page": [], "crumbs": []}, status=400)
    area = _area(request, root)
    committee = None
    if piece.committee_id:
        committee = _committee(request, area)
    today = timezone.localdate()
    qs = piece.queryset(cases_visible_to(request.user), today=today)
    qs = for_case_table(qs).order_by("-registered_at", "-id")  # the shared table reads the mediator too
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    log_access(
        request,
        AccessKind.VIEW_DRILLDOWN,
        detail=f"统计明细第{page.number}页，显示{len(page.object_list)}件：{piece.describe()}"[:150],
    )
    query = request.GET.copy()
    query.pop("page", None)
    risks = _prevention_risks(request, piece, page) if piece.measure in PREVENTION_FIELDS else None
    back = {"area": area.code, "period": period_key(piece.period)}
    if committee:
        back["committee"] = committee.pk
    return render(
        request,
        "insights/cases.html",
        {
            "page": page,
            "piece": piece,
            "area": area,
            "committee": committee,
            "description": piece.describe(),
            "query": query.urlencode(),
            "today": today,
            "clock_states": list(CLOCK_STATES),
            "back": reverse("insights:dashboard") + "?" + urlencode(back),
            "crumbs": _breadcrumbs(root, area),
            "risks": risks,
        },
    )


# The risk flag each prevention indicator comes from (screening: a case's risks prefill them at closing).
PREVENTION_FLAG = {
    "prevented_suicide": "SUICIDE_RISK",
    "prevented_criminal": "CIVIL_TO_CRIMINAL",
    "prevented_group_petition": "GROUP_PETITION",
    "prevented_group_fight": "GROUP_FIGHT",
}


def _prevention_risks(request: HttpRequest, piece: Slice, page) -> list[dict]:
    """For the cases behind a prevention figure (one page of them): each case's risk assessments the user may see,
    those with the indicator's flag first, so the figure links to the risks it came from. One query."""
    from screening.scoping import risks_visible_to

    flag = PREVENTION_FLAG[piece.measure]
    cases = list(page.object_list)
    by_case: dict[int, list] = {c.pk: [] for c in cases}
    qs = risks_visible_to(request.user).filter(case_id__in=list(by_case)).order_by("case_id", "-created_at", "-id")
    for risk in qs:
        risk.matches = flag in (risk.flags or [])
        by_case[risk.case_id].append(risk)
    for items in by_case.values():
        items.sort(key=lambda r: not r.matches)
    return [{"case": c, "risks": by_case[c.pk]} for c in cases]
