"""Pages of the supervision loop: the console's list of cases over or near their time limit (超期督办), the 督办台账
with its Excel export, and the committee's reply posted from the workbench. Everything is scoped: a case or a record
outside the user's jurisdiction, or a page outside their role, is a 404."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.clientip import client_ip
from accounts.models import AccessKind, AccessLog
from cases.actions import ActionRefused
from cases.enums import CLOCK_STATES
from cases.listing import overdue_q
from cases.scoping import cases_visible_to
from supervision.access import NOTICE_ROLES, require_role
from supervision.config import supervision_rules
from supervision.forms_duban import SupervisionReplyForm
from supervision.ledger import LedgerFilter, filter_records, for_ledger, ledger_counts, records_visible_to, write_ledger
from supervision.models_duban import Supervision

SUPERVISOR_PAGES = NOTICE_ROLES  # 司法所, county and city bureaus
MAX_DAYS_AHEAD = 60


def _days_ahead(raw: str | None) -> int:
    default = supervision_rules().due_soon_days
    try:
        days = int(raw) if raw not in (None, "") else default
    except (TypeError, ValueError):
        return default
    return min(max(days, 0), MAX_DAYS_AHEAD)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Every case of the user's area over its mediation time limit, or due within N days, soonest first, with its
    latest 督办 or 催办."""
    user = require_role(request, SUPERVISOR_PAGES)
    today = timezone.localdate()
    days = _days_ahead(request.GET.get("days"))
    only_overdue = request.GET.get("only") == "overdue"
    near = Q(status__in=CLOCK_STATES, time_limit_due__gte=today, time_limit_due__lte=today + timedelta(days=days))
    scope = cases_visible_to(user)
    wanted = overdue_q(today) if only_overdue else overdue_q(today) | near
    latest = Supervision.objects.select_related("issued_by").order_by("-issued_at", "-id")
    qs = (
        scope.filter(wanted)
        .select_related("committee")
        .prefetch_related(Prefetch("supervisions", queryset=latest, to_attr="latest_supervisions"))
        .order_by("time_limit_due", "id")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [
        {
            "case": c,
            "late_days": (today - c.time_limit_due).days if c.time_limit_due < today else 0,
            "left_days": (c.time_limit_due - today).days if c.time_limit_due >= today else 0,
            "latest": c.latest_supervisions[0] if c.latest_supervisions else None,
        }
        for c in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "days": days,
        "only_overdue": only_overdue,
        "overdue_count": scope.filter(overdue_q(today)).count(),
        "near_count": scope.filter(near).count(),
        "today": today,
        "query": f"days={days}" + ("&only=overdue" if only_overdue else ""),
    }
    return render(request, "supervision/duban_overdue.html", context)


def _ledger(request: HttpRequest):
    user = require_role(request, SUPERVISOR_PAGES)
    data = request.GET.copy()
    data.setdefault("area", user.division_id or "")
    data.pop("page", None)
    form = LedgerFilter(data, user=user)
    if "area" in form.errors and request.GET.get("area"):
        raise Http404("地区不存在")  # an area outside the jurisdiction does not exist
    qs = filter_records(records_visible_to(user), form)
    return user, form, qs, data.urlencode()


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    user, form, qs, query = _ledger(request)
    page = Paginator(for_ledger(qs), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "counts": ledger_counts(qs), "query": query}
    return render(request, "supervision/duban_ledger.html", context)


@login_required
def ledger_export(request: HttpRequest) -> FileResponse:
    user, form, qs, _query = _ledger(request)
    counts = ledger_counts(qs)
    AccessLog.objects.create(
        user=user,
        action=AccessKind.EXPORT_DUBAN_LEDGER,
        ip_address=client_ip(request),
        detail=f"导出督办台账{counts.supervised + counts.urged}件",
    )
    out = write_ledger(user, qs, counts)
    name = f"督办台账-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        out,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's 反馈 posted from the workbench's 督办事项 panel (the case page uses the action page)."""
    try:
        sup = Supervision.objects.select_related("case").get(pk=pk, case__in=cases_visible_to(request.user))
    except Supervision.DoesNotExist:
        raise Http404("督办事项不存在") from None
    form = SupervisionReplyForm({**request.POST.dict(), "supervision": sup.pk}, case=sup.case, actor=request.user)
    if form.is_valid():
        try:
            form.run()
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "已提交反馈")
    else:
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, "；".join(errors) or "反馈未提交")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "workbench:home"
    return redirect(target)
