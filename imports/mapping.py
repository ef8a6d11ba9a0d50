"""Column mapping and label tables of the legacy import, read from data/import_mappings.json (configuration, not
code: a province whose ledger names its columns differently adds a named mapping there)."""

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Target fields, in the order of the mapping form, with their Chinese labels and whether a row needs them.
FIELDS: list[tuple[str, str, bool]] = [
    ("committee", _("调委会"), False),
    ("legacy_no", _("原案号/编号"), False),
    ("registered_on", _("登记日期"), False),
    ("accepted_on", _("受理日期"), True),
    ("outcome_on", _("调解（协议）日期"), False),
    ("closed_on", _("结案日期"), False),
    ("dispute_type", _("纠纷类型"), True),
    ("source", _("案件来源"), False),
    ("parties", _("当事人（多人以、分隔）"), False),
    ("applicant_name", _("申请人"), False),
    ("applicant_id", _("申请人身份证号/信用代码"), False),
    ("applicant_phone", _("申请人电话"), False),
    ("applicant_address", _("申请人住址"), False),
    ("respondent_name", _("被申请人"), False),
    ("respondent_id", _("被申请人身份证号/信用代码"), False),
    ("respondent_phone", _("被申请人电话"), False),
    ("respondent_address", _("被申请人住址"), False),
    ("guardian", _("申请人法定代理人"), False),
    ("facts", _("纠纷简要情况"), True),
    ("claims", _("申请事项"), False),
    ("amount_involved", _("涉及金额"), False),
    ("outcome", _("调解结果"), False),
    ("agreement_form", _("协议形式"), False),
    ("agreement_amount", _("协议金额"), False),
    ("agreement_content", _("协议内容"), False),
    ("performance", _("履行情况"), False),
    ("mediator", _("调解员"), False),
]
FIELD_NAMES = [f for f, _label, _req in FIELDS]
FIELD_LABELS = {f: label for f, label, _req in FIELDS}


def config_path() -> Path:
    return Path(settings.TIAOJIE.get("IMPORT_MAPPINGS", settings.BASE_DIR / "data" / "import_mappings.json"))


@lru_cache(maxsize=1)
def config() -> dict:
    """The whole mapping configuration (cached for the process)."""
    return json.loads(config_path().read_text(encoding="utf-8"))


def mapping_names() -> list[tuple[str, str]]:
    return [(name, m.get("label", name)) for name, m in config()["mappings"].items()]


def mapping(name: str = "default") -> dict:
    maps = config()["mappings"]
    return maps.get(name) or maps["default"]


def norm(value: object) -> str:
    """Normalise a header or label for matching: NFKC (full-width → half-width), no whitespace, no marks of
    required columns."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊:：]", "", text)


def guess_mapping(headers: list[str], name: str = "default") -> dict[str, int]:
    """field → column index, guessed from the header names: exact alias matches first, then the longest alias a
    header contains. Each column is used once."""
    aliases = mapping(name)["headers"]
    normed = [norm(h) for h in headers]
    result: dict[str, int] = {}
    used: set[int] = set()
    for field in FIELD_NAMES:
        for alias in aliases.get(field, []):
            a = norm(alias)
            for i, h in enumerate(normed):
                if i not in used and h == a:
                    result[field] = i
                    used.add(i)
                    break
            if field in result:
                break
    candidates = []
    for field in FIELD_NAMES:
        if field in result:
            continue
        for alias in aliases.get(field, []):
            a = norm(alias)
            for i, h in enumerate(normed):
                if a and a in h:
                    candidates.append((-len(a), FIELD_NAMES.index(field), field, i))
    for _neg, _order, field, i in sorted(candidates):
        if field not in result and i not in used:
            result[field] = i
            used.add(i)
    return result


def _lookup(value: str, table: str, keywords: str | None = None) -> str | None:
    cfg = config()
    v = norm(value)
    if not v:
        return None
    exact = {norm(k): code for k, code in cfg[table].items()}
    if v in exact:
        return exact[v]
    if keywords:
        for word, code in cfg[keywords]:
            if word in v:
                return code
    return None


@lru_cache(maxsize=4096)  # a ledger repeats a handful of labels 100k times
def dispute_type_code(value: str) -> str | None:
    from cases.enums import DisputeType

    v = norm(value)
    for choice in DisputeType:  # the platform's own labels and codes are always understood
        if v in (norm(choice.label), choice.value, norm(str(choice.label).split("—")[-1])):
            return choice.value
    return _lookup(value, "dispute_types", "dispute_type_keywords")


@lru_cache(maxsize=4096)  # a ledger repeats a handful of labels 100k times
def source_code(value: str) -> str | None:
    from cases.enums import CaseSource

    v = norm(value)
    for choice in CaseSource:
        if v in (norm(choice.label), choice.value):
            return choice.value
    return _lookup(value, "sources", "source_keywords")


@lru_cache(maxsize=4096)  # a ledger repeats a handful of labels 100k times
def outcome_code(value: str) -> str | None:
    """SUCCESS, FAILURE or OPEN (still in mediation); None when not understood."""
    return _lookup(value, "outcomes")


@lru_cache(maxsize=4096)  # a ledger repeats a handful of labels 100k times
def agreement_form_code(value: str) -> str | None:
    return _lookup(value, "agreement_forms")


@lru_cache(maxsize=4096)  # a ledger repeats a handful of labels 100k times
def performance_code(value: str) -> str | None:
    """DONE or PERFORMING; None when not understood."""
    return _lookup(value, "performance")
