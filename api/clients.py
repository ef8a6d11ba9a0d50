"""API clients and webhook endpoints (issue 11): what an administrator creates, rotates and revokes in the console
(api.views_console), and what the demo seed (h-sandbox) calls to make the sandbox court's client.

An ApiClient is one institution's system: a django-oauth-toolkit Application (confidential, client credentials, the
secret stored hashed), a service account it acts as (Role.API_CLIENT, the institution, an unusable password: it
cannot sign in), and the scopes it may be granted. A webhook endpoint is where the institution receives events,
with its own signing secret (api.signing, encrypted at rest).

Every secret is returned once, in plain text, by the function that makes it, and never again: the caller shows it
on a no-store page (or prints it, in the demo). Every issuance writes an access-log row (AccessKind.API_CLIENT_SECRET)
for the administrator who asked; every function runs in one transaction, and refusals are
cases.actions.ActionRefused(message, field).
"""

import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AccessToken, Application

from accounts.clientip import client_ip
from accounts.models import AccessKind, AccessLog, Role, User
from api import signing
from api.models import ApiClient, DeliveryState, WebhookDelivery, WebhookEndpoint
from api.webhooks import EVENT_TYPES
from cases.actions.base import ActionRefused


def all_scopes() -> dict[str, str]:
    """Every scope a client may be given (settings.OAUTH2_PROVIDER["SCOPES"]): name → Chinese description."""
    return dict(settings.OAUTH2_PROVIDER["SCOPES"])


def _clean_scopes(scopes: Iterable[str] | str) -> str:
    chosen = scopes.split() if isinstance(scopes, str) else list(scopes)
    known = all_scopes()
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ActionRefused(f"未知的授权范围：{'、'.join(unknown)}", "scopes")
    if not chosen:
        raise ActionRefused("请至少选择一项授权范围", "scopes")
    return " ".join(s for s in known if s in chosen)  # settings order, no duplicates


def _log_secret(request: HttpRequest | None, by: User | None, fallback: User, detail: str) -> None:
    """The access-log row of a secret's issuance: the request's user when there is a request (a console page),
    else `by` (a script naming its operator), else the account the secret belongs to (the demo seed)."""
    if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        from accounts.access import log_access

        log_access(request, AccessKind.API_CLIENT_SECRET, detail=detail)
        return
    user = by or fallback
    AccessLog.objects.create(
        user=user,
        action=AccessKind.API_CLIENT_SECRET,
        ip_address=client_ip(request) if request is not None else None,
        detail=(detail if by else f"{detail}（无操作人：脚本）")[:200],
    )


def _record_account(by: User | None, account: User, action: str, note: str, before: dict | None = None) -> None:
    """The registry's account history of the service account (issue 9), when an administrator did it."""
    if by is None:
        return
    from registry.history import record_change, snapshot

    record_change(by, account, action, before=before, after=snapshot(account), note=note)


def _expire_tokens(application: Application, at: datetime) -> int:
    """End every live token of the application now (rows kept: no hard deletes)."""
    return AccessToken.objects.filter(application=application, expires__gt=at).update(expires=at)


@transaction.atomic
def create_client(
    institution,
    name: str,
    scopes: Iterable[str] | str,
    by: User | None,
    *,
    request: HttpRequest | None = None,
) -> tuple[ApiClient, str]:
    """Create an institution's API client and return it with its client secret in plain text (shown once: only
    a hash is stored).

    - `institution`: a referrals.Institution (active); the client reads and writes only what it sent or was sent.
    - `name`: a label for administrators (e.g. "诉讼服务平台").
    - `scopes`: names from settings.OAUTH2_PROVIDER["SCOPES"] (a list or a space-separated string), at least one.
    - `by`: the administrator (None for the demo seed); `request`: the console request, for the access log's IP.

    Makes the DOT Application (confidential, client_credentials, hash_client_secret on; its `user` is the service
    account — note that DOT 3.4 leaves a client-credentials AccessToken's `user` empty, so the API maps
    `token.application.api_client` to the client and its `service_user`), the service account (Role.API_CLIENT,
    `institution` set, unusable password, username `api-<client id prefix>`), the ApiClient, and an access-log row
    (API_CLIENT_SECRET). Raises ActionRefused(message, field) for an empty name, unknown or no scopes, or an
    inactive institution.

    The credentials for the token endpoint are `client.application.client_id` and the returned secret.
    """
    name = (name or "").strip()
    if not name:
        raise ActionRefused("请填写客户端名称", "name")
    if not institution.is_active:
        raise ActionRefused("该机构已停用，不能新建接口客户端", "institution")
    allowed = _clean_scopes(scopes)
    client_id = generate_client_id()
    secret = generate_client_secret()
    account = User(
        username=f"api-{client_id[:16].lower()}",
        full_name=f"{institution.name}·{name}"[:50],
        role=Role.API_CLIENT,
        institution=institution,
        division_id=institution.division_id,
        is_active=True,
    )
    account.set_unusable_password()
    account.save()
    application = Application(
        client_id=client_id,
        client_secret=secret,  # hashed by DOT on save; `secret` keeps the plain text for the caller
        hash_client_secret=True,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        name=f"{institution.name}·{name}"[:255],
        user=account,
        skip_authorization=True,
    )
    application.save()
    client = ApiClient.objects.create(
        institution=institution,
        application=application,
        service_user=account,
        name=name[:100],
        allowed_scopes=allowed,
        created_by=by,
        created_at=timezone.now(),
    )
    _record_account(by, account, "CREATE", f"新建接口客户端：{institution.name}·{name}"[:200])
    _log_secret(request, by, account, f"生成接口客户端密钥：{institution.name}·{name}（{client_id[:8]}…）")
    return client, secret


@transaction.atomic
def rotate_secret(client: ApiClient, by: User | None, *, request: HttpRequest | None = None) -> str:
    """Give the client a new secret and return it in plain text (shown once). The old secret stops working at
    once, and the tokens it obtained end now (a rotation is often because the secret leaked): the institution
    asks for a new token with the new secret."""
    client = ApiClient.objects.select_for_update().select_related("application", "institution").get(pk=client.pk)
    if not client.is_active:
        raise ActionRefused("该客户端已停用，不能更换密钥")
    now = timezone.now()
    secret = generate_client_secret()
    application = client.application
    application.client_secret = secret
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
    _expire_tokens(application, now)
    client.secret_rotated_at = now
    client.save(update_fields=["secret_rotated_at"])
    _log_secret(
        request,
        by,
        client.service_user,
        f"更换接口客户端密钥：{client.institution.name}·{client.name}（{application.client_id[:8]}…）",
    )
    return secret


@transaction.atomic
def revoke(client: ApiClient, by: User | None, *, request: HttpRequest | None = None) -> ApiClient:
    """Stop a client for good: marked revoked (who, when), its tokens end now, its secret is replaced by one
    nobody knows (so the token endpoint refuses it, whatever else checks ApiClient.is_active), and its service
    account is deactivated. Rows are kept (history). Revoking a revoked client is refused."""
    client = ApiClient.objects.select_for_update().select_related("application", "service_user").get(pk=client.pk)
    if not client.is_active:
        raise ActionRefused("该客户端已停用")
    now = timezone.now()
    application = client.application
    application.client_secret = secrets.token_urlsafe(48)  # hashed on save; never returned
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
    _expire_tokens(application, now)
    account = client.service_user
    from registry.history import snapshot

    before = snapshot(account)
    account.is_active = False
    account.save(update_fields=["is_active"])
    client.revoked_at = now
    client.revoked_by = by
    client.save(update_fields=["revoked_at", "revoked_by"])
    _record_account(by, account, "DEACTIVATE", f"停用接口客户端：{client.name}", before=before)
    return client


# ---------------------------------------------------------------------------------------------------------------
# Webhook endpoints


def _refuse_private_host(host: str) -> None:
    """Outside development a webhook may not point at this machine or a private network (SSRF): an IP literal
    in a loopback, private, link-local or reserved range, or localhost, is refused. (A name that resolves there
    is the egress proxy's to stop.)"""
    if host.lower() in {"localhost", "localhost.localdomain"} or host.lower().endswith(".localhost"):
        raise ActionRefused("推送地址不能指向本机或内部网络", "url")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if address.is_loopback or address.is_private or address.is_link_local or address.is_reserved:
        raise ActionRefused("推送地址不能指向本机或内部网络", "url")


def check_endpoint_url(url: str) -> str:
    """The cleaned URL of a webhook endpoint, or ActionRefused(field "url"): http(s) with a host, https only
    when settings.TIAOJIE["WEBHOOK_REQUIRE_HTTPS"] (production), no credentials in it."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ActionRefused("推送地址应为 https:// 开头的完整网址", "url")
    if parts.username or parts.password:
        raise ActionRefused("推送地址中不能包含用户名或密码", "url")
    if settings.TIAOJIE["WEBHOOK_REQUIRE_HTTPS"]:
        if parts.scheme != "https":
            raise ActionRefused("推送地址必须使用 https", "url")
        _refuse_private_host(parts.hostname)
    return url


def _clean_event_types(event_types: Iterable[str] | str | None) -> str:
    chosen = event_types.split() if isinstance(event_types, str) else list(event_types or [])
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise ActionRefused(f"未知的事件类型：{'、'.join(unknown)}", "event_types")
    return " ".join(t for t in EVENT_TYPES if t in chosen)


@transaction.atomic
def add_endpoint(
    institution,
    url: str,
    *,
    by: User | None,
    description: str = "",
    event_types: Iterable[str] | str | None = None,
    request: HttpRequest | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Add a webhook endpoint for `institution` and return it with its signing secret in plain text (whsec_…,
    shown once; stored encrypted). `event_types` empty: every event type."""
    url = check_endpoint_url(url)
    if not institution.is_active:
        raise ActionRefused("该机构已停用，不能添加推送地址", "institution")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        institution=institution,
        url=url,
        description=(description or "").strip()[:100],
        secret_encrypted=signing.encrypt_secret(secret),
        event_types=_clean_event_types(event_types),
        created_by=by,
    )
    _log_secret(request, by, by or _any_account(institution), f"生成推送签名密钥：{institution.name} {url}"[:200])
    return endpoint, secret


def _any_account(institution) -> User:
    """Whom a script's secret issuance is logged under when no operator is named: the institution's first
    client's account (the demo seed makes the client before the endpoint)."""
    client = ApiClient.objects.filter(institution=institution).select_related("service_user").first()
    if client is None:
        raise ActionRefused("请指明操作人", "by")
    return client.service_user


@transaction.atomic
def rotate_endpoint_secret(endpoint: WebhookEndpoint, by: User | None, *, request: HttpRequest | None = None) -> str:
    """A new signing secret for the endpoint, returned in plain text (shown once). For the next 24 hours the
    webhook-signature header carries signatures with both the new and the previous secret (api.signing)."""
    endpoint = WebhookEndpoint.objects.select_for_update().select_related("institution").get(pk=endpoint.pk)
    secret = signing.new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.secret_encrypted = signing.encrypt_secret(secret)
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["previous_secret_encrypted", "secret_encrypted", "secret_rotated_at"])
    _log_secret(
        request,
        by,
        by or _any_account(endpoint.institution),
        f"更换推送签名密钥：{endpoint.institution.name} {endpoint.url}"[:200],
    )
    return secret


def _mark_pending_disabled(endpoint: WebhookEndpoint, reason: str) -> int:
    return WebhookDelivery.objects.filter(
        endpoint=endpoint, status__in=[DeliveryState.PENDING, DeliveryState.SENDING]
    ).update(status=DeliveryState.ENDPOINT_DISABLED, last_error=reason[:500], lease_until=None)


@transaction.atomic
def disable_endpoint(endpoint: WebhookEndpoint, by: User | None, reason: str) -> WebhookEndpoint:
    """Stop sending to an endpoint (an administrator, or the worker on 410 with by=None): its pending deliveries
    become DISABLED; they can be replayed once it is enabled again."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    reason = (reason or "").strip() or "管理员停用"
    if by is not None:
        reason = f"{reason}（{by.display_name}）"
    if not endpoint.is_active:
        return endpoint
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    _mark_pending_disabled(endpoint, f"推送地址已停用：{reason}")
    return endpoint


@transaction.atomic
def enable_endpoint(endpoint: WebhookEndpoint, by: User | None) -> WebhookEndpoint:
    """Send to the endpoint again (new events; the ones missed meanwhile are replayed from the deliveries page
    or read from the API's events list). The reason it was disabled stays visible until then."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_active:
        return endpoint
    check_endpoint_url(endpoint.url)
    endpoint.is_active = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    return endpoint


__all__ = [
    "add_endpoint",
    "all_scopes",
    "check_endpoint_url",
    "create_client",
    "disable_endpoint",
    "enable_endpoint",
    "revoke",
    "rotate_endpoint_secret",
    "rotate_secret",
]
