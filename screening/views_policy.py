"""Pages of screening policy, special periods, campaigns and compliance. Owner: h-policy.

Supervisors (司法所, county and city bureau) see them for their jurisdiction (`?area=` drill-down checked with
supervision.access.area_for); only COUNTY_ADMIN and CITY_ADMIN (screening.permissions.can_set_policy) get the
forms and may POST; anyone else gets a 404. Every change goes through screening.actions."""

from collections import defaultdict
from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from registry.models import Division, DivisionLevel
from screening import schedule, scoping
from screening.actions import (
    do_add_special_period,
    do_cancel_special_period,
    do_close_campaign,
    do_set_policy,
    do_start_campaign,
)
from screening.actions.base import ActionRefused
from screening.actions.policy import campaign_last_day
from screening.enums import ReportStatus
from screening.forms_policy import CampaignForm, PolicyForm, RangeForm, SpecialPeriodForm, default_range
from screening.models import UNIT_LEVELS, ScreeningCampaign, ScreeningPolicy, SpecialPeriod
from screening.permissions import POLICY_ROLES, SUPERVISORS, can_set_policy
from supervision.access import area_for, require_role

VIEW_ROLES = set(SUPERVISORS)
LEVEL_NAMES = {int(v): str(label) for v, label in UNIT_LEVELS}


def _viewer(request: HttpRequest) -> User:
    return require_role(request, VIEW_ROLES)


def _setter(request: HttpRequest) -> User:
    return require_role(request, set(POLICY_ROLES))


def _area(request: HttpRequest, user: User) -> Division:
    return area_for(user, request.GET.get("area") or request.POST.get("area"))


def _cover(code: str) -> Q:
    """Rows of a division that covers `code` or lies inside it. (screening.scoping._covering_or_inside builds
    `division_id__startswith`, which Django refuses on a foreign key; this is the same rule on the code.)"""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if len(code) >= n]
    return Q(division_id__in=prefixes) | Q(division__code__startswith=code)


def _visible(model, user: User, area: Division):
    """The policies, special periods or campaigns a supervisor sees for `area` (inside their own jurisdiction: the
    same rule as screening.scoping's *_visible_to for an area role)."""
    return model.objects.filter(_cover(str(user.division_id))).filter(_cover(area.code))


def _q(**kw: object) -> str:
    return "?" + urlencode({k: v for k, v in kw.items() if v not in (None, "")})


def _refused(form, e: ActionRefused) -> None:
    field = e.field if e.field in form.fields else None
    form.add_error(field, e.message)


def _crumbs(area: Division, user: User, url_name: str) -> list[tuple[str, str]]:
    """The areas from the user's own down to `area`, each linking to the same page."""
    rows = []
    node = area
    while node is not None and node.code.startswith(str(user.division_id)):
        rows.append((node.name, reverse(url_name) + _q(area=node.code)))
        node = node.parent
    return list(reversed(rows))


# --- policies and special periods ---------------------------------------------------------------------------


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    area = _area(request, user)
    today = timezone.localdate()
    visible = _visible(ScreeningPolicy, user, area).select_related("division", "created_by")
    by_level: dict[int, list[ScreeningPolicy]] = defaultdict(list)
    for p in visible.order_by("unit_level", "division_id", "-effective_from"):
        by_level[p.unit_level].append(p)
    levels = []
    for level in sorted(LEVEL_NAMES, reverse=True):
        rows = by_level.get(level, [])
        # Overrides inside the area (a county's rule seen from the city).
        in_force = [p for p in rows if schedule._in_force(p, today) and len(str(p.division_id)) > len(area.code)]
        own = schedule._choose(rows, area.code, today)
        upcoming = [p for p in rows if p.effective_from > today]
        levels.append(
            {
                "level": level,
                "name": LEVEL_NAMES[level],
                "own": own,
                "in_force": in_force,
                "upcoming": upcoming,
                "history": rows,
            }
        )
    specials = _visible(SpecialPeriod, user, area).select_related("division").order_by("-start")
    special_rows = []
    for sp in specials[:50]:
        special_rows.append(
            {
                "sp": sp,
                "levels": "、".join(LEVEL_NAMES.get(int(x), "") for x in sp.unit_levels) or "全部层级",
                "state": "已撤销"
                if sp.cancelled_at
                else ("未开始" if sp.start > today else ("进行中" if sp.end >= today else "已结束")),
                "can_cancel": sp.cancelled_at is None and sp.end >= today and can_set_policy(user, sp.division_id),
            }
        )
    return render(
        request,
        "screening/policies.html",
        {
            "area": area,
            "crumbs": _crumbs(area, user, "screening:policies"),
            "levels": levels,
            "specials": special_rows,
            "can_set": can_set_policy(user, area.code),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    user = _setter(request)
    area = _area(request, user)
    if not can_set_policy(user, area.code):
        raise Http404("页面不存在")
    if request.method == "POST":
        form = PolicyForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                do_set_policy(
                    user,
                    Division.objects.get(code=d["area"]),
                    unit_level=d["unit_level"],
                    cadence=d["cadence"],
                    due_offset_workdays=d["due_offset_workdays"],
                    due_time=d["due_time"],
                    zero_report_required=d["zero_report_required"],
                    include_industry=d["include_industry"],
                    effective_from=d["effective_from"],
                    document_no=d["document_no"],
                    note=d["note"],
                )
            except ActionRefused as e:
                _refused(form, e)
            else:
                return redirect(reverse("screening:policies") + _q(area=d["area"]))
    else:
        form = PolicyForm(user=user, initial={"area": area.code, "effective_from": timezone.localdate()})
    return render(
        request,
        "screening/policy_form.html",
        {
            "form": form,
            "area": area,
            "title": "新增排查制度版本",
            "intro": "新版本自生效日期起施行，原版本于前一日失效；已开始的排查期按原制度报送。",
            "submit_label": "发布",
            "back": reverse("screening:policies") + _q(area=area.code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def special_new(request: HttpRequest) -> HttpResponse:
    user = _setter(request)
    area = _area(request, user)
    if not can_set_policy(user, area.code):
        raise Http404("页面不存在")
    if request.method == "POST":
        form = SpecialPeriodForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                do_add_special_period(
                    user,
                    Division.objects.get(code=d["area"]),
                    name=d["name"],
                    start=d["start"],
                    end=d["end"],
                    cadence=d["cadence"],
                    unit_levels=d["unit_levels"],
                )
            except ActionRefused as e:
                _refused(form, e)
            else:
                return redirect(reverse("screening:policies") + _q(area=d["area"]) + "#special")
    else:
        form = SpecialPeriodForm(user=user, initial={"area": area.code})
    return render(
        request,
        "screening/special_form.html",
        {
            "form": form,
            "area": area,
            "title": "新增特殊时期",
            "intro": "节假日、敏感时期内，所选层级的报送单位按更密的周期排查报送；特殊时期外仍按日常制度。",
            "submit_label": "保存",
            "back": reverse("screening:policies") + _q(area=area.code),
        },
    )


@login_required
@require_POST
def special_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _setter(request)
    try:
        sp = SpecialPeriod.objects.filter(_cover(str(user.division_id))).get(pk=pk)
    except SpecialPeriod.DoesNotExist:
        raise Http404("特殊时期不存在") from None
    if not can_set_policy(user, str(sp.division_id)):
        raise Http404("页面不存在")
    try:
        do_cancel_special_period(user, sp)
    except ActionRefused as e:
        from django.contrib import messages

        messages.error(request, e.message)
    return redirect(reverse("screening:policies") + _q(area=str(sp.division_id)) + "#special")


# --- campaigns -----------------------------------------------------------------------------------------------


def _campaign_state(c: ScreeningCampaign, today: date) -> str:
    if c.closed_at is not None:
        return "已提前结束"
    if c.start > today:
        return "未开始"
    return "进行中" if c.end >= today else "已结束"


def _area_names(codes: list[str]) -> list[str]:
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    area = _area(request, user)
    today = timezone.localdate()
    qs = (
        _visible(ScreeningCampaign, user, area)
        .select_related("division")
        .annotate(n_reports=Count("reports", distinct=True), n_findings=Count("findings", distinct=True))
    )
    rows = [
        {"c": c, "state": _campaign_state(c, today), "areas": _area_names(c.area_codes) or [c.division.name]}
        for c in qs[:100]
    ]
    return render(
        request,
        "screening/campaigns.html",
        {
            "area": area,
            "crumbs": _crumbs(area, user, "screening:campaigns"),
            "rows": rows,
            "can_set": can_set_policy(user, area.code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = _setter(request)
    area = _area(request, user)
    if not can_set_policy(user, area.code) or area.level > DivisionLevel.COUNTY:
        raise Http404("页面不存在")
    if request.method == "POST":
        form = CampaignForm(request.POST, division=area)
        if form.is_valid():
            d = form.cleaned_data
            try:
                campaign = do_start_campaign(
                    user,
                    area,
                    theme=d["theme"],
                    description=d["description"],
                    area_codes=d["area_codes"],
                    start=d["start"],
                    end=d["end"],
                    cadence=d["cadence"],
                )
            except ActionRefused as e:
                _refused(form, e)
            else:
                return redirect("screening:campaign", campaign.pk)
    else:
        form = CampaignForm(division=area, initial={"start": timezone.localdate()})
    return render(
        request,
        "screening/campaign_form.html",
        {
            "form": form,
            "area": area,
            "title": f"部署专项排查 · {area.name}",
            "intro": "所选区域内的村（社区）、乡镇（街道）和县级调委会在专项排查期间按报送周期另行报送专项排查报告，"
            "发起后即通知各报送单位。",
            "submit_label": "发起专项排查",
            "back": reverse("screening:campaigns") + _q(area=area.code),
        },
    )


def _campaign_or_404(user: User, pk: int) -> ScreeningCampaign:
    try:
        return (
            ScreeningCampaign.objects.filter(_cover(str(user.division_id)))
            .select_related("division", "created_by")
            .get(pk=pk)
        )
    except ScreeningCampaign.DoesNotExist:
        raise Http404("专项排查不存在") from None


@login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    c = _campaign_or_404(user, pk)
    today = timezone.localdate()
    reports = (
        schedule.current_reports(scoping.reports_visible_to(user).filter(campaign=c))
        .select_related("committee")
        .order_by("division_code", "committee__name", "period_start")
    )
    units: dict[int, dict] = {}
    periods: set[tuple[date, date]] = set()
    for r in reports:
        u = units.setdefault(r.committee_id, {"committee": r.committee, "by_period": {}, "missing": 0})
        u["by_period"][(r.period_start, r.period_end)] = r
        periods.add((r.period_start, r.period_end))
        if r.status == ReportStatus.OVERDUE:
            u["missing"] += 1
    cols = sorted(periods)
    unit_rows = [
        {"committee": u["committee"], "missing": u["missing"], "cells": [(p, u["by_period"].get(p)) for p in cols]}
        for u in units.values()
    ]
    counts = defaultdict(int)
    for r in reports:
        counts[r.status] += 1
    return render(
        request,
        "screening/campaign_detail.html",
        {
            "c": c,
            "state": _campaign_state(c, today),
            "last_day": campaign_last_day(c),
            "areas": _area_names(c.area_codes) or [c.division.name],
            "cols": cols,
            "unit_rows": unit_rows,
            "findings": c.findings.count(),
            "major": c.findings.filter(is_major=True).count(),
            "counts": {
                "total": sum(counts.values()),
                "submitted": counts[ReportStatus.SUBMITTED],
                "overdue": counts[ReportStatus.OVERDUE],
                "pending": counts[ReportStatus.PENDING],
            },
            "can_close": c.closed_at is None and c.end >= today and can_set_policy(user, str(c.division_id)),
        },
    )


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _setter(request)
    c = _campaign_or_404(user, pk)
    if not can_set_policy(user, str(c.division_id)):
        raise Http404("页面不存在")
    try:
        do_close_campaign(user, c)
    except ActionRefused as e:
        from django.contrib import messages

        messages.error(request, e.message)
    return redirect("screening:campaign", c.pk)


# --- compliance ----------------------------------------------------------------------------------------------


def _child_areas(area: Division) -> list[Division]:
    if area.level >= DivisionLevel.TOWNSHIP:
        return []
    return list(Division.objects.filter(parent=area).order_by("code"))


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    area = _area(request, user)
    start, end = default_range()
    form = RangeForm(request.GET or None, initial={"start": start, "end": end})
    if request.GET.get("start") or request.GET.get("end"):
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        form = RangeForm(initial={"start": start, "end": end})
    units = schedule.compliance(area.code, start, end)
    total = {
        k: sum(getattr(u, k) for u in units) for k in ("expected", "on_time", "late", "missing", "zero", "pending")
    }
    due = total["on_time"] + total["late"] + total["missing"]
    total["rate"] = round(100 * total["on_time"] / due, 1) if due else None
    children = []
    for child in _child_areas(area):
        mine = [u for u in units if str(u.committee.division_id).startswith(child.code)]
        if not mine:
            continue
        row = {k: sum(getattr(u, k) for u in mine) for k in ("expected", "on_time", "late", "missing", "zero")}
        row["area"] = child
        row["link"] = reverse("screening:compliance") + _q(area=child.code, start=start, end=end)
        children.append(row)
    units.sort(key=lambda u: (-u.missing, str(u.committee.division_id), u.committee.name))
    for u in units:
        u.latest = u.reports[:3]
    return render(
        request,
        "screening/compliance.html",
        {
            "area": area,
            "crumbs": _crumbs(area, user, "screening:compliance"),
            "form": form,
            "start": start,
            "end": end,
            "units": units,
            "total": total,
            "children": children,
            "range_q": _q(start=start, end=end),
        },
    )
