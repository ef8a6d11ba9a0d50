"""The 矛盾纠纷排查情况表 computed from the records (references-2.md §B; layout in
data/report_forms/screening_form.json). Owner: h-form.

Columns: 县市区 | 乡镇街道 | 村居 | 小计 | 年度累计 — findings grouped by the level of the unit that found them
(county-level, township-level, village-level committees inside the area), subtotal, and the subtotal from 1 January
to the period's end. Rows: 排查数 (findings found in the period), 调处数 (handled: resolved on site, or in a case
that ended), 调处率, 成功数 (resolved on site, or the case mediated successfully), 成功率; 排查数 and 调处数 per
category; disputes by headcount bucket (起数); 重大矛盾纠纷 排查数 / 调处数 / 成功数 / 成功率; 开展集中排查次数
(campaigns in the area overlapping the period)."""

from datetime import date


def compute(division_code: str, start: date, end: date) -> dict:
    """The whole table as plain data (JSON-serialisable: it is what a submitted form freezes)."""
    raise NotImplementedError


def period_bounds(period_kind: str, period_start: date) -> tuple[date, date]:
    """The first and last day of the form's period (MONTH, QUARTER, HALF_YEAR, YEAR) that starts on period_start."""
    raise NotImplementedError
