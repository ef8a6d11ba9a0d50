"""Time-based one-time passwords (RFC 6238, with HOTP of RFC 4226): the second factor of county and city
administrators, who can export a whole city's personal data.

Standard parameters, as every authenticator app (Google/Microsoft Authenticator, 阿里云 / 腾讯身份验证器) expects:
HMAC-SHA1, 30-second steps, 6 digits, a 160-bit secret written in base32. A code is accepted for the current step
and one step either side (clock drift), and each step only once per user (a code seen over someone's shoulder
cannot be replayed). The secret is stored encrypted (Fernet, a key derived from FIELD_ENCRYPTION_KEY).
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet
from django.conf import settings

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of the current one


def new_secret() -> str:
    """A fresh 160-bit secret in base32, without padding (32 characters)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(secret: str, counter: int) -> str:
    """RFC 4226: the code for `counter` (dynamic truncation of HMAC-SHA1)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def step_at(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def code_at(secret: str, at: float | None = None) -> str:
    """RFC 6238: the code of the step containing `at` (Unix seconds; now by default)."""
    return hotp(secret, step_at(at))


def matching_step(secret: str, code: str, *, at: float | None = None, after: int | None = None) -> int | None:
    """The step (current ± WINDOW) whose code is `code`, or None. Steps up to `after` (the last one used) are not
    accepted again: replay protection."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = step_at(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str | None = None) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code, or pasted as text)."""
    issuer = issuer or settings.TOTP_ISSUER
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _fernet() -> Fernet:
    material = (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"tiaojie-totp-secret:" + material).digest()))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def required_for(user) -> bool:
    """Whether this user must use a second factor (settings.TOTP_REQUIRED_ROLES)."""
    return bool(user.is_authenticated and user.role in set(settings.TOTP_REQUIRED_ROLES))


def available_to(user) -> bool:
    """County and city administrators may enrol, and anyone whose role requires it."""
    return bool(user.is_authenticated and (user.role in {"COUNTY_ADMIN", "CITY_ADMIN"} or required_for(user)))
