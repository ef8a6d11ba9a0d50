"""Idempotency-Key on every POST (draft-ietf-httpapi-idempotency-key-header; references-2.md §A.6).

- no key, or a key longer than 255 characters: 400;
- the first request with a key writes its fingerprint (sha256 of method, path and body) in an IdempotencyRecord,
  committed in a transaction of its own *before* the work starts, so a concurrent duplicate sees it;
- a replay of a completed key returns the stored status and body, with the header `Idempotent-Replayed: true`;
- the same key with another fingerprint (another body or another endpoint): 422;
- the same key while the first request is still in flight: 409;
- only 2xx and 4xx responses are stored; a 5xx (or a crash) removes the row, so the client may retry with the key;
- keys are per client and live IDEMPOTENCY_TTL_HOURS (24 h): after that a key may be used afresh; so may a key
  whose first request has been in flight for more than 10 minutes (its process died).

A multipart body's fingerprint is computed from its fields and each file's name and content hash (a client library
draws a new boundary for every request, so the raw bytes of a replay differ).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError, IdempotencyConflict
from api.models import ApiClient, IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("Location",)
# A request still "in flight" after this long died with its process (no request takes minutes): its key is free.
IN_FLIGHT_TIMEOUT = timedelta(minutes=10)


def ttl() -> timedelta:
    return timedelta(hours=settings.TIAOJIE.get("IDEMPOTENCY_TTL_HOURS", 24))


def _body_digest(request: Request) -> bytes:
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/"):
        h = hashlib.sha256()
        data = request.POST
        for key in sorted(data.keys()):
            for value in data.getlist(key):
                h.update(json.dumps(["field", key, value], ensure_ascii=False).encode())
        for key in sorted(request.FILES.keys()):
            for upload in request.FILES.getlist(key):
                content = hashlib.sha256()
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                h.update(json.dumps(["file", key, upload.name, upload.size, content.hexdigest()]).encode())
        return h.digest()
    try:
        raw = request._request.body
    except RawPostDataException:  # the stream was parsed before `prime` could keep it: the parsed body, canonical
        return json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str).encode()
    # The same JSON re-serialised (other spacing, other key order) is the same body: a replay, not a mismatch.
    try:
        return json.dumps(json.loads(raw), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        return raw


def prime(http_request) -> None:
    """Keep the raw body of a non-multipart POST before anything parses it (DOT's authentication reads
    request.POST, which makes REST framework parse the stream); the parsers then read the kept copy."""
    if http_request.method != "POST" or (http_request.content_type or "").startswith("multipart/"):
        return
    try:
        http_request.body  # noqa: B018 -- reads and keeps the body
    except (RequestDataTooBig, RawPostDataException):
        pass


def fingerprint(request: Request) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode() + b"\n" + request.path.encode() + b"\n")
    h.update(_body_digest(request))
    return h.hexdigest()


def key_of(request: Request) -> str:
    key = request.headers.get(HEADER, "")
    if not key.strip():
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "idempotency_key_missing",
            "缺少 Idempotency-Key 请求头：每个 POST 请求都须附带一个唯一的幂等键",
            {HEADER: ["请提供 Idempotency-Key 请求头"]},
        )
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "idempotency_key_invalid",
            f"Idempotency-Key 不能超过 {MAX_KEY_LENGTH} 个字符",
            {HEADER: [f"不能超过 {MAX_KEY_LENGTH} 个字符"]},
        )
    return key


def _mismatch() -> ApiError:
    return ApiError(
        status.HTTP_422_UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "该 Idempotency-Key 已用于内容不同的请求；新的请求请使用新的幂等键",
        {HEADER: ["已用于内容不同的请求"]},
    )


def _replay(record: IdempotencyRecord) -> Response:
    headers = {REPLAY_HEADER: "true", **(record.response_headers or {})}
    return Response(record.response_body, status=record.status_code, headers=headers)


def _claim(client: ApiClient, key: str, request: Request, fp: str, now: datetime) -> IdempotencyRecord | Response:
    """The new in-flight row for this key (committed), or the response a duplicate gets (a replay), or raises."""
    fields = {"method": request.method, "path": request.path[:300], "fingerprint": fp}
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(client=client, key=key, created_at=now, **fields)
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if existing is None:  # removed meanwhile (the first request failed with a 5xx): the client may retry
        raise IdempotencyConflict("同一 Idempotency-Key 的请求刚刚结束，请重试") from None
    abandoned = existing.completed_at is None and existing.created_at < now - IN_FLIGHT_TIMEOUT
    if existing.created_at < now - ttl() or abandoned:
        # An expired key (or one whose request died in flight) is used afresh; one of two concurrent takers wins.
        taken = IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).update(
            created_at=now, completed_at=None, status_code=None, response_body=None, response_headers={}, **fields
        )
        if not taken:
            raise IdempotencyConflict()
        return IdempotencyRecord.objects.get(pk=existing.pk)
    if existing.fingerprint != fp:
        raise _mismatch()
    if existing.completed_at is None:
        raise IdempotencyConflict()
    return _replay(existing)


def _stored_body(response: Response):
    if getattr(response, "data", None) is None:
        return None
    return json.loads(JSONRenderer().render(response.data))


def run(request: Request, client: ApiClient, handler: Callable[[], Response]) -> Response:
    """Run `handler` (which returns a Response and never raises for a handled error) at most once per key."""
    key = key_of(request)
    fp = fingerprint(request)
    claimed = _claim(client, key, request, fp, timezone.now())
    if isinstance(claimed, Response):
        return claimed
    record = claimed
    try:
        response = handler()
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        completed_at=timezone.now(),
        status_code=response.status_code,
        response_body=_stored_body(response),
        response_headers={h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
    )
    return response


def purge_expired(now: datetime | None = None) -> int:
    """Remove keys older than the TTL (a periodic task may call it; an expired key is reusable anyway)."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - ttl()).delete()
    return deleted
