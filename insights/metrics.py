"""The statistics, computed in the database from the case records (三统一: entries = dossiers = report rows).

Public API (stable; the benchmark and the pages call these):

- `monthly_form(cases, area_code, period) -> FormResult` — the MoJ 人民调解工作统计表 for an area (division-code
  prefix, "" = everywhere) and a Period (month, quarter or year): five grouped queries whatever the data size.
- `dashboard_metrics(cases, area_code, period, committee_id=None, today=None) -> Dashboard` — the dashboard:
  totals, breakdowns, drill-down by area, monthly trend with last year, average duration, overdue, satisfaction.
- `case_cube(qs, period)` — the grouped query both use: one row per (dispute type, source, committee type,
  agreement form) with every case measure summed.
- `success_rate(success, cases)` — 调解成功率 in percent, one decimal, rounded half up.

`cases` is required and comes first: the jurisdiction-scoped queryset the caller got from
`cases_visible_to(user)` (pages), or `Case.objects.all()` said out loud (the benchmark, management commands). No
function here reads the case table on its own, so a county's queryset can never count another county's case.
Numbers are never computed by looping over case rows in Python: the database groups and sums, Python only adds up
the (at most a few hundred) group rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, Length, Substr
from django.utils import timezone

from cases.enums import DISPUTE_PARENT, CaseSource, DisputeType, Outcome
from cases.listing import overdue_q
from cases.models import Case, Rating
from insights.base import Period, in_area, make_period, reported_cases
from insights.slices import PREVENTION_FIELDS, Slice, received_cases
from registry.models import Committee, CommitteeType, Division, Mediator

CUBE_DIMS = ("dispute_type", "source", "committee_type", "agreement_form")
# The case measures every cube row carries (the form layout's "measure" names).
CASE_MEASURES = (
    "cases",
    "success",
    "difficult",
    "parties",
    "amount",
    "closed",
    "duration_seconds",
    *[f"{k}_cases" for k in PREVENTION_FIELDS],
    *[f"{k}_persons" for k in PREVENTION_FIELDS],
)
TEN_THOUSAND = Decimal(10000)


def success_rate(success: int, cases: int) -> Decimal | None:
    """调解成功率 = 调解成功数 ÷ 调解案件数 × 100, one decimal, rounded half up (97.05 → 97.1); None when no case.
    E.g. 咸宁 2021: 18,069 of 18,625 → 97.0 (the bureau reported "97%")."""
    if not cases:
        return None
    return (Decimal(success) * 100 / Decimal(cases)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def to_wan(amount: Decimal | int | None) -> Decimal:
    """元 → 万元 with two decimals, rounded half up (the form's unit)."""
    return (Decimal(amount or 0) / TEN_THOUSAND).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class _ClosedMinusAccepted(Func):
    """closed_at − accepted_at as a duration. PostgreSQL subtracts the timestamps natively. On SQLite Django does it
    with a Python function called per row (django_timestamp_diff: about half the form's time on 100k cases), so
    there the same integer microseconds (SQLite's DurationField value) come from SQLite's own julianday(): the
    whole seconds (exact after rounding: a julian day has ~50 µs resolution) plus the stored fraction digits."""

    output_field = DurationField()

    def __init__(self) -> None:
        super().__init__(F("closed_at"), F("accepted_at"))

    def as_sql(self, compiler, connection, **extra_context):  # noqa: ANN001, ANN003, ANN201 -- Django's signature
        closed, p1 = compiler.compile(self.source_expressions[0])
        accepted, p2 = compiler.compile(self.source_expressions[1])
        return f"({closed} - {accepted})", (*p1, *p2)

    def as_sqlite(self, compiler, connection, **extra_context):  # noqa: ANN001, ANN003, ANN201
        closed, p1 = compiler.compile(self.source_expressions[0])
        accepted, p2 = compiler.compile(self.source_expressions[1])

        def micros(col: str) -> str:
            # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC); 2440587.5 is the julian day of 1970-01-01.
            seconds = f"CAST(ROUND((julianday(substr({col}, 1, 19)) - 2440587.5) * 86400) AS INTEGER)"
            return f"({seconds} * 1000000 + CAST(substr({col} || '.000000', 21, 6) AS INTEGER))"

        return f"({micros(closed)} - {micros(accepted)})", (*p1, *p1, *p2, *p2)


def _case_aggregates() -> dict:
    duration = _ClosedMinusAccepted()
    aggs = {
        "cases": Count("id"),
        "success": Count("id", filter=Q(outcome=Outcome.SUCCESS)),
        "difficult": Count("id", filter=Q(is_difficult=True)),
        "parties": Coalesce(Sum("party_count"), 0),
        "amount": Coalesce(Sum("amount_involved"), Decimal(0)),
        "closed": Count("id", filter=Q(closed_at__isnull=False)),
        "duration": Sum(duration, filter=Q(closed_at__isnull=False)),
    }
    for key, fname in PREVENTION_FIELDS.items():
        aggs[f"{key}_cases"] = Count("id", filter=Q(**{f"{fname}__gt": 0}))
        aggs[f"{key}_persons"] = Coalesce(Sum(fname), 0)
    return aggs


def case_cube(qs: QuerySet[Case], period: Period) -> list[dict]:
    """One grouped query over the cases reported in `period`: a row per combination of the four dimensions with
    every measure. Sums over these rows give any row of the form. `agreement_form` is "" for cases without a current
    agreement; `parties` sums the parties registered on the cases."""
    # agreement_form and party_count are the case's own columns (roll-ups kept by cases.actions, checked against
    # the agreements and parties by insights.checks): no correlated subquery per case row.
    rows = (
        reported_cases(qs, period)
        .annotate(committee_type=F("committee__committee_type"))
        .order_by()
        .values(*CUBE_DIMS)
        .annotate(**_case_aggregates())
    )
    result = []
    for row in rows:
        d = row.pop("duration")
        row["duration_seconds"] = int(d.total_seconds()) if d else 0  # a timedelta on both backends
        row["agreement_form"] = row["agreement_form"] or ""
        result.append(row)
    return result


def _matches(row: dict, flt: dict[str, tuple[str, ...] | list[str]]) -> bool:
    return all(not values or row.get(dim) in values for dim, values in flt.items())


def cube_sum(cube: list[dict], measure: str, flt: dict | None = None) -> int | Decimal:
    return sum((r[measure] for r in cube if _matches(r, flt or {})), 0)


@dataclass
class FormResult:
    """The MoJ form's figures for one area and period. `value(measure, filter)` answers any cell; `link(...)`
    gives the case-list query behind it. The layout (data/report_forms/moj_monthly.json) says which cells."""

    area_code: str
    area_name: str
    period: Period
    cube: list[dict]
    committees: dict[str, int]  # committee_type → active committees
    mediators: dict[str, int]  # category → active mediators
    generated_at: str = ""

    def value(self, measure: str, flt: dict | None = None) -> int | Decimal:
        flt = flt or {}
        if measure == "committees":
            types = flt.get("committee_type") or list(self.committees)
            return sum(self.committees.get(t, 0) for t in types)
        if measure == "mediators":
            cats = flt.get("category") or list(self.mediators)
            return sum(self.mediators.get(c, 0) for c in cats)
        if measure == "amount_wan":
            return to_wan(cube_sum(self.cube, "amount", flt))
        if measure == "success_rate":
            return success_rate(cube_sum(self.cube, "success", flt), cube_sum(self.cube, "cases", flt)) or Decimal(0)
        return cube_sum(self.cube, measure, flt)

    def slice_for(self, measure: str, flt: dict | None = None) -> Slice | None:
        """The cases behind a cell (None for organisation and staff counts, which are not cases)."""
        if measure in ("committees", "mediators"):
            return None
        base_measure = {
            "amount_wan": "cases",
            "parties": "cases",
            "success_rate": "success",
            "amount": "cases",
        }.get(measure, measure)
        if base_measure.endswith("_cases") or base_measure.endswith("_persons"):
            base_measure = base_measure.rsplit("_", 1)[0]
        filters = {k: tuple(v) for k, v in (flt or {}).items() if v}
        return Slice(self.area_code, self.period, base_measure, None, filters)

    @property
    def total_cases(self) -> int:
        return int(cube_sum(self.cube, "cases"))


def area_name(code: str) -> str:
    if not code:
        return "全部"
    division = Division.objects.filter(code=code).first()
    return division.full_name if division else code


def monthly_form(cases: QuerySet[Case], area_code: str, period: Period) -> FormResult:
    """The MoJ 人民调解工作统计表 of `area_code` for `period` (month, quarter or year), counted over `cases` (the
    caller's scoped queryset): the case cube (one query over the case table alone), committees by type (one),
    mediators by category (one)."""
    qs = cases.filter(in_area(area_code))
    committees = dict(
        Committee.objects.filter(division__code__startswith=area_code, is_active=True)
        .order_by()
        .values_list("committee_type")
        .annotate(n=Count("id"))
    )
    mediators = dict(
        Mediator.objects.filter(
            committee__division__code__startswith=area_code, committee__is_active=True, is_active=True
        )
        .order_by()
        .values_list("category")
        .annotate(n=Count("id"))
    )
    return FormResult(
        area_code=area_code,
        area_name=area_name(area_code),
        period=period,
        cube=case_cube(qs, period),
        committees=committees,
        mediators=mediators,
        generated_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    )


# Dashboard ---------------------------------------------------------------------------------------------------


@dataclass
class Breakdown:
    """One bar of a breakdown: a code, its Chinese label, cases and successes, and the filter behind it."""

    key: str
    label: str
    cases: int
    success: int
    filters: dict[str, tuple[str, ...]]

    @property
    def rate(self) -> Decimal | None:
        return success_rate(self.success, self.cases)


@dataclass
class AreaRow:
    """A row of the drill-down table: a sub-area (division) or, at the lowest level, a committee."""

    code: str
    name: str
    cases: int
    success: int
    difficult: int
    amount: Decimal
    committee_id: int | None = None
    drill: bool = True  # has a further level to open

    @property
    def rate(self) -> Decimal | None:
        return success_rate(self.success, self.cases)

    @property
    def amount_wan(self) -> Decimal:
        return to_wan(self.amount)


@dataclass
class Dashboard:
    area_code: str
    area_name: str
    period: Period
    committee: Committee | None
    received: int
    totals: dict  # cases, success, difficult, parties, amount, closed, duration_seconds, prevented_*
    rate: Decimal | None
    avg_duration_days: Decimal | None
    overdue: int
    rating_avg: Decimal | None
    rating_count: int
    rated_cases: int
    by_dispute: list[Breakdown]
    by_source: list[Breakdown]
    by_committee_type: list[Breakdown]
    areas: list[AreaRow]
    area_level_label: str
    trend_months: list[str] = field(default_factory=list)
    trend_this: list[int] = field(default_factory=list)
    trend_last: list[int] = field(default_factory=list)
    trend_success: list[int] = field(default_factory=list)
    last_year_cases: int = 0
    today: date | None = None

    def slice(self, measure: str = "cases", **filters: tuple[str, ...]) -> Slice:
        committee_id = self.committee.pk if self.committee else None
        return Slice(self.area_code, self.period, measure, committee_id, {k: v for k, v in filters.items() if v})


# Dispute types grouped under their national parent (劳动争议纠纷, 消费纠纷) for the dashboard's chart.
PARENT_LABELS = {"LABOR": "劳动争议纠纷", "CONSUMER": "消费纠纷"}


def _dispute_breakdown(cube: list[dict]) -> list[Breakdown]:
    groups: dict[str, list[str]] = defaultdict(list)
    for code in DisputeType.values:
        groups[DISPUTE_PARENT.get(code, code)].append(code)
    labels = dict(DisputeType.choices)
    rows = []
    for key, codes in groups.items():
        flt = {"dispute_type": tuple(codes)}
        label = PARENT_LABELS.get(key) or str(labels[key])
        rows.append(Breakdown(key, label, int(cube_sum(cube, "cases", flt)), int(cube_sum(cube, "success", flt)), flt))
    return rows


def _simple_breakdown(cube: list[dict], dim: str, choices: list[tuple[str, str]]) -> list[Breakdown]:
    rows = []
    for code, label in choices:
        flt = {dim: (code,)}
        rows.append(
            Breakdown(code, str(label), int(cube_sum(cube, "cases", flt)), int(cube_sum(cube, "success", flt)), flt)
        )
    return rows


CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9}
_LEVEL_OF_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}
LEVEL_LABELS = {0: "省", 2: "市", 4: "县（市、区）", 6: "乡镇（街道）"}


def _area_rows(qs: QuerySet[Case], area_code: str, period: Period) -> tuple[list[AreaRow], str]:
    """Drill-down rows: the next division level down (city → county → township) grouped on the code prefix, plus
    the committees sitting at this level itself; from the township down, one row per committee."""
    aggs = {
        "cases": Count("id"),
        "success": Count("id", filter=Q(outcome=Outcome.SUCCESS)),
        "difficult": Count("id", filter=Q(is_difficult=True)),
        "amount": Coalesce(Sum("amount_involved"), Decimal(0)),
    }
    reported = reported_cases(qs, period).order_by().annotate(code_len=Length("division_code"))
    rows: list[AreaRow] = []
    child_len = CHILD_LENGTH.get(len(area_code))
    if child_len is not None:
        grouped = (
            reported.filter(code_len__gte=child_len)
            .annotate(prefix=Substr("division_code", 1, child_len))
            .values("prefix")
            .annotate(**aggs)
        )
        names = dict(
            Division.objects.filter(code__startswith=area_code, level=_LEVEL_OF_LENGTH[child_len]).values_list(
                "code", "name"
            )
        )
        for g in grouped:
            rows.append(
                AreaRow(
                    g["prefix"],
                    names.get(g["prefix"], g["prefix"]),
                    g["cases"],
                    g["success"],
                    g["difficult"],
                    g["amount"],
                )
            )
        direct = reported.filter(code_len__lt=child_len)
    else:
        direct = reported
    for g in direct.values("committee_id", "committee__name").annotate(**aggs):
        rows.append(
            AreaRow(
                area_code,
                g["committee__name"],
                g["cases"],
                g["success"],
                g["difficult"],
                g["amount"],
                committee_id=g["committee_id"],
                drill=False,
            )
        )
    rows.sort(key=lambda r: (r.committee_id is not None, r.code, r.name))
    label = LEVEL_LABELS.get(len(area_code), "调解组织") if child_len is not None else "调解组织"
    return rows, label


def _trend(qs: QuerySet[Case], period: Period, today: date) -> tuple[list[str], list[int], list[int], list[int], int]:
    """Accepted cases per month from January of the period's year to its last month (or this month, for the
    current year), and the same months a year earlier (one grouped query over both ranges)."""
    this = make_period(period.year, "month", 1)
    start = this.start_at
    end = period.end_at
    last_start = start.replace(year=start.year - 1)
    last_end = end.replace(year=end.year - 1)
    last_month = period.end.month
    if period.year == today.year and period.start.month <= today.month:
        last_month = min(last_month, today.month)
    months = list(range(1, last_month + 1))
    q = Q(accepted_at__gte=start, accepted_at__lt=end) | Q(accepted_at__gte=last_start, accepted_at__lt=last_end)
    # One pass with a conditional count per calendar month (China time) rather than TruncMonth: SQLite evaluates a
    # time-zone-aware TruncMonth with a Python function per row, which dominated the dashboard at 1M cases.
    aggregates = {}
    for year in (period.year - 1, period.year):
        for m in range(1, period.end.month + 1):
            month = make_period(year, "month", m)
            in_month = Q(accepted_at__gte=month.start_at, accepted_at__lt=month.end_at)
            aggregates[f"n_{year}_{m}"] = Count("id", filter=in_month)
            aggregates[f"s_{year}_{m}"] = Count("id", filter=in_month & Q(outcome=Outcome.SUCCESS))
    totals = reported_cases(qs.filter(q), Period(last_start.date(), period.end, "")).aggregate(**aggregates)
    counts: dict[tuple[int, int], tuple[int, int]] = {
        (year, m): (totals[f"n_{year}_{m}"], totals[f"s_{year}_{m}"])
        for year in (period.year - 1, period.year)
        for m in range(1, period.end.month + 1)
    }
    this_year = [counts.get((period.year, m), (0, 0))[0] for m in months]
    success = [counts.get((period.year, m), (0, 0))[1] for m in months]
    last_year = [counts.get((period.year - 1, m), (0, 0))[0] for m in months]
    prev = period.same_period_last_year()
    last_total = sum(counts.get((prev.year, m), (0, 0))[0] for _y, m in prev.months())
    return [f"{m}月" for m in months], this_year, last_year, success, last_total


def dashboard_metrics(
    cases: QuerySet[Case],
    area_code: str,
    period: Period,
    committee_id: int | None = None,
    today: date | None = None,
) -> Dashboard:
    """Everything the dashboard shows for an area (or one committee inside it) and a period, counted over `cases`
    (the caller's scoped queryset), in about ten grouped queries."""
    today = today or timezone.localdate()
    qs = cases.filter(in_area(area_code))
    committee = None
    if committee_id:
        committee = Committee.objects.filter(pk=committee_id, division__code__startswith=area_code).first()
        qs = qs.filter(committee_id=committee_id)
    cube = case_cube(qs, period)
    totals = {m: cube_sum(cube, m) for m in CASE_MEASURES}
    avg_days = None
    if totals["closed"]:
        avg_days = (Decimal(totals["duration_seconds"]) / 86400 / totals["closed"]).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    ratings = Rating.objects.filter(
        case__in=qs, created_at__gte=period.start_at, created_at__lt=period.end_at
    ).aggregate(avg=Avg("score"), n=Count("id"), cases=Count("case_id", distinct=True))
    rating_avg = None
    if ratings["avg"] is not None:
        rating_avg = Decimal(str(ratings["avg"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if committee is not None:
        areas, level_label = [], ""
    else:
        areas, level_label = _area_rows(qs, area_code, period)
    months, this_year, last_year, success, last_total = _trend(qs, period, today)
    return Dashboard(
        area_code=area_code,
        area_name=area_name(area_code),
        period=period,
        committee=committee,
        received=received_cases(qs, period).count(),
        totals=totals,
        rate=success_rate(int(totals["success"]), int(totals["cases"])),
        avg_duration_days=avg_days,
        overdue=qs.filter(overdue_q(today)).count(),
        rating_avg=rating_avg,
        rating_count=ratings["n"],
        rated_cases=ratings["cases"],
        by_dispute=_dispute_breakdown(cube),
        by_source=_simple_breakdown(cube, "source", CaseSource.choices),
        by_committee_type=_simple_breakdown(cube, "committee_type", CommitteeType.choices),
        areas=areas,
        area_level_label=level_label,
        trend_months=months,
        trend_this=this_year,
        trend_last=last_year,
        trend_success=success,
        last_year_cases=last_total,
        today=today,
    )


__all__ = [
    "AreaRow",
    "Breakdown",
    "Dashboard",
    "FormResult",
    "case_cube",
    "dashboard_metrics",
    "monthly_form",
    "success_rate",
    "to_wan",
]
