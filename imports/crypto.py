"""Encryption of staged import rows: they carry ID numbers between validation and import, and a copy of the
database file alone must not reveal them (DESIGN.md rule 4). Same key material as cases.identity."""

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(b"tiaojie-import-staging:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _current() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY)


def seal(value: object) -> str:
    return _current().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def unseal(token: str, default: object = None) -> object:
    if not token:
        return default
    try:
        return json.loads(_current().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return default
