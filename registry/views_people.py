"""Console pages for mediators and login accounts (issue 9 §2): thin views over registry.people_services.

Every page is for the administrators of registry.people_services (a county or city bureau, a 司法所 for its
villages); for anyone else, and outside one's area, the page does not exist (404). State changes are POST only
(CSRF-checked by Django's middleware). A password handed over is rendered into the POST's own response, marked
no-store, and exists nowhere else: reloading the page does not show it again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from cases.actions.base import ActionRefused
from registry import people_services as S
from registry.history import history_of
from registry.models import Mediator
from registry.people_forms import (
    LeaveForm,
    MediatorAccountForm,
    MediatorForm,
    ReasonForm,
    StaffAccountForm,
    mark_invalid,
)
from tiaojie.forms import add_refusal


def _admin_only(request: HttpRequest) -> None:
    if not S.is_administrator(request.user):
        raise Http404("页面不存在")


def _handover(request: HttpRequest, handover: S.Handover, what: str) -> HttpResponse:
    response = render(
        request,
        "registry/account_password.html",
        {"account": handover.account, "password": handover.password, "what": what},
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


# --- mediators --------------------------------------------------------------------------------------------------


@login_required
def mediator_new(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    committee = S.access_administrable_committee(request.user, pk)
    if not committee.is_active:
        raise Http404("调委会已撤销")
    form = MediatorForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                mediator = S.do_add_mediator(
                    request.user, committee, form.mediator_data(), form.cleaned_data["id_number"]
                )
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(request, f"已增加调解员 {mediator.name}。")
                return redirect("console:registry_mediator", mediator.pk)
        mark_invalid(form)
    return render(request, "registry/mediator_form.html", {"form": form, "committee": committee, "mediator": None})


@login_required
def mediator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    mediator = S.access_mediator(request.user, pk)
    today = timezone.localdate()
    context = {
        "mediator": mediator,
        "may_administer": S.may_administer_mediator(request.user, mediator),
        "history": history_of(mediator)[:100],
        "days_left": (mediator.term_end - today).days if mediator.term_end else None,
        "term_warning_days": S.TERM_WARNING_DAYS,
    }
    return render(request, "registry/mediator_detail.html", context)


@login_required
def mediator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    mediator = S.access_mediator(request.user, pk, administer=True)
    form = MediatorForm(request.POST or None, instance=mediator)
    if request.method == "POST":
        if form.is_valid():
            try:
                S.do_edit_mediator(request.user, mediator, form.mediator_data(), form.cleaned_data["id_number"])
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(request, "调解员信息已保存。")
                return redirect("console:registry_mediator", mediator.pk)
        mark_invalid(form)
    context = {"form": form, "committee": mediator.committee, "mediator": mediator}
    return render(request, "registry/mediator_form.html", context)


@login_required
def mediator_leave(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    mediator = S.access_mediator(request.user, pk, administer=True)
    if not mediator.is_active:
        messages.info(request, "该调解员已登记离任。")
        return redirect("console:registry_mediator", mediator.pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                S.do_record_leaving(
                    request.user,
                    mediator,
                    form.cleaned_data["left_on"],
                    form.cleaned_data["left_reason"],
                    today=timezone.localdate(),
                )
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                note = "，其登录账号已停用" if mediator.user_id else ""
                messages.success(request, f"已登记 {mediator.name} 离任{note}。")
                return redirect("console:registry_mediator", mediator.pk)
        mark_invalid(form)
    return render(request, "registry/mediator_leave.html", {"form": form, "mediator": mediator})


# --- accounts ---------------------------------------------------------------------------------------------------


@never_cache
@login_required
def account_new(request: HttpRequest, pk: int) -> HttpResponse:
    """开通账号 for a serving mediator (GET: the form; POST: the account and its password, shown once)."""
    _admin_only(request)
    mediator = S.access_mediator(request.user, pk, administer=True)
    if mediator.user_id is not None:
        return redirect("console:registry_account", mediator.user_id)
    if not mediator.is_active:
        raise Http404("调解员已离任")
    form = MediatorAccountForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                handover = S.do_create_mediator_account(request.user, mediator, form.cleaned_data["username"])
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                return _handover(request, handover, "账号已开通")
        mark_invalid(form)
    role = Role.DIRECTOR.label if mediator.role == "DIRECTOR" else Role.MEDIATOR.label
    return render(request, "registry/account_new.html", {"form": form, "mediator": mediator, "role_label": role})


@never_cache
@login_required
def staff_account_new(request: HttpRequest) -> HttpResponse:
    """A 司法所 officer's account (county administrator) or a county administrator's (city administrator)."""
    _admin_only(request)
    role = S.staff_role_for(request.user)
    if role is None:
        raise Http404("页面不存在")
    form = StaffAccountForm(request.POST or None, divisions=S.staff_divisions(request.user))
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                handover = S.do_create_staff_account(
                    request.user, d["division"], d["username"], d["full_name"], d["phone"]
                )
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                return _handover(request, handover, "账号已开通")
        mark_invalid(form)
    return render(request, "registry/account_staff_new.html", {"form": form, "role_label": Role(role).label})


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    qs = S.administrable_accounts(request.user).select_related("committee", "division")
    q = (request.GET.get("q") or "").strip()[:50]
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(committee__name__icontains=q))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "must_change":
        qs = qs.filter(is_active=True, must_change_password=True)
    page = Paginator(
        qs.order_by("-is_active", "role", "committee__division_id", "division_id", "username"), 30
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "status": status,
        "query": query.urlencode(),
        "staff_role": S.staff_role_for(request.user),
    }
    return render(request, "registry/account_list.html", context)


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    account = S.access_account(request.user, pk)
    mediator = Mediator.objects.filter(user=account).select_related("committee").first()
    context = {
        "account": account,
        "mediator": mediator,
        "history": history_of(account)[:100],
        "reason_form": ReasonForm(),
    }
    return render(request, "registry/account_detail.html", context)


@never_cache
@login_required
@require_POST
def account_reset(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    account = S.access_account(request.user, pk)
    try:
        handover = S.do_reset_password(request.user, account, request)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("console:registry_account", account.pk)
    return _handover(request, handover, "密码已重置")


@login_required
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    account = S.access_account(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        mark_invalid(form)
        mediator = Mediator.objects.filter(user=account).select_related("committee").first()
        context = {"account": account, "mediator": mediator, "history": history_of(account)[:100], "reason_form": form}
        return render(request, "registry/account_detail.html", context, status=400)
    try:
        S.do_deactivate_account(request.user, account, form.cleaned_data["reason"])
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"账号 {account.username} 已停用，不能再登录。")
    return redirect("console:registry_account", account.pk)


@login_required
@require_POST
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    account = S.access_account(request.user, pk)
    try:
        S.do_reactivate_account(request.user, account)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"账号 {account.username} 已恢复，可以登录。")
    return redirect("console:registry_account", account.pk)


# --- terms of office --------------------------------------------------------------------------------------------


@login_required
def terms(request: HttpRequest) -> HttpResponse:
    """任期提醒: serving mediators whose term ends within 60 days, and those whose term has ended (red)."""
    _admin_only(request)
    today = timezone.localdate()
    rows = list(S.terms_ending(request.user, today)[:500])
    administrable = set(S.administrable_committees(request.user).values_list("pk", flat=True))
    context = {
        "rows": [(m, (m.term_end - today).days, m.committee_id in administrable) for m in rows],
        "expired": sum(1 for m in rows if m.term_end < today),
        "today": today,
        "days": S.TERM_WARNING_DAYS,
    }
    return render(request, "registry/terms.html", context)


__all__ = [
    "account_deactivate",
    "account_detail",
    "account_new",
    "account_reactivate",
    "account_reset",
    "accounts",
    "mediator_detail",
    "mediator_edit",
    "mediator_leave",
    "mediator_new",
    "staff_account_new",
    "terms",
]
