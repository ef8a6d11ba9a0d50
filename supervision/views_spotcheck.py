"""卷宗评查 pages: list and create (bureaus), a check's detail, scoring one case, publishing, correcting; and the
committee director's page of published results."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import log_access
from accounts.models import AccessKind
from cases.actions.base import ActionRefused
from cases.dossier import dossier_items
from registry.models import Committee
from supervision.access import CHECK_ROLES, RESULT_ROLES, area_for, require_role
from supervision.config import checklist_items, grade_for
from supervision.forms import CorrectForm, ScoreForm, SpotCheckForm
from supervision.models import SpotCheck, SpotCheckStatus
from supervision.scoping import (
    access_spot_check_by_id,
    spot_check_entries_visible_to,
    spot_check_results_visible_to,
    spot_checks_visible_to,
)
from supervision.spotcheck import (
    committee_averages,
    do_correct,
    do_create_spot_check,
    do_publish,
    do_score_case,
    suggestions_for,
)
from tiaojie.forms import add_refusal


def _plain(points: Decimal) -> str:
    """10.0 → "10", 7.5 → "7.5": what a reviewer would type."""
    return str(int(points)) if points == points.to_integral_value() else str(points)


def _check(request: HttpRequest, pk: int) -> SpotCheck:
    user = require_role(request, CHECK_ROLES)
    return access_spot_check_by_id(user, pk)


@login_required
def spot_checks(request: HttpRequest) -> HttpResponse:
    user = require_role(request, CHECK_ROLES)
    checks = (
        spot_checks_visible_to(user)
        .select_related("area", "created_by")
        .annotate(n_scored=Count("entries", filter=Q(entries__total__isnull=False)))
    )
    return render(request, "supervision/spot_checks.html", {"checks": checks})


@login_required
def spot_check_new(request: HttpRequest) -> HttpResponse:
    user = require_role(request, CHECK_ROLES)
    if request.method == "POST":
        form = SpotCheckForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                check = do_create_spot_check(
                    user,
                    title=d["title"],
                    area=area_for(user, d["area"]),
                    start=d["start"],
                    end=d["end"],
                    size=d["size"],
                    seed=d["seed"],
                )
            except ActionRefused as refused:
                add_refusal(form, refused)
            else:
                messages.success(request, f"已抽取{len(check.drawn_ids)}件案件（可抽{check.population_count}件）")
                return redirect("supervision:spot_check", pk=check.pk)
    else:
        form = SpotCheckForm(user=user, initial={"area": user.division_id, "size": 10})
    return render(request, "supervision/spot_check_new.html", {"form": form})


@login_required
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check(request, pk)
    entries = check.entries.select_related("case", "committee", "reviewed_by").order_by("order")
    names = dict(Committee.objects.filter(pk__in={e.committee_id for e in entries}).values_list("pk", "name"))
    if check.is_published:
        results = [(r.committee.name, r.cases, r.average, r.grade) for r in check.results.select_related("committee")]
    else:
        results = [(names[cid], n, avg, grade_for(avg, check.checklist)) for cid, n, avg in committee_averages(check)]
        results.sort(key=lambda r: -r[2])
    correction = SpotCheck.objects.filter(supersedes=check).first()
    context = {
        "check": check,
        "entries": entries,
        "results": results,
        "unscored": sum(1 for e in entries if e.total is None),
        "log": check.log.select_related("actor"),
        "correction": correction,
        "correct_form": CorrectForm(),
    }
    return render(request, "supervision/spot_check_detail.html", context)


@login_required
def spot_check_score(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    check = _check(request, pk)
    entry = get_object_or_404(check.entries.select_related("case", "case__committee", "spot_check"), pk=entry_pk)
    items = checklist_items(check.checklist)
    hints = suggestions_for(entry)
    stored = {s.item_key: s for s in entry.scores.all()}
    if request.method == "POST":
        if check.is_published:
            raise Http404("已发布")
        form = ScoreForm(request.POST, items=items)
        if form.is_valid():
            d = form.cleaned_data
            scores = {i.key: (d[f"points_{i.key}"], d[f"note_{i.key}"]) for i in items}
            try:
                do_score_case(entry, request.user, scores=scores, findings=d["findings"])
            except ActionRefused as refused:
                add_refusal(form, refused, prefix="note_")
            else:
                messages.success(request, f"第{entry.order}件评分已保存")
                following = check.entries.filter(order__gt=entry.order, total__isnull=True).order_by("order").first()
                if following and "next" in request.POST:
                    return redirect("supervision:spot_check_score", pk=check.pk, entry_pk=following.pk)
                return redirect("supervision:spot_check", pk=check.pk)
    else:
        initial = {"findings": entry.findings}
        for item in items:
            if item.key in stored:
                initial[f"points_{item.key}"] = _plain(stored[item.key].points)
                initial[f"note_{item.key}"] = stored[item.key].note
            elif hints.get(item.key) is not None:
                # Pre-filled with what the records tell; the reviewer confirms or changes it.
                initial[f"points_{item.key}"] = _plain(hints[item.key].points)
                if hints[item.key].points < item.max_points:
                    initial[f"note_{item.key}"] = hints[item.key].text
        form = ScoreForm(initial=initial, items=items)
    if request.method == "GET":
        log_access(request, AccessKind.VIEW_SPOT_CHECK, case=entry.case, detail=f"抽查第{entry.order}件评分页")
    rows = [(item, points, note, hints.get(item.key)) for item, points, note in form.rows()]
    context = {
        "check": check,
        "entry": entry,
        "case": entry.case,
        "form": form,
        "rows": rows,
        "dossier": dossier_items(entry.case),
        "max_total": sum((i.max_points for i in items), Decimal(0)),
    }
    return render(request, "supervision/spot_check_score.html", context)


@login_required
@require_POST
def spot_check_publish(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check(request, pk)
    try:
        do_publish(check, request.user)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "评查结果已发布，各调委会主任可查看本委结果")
    return redirect("supervision:spot_check", pk=check.pk)


@login_required
@require_POST
def spot_check_correct(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check(request, pk)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect("supervision:spot_check", pk=check.pk)
    try:
        new = do_correct(check, request.user, reason=form.cleaned_data["reason"])
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("supervision:spot_check", pk=check.pk)
    messages.success(request, f"已新建第{new.version}版，修改评分后重新发布；原版本保留不变")
    return redirect("supervision:spot_check", pk=new.pk)


@login_required
def committee_results(request: HttpRequest) -> HttpResponse:
    """The committee director sees the published results of their own committee, and the scored cases behind them."""
    user = require_role(request, RESULT_ROLES)
    if not user.committee_id:
        raise Http404("页面不存在")
    results = list(
        spot_check_results_visible_to(user)
        .select_related("spot_check", "spot_check__area")
        .order_by("-spot_check__published_at", "-spot_check_id")
    )
    superseded = set(
        SpotCheck.objects.filter(
            supersedes__in=[r.spot_check_id for r in results], status=SpotCheckStatus.PUBLISHED
        ).values_list("supersedes_id", flat=True)
    )
    entries = (
        spot_check_entries_visible_to(user)
        .select_related("case", "spot_check")
        .prefetch_related("scores")
        .order_by("-spot_check__published_at", "order")
    )
    labels = {}
    for r in results:
        labels.update({i.key: i.label for i in checklist_items(r.spot_check.checklist)})
    context = {
        "committee": user.committee,
        "results": [(r, r.spot_check_id in superseded) for r in results],
        "entries": entries,
        "labels": labels,
    }
    return render(request, "supervision/committee_results.html", context)
