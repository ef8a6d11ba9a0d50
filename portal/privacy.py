"""The portal's personal-information notice (个人信息保护说明, PIPL arts 17 and 30): its configurable parts are read
from data/privacy_notice.json (settings.TIAOJIE["PRIVACY_NOTICE"] may point elsewhere)."""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DEFAULT_PATH = Path(settings.BASE_DIR) / "data" / "privacy_notice.json"


@dataclass(frozen=True)
class PrivacyNotice:
    controller: str
    contact_unit: str = ""
    contact_phone: str = ""
    contact_address: str = ""
    contact_email: str = ""
    reply_working_days: int = 15
    log_months: int = 6
    retention: list[dict] = field(default_factory=list)
    updated_on: str = ""


@lru_cache(maxsize=4)
def _load(path: str) -> PrivacyNotice:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    known = set(PrivacyNotice.__dataclass_fields__)
    return PrivacyNotice(**{k: v for k, v in raw.items() if k in known})


def privacy_notice() -> PrivacyNotice:
    """The configured notice (cached per file)."""
    return _load(str(getattr(settings, "TIAOJIE", {}).get("PRIVACY_NOTICE", DEFAULT_PATH)))
