"""The worker's side of the outbox: claim due messages, hand them to the gateway, log each attempt, back off."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.enums import Channel, DeliveryStatus
from notifications.models import DeliveryAttempt, OutboxMessage

logger = logging.getLogger(__name__)


def backoff_seconds() -> list[int]:
    """Waits before the 2nd, 3rd, … try; after the last one the message is FAILED (settings.TIAOJIE)."""
    return list(settings.TIAOJIE["OUTBOX_BACKOFF_SECONDS"])


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def deliver(message_id: int, *, requested_by=None) -> str | None:
    """Try one message if it is due (or asked for by an administrator). Returns its status after the try."""
    now = timezone.now()
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if msg is None or msg.status == DeliveryStatus.SENT:
            return msg.status if msg else None
        if requested_by is None and (msg.status != DeliveryStatus.PENDING or msg.next_attempt_at > now):
            return msg.status
        error = ""
        try:
            if msg.channel == Channel.SMS:
                sms_backend().send(msg.address, msg.body)
            else:
                raise NotImplementedError(f"channel {msg.channel}")
        except Exception as exc:  # noqa: BLE001 - any gateway failure is logged and retried, never raised
            error = f"{type(exc).__name__}: {exc}"[:500]
            logger.warning("delivery of outbox message %s failed: %s", msg.pk, error)
        msg.attempts += 1
        DeliveryAttempt.objects.create(message=msg, at=now, ok=not error, error=error, requested_by=requested_by)
        if not error:
            msg.status, msg.sent_at, msg.last_error = DeliveryStatus.SENT, now, ""
        else:
            msg.last_error = error
            waits = backoff_seconds()
            if msg.attempts > len(waits):
                msg.status = DeliveryStatus.FAILED
            else:
                msg.status = DeliveryStatus.PENDING
                msg.next_attempt_at = now + timedelta(seconds=waits[msg.attempts - 1])
        msg.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
        return msg.status


def deliver_due(limit: int = 500) -> int:
    """Deliver every pending message whose time has come. Returns how many were tried."""
    ids = list(
        OutboxMessage.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        deliver(pk)
    return len(ids)
