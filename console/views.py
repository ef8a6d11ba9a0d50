"""管理员界面 for 司法所 and 司法局 (and the court liaison's case list): supervision within a jurisdiction."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_access
from accounts.models import SUPERVISOR_ROLES, AccessKind, Role
from cases.actions import ActionRefused
from cases.bounds import bound_dates
from cases.enums import CaseStatus
from cases.listing import case_list_context, list_detail, overdue_q
from cases.scoping import cases_visible_to
from insights.overview import headline, overview
from registry.models import Division, MediatorCategory
from registry.scoping import committees_visible_to, mediators_visible_to
from registry.views_org_pages import committee_detail, committees  # noqa: F401 -- the registry (issue 9)
from tiaojie.forms import add_refusal
from workdays.models import CalendarOverride, DayKind, HolidayChange
from workdays.services import do_clear_day, do_set_day

CONSOLE_ROLES = SUPERVISOR_ROLES | {Role.COURT_LIAISON}
# The calendar sets every county's deadlines, so only the city bureau edits it.
CALENDAR_EDITORS = {Role.CITY_ADMIN}
HISTORY_ROWS = 100


def _require(request: HttpRequest, roles: set) -> None:
    if request.user.role not in roles:
        raise PermissionDenied


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _require(request, SUPERVISOR_ROLES)
    # A merged case (issue 11 §5) is a second registration of a dispute another case carries: counted nowhere.
    cases = cases_visible_to(request.user).exclude(status=CaseStatus.MERGED)
    today = timezone.localdate()
    by_status = dict(cases.values_list("status").annotate(n=Count("id")))
    status_rows = [(s, by_status.get(s.value, 0)) for s in CaseStatus if by_status.get(s.value)]
    overdue = cases.filter(overdue_q(today)).count()
    division: Division = request.user.division
    # Rows by lower area plus 本级 (the committees at the user's own level) add up to the headline (issue 9 §4).
    ov = overview(cases, division, today)
    head = headline(cases, division, today)
    context = {
        "division": division,
        "total": sum(by_status.values()),
        "status_rows": status_rows,
        "overdue": overdue,
        "head": head,
        "year": ov.year,
        "area_rows": ov.rows,
        "committees": committees_visible_to(request.user).count(),
        "mediators": mediators_visible_to(request.user).filter(is_active=True).count(),
        "today": today,
    }
    return render(request, "console/home.html", context)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require(request, CONSOLE_ROLES)
    context = case_list_context(request, committees_visible_to(request.user))
    log_access(request, AccessKind.VIEW_CASE_LIST, detail=list_detail(context["page"]))
    return render(request, "console/cases.html", context)


class MediatorFilter(forms.Form):
    q = forms.CharField(label="姓名/擅长", required=False, max_length=50)
    category = forms.ChoiceField(
        label="专兼职", required=False, choices=[("", "专职和兼职"), *MediatorCategory.choices]
    )


@login_required
def mediators(request: HttpRequest) -> HttpResponse:
    from datetime import timedelta

    _require(request, SUPERVISOR_ROLES)
    form = MediatorFilter(request.GET or None)
    qs = mediators_visible_to(request.user).select_related("committee", "user")
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(Q(name__icontains=d["q"]) | Q(specialties__icontains=d["q"]))
        if d["category"]:
            qs = qs.filter(category=d["category"])
    totals = qs.aggregate(
        full=Count("id", filter=Q(category=MediatorCategory.FULL_TIME)),
        part=Count("id", filter=Q(category=MediatorCategory.PART_TIME)),
    )
    page = Paginator(qs.order_by("committee__division_id", "committee_id", "role", "name"), 30).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "totals": totals,
        "query": query.urlencode(),
        "today": timezone.localdate(),
        "term_warning": timezone.localdate() + timedelta(days=60),  # registry.people_services.TERM_WARNING_DAYS
    }
    return render(request, "console/mediators.html", context)


class OverrideForm(forms.Form):
    """Set one day (new, or a change of its setting); the reason goes into the holiday change record."""

    date = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        label="类型", choices=[("", "请选择"), *DayKind.choices], widget=forms.Select(attrs={"class": "form-select"})
    )
    name = forms.CharField(
        label="说明", required=False, max_length=40, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    reason = forms.CharField(
        label="修改理由",
        max_length=200,
        help_text="如：国办发明电〔2025〕7号",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)


class ClearDayForm(forms.Form):
    reason = forms.CharField(label="删除理由", max_length=200)


@login_required
def holidays(request: HttpRequest) -> HttpResponse:
    _require(request, SUPERVISOR_ROLES)
    can_edit = request.user.role in CALENDAR_EDITORS
    year = request.GET.get("year", "")
    year = int(year) if (year.isascii() and year.isdigit()) and 2000 <= int(year) <= 2100 else timezone.localdate().year
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        _require(request, CALENDAR_EDITORS)
        if form.is_valid():
            d = form.cleaned_data
            try:
                override = do_set_day(request.user, d["date"], d["kind"], d["name"], d["reason"])
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(request, f"已保存：{override.date:%Y-%m-%d} {override.get_kind_display()}")
                return redirect(f"{request.path}?year={override.date.year}")
    rows = CalendarOverride.objects.filter(date__year=year)
    history = HolidayChange.objects.filter(date__year=year).select_related("actor")[:HISTORY_ROWS]
    return render(
        request,
        "console/holidays.html",
        {
            "rows": rows,
            "history": history,
            "year": year,
            "form": form,
            "can_edit": can_edit,
            "years": range(year - 1, year + 2),
            "kinds": DayKind,
        },
    )


@login_required
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, CALENDAR_EDITORS)
    override = get_object_or_404(CalendarOverride, pk=pk)
    year = override.date.year
    form = ClearDayForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionRefused("删除前请填写理由", "reason")
        do_clear_day(request.user, override.date, form.cleaned_data["reason"])
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "已删除该日期的设置，恢复为默认（周一至周五工作）")
    return redirect(f"/console/holidays/?year={year}")
