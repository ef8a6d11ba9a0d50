"""Signing webhooks (Standard Webhooks 1.0, references-2.md §A.6): symmetric `v1` signatures.

A secret is `whsec_` + base64 of 32 random bytes. A message is signed over `{msg_id}.{timestamp}.{body}` with
HMAC-SHA256 and sent as `webhook-signature: v1,<base64>`; the header is a space-separated list, so during the
day after a rotation it carries one signature with the new secret and one with the previous one, and a receiver
configured with either verifies (no downtime).

Secrets are stored Fernet-encrypted (a key derived from settings.FIELD_ENCRYPTION_KEY, as cases.identity does for
ID numbers, with a label of its own), so that a copy of the database alone does not let anyone forge webhooks.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils import timezone

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# How long the previous secret still signs after a rotation.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """A fresh signing secret: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key_bytes(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(raw)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The `v1,<base64>` signature of one message with one secret."""
    if isinstance(body, str):
        body = body.encode()
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(_key_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The webhook-signature header: one signature per secret, space-separated (current secret first)."""
    return " ".join(sign(s, msg_id, timestamp, body) for s in secrets_ if s)


def verify(secret: str, msg_id: str, timestamp: int, body: bytes | str, header: str) -> bool:
    """True when one of the header's v1 signatures is that of `secret` (constant-time comparison). For our own
    tests and tools; receivers use the standardwebhooks package."""
    expected = sign(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, part) for part in header.split())


def _fernet() -> Fernet:
    material = (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
    digest = hashlib.sha256(b"tiaojie-webhook-secret:" + material).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def decrypt_secret(token: str) -> str:
    """The plain secret of an encrypted one; "" for nothing stored. Raises cryptography's InvalidToken when the
    configured key cannot decrypt it (a delivery then fails with that error rather than sending unsigned)."""
    return _fernet().decrypt(token.encode()).decode() if token else ""


def signing_secrets(endpoint, at: datetime | None = None) -> list[str]:
    """The secrets an endpoint's messages are signed with now: its current one, plus the previous one within a
    day of a rotation."""
    at = at or timezone.now()
    result = [decrypt_secret(endpoint.secret_encrypted)]
    if (
        endpoint.previous_secret_encrypted
        and endpoint.secret_rotated_at is not None
        and at < endpoint.secret_rotated_at + ROTATION_OVERLAP
    ):
        result.append(decrypt_secret(endpoint.previous_secret_encrypted))
    return result


__all__ = [
    "ROTATION_OVERLAP",
    "decrypt_secret",
    "encrypt_secret",
    "new_secret",
    "sign",
    "signature_header",
    "signing_secrets",
    "verify",
]
