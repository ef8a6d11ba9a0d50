"""Reading a bureau's .xlsx ledger and parsing the values found in it: dates in the common Chinese notations
(including Excel serial numbers), amounts with 元/万元, and cells as JSON-safe values for staging."""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO

from cases.filechecks import Refused
from imports.bounds import Bounds
from imports.mapping import config, norm

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (accounts for its 1900 leap-year bug for dates after 1900-03-01)
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+\d{1,2}[:：]\d{2}(?::\d{2})?)?$"
)
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class ParseError(ValueError):
    """A value that cannot be understood; the message is shown in the error report (Chinese)."""


def cell_json(value: object) -> object:
    """A cell value as stored in the staging table: numbers stay numbers (Excel serial dates stay recognisable),
    dates become ISO text, everything else text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != time(0) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: object) -> date | None:
    """2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, an Excel serial number (45717) or a real date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    v = unicodedata.normalize("NFKC", str(value)).strip()
    if not v:
        return None
    m = _DATE_RE.match(v) or _COMPACT_RE.match(v)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ParseError(f"日期“{v}”不存在") from None
    if re.fullmatch(r"\d{5}(\.\d+)?", v):
        return _serial(float(v))
    raise ParseError(f"无法识别的日期“{v}”（可用 2025-03-01、2025/3/1、2025.3.1 或 2025年3月1日）")


def _serial(value: float) -> date:
    if not 20000 <= value <= 80000:  # 1954 … 2119: anything else is not a date typed in a ledger
        raise ParseError(f"无法识别的日期“{value}”")
    return EXCEL_EPOCH + timedelta(days=int(value))


def parse_amount(value: object) -> Decimal | None:
    """3000, 3,000.00, 3000元, ￥3000, 1.5万, 1.5万元; 无 / — mean zero. Negative amounts are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        v = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        if v in ("无", "-", "—", "/", "0元"):
            return Decimal("0")
        factor = Decimal("10000") if "万" in v else Decimal("1")
        v = re.sub(r"(人民币|万元|万|元|¥|￥|RMB)", "", v, flags=re.IGNORECASE)
        try:
            amount = Decimal(v) * factor
        except InvalidOperation:
            raise ParseError(f"无法识别的金额“{value}”") from None
    if not amount.is_finite() or amount < 0:
        raise ParseError(f"金额“{value}”无效（不能为负数）")
    if amount >= Decimal("1e12"):
        raise ParseError(f"金额“{value}”过大")
    return amount.quantize(Decimal("0.01"))


@dataclass
class Sheet:
    name: str
    header_row: int  # 1-based spreadsheet row of the headers
    headers: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (spreadsheet row number, JSON-safe values)


def _header_score(values: list[object]) -> int:
    aliases = {norm(a) for m in config()["mappings"].values() for names in m["headers"].values() for a in names}
    cells = [norm(v) for v in values if isinstance(v, str) and v.strip()]
    return sum(1 for c in cells if c in aliases or any(a and a in c for a in aliases if len(a) >= 2))


def _capped(value: object, chars: int) -> object:
    return value[:chars] if isinstance(value, str) and len(value) > chars else value


def read_sheet(f: IO[bytes], limit: int | None = None, bounds: Bounds | None = None) -> Sheet:
    """The first worksheet: the header row is the one among the first ten whose cells look most like ledger
    headers (a title row above it, as bureaus often have, is skipped). `limit` stops after that many data rows.
    With `bounds` (the pages: a file already passed imports.bounds.check_workbook at upload), no more than that
    many columns and characters per cell are kept and more rows than allowed are refused (Refused).
    The sheet's own <dimension> is ignored: openpyxl would pad every row to whatever size it claims."""
    from openpyxl import load_workbook

    columns = bounds.columns if bounds else None
    wb = load_workbook(f, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        it: Iterator[tuple] = ws.iter_rows(values_only=True)
        head: list[tuple[int, list[object]]] = []
        for number, values in enumerate(it, start=1):
            head.append((number, list(values[:columns])))
            if number >= 10:
                break
        if not head:
            return Sheet(ws.title, 1, [])
        best = max(head, key=lambda r: (_header_score(r[1]), -r[0]))
        header_row = best[0] if _header_score(best[1]) else head[0][0]
        raw_headers = next(v for n, v in head if n == header_row)
        width = max((i + 1 for i, v in enumerate(raw_headers) if text(v)), default=0)
        headers = [text(v)[:100] or f"第{i + 1}列" for i, v in enumerate(raw_headers[:width])]
        sheet = Sheet(ws.title, header_row, headers)

        def take(number: int, values: list[object]) -> bool:
            cells = [cell_json(v) for v in list(values)[:width]]
            if bounds:
                cells = [_capped(c, bounds.cell_chars) for c in cells]
            cells += [""] * (width - len(cells))
            if any(c != "" for c in cells):
                sheet.rows.append((number, cells))
                if bounds and len(sheet.rows) > bounds.rows:
                    raise Refused(f"表格超过 {bounds.rows} 行，一次最多导入 {bounds.rows} 行，请拆分后分别导入")
            return limit is not None and len(sheet.rows) >= limit

        for number, values in head:
            if number > header_row and take(number, values):
                return sheet
        for number, values in enumerate(it, start=len(head) + 1):
            if take(number, list(values)):
                break
        return sheet
    finally:
        wb.close()
