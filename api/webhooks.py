"""Webhooks (Standard Webhooks 1.0, references-2.md §A.6): events written to the outbox in the action's transaction
and delivered by the worker, signed `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 (v1), retried with
backoff over about three days, the endpoint disabled on 410.

`emit` is the one entry point for the referral services (skeleton, issue 11); delivery, signing, retries, replay
and the console pages are h-webhooks'.
"""

import secrets
from datetime import datetime

from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

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
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(event=event, endpoint=e, next_attempt_at=timezone.now()) for e in endpoints]
    )
    _kick_after_commit(event)
    return event


def _kick_after_commit(event) -> None:
    """Hook for h-webhooks: ask the worker to deliver after commit (a periodic sweep delivers anyway)."""
    return None
