"""The head and the signature block (落款) of an issued entry notice: the issuing bureau, the document number (文号),
the addressees and the date, from configuration (data/document_headers.json), per issuing division with defaults
per level derived from the division's name ("咸安区" → 咸安区司法局, 咸安司通〔2026〕12号).

The seal place of the 落款 is left blank: the issued paper is stamped by hand, the PDF never draws a seal.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.conf import settings

from registry.models import Division, DivisionLevel

OPEN_NUMBER = "\u3000\u3000"  # two ideographic spaces: the number is written in by hand
_ENDING = re.compile(r"(街道|自治县|区|县|市|镇|乡)$")


def headers_path() -> Path:
    return Path(settings.TIAOJIE.get("DOCUMENT_HEADERS", settings.BASE_DIR / "data" / "document_headers.json"))


@cache
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    for level in raw.get("levels", {}):
        if level not in DivisionLevel.names:
            raise ValueError(f"document_headers.json: unknown level {level!r}")
    for code in raw.get("divisions", {}):
        if not code.isdigit():
            raise ValueError(f"document_headers.json: division key {code!r} is not a division code")
    return raw


def document_headers() -> dict:
    return _load(str(headers_path()))


def short_name(name: str) -> str:
    """咸安区 → 咸安, 嘉鱼县 → 嘉鱼, 温泉街道 → 温泉 (a name that would be left with one character is kept whole)."""
    stripped = _ENDING.sub("", name)
    return stripped if len(stripped) >= 2 else name


@dataclass(frozen=True)
class Header:
    issuer: str  # 咸宁市咸安区司法局
    docno_prefix: str  # 咸安司通
    recipients: str  # 各司法所，各人民调解委员会：

    def docno(self, year: int, seq: int | None) -> str:
        """咸安司通〔2026〕12号; without a sequence the number's place is left open for the paper register."""
        number = str(seq) if seq else OPEN_NUMBER
        return f"{self.docno_prefix}〔{year}〕{number}号"


def header_for(division: Division) -> Header:
    raw = document_headers()
    level = DivisionLevel(min(max(division.level, DivisionLevel.CITY), DivisionLevel.TOWNSHIP)).name
    block = {**raw.get("levels", {}).get(level, {}), **raw.get("divisions", {}).get(division.code, {})}
    fill = {"name": division.name, "short": short_name(division.name)}
    return Header(
        issuer=block.get("issuer", "{name}司法局").format(**fill),
        docno_prefix=block.get("docno_prefix", "{short}司通").format(**fill),
        recipients=block.get("recipients", "").format(**fill),
    )


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
