"""The outbox: every SMS (and, later, webhook) is a row written in the transaction of the action that caused it and
delivered by the worker (notifications.delivery). In-app notices are rows of cases.Notification, written in the same
transaction; they need no delivery."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.enums import Channel, DeliveryStatus, NoticeKind
from tiaojie.models import AppendOnlyModel


class OutboxMessage(models.Model):
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    kind = models.CharField(_("类别"), max_length=30, choices=NoticeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The division the message concerns (the case's, else the recipient's jurisdiction), for the delivery log's
    # scope; empty for texts to a bare phone number (a verification code before sign-in).
    division_code = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True)
    address = models.CharField(_("接收号码/地址"), max_length=300)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now, db_index=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("写入时间"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # An administrator asked for one more try of a failed message; the worker's attempt names them.
    retry_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"


class DeliveryAttempt(AppendOnlyModel):
    """One try to hand a message to its gateway: the delivery log (append-only)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="delivery_attempts")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    # Who asked for this try: empty for the worker's own schedule, the administrator for a manual retry.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]


class NoticePreference(models.Model):
    """A person's choice, per kind of notice: in-app only (sms=False) or also by SMS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(_("类别"), max_length=30, choices=NoticeKind.choices)
    sms = models.BooleanField(_("同时发送短信"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_unique")]
