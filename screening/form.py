"""The 矛盾纠纷排查情况表 computed from the records (references-2.md §B; layout in
data/report_forms/screening_form.json). Owner: h-form.

Columns: 县市区 | 乡镇街道 | 村居 | 小计 | 年度累计 — findings grouped by the level of the unit that found them
(county-level, township-level, village-level committees inside the area), subtotal, and the subtotal from 1 January
to the period's end. Rows: 排查数 (findings found in the period), 调处数 (handled: resolved on site, or in a case
that ended), 调处率, 成功数 (resolved on site, or the case mediated successfully), 成功率; 排查数 and 调处数 per
category; disputes by headcount bucket (起数); 重大矛盾纠纷 排查数 / 调处数 / 成功数 / 成功率; 开展集中排查次数
(campaigns in the area overlapping the period).

Precisely (the note of the layout file says the same):
- a finding is in the area when its 发生地区划 (Finding.division_code) is inside it, and in the period when its
  found_on is; its column is the level of its committee's division (3 or above → 县市区, 4 → 乡镇街道, 5 → 村居);
- handled (调处) = RESOLVED with resolved_at before the end of the period's last day (Asia/Shanghai), or IN_CASE
  with the case's mediation ended (an ending event of insights.definitions, agreement or termination) before that
  moment and the case's outcome still set; successful (成功) = resolved on site as above, or the case's last ending
  before that moment a success (and its outcome SUCCESS). The same moment is used for the 年度累计 column;
- rates = part ÷ 排查数 × 100, one decimal rounded half up, "—" when 排查数 is 0;
- campaigns: ScreeningCampaign organised inside the area, or organised above it and covering it (area_codes empty,
  or one of them containing the area or inside it), whose dates overlap the period and that were not closed before
  it began; the column is the level of the organising division.

Three queries whatever the data size: one grouped query over the findings of the year to the period's end (with
one subquery per finding in a case for its last ending), one for the campaigns, one for the area's name.
"""

import json
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Q, Subquery, Value, When

from cases.enums import DISPUTE_PARENT, DisputeType, Outcome
from screening import config
from screening.enums import FindingStatus, FormPeriod
from screening.models import Finding, ScreeningCampaign

LAYOUT_PATH = Path(settings.BASE_DIR) / "data" / "report_forms" / "screening_form.json"
TZ = ZoneInfo("Asia/Shanghai")
UNIT_COLUMNS = ("county", "township", "village")
COLUMNS = (*UNIT_COLUMNS, "subtotal", "ytd")
DASH = "—"


@cache
def layout() -> dict[str, Any]:
    """The form's layout, with each category's dispute types expanded (a parent key of DISPUTE_PARENT stands for
    its sub-items)."""
    raw = json.loads(LAYOUT_PATH.read_text(encoding="utf-8"))
    children: dict[str, list[str]] = {}
    for code, parent in DISPUTE_PARENT.items():
        children.setdefault(parent, []).append(str(code))
    for cat in raw["categories"]:
        codes: list[str] = []
        for code in cat["dispute_types"]:
            if code in children:
                codes.extend(children[code])
            elif code in DisputeType.values:
                codes.append(code)
            else:
                raise ValueError(f"screening_form.json: unknown dispute type {code!r} in {cat['key']}")
        cat["codes"] = codes
    return raw


def category_of() -> dict[str, str]:
    """DisputeType code → category key."""
    return {code: cat["key"] for cat in layout()["categories"] for code in cat["codes"]}


def period_bounds(period_kind: str, period_start: date) -> tuple[date, date]:
    """The first and last day of the form's period (MONTH, QUARTER, HALF_YEAR, YEAR) that starts on period_start."""
    months = {FormPeriod.MONTH: 1, FormPeriod.QUARTER: 3, FormPeriod.HALF_YEAR: 6, FormPeriod.YEAR: 12}.get(period_kind)
    if months is None:
        raise ValueError("报表类型无效")
    if period_start.day != 1 or (period_start.month - 1) % months:
        raise ValueError(
            {
                1: "月报须从某月1日开始",
                3: "季报须从1月、4月、7月或10月的1日开始",
                6: "半年报须从1月1日或7月1日开始",
                12: "年报须从1月1日开始",
            }[months]
        )
    m = period_start.month - 1 + months
    first_after = date(period_start.year + m // 12, m % 12 + 1, 1)
    return period_start, first_after - timedelta(days=1)


def period_label(period_kind: str, start: date) -> str:
    """2026年3月 / 2026年第一季度 / 2026年上半年 / 2026年."""
    if period_kind == FormPeriod.MONTH:
        return f"{start.year}年{start.month}月"
    if period_kind == FormPeriod.QUARTER:
        return f"{start.year}年第{'一二三四'[(start.month - 1) // 3]}季度"
    if period_kind == FormPeriod.HALF_YEAR:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    return f"{start.year}年"


def rate(part: int, base: int) -> str:
    """A percentage with one decimal, rounded half up; "—" when the base is 0."""
    if not base:
        return DASH
    return str((Decimal(part) * 100 / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def bucket_index(headcount: int, bounds: list[int]) -> int:
    """0: < bounds[0]; 1: bounds[0]..bounds[1] (both ends); 2: bounds[1]+1..bounds[2]; 3: above bounds[2]."""
    if headcount < bounds[0]:
        return 0
    for i, upper in enumerate(bounds[1:], start=1):
        if headcount <= upper:
            return i
    return len(bounds)


def _column_of_level(level: int | None) -> str:
    if level is None or level <= 3:
        return "county"
    return "township" if level == 4 else "village"


def _end_moment(end: date) -> datetime:
    return datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=TZ)


def _finding_groups(division_code: str, ytd_start: date, start: date, end: date, buckets: list[int]) -> list[dict]:
    """One grouped query: findings of the area found from ytd_start to end, by unit level, dispute type, headcount
    bucket, major, in-period, handled and success."""
    from cases.models import CaseEvent
    from insights.definitions import definitions

    d = definitions()
    end_at = _end_moment(end)
    last_ending = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), action__in=d.ending_events, at__lt=end_at)
        .order_by("-at", "-id")
        .values("action")[:1]
    )
    whens = [When(headcount__lt=buckets[0], then=Value(0))]
    whens += [When(headcount__lte=upper, then=Value(i)) for i, upper in enumerate(buckets[1:], start=1)]
    resolved = Q(status=FindingStatus.RESOLVED, resolved_at__lt=end_at)
    in_case = Q(status=FindingStatus.IN_CASE, case__isnull=False)
    qs = (
        Finding.objects.filter(division_code__startswith=division_code, found_on__gte=ytd_start, found_on__lte=end)
        .annotate(ending=Subquery(last_ending, output_field=CharField()))
        .annotate(
            bucket=Case(*whens, default=Value(len(buckets)), output_field=IntegerField()),
            in_period=Case(When(found_on__gte=start, then=Value(1)), default=Value(0), output_field=IntegerField()),
            handled=Case(
                When(resolved, then=Value(1)),
                When(in_case & Q(ending__isnull=False) & ~Q(case__outcome=""), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            succeeded=Case(
                When(resolved, then=Value(1)),
                When(
                    in_case & Q(ending__in=d.success_events, case__outcome=Outcome.SUCCESS),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by()
        .values("committee__division__level", "dispute_type", "bucket", "is_major", "in_period", "handled", "succeeded")
        .annotate(n=Count("id"))
    )
    return list(qs)


def _campaigns(division_code: str, ytd_start: date, start: date, end: date) -> list[tuple[int, bool]]:
    """(level of the organising division, overlaps the period) of each campaign counted in the year to `end`."""
    prefixes = [division_code[:n] for n in (2, 4, 6, 9) if len(division_code) > n]
    rows = (
        ScreeningCampaign.objects.filter(
            Q(division__code__startswith=division_code) | Q(division__code__in=prefixes),
            start__lte=end,
            end__gte=ytd_start,
        )
        .order_by()
        .values_list("division_id", "division__level", "area_codes", "start", "end", "closed_at")
    )
    out = []
    for div, level, areas, c_start, c_end, closed_at in rows:
        if not div.startswith(division_code):  # organised above: it must cover the area
            if areas and not any(division_code.startswith(a) or a.startswith(division_code) for a in areas):
                continue
        if closed_at is not None:
            c_end = min(c_end, closed_at.astimezone(TZ).date())
        if c_end < ytd_start:
            continue
        out.append((level, c_start <= end and c_end >= start))
    return out


def _zero() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def compute(division_code: str, start: date, end: date) -> dict:
    """The whole table as plain data (JSON-serialisable: it is what a submitted form freezes)."""
    from registry.models import Division

    form = layout()
    labels = form["labels"]
    buckets = config.headcount_buckets(division_code)
    ytd_start = date(end.year, 1, 1)
    cat_of = category_of()
    cat_keys = [c["key"] for c in form["categories"]]

    screened, handled, success = _zero(), _zero(), _zero()
    cat_screened = {k: _zero() for k in cat_keys}
    cat_handled = {k: _zero() for k in cat_keys}
    bucket_n = [_zero() for _ in range(len(buckets) + 1)]
    major = {"screened": _zero(), "handled": _zero(), "success": _zero()}

    for g in _finding_groups(division_code, ytd_start, start, end, buckets):
        n = g["n"]
        targets = ["ytd"]
        if g["in_period"]:
            targets += [_column_of_level(g["committee__division__level"]), "subtotal"]
        cat = cat_of.get(g["dispute_type"], "other")
        for col in targets:
            screened[col] += n
            cat_screened[cat][col] += n
            bucket_n[g["bucket"]][col] += n
            if g["handled"]:
                handled[col] += n
                cat_handled[cat][col] += n
            if g["succeeded"]:
                success[col] += n
            if g["is_major"]:
                major["screened"][col] += n
                if g["handled"]:
                    major["handled"][col] += n
                if g["succeeded"]:
                    major["success"][col] += n

    campaigns = _zero()
    for level, in_period in _campaigns(division_code, ytd_start, start, end):
        campaigns["ytd"] += 1
        if in_period:
            campaigns[_column_of_level(level)] += 1
            campaigns["subtotal"] += 1

    def rates(part: dict, base: dict) -> dict[str, str]:
        return {c: rate(part[c], base[c]) for c in COLUMNS}

    rows: list[dict] = []

    def add(key: str, group: str, label: str, values: dict, kind: str = "int") -> None:
        rows.append({"key": key, "group": group, "label": label, "kind": kind, "values": dict(values)})

    g = labels["totals"]
    add("screened", g, labels["screened"], screened)
    add("handled", g, labels["handled"], handled)
    add("handled_rate", g, labels["handled_rate"], rates(handled, screened), "pct")
    add("success", g, labels["success"], success)
    add("success_rate", g, labels["success_rate"], rates(success, screened), "pct")
    for cat in form["categories"]:
        add(f"cat:{cat['key']}:screened", cat["label"], labels["screened"], cat_screened[cat["key"]])
        add(f"cat:{cat['key']}:handled", cat["label"], labels["handled"], cat_handled[cat["key"]])
    for i, label in enumerate(form["headcount_buckets"]):
        add(f"bucket:{i}", labels["buckets"], label, bucket_n[i])
    g = labels["major"]
    add("major:screened", g, labels["screened"], major["screened"])
    add("major:handled", g, labels["handled"], major["handled"])
    add("major:success", g, labels["success"], major["success"])
    add("major:success_rate", g, labels["success_rate"], rates(major["success"], major["screened"]), "pct")
    add("campaigns", "", labels["campaigns"], campaigns)

    division = Division.objects.filter(code=division_code).first()
    return {
        "form": form["key"],
        "layout_version": form["version"],
        "title": form["title"],
        "division_code": division_code,
        "area_name": division.full_name if division else division_code,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "ytd_start": ytd_start.isoformat(),
        "headcount_bounds": buckets,
        "columns": [dict(c) for c in form["columns"]],
        "rows": rows,
    }


def value(data: dict, key: str, column: str) -> int | str:
    """One cell of a computed table (tests, the .xlsx)."""
    for row in data["rows"]:
        if row["key"] == key:
            return row["values"][column]
    raise KeyError(key)


def grouped_rows(data: dict) -> list[dict]:
    """The rows with the merged stub cell of their group: each row gets `span` (rows of its group, on the first
    one; 0 on the others) for the screen table, the PDF and the .xlsx."""
    out: list[dict] = []
    rows = data["rows"]
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["group"] == rows[i]["group"] and rows[i]["group"]:
            j += 1
        if j == i:  # no group: one stub over both stub columns
            out.append({**rows[i], "span": 1, "solo": True})
            i += 1
            continue
        for k in range(i, j):
            out.append({**rows[k], "span": (j - i) if k == i else 0, "solo": False})
        i = j
    return out
