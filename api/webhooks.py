"""Webhooks (Standard Webhooks 1.0, references-2.md §A.6): events written to the outbox in the action's transaction
and delivered by the worker, signed `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 (v1, api.signing),
retried with backoff over about three days, the endpoint disabled on 410.

`emit` is the one entry point for the referral services: one WebhookEvent (its msg_id is the webhook-id of every
delivery and replay of it) and one WebhookDelivery per endpoint of the institution that wants it, in the caller's
transaction; after commit each delivery is handed to the worker (api.tasks), and the periodic sweep catches the
rest (retries, deliveries written while the worker was down, claims of a worker that died).

Delivery follows the SMS outbox's ideas (notifications.delivery), not its code:

1. claim: a compare-and-set UPDATE that succeeds only if the delivery is still as we read it (PENDING and due, or
   SENDING with a lapsed lease) and the attempt count is unchanged; it moves it to SENDING with a lease
   (settings.TIAOJIE["OUTBOX_LEASE_SECONDS"], longer than the request timeout), so no second worker sends it;
2. POST outside any transaction, with httpx: timeout TIAOJIE["WEBHOOK_TIMEOUT_SECONDS"], redirects not followed,
   https only when TIAOJIE["WEBHOOK_REQUIRE_HTTPS"];
3. record, in one short transaction: a WebhookAttempt row, and the outcome only if our claim still stands.

Outcomes: 2xx = DELIVERED. 410 = the receiver asks us to stop: the endpoint is disabled (disabled_at, reason) and
its pending deliveries become DISABLED. Anything else (3xx: redirects are not followed; 4xx; 429; 5xx; timeouts;
connection errors) is retried after TIAOJIE["WEBHOOK_BACKOFF_SECONDS"][n-1] seconds (+ up to 10 % jitter, at least
what a Retry-After header asks, at most the longest wait of the schedule); after the last wait the delivery is
FAILED. An administrator's replay is a new delivery of the same event (same msg_id), tried once at once, its
attempt recorded with requested_by.
"""

import json
import logging
import random
import secrets
import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

# Every event type an institution may receive (the referral's event kinds it hears of), documented in the schema.
EVENT_TYPES: dict[str, str] = {
    "referral.received": "平台已收到移送",
    "referral.accepted": "调解组织已接收",
    "referral.declined": "调解组织拒绝接收（附理由）",
    "referral.returned": "逾期未接收，已自动退回",
    "referral.withdrawn": "移送已撤回",
    "referral.party_contacted": "已联系对方当事人，同意调解",
    "referral.party_unreachable": "无法联系对方当事人",
    "referral.party_refused": "对方当事人拒绝调解",
    "referral.extended": "调解期限已延长（经全体当事人同意）",
    "referral.paused": "鉴定评估，调解期限中止",
    "referral.resumed": "鉴定评估结束，调解期限恢复",
    "referral.replied": "调解组织已反馈办理情况",
    "referral.merged": "已并入同一纠纷的调解案件",
    "referral.concluded": "调解结束（成功附协议，不成功附报告）",
    "referral.jc_requested": "当事人已申请司法确认",
    "referral.attachment_added": "已补充材料",
    # issue 12: a risk with a public-security or criminal flag goes directly to the police (PML art. 25)
    "risk.reported": "矛盾纠纷风险预警直报公安机关",
}


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def emit(event_type: str, *, institution, referral=None, data: dict | None = None, at: datetime | None = None):
    """Write one event (stable msg_id) and one pending delivery per active endpoint of `institution` that wants
    it, inside the caller's transaction. The payload is thin: {type, timestamp, data: {ids, status, times}}."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type}")
    at = at or timezone.now()
    body = {"referral_id": referral.pk} if referral is not None else {}
    body.update(data or {})
    event = WebhookEvent.objects.create(
        msg_id=new_msg_id(),
        institution=institution,
        event_type=event_type,
        referral=referral,
        payload={"type": event_type, "timestamp": at.isoformat(), "data": body},
        created_at=at,
    )
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(institution=institution, is_active=True) if e.wants(event_type)
    ]
    now = timezone.now()
    deliveries = [WebhookDelivery.objects.create(event=event, endpoint=e, next_attempt_at=now) for e in endpoints]
    for delivery in deliveries:
        pk = delivery.pk
        transaction.on_commit(lambda pk=pk: kick(pk), robust=True)
    return event


# ---------------------------------------------------------------------------------------------------------------
# Delivery (the worker's side)

USER_AGENT = "Tiaojie-Webhooks/1.0 (Standard Webhooks)"
JITTER = 0.1
# How much of a failed answer is kept in the attempt's error (bytes).
RESPONSE_SNIPPET = 200


def backoff_seconds() -> list[int]:
    """Waits before the 2nd, 3rd, … try; after the last one the delivery is FAILED (settings.TIAOJIE)."""
    return [int(s) for s in settings.TIAOJIE["WEBHOOK_BACKOFF_SECONDS"]]


def lease() -> timedelta:
    return timedelta(seconds=int(settings.TIAOJIE["OUTBOX_LEASE_SECONDS"]))


def timeout_seconds() -> float:
    return float(settings.TIAOJIE["WEBHOOK_TIMEOUT_SECONDS"])


def kick(delivery_id: int, requested_by_id: int | None = None) -> None:
    """Hand a committed delivery to the worker. A queue that cannot be reached is logged, never raised: the
    action has committed, and the periodic sweep delivers it later."""
    from api.tasks import deliver_webhook

    try:
        deliver_webhook(delivery_id, requested_by_id)
    except Exception:  # noqa: BLE001 - the page of a committed action must not fail because of the queue
        logger.exception("could not enqueue webhook delivery %s; the sweep will deliver it", delivery_id)


def body_of(event: WebhookEvent) -> bytes:
    """The bytes that are signed and sent: the event's thin payload as compact JSON (the same on every try)."""
    return json.dumps(event.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def headers_for(endpoint: WebhookEndpoint, event: WebhookEvent, body: bytes, at: datetime | None = None) -> dict:
    """The Standard Webhooks headers of one try: the event's stable id, the try's time, the signatures."""
    from api import signing

    at = at or timezone.now()
    timestamp = int(at.timestamp())
    return {
        "webhook-id": event.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            signing.signing_secrets(endpoint, at), event.msg_id, timestamp, body
        ),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def _claim(delivery_id: int, *, manual: bool) -> WebhookDelivery | None:
    """Take a delivery for this worker, or None if it is not due or another worker has it. `manual`: an
    administrator's replay, tried at once whatever its next_attempt_at."""
    now = timezone.now()
    d = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if d is None:
        return None
    mine = WebhookDelivery.objects.filter(pk=d.pk, status=d.status, attempts=d.attempts)
    if d.status == DeliveryState.PENDING:
        if d.next_attempt_at > now and not manual:
            return None
        mine = mine.filter(next_attempt_at=d.next_attempt_at)
    elif d.status == DeliveryState.SENDING:  # a worker that died with the delivery claimed
        if d.lease_until is not None and d.lease_until > now:
            return None
        mine = mine.filter(lease_until=d.lease_until)
    else:
        return None
    won = mine.update(
        status=DeliveryState.SENDING, attempts=d.attempts + 1, lease_until=now + lease(), next_attempt_at=now + lease()
    )
    if not won:
        return None
    return WebhookDelivery.objects.select_related("event", "endpoint").get(pk=d.pk)


def _retry_after(response: httpx.Response) -> int | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0, int((when - timezone.now()).total_seconds()))


class _Outcome:
    def __init__(self, status_code: int | None, error: str, duration_ms: int, retry_after: int | None = None):
        self.status_code = status_code
        self.error = error[:500]
        self.duration_ms = duration_ms
        self.retry_after = retry_after

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def _network_error(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "连接失败：无法连接到接收地址（地址不存在、拒绝连接或证书无效）"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "连接失败：接收方的响应不符合 HTTP 协议"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return "连接失败：传输中断"
    return "连接失败：网络错误"


def _internal_address(url: str) -> str | None:
    """Outside development (WEBHOOK_REQUIRE_HTTPS on) an endpoint whose name resolves to a loopback, private,
    link-local or otherwise non-public address is refused at each try, not only when it was registered (a name can
    be pointed elsewhere later). The window between this lookup and httpx's own is left to the egress proxy."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    if not settings.TIAOJIE.get("WEBHOOK_REQUIRE_HTTPS"):
        return None
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return "推送地址无法解析"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return "推送地址解析到内部网络地址，已拒绝推送"
    return None


def _post(delivery: WebhookDelivery) -> _Outcome:
    """One try, outside any transaction. Never raises."""
    from api.clients import check_endpoint_url
    from cases.actions.base import ActionRefused

    endpoint, event = delivery.endpoint, delivery.event
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        url = check_endpoint_url(endpoint.url)
        body = body_of(event)
        headers = headers_for(endpoint, event, body)
    except ActionRefused as refused:
        return _Outcome(None, f"推送地址不可用：{refused.message}", elapsed())
    except Exception:  # noqa: BLE001 - e.g. a secret the configured key cannot decrypt
        logger.exception("webhook %s: signing failed", delivery.pk)
        return _Outcome(None, "签名失败（推送签名密钥无法读取，请更换密钥）", elapsed())
    if (refusal := _internal_address(url)) is not None:
        return _Outcome(None, refusal, elapsed())
    try:
        with httpx.Client(timeout=timeout_seconds(), follow_redirects=False) as http:
            # Streamed: of a failure's answer only its first bytes are read (a receiver may answer with anything).
            with http.stream("POST", url, content=body, headers=headers) as response:
                code = response.status_code
                snippet = b""
                if not 200 <= code < 300:
                    for chunk in response.iter_bytes():
                        snippet += chunk
                        if len(snippet) >= RESPONSE_SNIPPET:
                            break
    except httpx.TimeoutException:
        return _Outcome(None, f"超时（{timeout_seconds():g} 秒内无响应）", elapsed())
    except httpx.HTTPError as exc:
        # The administrators read the attempt's error on the delivery pages: in Chinese; the raw one goes to the log.
        logger.warning("webhook %s: %s: %s", delivery.pk, type(exc).__name__, exc)
        return _Outcome(None, _network_error(exc), elapsed())
    if 200 <= code < 300:
        return _Outcome(code, "", elapsed())
    if 300 <= code < 400:
        error = f"HTTP {code}：不跟随重定向（{response.headers.get('location', '')[:200]}）"
    else:
        error = f"HTTP {code}：{snippet[:RESPONSE_SNIPPET].decode('utf-8', 'replace')}"
    return _Outcome(code, error, elapsed(), _retry_after(response) if code in (429, 503) else None)


def _wait_after(attempt_no: int, outcome: _Outcome) -> timedelta | None:
    """How long before the next try after the attempt_no-th failed one, or None when the schedule is spent."""
    waits = backoff_seconds()
    if attempt_no > len(waits):
        return None
    wait = waits[attempt_no - 1] * (1 + random.uniform(0, JITTER))
    if outcome.retry_after is not None:
        wait = max(wait, min(outcome.retry_after, max(waits)))
    return timedelta(seconds=wait)


def _record(delivery: WebhookDelivery, outcome: _Outcome, requested_by_id: int | None) -> str:
    """Write the attempt and the outcome of our claim. Returns the delivery's status."""
    now = timezone.now()
    fields: dict = {"last_status_code": outcome.status_code, "last_error": outcome.error, "lease_until": None}
    gone = outcome.status_code == 410
    if outcome.ok:
        fields.update(status=DeliveryState.DELIVERED, delivered_at=now, next_attempt_at=now)
    elif gone:
        fields.update(status=DeliveryState.ENDPOINT_DISABLED, next_attempt_at=now)
    else:
        wait = None if requested_by_id is not None else _wait_after(delivery.attempts, outcome)
        if wait is None:  # schedule spent, or a replay (one try, not a new schedule)
            fields.update(status=DeliveryState.FAILED, next_attempt_at=now)
        else:
            fields.update(status=DeliveryState.PENDING, next_attempt_at=now + wait)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery_id=delivery.pk,
            at=now,
            status_code=outcome.status_code,
            ok=outcome.ok,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            requested_by_id=requested_by_id,
        )
        still_ours = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryState.SENDING, attempts=delivery.attempts
        ).update(**fields)
        if gone:
            from api.clients import disable_endpoint

            disable_endpoint(delivery.endpoint, None, "接收方返回 410（Gone），已自动停用")
    if not still_ours:  # our lease lapsed and another worker took the delivery: it decides the outcome
        logger.warning("webhook delivery %s: claim lapsed before the outcome was recorded", delivery.pk)
        return WebhookDelivery.objects.values_list("status", flat=True).get(pk=delivery.pk)
    return fields["status"]


def deliver(delivery_id: int, requested_by_id: int | None = None) -> str | None:
    """Try one delivery if it is due and no other worker has it. Returns its status after the try, or None when
    this call did not try it (not due, done, or claimed by another worker). `requested_by_id`: the administrator
    of a replay (tried at once, once)."""
    delivery = _claim(delivery_id, manual=requested_by_id is not None)
    if delivery is None:
        return None
    if not delivery.endpoint.is_active:  # disabled after the delivery was written
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryState.SENDING).update(
            status=DeliveryState.ENDPOINT_DISABLED, lease_until=None, attempts=delivery.attempts - 1
        )
        return DeliveryState.ENDPOINT_DISABLED
    return _record(delivery, _post(delivery), requested_by_id)


def due_deliveries(limit: int = 200) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryState.PENDING, next_attempt_at__lte=now)
            | Q(status=DeliveryState.SENDING, lease_until__lt=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(limit: int = 200) -> int:
    """Deliver every delivery whose time has come (and take over lapsed claims). Returns how many were tried."""
    return sum(1 for pk in due_deliveries(limit) if deliver(pk) is not None)


def replay(delivery: WebhookDelivery, by) -> WebhookDelivery:
    """An administrator's replay: a new delivery of the same event (same msg_id, so the receiver can dedupe) to
    the same endpoint, tried once as soon as the worker has it, its attempt recorded as requested by `by`.
    Refused (cases.actions.ActionRefused) while the endpoint is disabled or the delivery is still in progress.

    The new delivery is reserved for the replay task for one lease; if no worker takes it by then, the sweep
    delivers it like any other (with the ordinary schedule)."""
    from cases.actions.base import ActionRefused

    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if not endpoint.is_active:
            raise ActionRefused("推送地址已停用，请先启用后再重新推送")
        if delivery.status in (DeliveryState.PENDING, DeliveryState.SENDING):
            raise ActionRefused("该推送仍在进行中，无需重新推送")
        now = timezone.now()
        new = WebhookDelivery.objects.create(
            event_id=delivery.event_id, endpoint=endpoint, next_attempt_at=now + lease(), created_at=now
        )
        pk, by_id = new.pk, by.pk
        transaction.on_commit(lambda: kick(pk, by_id), robust=True)
    return new


def replay_of(delivery: WebhookDelivery) -> WebhookAttempt | None:
    """The attempt that names who replayed this delivery (its first attempt with requested_by), or None."""
    return delivery.attempts_log.filter(requested_by__isnull=False).select_related("requested_by").first()
