"""The worker's side of the outbox: claim a due message, hand it to the gateway, log the attempt, back off.

No transaction and no row lock is held while the gateway is called (on SQLite an open write transaction blocks the
whole database; on PostgreSQL a slow gateway would pin a connection and a lock). Instead:

1. claim: one compare-and-set UPDATE that only succeeds if the message is still PENDING, due, and has the attempt
   count we read. It bumps the count and moves `next_attempt_at` one lease ahead, so a second worker (or a re-run
   of the sweep) finds nothing due and sends nothing. A worker that dies after claiming leaves the message due
   again once the lease lapses (settings.TIAOJIE["OUTBOX_LEASE_SECONDS"]).
2. send, outside any transaction;
3. record, in one short transaction: the DeliveryAttempt and the outcome, only if our claim still stands.

Failures wait settings.TIAOJIE["OUTBOX_BACKOFF_SECONDS"][n-1] after the n-th try; after the last one the message is
FAILED with the error. An administrator may ask for one more try of a FAILED message (request_retry).
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.enums import Channel, DeliveryStatus, NoticeKind
from notifications.models import DeliveryAttempt, OutboxMessage

logger = logging.getLogger(__name__)


def backoff_seconds() -> list[int]:
    """Waits before the 2nd, 3rd, … try; after the last one the message is FAILED (settings.TIAOJIE)."""
    return [int(s) for s in settings.TIAOJIE["OUTBOX_BACKOFF_SECONDS"]]


def lease() -> timedelta:
    return timedelta(seconds=int(settings.TIAOJIE["OUTBOX_LEASE_SECONDS"]))


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def _claim(message_id: int) -> OutboxMessage | None:
    """Take a due message for this worker, or None if it is not due or another worker has it."""
    now = timezone.now()
    msg = OutboxMessage.objects.filter(pk=message_id).first()
    if msg is None or msg.status != DeliveryStatus.PENDING or msg.next_attempt_at > now:
        return None
    won = OutboxMessage.objects.filter(
        pk=msg.pk, status=DeliveryStatus.PENDING, attempts=msg.attempts, next_attempt_at__lte=now
    ).update(attempts=msg.attempts + 1, next_attempt_at=now + lease())
    if not won:
        return None
    msg.attempts += 1
    return msg


# Texts that carry a code (sign-in, invitation to join): not kept once sent, and no gateway error text is stored.
SECRET_KINDS = frozenset({NoticeKind.LOGIN_CODE, NoticeKind.INVITATION})
SENT_SECRET_BODY = "（含验证码的短信，发送后不保留内容）"
# Codes (4+ digits), links and tokens are scrubbed from a secret message's error text.
SECRET_PATTERN = re.compile(r"\d{4,}|https?://\S+|[A-Za-z0-9_-]{16,}")


def _send(msg: OutboxMessage) -> str:
    """Hand the message to its gateway; the error text, or "" when it was accepted."""
    try:
        if msg.channel == Channel.SMS:
            sms_backend().send(msg.address, msg.body)
        else:
            raise NotImplementedError(f"channel {msg.channel}")
    except Exception as exc:  # noqa: BLE001 - any gateway failure is logged and retried, never raised
        error = f"{type(exc).__name__}: {exc}"[:500]
        if msg.kind in SECRET_KINDS:  # a gateway's error may echo the request, and with it the code or the link
            error = SECRET_PATTERN.sub("＊＊＊", error)
        logger.warning("delivery of outbox message %s failed: %s", msg.pk, error)
        return error
    return ""


def _record(msg: OutboxMessage, error: str) -> str:
    """Write the attempt and the outcome of our claim. Returns the message's status."""
    now = timezone.now()
    manual = msg.retry_requested_by_id is not None
    fields: dict = {"retry_requested_by": None, "last_error": error}
    if not error:
        fields.update(status=DeliveryStatus.SENT, sent_at=now)
        if msg.kind in SECRET_KINDS:  # a code is kept only until it has been handed over
            fields["body"] = SENT_SECRET_BODY
    else:
        waits = backoff_seconds()
        # A manual retry is one more try, not a new schedule.
        if manual or msg.attempts > len(waits):
            fields.update(status=DeliveryStatus.FAILED, next_attempt_at=now)
        else:
            wait = timedelta(seconds=waits[msg.attempts - 1])
            fields.update(status=DeliveryStatus.PENDING, next_attempt_at=now + wait)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message_id=msg.pk, at=now, ok=not error, error=error, requested_by_id=msg.retry_requested_by_id
        )
        still_ours = OutboxMessage.objects.filter(
            pk=msg.pk, status=DeliveryStatus.PENDING, attempts=msg.attempts
        ).update(**fields)
    if not still_ours:  # our lease lapsed and another worker took the message: it decides the outcome
        logger.warning("outbox message %s: claim lapsed before the outcome was recorded", msg.pk)
        return OutboxMessage.objects.values_list("status", flat=True).get(pk=msg.pk)
    return fields["status"]


def deliver(message_id: int) -> str | None:
    """Try one message if it is due and no other worker has it. Returns its status after the try, or None when
    this call did not try it (not due, already sent or failed, or claimed by another worker)."""
    msg = _claim(message_id)
    if msg is None:
        return None
    return _record(msg, _send(msg))


def deliver_due(limit: int = 500) -> int:
    """Deliver every pending message whose time has come. Returns how many this sweep tried."""
    ids = list(
        OutboxMessage.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk) is not None)


def request_retry(message: OutboxMessage, by) -> bool:
    """An administrator's "重新发送" of a FAILED message: it becomes due now, and the worker's next attempt is
    recorded as requested by `by`. False when the message is not (or no longer) FAILED."""
    from notifications.services import kick

    with transaction.atomic():
        done = OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), retry_requested_by=by
        )
        if done:
            pk = message.pk
            transaction.on_commit(lambda: kick(pk), robust=True)
    return bool(done)
