"""Identity numbers: validation (GB 11643 checksum, birth date), masking, encryption at rest.

The full number is stored Fernet-encrypted with FIELD_ENCRYPTION_KEY, so that a copy of the database file alone
does not reveal it; a keyed HMAC allows exact-match lookups (duplicates) without decrypting; a masked form is
stored for lists.
"""

import base64
import hashlib
import hmac
import logging
import re
import unicodedata
from datetime import date

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

logger = logging.getLogger("tiaojie.identity")

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
# 统一社会信用代码 (GB 32100-2015): 18 chars from this alphabet, check char by weighted mod 31.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def normalise_id_number(value: str) -> str:
    """Full-width digits typed with a Chinese input method become ASCII (NFKC); spaces go; x becomes X."""
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def id_number_error(value: str, today: date | None = None) -> str | None:
    """Return a Chinese error message if `value` is not a valid 18-digit resident ID number, else None."""
    v = normalise_id_number(value)
    if not _ID_RE.match(v):
        return "身份证号码应为18位，前17位为数字，最后一位为数字或X"
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    today = today or date.today()
    if born > today or born.year < 1900:
        return "身份证号码中的出生日期无效"
    total = sum(int(c) * w for c, w in zip(v[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != v[17]:
        return "身份证号码校验位不正确，请核对"
    return None


def birth_date_from_id(value: str) -> date:
    v = normalise_id_number(value)
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def age_on(value: str, today: date) -> int:
    return age_at(birth_date_from_id(value), today)


def age_at(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def gender_from_id(value: str) -> str:
    return "M" if int(normalise_id_number(value)[16]) % 2 else "F"


def credit_code_error(value: str) -> str | None:
    v = (value or "").strip().upper()
    if len(v) != 18 or any(c not in _USCC_ALPHABET for c in v):
        return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(v[:17], _USCC_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    if _USCC_ALPHABET[check] != v[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def mask_id_number(value: str) -> str:
    v = normalise_id_number(value)
    if len(v) < 8:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_phone(phone: str) -> str:
    """A phone number with all but its first 3 and last 4 digits hidden (139****0001)."""
    p = (phone or "").strip()
    if len(p) < 7:
        return "*" * len(p)
    return p[:3] + "*" * (len(p) - 7) + p[-4:]


def _key_material() -> bytes:
    return (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"tiaojie-id-encryption:" + _key_material()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_id_number(value: str) -> str:
    return _fernet().encrypt(normalise_id_number(value).encode()).decode()


# What a page, PDF or export shows for a number that is stored but cannot be decrypted (wrong or rotated key,
# damaged row): never an empty value, which reads as "no number recorded".
UNDECRYPTABLE = "无法解密"


class DecryptionError(Exception):
    """A stored ID number that the configured FIELD_ENCRYPTION_KEY cannot decrypt."""


def decrypt_id_number(token: str) -> str:
    """The plain number of an encrypted one; "" for nothing stored. Raises DecryptionError (logged) when the token
    cannot be decrypted with the configured key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, UnicodeDecodeError) as exc:
        # The token is not logged: it is the personal datum itself, encrypted.
        logger.error("ID number cannot be decrypted with FIELD_ENCRYPTION_KEY (%s)", type(exc).__name__)
        raise DecryptionError("ID number cannot be decrypted") from exc


def hash_id_number(value: str) -> str:
    key = hashlib.sha256(b"tiaojie-id-hmac:" + _key_material()).digest()
    return hmac.new(key, normalise_id_number(value).encode(), hashlib.sha256).hexdigest()


def make_valid_id_number(prefix6: str, born: date, seq3: int) -> str:
    """Build a checksum-valid ID number (used by the demo seeder and tests)."""
    body = f"{prefix6}{born:%Y%m%d}{seq3:03d}"
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def make_valid_credit_code(body17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return body17 + _USCC_ALPHABET[(31 - total % 31) % 31]


def stored_id_number(value: str) -> tuple[str, str, str]:
    """How an ID number is stored on a party, a mediator or a referred party: (encrypted, hash, masked), all three
    empty for none."""
    value = normalise_id_number(value)
    if not value:
        return "", "", ""
    return encrypt_id_number(value), hash_id_number(value), mask_id_number(value)
