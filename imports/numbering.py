"""The case numbers a legacy ledger already carries: kept when they follow the numbering rule, checked per row,
per file and against the cases already on the platform.

The rule is settings.TIAOJIE["CASE_NUMBER_FORMAT"] (default "（{year}）{short}人调字第{seq}号"): the committee's own
short name, the year of acceptance and a sequence from 1 within the committee and year. A ledger number

- that follows the rule is kept as the case's number (a sequence written with leading zeros, "第007号", is kept
  as its sequence and written the way the rule writes it, with a warning);
- that names another committee's short name or another year than the acceptance year is a row error (it claims a
  place in a series it does not belong to);
- that does not follow the rule at all (a ledger of its own, "2019-001") is not a case number under the rule: the
  case gets a new number, the ledger's number is kept in the case's record (event note, ImportedKey.legacy_no),
  and the row carries a warning;
- that is used twice in the file, or already by a case on the platform, is a row error.

Gaps in a committee's series of a year (over the file's kept numbers and the platform's existing cases) are a
warning of the batch: a ledger may well have missing numbers, the bureau should know which.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from cases.actions.intake import format_case_no

GAP_LIST_LIMIT = 30


def _fold(value: str) -> str:
    """Full-width and half-width forms alike (a ledger typed in Excel has either)."""
    return unicodedata.normalize("NFKC", value).strip()


@cache
def _lenient_regex(fmt: str) -> re.Pattern:
    fmt = _fold(fmt)
    fields = {"year": r"(?P<year>\d{4})", "short": r"(?P<short>.+?)", "seq": r"(?P<seq>\d+)"}
    parts = re.split(r"(\{year\}|\{short\}|\{seq\})", fmt)
    pattern = "".join(fields[p[1:-1]] if p in ("{year}", "{short}", "{seq}") else re.escape(p) for p in parts)
    return re.compile(rf"^{pattern}$")


def rule_in_words() -> str:
    return settings.TIAOJIE["CASE_NUMBER_FORMAT"].format(year="年度", short="调委会简称", seq="N")


@dataclass
class LedgerNumber:
    """What a ledger's number means for the row: kept (year, seq, case_no), or a warning, or an error."""

    number: tuple[int, int, str] | None = None
    warning: str = ""
    error: str = ""


def check_ledger_number(raw: str, short_name: str, accepted_year: int | None) -> LedgerNumber:
    raw = (raw or "").strip()
    if not raw:
        return LedgerNumber()
    match = _lenient_regex(settings.TIAOJIE["CASE_NUMBER_FORMAT"]).match(_fold(raw))
    if not match:
        return LedgerNumber(
            warning=f"原编号“{raw}”不符合编号规则“{rule_in_words()}”，将按规则重新编号，原编号记入案件记录"
        )
    year, short, seq = int(match["year"]), match["short"], int(match["seq"])
    if short != _fold(short_name):
        return LedgerNumber(error=f"案号“{raw}”中的调委会简称“{short}”与本调委会简称“{short_name}”不符")
    if accepted_year is not None and year != accepted_year:
        return LedgerNumber(error=f"案号“{raw}”的年度{year}与受理年度{accepted_year}不一致")
    if seq < 1:
        return LedgerNumber(error=f"案号“{raw}”的序号须从1起")
    canonical = format_case_no(short_name, year, seq)
    warning = f"原编号“{raw}”按编号规则写作“{canonical}”" if canonical != raw else ""
    return LedgerNumber(number=(year, seq, canonical), warning=warning)


def gaps(seqs: set[int]) -> list[int]:
    """The missing sequences from 1 to the highest one."""
    return sorted(set(range(1, max(seqs) + 1)) - seqs) if seqs else []


def gap_warning(committee_name: str, year: int, missing: list[int]) -> str:
    shown = "、".join(str(n) for n in missing[:GAP_LIST_LIMIT]) + ("等" if len(missing) > GAP_LIST_LIMIT else "")
    return f"{committee_name}{year}年的案号缺号{len(missing)}个：第{shown}号"
