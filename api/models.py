"""The API's own records (issue 11): which OAuth2 client belongs to which institution, idempotency keys, and the
webhook outbox (endpoints, events with a stable id, deliveries, attempts).

OAuth2 applications and tokens are django-oauth-toolkit's (oauth2_provider.Application, AccessToken); an ApiClient
binds one application (client credentials) to one institution, with the scopes it may ask for. A client reads
only what its institution sent or was sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiaojie.models import AppendOnlyModel


class ApiClient(models.Model):
    institution = models.ForeignKey(
        "referrals.Institution", verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="api_clients"
    )
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.PROTECT, related_name="api_client"
    )
    # The account the client acts as (access log rows, created_by of records): no password, cannot sign in.
    service_user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    name = models.CharField(_("客户端名称"), max_length=100)
    # Space-separated scopes this client may be granted (a subset of OAUTH2_PROVIDER["SCOPES"]).
    allowed_scopes = models.CharField(_("授权范围"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(_("密钥更换时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scopes(self) -> set[str]:
        return set(self.allowed_scopes.split())


class IdempotencyRecord(models.Model):
    """A POST's Idempotency-Key: the body's fingerprint and, once done, the stored response that a replay returns.
    A row without a response is a request still in flight (a concurrent duplicate gets 409)."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique")]


class WebhookEndpoint(models.Model):
    """Where an institution receives webhooks (Standard Webhooks 1.0). Disabled on 410 or by an administrator."""

    institution = models.ForeignKey(
        "referrals.Institution", verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(_("接收地址"), max_length=300)
    description = models.CharField(_("说明"), max_length=100, blank=True)
    # The signing secret (whsec_ + base64 of 24–64 random bytes), encrypted at rest (cases.identity's key); the
    # previous one stays valid for a day after a rotation (the signature header lists both).
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # Empty: every event type; else a space-separated list of the types wanted.
    event_types = models.CharField(_("订阅事件"), max_length=500, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["institution_id", "id"]
        verbose_name = _("推送地址")
        verbose_name_plural = _("推送地址")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types.split()


class WebhookEvent(AppendOnlyModel):
    """One logical event for one institution: its `msg_id` (the webhook-id header) is stable across every delivery
    and replay. The payload is thin: type, ids, timestamps; personal data is read through the API."""

    msg_id = models.CharField(max_length=40, unique=True)
    institution = models.ForeignKey("referrals.Institution", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(_("事件类型"), max_length=50, db_index=True)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="webhook_events"
    )
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    append_only_message = "推送事件不可修改或删除"

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("推送事件")
        verbose_name_plural = _("推送事件")


class DeliveryState(models.TextChoices):
    PENDING = "PENDING", _("待推送")
    SENDING = "SENDING", _("推送中")
    DELIVERED = "DELIVERED", _("已送达")
    FAILED = "FAILED", _("推送失败")
    ENDPOINT_DISABLED = "DISABLED", _("地址已停用")


class WebhookDelivery(models.Model):
    """The outbox row: one event to one endpoint, written in the action's transaction, delivered by the worker
    (api.webhooks) with retries over about three days."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]


class WebhookAttempt(AppendOnlyModel):
    """One try of a delivery (append-only): the delivery log. A replay by an administrator names them."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.PROTECT, related_name="attempts_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
