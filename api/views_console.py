"""The console's API pages (issue 11), under /console/api/: the institutions that refer disputes, their OAuth2
clients (a secret shown once, rotation, revocation), their webhook endpoints (a signing secret shown once,
rotation, disable/enable), and the webhook deliveries with their attempts and a replay button.

Only county and city bureau administrators reach them (registry.scoping.admin_division), each within their own
area: the institutions whose division lies inside theirs and what belongs to those. For everyone else (a 司法所,
a committee, a liaison, a party), and for anything outside the area, the pages do not exist (404). Every change
is a POST (CSRF-checked by Django's middleware) through api.clients or api.webhooks; a secret is rendered into the
POST's own response, marked no-store, and exists nowhere else in plain text.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from oauth2_provider.models import AccessToken

from accounts.models import Role, User
from api import clients as C
from api import webhooks
from api.forms import (
    ApiClientForm,
    DeliveryFilterForm,
    DisableForm,
    EndpointForm,
    InstitutionForm,
    institutions_in,
)
from api.models import ApiClient, DeliveryState, WebhookDelivery, WebhookEndpoint
from api.signing import ROTATION_OVERLAP
from cases.actions.base import ActionRefused
from registry.models import Division
from registry.scoping import admin_division
from tiaojie.forms import add_refusal

PER_PAGE = 50
ADMIN_ROLES = {Role.COUNTY_ADMIN, Role.CITY_ADMIN}


def _area(request: HttpRequest) -> Division:
    """The signed-in county or city administrator's area; anyone else gets 404."""
    user: User = request.user
    if user.role not in ADMIN_ROLES:
        raise Http404("页面不存在")
    area = admin_division(user)
    if area is None:
        raise Http404("页面不存在")
    return area


def _get_or_404(qs, pk: object):
    try:
        return qs.get(pk=int(str(pk)))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("页面不存在") from None


def _clients_in(area: Division):
    return ApiClient.objects.filter(institution__division__code__startswith=area.code).select_related(
        "institution", "application", "created_by", "revoked_by"
    )


def _endpoints_in(area: Division):
    return WebhookEndpoint.objects.filter(institution__division__code__startswith=area.code).select_related(
        "institution"
    )


def _deliveries_in(area: Division):
    return WebhookDelivery.objects.filter(endpoint__institution__division__code__startswith=area.code).select_related(
        "event", "endpoint", "endpoint__institution"
    )


def _secret_page(request: HttpRequest, context: dict) -> HttpResponse:
    response = render(request, "api/secret.html", context)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- institutions -----------------------------------------------------------------------------------------------


@login_required
def institutions(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    qs = (
        institutions_in(area)
        .select_related("default_receiver", "court")
        .annotate(
            n_clients=Count("api_clients", filter=Q(api_clients__revoked_at__isnull=True), distinct=True),
            n_endpoints=Count("webhook_endpoints", filter=Q(webhook_endpoints__is_active=True), distinct=True),
        )
        .order_by("division_id", "kind", "name")
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "api/institutions.html", {"page": page, "area": area})


@login_required
def institution_new(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    form = InstitutionForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            institution = form.save()
        messages.success(request, f"已新建对接机构：{institution.name}")
        return redirect("console:institution", institution.pk)
    return render(request, "api/institution_form.html", {"form": form, "institution": None, "area": area})


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request)
    institution = _get_or_404(institutions_in(area), pk)
    form = InstitutionForm(request.POST or None, instance=institution, area=area)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "已保存修改")
        return redirect("console:institution", institution.pk)
    context = {
        "form": form,
        "institution": institution,
        "area": area,
        "clients": _clients_in(area).filter(institution=institution),
        "endpoints": _endpoints_in(area).filter(institution=institution),
    }
    return render(request, "api/institution_form.html", context)


# --- API clients ------------------------------------------------------------------------------------------------


@login_required
def api_clients(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    status = request.GET.get("status", "")
    qs = _clients_in(area).order_by("institution__name", "name")
    if status == "active":
        qs = qs.filter(revoked_at__isnull=True)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "query": _query_without_page(request),
        "endpoints": _endpoints_in(area).order_by("institution__name", "id"),
        "area": area,
    }
    return render(request, "api/clients.html", context)


@never_cache
@login_required
def api_client_new(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    initial = {"institution": request.GET.get("institution")} if request.method == "GET" else None
    form = ApiClientForm(request.POST or None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = C.create_client(
                data["institution"], data["name"], data["scopes"], request.user, request=request
            )
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            return _secret_page(request, {"what": "新建接口客户端", "client": client, "secret": secret})
    return render(request, "api/client_new.html", {"form": form})


@login_required
def api_client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request)
    client = _get_or_404(_clients_in(area), pk)
    live_tokens = AccessToken.objects.filter(application=client.application, expires__gt=timezone.now()).count()
    context = {
        "client": client,
        "scopes": [(s, C.all_scopes().get(s, "")) for s in client.allowed_scopes.split()],
        "live_tokens": live_tokens,
        "endpoints": _endpoints_in(area).filter(institution=client.institution),
    }
    return render(request, "api/client_detail.html", context)


@never_cache
@login_required
@require_POST
def api_client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request)
    client = _get_or_404(_clients_in(area), pk)
    try:
        secret = C.rotate_secret(client, request.user, request=request)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("console:api_client", client.pk)
    client.refresh_from_db()
    return _secret_page(request, {"what": "更换客户端密钥", "client": client, "secret": secret})


@login_required
@require_POST
def api_client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request)
    client = _get_or_404(_clients_in(area), pk)
    try:
        C.revoke(client, request.user, request=request)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已停用客户端：{client.name}。其令牌已全部失效。")
    return redirect("console:api_client", client.pk)


# --- webhook endpoints ------------------------------------------------------------------------------------------


@never_cache
@login_required
def webhook_endpoint_new(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    initial = {"institution": request.GET.get("institution")} if request.method == "GET" else None
    form = EndpointForm(request.POST or None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = C.add_endpoint(
                data["institution"],
                data["url"],
                by=request.user,
                description=data["description"],
                event_types=data["event_types"],
                request=request,
            )
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            return _secret_page(request, {"what": "添加推送地址", "endpoint": endpoint, "secret": secret})
    return render(request, "api/endpoint_new.html", {"form": form})


@never_cache
@login_required
def webhook_endpoint(request: HttpRequest, pk: int) -> HttpResponse:
    """An endpoint's page; its POSTs: action=rotate (a new signing secret, shown once), disable (with a reason),
    enable."""
    area = _area(request)
    endpoint = _get_or_404(_endpoints_in(area), pk)
    disable_form = DisableForm(request.POST if request.POST.get("action") == "disable" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rotate":
                secret = C.rotate_endpoint_secret(endpoint, request.user, request=request)
                endpoint.refresh_from_db()
                return _secret_page(request, {"what": "更换推送签名密钥", "endpoint": endpoint, "secret": secret})
            if action == "disable":
                if disable_form.is_valid():
                    C.disable_endpoint(endpoint, request.user, disable_form.cleaned_data["reason"])
                    messages.success(request, "已停用该推送地址，待推送的记录已停止。")
                    return redirect("console:webhook_endpoint", endpoint.pk)
            elif action == "enable":
                C.enable_endpoint(endpoint, request.user)
                messages.success(request, "已启用该推送地址。停用期间的事件可在推送记录中重新推送。")
                return redirect("console:webhook_endpoint", endpoint.pk)
            else:
                raise Http404("页面不存在")
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("console:webhook_endpoint", endpoint.pk)
    counts = dict(
        endpoint.deliveries.values_list("status").annotate(n=Count("id")).order_by().values_list("status", "n")
    )
    context = {
        "endpoint": endpoint,
        "disable_form": disable_form,
        "counts": [(label, counts.get(value, 0), value) for value, label in DeliveryState.choices],
        "recent": _deliveries_in(area).filter(endpoint=endpoint)[:20],
        "event_types": endpoint.event_types.split(),
        "overlap_until": (endpoint.secret_rotated_at + ROTATION_OVERLAP)
        if endpoint.secret_rotated_at and endpoint.previous_secret_encrypted
        else None,
        "now": timezone.now(),
    }
    return render(request, "api/endpoint_detail.html", context)


# --- deliveries -------------------------------------------------------------------------------------------------


@login_required
def webhook_deliveries(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    form = DeliveryFilterForm(request.GET or None, area=area)
    qs = _deliveries_in(area)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["institution"]:
            qs = qs.filter(endpoint__institution=data["institution"])
        if data["event_type"]:
            qs = qs.filter(event__event_type=data["event_type"])
    page = Paginator(qs.order_by("-created_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query_without_page(request), "event_types": webhooks.EVENT_TYPES}
    return render(request, "api/deliveries.html", context)


@login_required
def webhook_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request)
    delivery = _get_or_404(_deliveries_in(area), pk)
    attempts = delivery.attempts_log.select_related("requested_by").order_by("at", "id")
    others = _deliveries_in(area).filter(event_id=delivery.event_id).exclude(pk=delivery.pk).order_by("created_at")
    context = {
        "delivery": delivery,
        "event": delivery.event,
        "event_label": webhooks.EVENT_TYPES.get(delivery.event.event_type, ""),
        "body": json.dumps(delivery.event.payload, ensure_ascii=False, indent=2, sort_keys=True),
        "attempts": attempts,
        "others": others,
        "may_replay": delivery.endpoint.is_active
        and delivery.status not in (DeliveryState.PENDING, DeliveryState.SENDING),
        "replayed_by": webhooks.replay_of(delivery),
    }
    return render(request, "api/delivery_detail.html", context)


@login_required
@require_POST
def webhook_replay(request: HttpRequest, pk: int) -> HttpResponse:
    area = _area(request)
    delivery = _get_or_404(_deliveries_in(area), pk)
    try:
        new = webhooks.replay(delivery, request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("console:webhook_delivery", delivery.pk)
    new.refresh_from_db()
    outcome = new.get_status_display()
    messages.success(request, f"已重新推送（同一 webhook-id：{delivery.event.msg_id}），当前状态：{outcome}")
    return redirect("console:webhook_delivery", new.pk)
