"""The statistics, computed in the database from the case records (三统一: entries = dossiers = report rows).

Public API (stable; the benchmark and the pages call these):

- `monthly_form(cases, area_code, period) -> FormResult` — the MoJ 人民调解工作统计表 for an area (division-code
  prefix, "" = everywhere) and a Period (month, quarter or year): five grouped queries whatever the data size
  (and, when the form asks for its screening section, three more: insights.metrics.screening_rows).
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
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

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

from cases.enums import DISPUTE_PARENT, CaseSource, CaseStatus, DisputeType, Outcome
from cases.listing import overdue_q
from cases.models import Case, Rating
from insights.base import Period, as_of, in_area, make_period, report_base, year_earlier
from insights.definitions import BUCKET_OF, OPEN, SUCCESS, TERMINATED, definitions, ending_key
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


def rate_of(success: int, terminated: int, counted: int) -> Decimal | None:
    """调解成功率 by the definitions in force (insights.definitions: 成功 ÷ (成功 + 终止), or 成功 ÷ 调解案件)."""
    return success_rate(success, definitions().rate_base(success, terminated, counted))


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


def _case_aggregates(period: Period) -> dict:
    duration = _ClosedMinusAccepted()
    aggs = {
        "n": Count("id"),
        "accepted": Count("id", filter=Q(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at)),
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


# Measures summed over the counted cases only (调解案件); "accepted", "open" and the bucket counts stand apart.
_COUNTED_MEASURES = tuple(m for m in CASE_MEASURES if m not in ("cases", "success"))


def case_cube(qs: QuerySet[Case], period: Period) -> list[dict]:
    """One grouped query over the cases of the report for `period` (insights.base.report_base): a row per
    combination of the four dimensions with every measure. Sums over these rows give any row of the form.

    `cases` are the counted 调解案件 (by the definitions: ended in the period, or accepted in it), `success` and
    `terminated` their outcomes, `open` the 在办 at the period's end, `accepted` the cases accepted in the period
    (whatever their bucket); the other measures are summed over the counted cases. `agreement_form` is "" for cases
    without a current agreement; `parties` sums the parties registered on the cases."""
    # agreement_form and party_count are the case's own columns (roll-ups kept by cases.actions, checked against
    # the agreements and parties by insights.checks): no correlated subquery per case row except the one that
    # finds the end of its mediation (insights.definitions.ending_key).
    counted = set(definitions().counted_buckets)
    rows = (
        report_base(qs, period)
        .annotate(committee_type=F("committee__committee_type"))
        .order_by()
        .values(*CUBE_DIMS, "bucket")
        .annotate(**_case_aggregates(period))
    )
    merged: dict[tuple, dict] = {}
    for row in rows:
        bucket = BUCKET_OF.get(row["bucket"])
        key = tuple(row[d] or "" for d in CUBE_DIMS)
        out = merged.get(key)
        if out is None:
            out = dict(zip(CUBE_DIMS, key, strict=True))
            out |= {m: 0 for m in (*CASE_MEASURES, "terminated", "open", "accepted")}
            out["amount"] = Decimal(0)
            merged[key] = out
        out["accepted"] += row["accepted"]
        if bucket is None:  # ended before the period (or no ending event recorded): only its acceptance counts
            continue
        if bucket == SUCCESS:
            out["success"] += row["n"]
        elif bucket == TERMINATED:
            out["terminated"] += row["n"]
        else:
            out["open"] += row["n"]
        if bucket not in counted:
            continue
        out["cases"] += row["n"]
        d = row["duration"]
        row["duration_seconds"] = int(d.total_seconds()) if d else 0  # a timedelta on both backends
        for m in _COUNTED_MEASURES:
            out[m] += row[m]
    return list(merged.values())


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
    areas: list["AreaFigures"] = field(default_factory=list)  # by lower area, with 本级; they add up to the totals

    def value(self, measure: str, flt: dict | None = None) -> int | Decimal:
        flt = flt or {}
        if measure in SCREENING_MEASURES:
            return self.screening_total.value(measure)
        if measure == "committees":
            types = flt.get("committee_type") or list(self.committees)
            return sum(self.committees.get(t, 0) for t in types)
        if measure == "mediators":
            cats = flt.get("category") or list(self.mediators)
            return sum(self.mediators.get(c, 0) for c in cats)
        if measure == "amount_wan":
            return to_wan(cube_sum(self.cube, "amount", flt))
        if measure == "success_rate":
            return self.rate(flt)
        return cube_sum(self.cube, measure, flt)

    def slice_for(self, measure: str, flt: dict | None = None) -> Slice | None:
        """The cases behind a cell (None for organisation and staff counts, which are not cases)."""
        if measure in ("committees", "mediators") or measure in SCREENING_MEASURES:
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

    def rate(self, flt: dict | None = None) -> Decimal | None:
        """调解成功率 by the definitions in force: 成功 ÷ (成功 + 终止), or 成功 ÷ 调解案件."""
        success, terminated = cube_sum(self.cube, "success", flt), cube_sum(self.cube, "terminated", flt)
        base = definitions().rate_base(int(success), int(terminated), int(cube_sum(self.cube, "cases", flt)))
        return success_rate(int(success), base)

    @property
    def total_cases(self) -> int:
        return int(cube_sum(self.cube, "cases"))

    @cached_property
    def _screening(self) -> tuple["ScreeningRow", list["AreaFigures"]]:
        return screening_rows(self.area_code, self.period)

    @property
    def screening_total(self) -> "ScreeningRow":
        """排查次数, 排查发现纠纷数, 预防纠纷数 of the area (three grouped queries, run when first asked for)."""
        return self._screening[0]

    @property
    def screening_areas(self) -> list["AreaFigures"]:
        """The same by lower area (and 本级, or by committee below a township); they add up to screening_total."""
        return self._screening[1]


@dataclass
class AreaFigures:
    """One row of the form's section by area: a lower area, the committees at the area's own level together (本级),
    or (below a township) one committee."""

    label: str
    period: Period
    row: "AreaRow"
    area_code: str | None  # the lower area's code (its case list); None for 本级
    committee_id: int | None = None

    def value(self, measure: str, flt: dict | None = None) -> int | Decimal | None:
        if measure == "amount_wan":
            return to_wan(self.row.amount)
        if measure == "success_rate":
            return self.row.rate
        return getattr(self.row, measure)

    def slice_for(self, measure: str, flt: dict | None = None) -> Slice | None:
        if self.area_code is None or measure not in ("cases", "success", "terminated", "open", "difficult"):
            return None
        return Slice(self.area_code, self.period, measure, self.committee_id)


# The screening indicators of the MoJ form (issue 12): 排查次数 = screening reports submitted (zero reports
# included; a superseded version not counted) whose period ends in the statistics period; 排查发现纠纷数 = findings
# found in it; 预防纠纷数 = risks resolved (化解) in it. Each record is in the area of its division_code (the
# reporting unit's, the finding's or the risk's place), as a case is.
SCREENING_MEASURES = ("screening_rounds", "screening_findings", "screening_prevented")


@dataclass
class ScreeningRow:
    code: str
    name: str
    committee_id: int | None = None
    own_level: bool = False
    screening_rounds: int = 0
    screening_findings: int = 0
    screening_prevented: int = 0

    def value(self, measure: str) -> int:
        return getattr(self, measure)


def screening_rows(area_code: str, period: Period) -> tuple[ScreeningRow, list[AreaFigures]]:
    """The screening indicators of an area for a period, in total and by row as the form's section by area lays
    them out: the next division level down grouped on the code prefix, the records at the area's own level together
    as 本级; from the township down, one row per committee. Three grouped queries (reports, findings, risks) and one
    for the lower areas' names; the rows add up to the total by construction (every record falls in one)."""
    from screening.enums import ReportStatus, RiskStatus
    from screening.models import Finding, RiskAssessment, ScreeningReport

    last = period.last_day
    sources = (
        (
            "screening_rounds",
            ScreeningReport.objects.filter(
                status=ReportStatus.SUBMITTED, period_end__gte=period.start, period_end__lte=last
            ),
        ),
        ("screening_findings", Finding.objects.filter(found_on__gte=period.start, found_on__lte=last)),
        (
            "screening_prevented",
            RiskAssessment.objects.filter(
                status=RiskStatus.RESOLVED, resolved_at__gte=period.start_at, resolved_at__lt=period.end_at
            ),
        ),
    )
    child_len = CHILD_LENGTH.get(len(area_code))
    rows: dict[tuple, ScreeningRow] = {}
    own = ScreeningRow(area_code, OWN_LEVEL, own_level=True)
    for measure, qs in sources:
        base = qs.filter(division_code__startswith=area_code).order_by().annotate(code_len=Length("division_code"))
        if child_len is not None:
            grouped = (
                base.filter(code_len__gte=child_len)
                .annotate(prefix=Substr("division_code", 1, child_len))
                .values("prefix")
                .annotate(n=Count("id"))
            )
            for g in grouped:
                row = rows.setdefault(("a", g["prefix"]), ScreeningRow(g["prefix"], g["prefix"]))
                setattr(row, measure, getattr(row, measure) + g["n"])
            n_own = base.filter(code_len__lt=child_len).count()
            setattr(own, measure, getattr(own, measure) + n_own)
        else:
            for g in base.values("committee_id", "committee__name").annotate(n=Count("id")):
                row = rows.setdefault(
                    ("c", g["committee_id"]),
                    ScreeningRow(area_code, g["committee__name"], committee_id=g["committee_id"]),
                )
                setattr(row, measure, getattr(row, measure) + g["n"])
    if child_len is not None and rows:
        names = dict(Division.objects.filter(code__in=[r.code for r in rows.values()]).values_list("code", "name"))
        for r in rows.values():
            r.name = names.get(r.code, r.code)
    ordered = sorted(rows.values(), key=lambda r: (r.committee_id is not None, r.code, r.name))
    total = ScreeningRow(area_code, "合计")
    for m in SCREENING_MEASURES:
        setattr(total, m, sum(getattr(r, m) for r in ordered) + getattr(own, m))
    out = [AreaFigures(r.name, period, r, r.code if r.committee_id is None else None, r.committee_id) for r in ordered]
    if any(getattr(own, m) for m in SCREENING_MEASURES):
        out.append(AreaFigures(OWN_LEVEL, period, own, None))
    return total, out


def _form_areas(qs: QuerySet[Case], area_code: str, period: Period) -> list[AreaFigures]:
    rows, _label = _area_rows(qs, area_code, period)
    out: list[AreaFigures] = []
    own = AreaRow(area_code, OWN_LEVEL, drill=False, own_level=True)
    for r in rows:
        if r.own_level:
            for f in ("cases", "success", "terminated", "open", "difficult", "amount"):
                setattr(own, f, getattr(own, f) + getattr(r, f))
        else:
            out.append(AreaFigures(r.name, period, r, r.code, r.committee_id))
    if own.cases or own.open:
        out.append(AreaFigures(OWN_LEVEL, period, own, None))
    return out


def area_name(code: str) -> str:
    if not code:
        return "全部"
    division = Division.objects.filter(code=code).first()
    return division.full_name if division else code


def monthly_form(cases: QuerySet[Case], area_code: str, period: Period, today: date | None = None) -> FormResult:
    """The MoJ 人民调解工作统计表 of `area_code` for `period` (month, quarter or year; a period not over is counted
    to `today`, 截至), counted over `cases` (the caller's scoped queryset) by the definitions in force
    (insights.definitions): the case cube (one query over the case table, with one subquery per case for the end
    of its mediation), committees by type (one), mediators by category (one), the rows by
    lower area (three: insights.metrics._area_rows)."""
    period = as_of(period, today or timezone.localdate())
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
        areas=_form_areas(qs, area_code, period),
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
    terminated: int = 0
    open: int = 0

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.success, self.terminated, self.cases)


@dataclass
class AreaRow:
    """A row of the drill-down table: a sub-area (division) or, at the lowest level, a committee."""

    code: str
    name: str
    cases: int = 0
    success: int = 0
    difficult: int = 0
    amount: Decimal = Decimal(0)
    committee_id: int | None = None
    drill: bool = True  # has a further level to open
    terminated: int = 0
    open: int = 0
    own_level: bool = False  # 本级: a committee whose division is the area itself

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.success, self.terminated, self.cases)

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

    @property
    def last_period(self) -> Period:
        """The span compared with: the same period of last year, the same days of it for a period not over."""
        return self.period.same_period_last_year()

    def slice(self, measure: str = "cases", **filters: tuple[str, ...]) -> Slice:
        committee_id = self.committee.pk if self.committee else None
        return Slice(self.area_code, self.period, measure, committee_id, {k: v for k, v in filters.items() if v})


# Dispute types grouped under their national parent (劳动争议纠纷, 消费纠纷) for the dashboard's chart.
PARENT_LABELS = {"LABOR": "劳动争议纠纷", "CONSUMER": "消费纠纷"}


def _breakdown(cube: list[dict], key: str, label: str, flt: dict) -> Breakdown:
    def n(m: str) -> int:
        return int(cube_sum(cube, m, flt))

    return Breakdown(key, label, n("cases"), n("success"), flt, n("terminated"), n("open"))


def _dispute_breakdown(cube: list[dict]) -> list[Breakdown]:
    groups: dict[str, list[str]] = defaultdict(list)
    for code in DisputeType.values:
        groups[DISPUTE_PARENT.get(code, code)].append(code)
    labels = dict(DisputeType.choices)
    return [
        _breakdown(cube, key, PARENT_LABELS.get(key) or str(labels[key]), {"dispute_type": tuple(codes)})
        for key, codes in groups.items()
    ]


def _simple_breakdown(cube: list[dict], dim: str, choices: list[tuple[str, str]]) -> list[Breakdown]:
    return [_breakdown(cube, code, str(label), {dim: (code,)}) for code, label in choices]


CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9}
_LEVEL_OF_LENGTH = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}
LEVEL_LABELS = {0: "省", 2: "市", 4: "县（市、区）", 6: "乡镇（街道）"}
OWN_LEVEL = "本级"


def _add_group(row: AreaRow, g: dict, counted: set[str]) -> None:
    bucket = BUCKET_OF.get(g["bucket"])
    if bucket == SUCCESS:
        row.success += g["n"]
    elif bucket == TERMINATED:
        row.terminated += g["n"]
    elif bucket == OPEN:
        row.open += g["n"]
    if bucket in counted:
        row.cases += g["n"]
        row.difficult += g["difficult"]
        row.amount += g["amount"]


def _area_rows(qs: QuerySet[Case], area_code: str, period: Period) -> tuple[list[AreaRow], str]:
    """Drill-down rows: the next division level down (city → county → township) grouped on the code prefix, plus
    the committees sitting at this level itself (本级, each its own row, marked); from the township down, one row
    per committee. The rows add up to the headline figures (a test checks it)."""
    aggs = {
        "n": Count("id"),
        "difficult": Count("id", filter=Q(is_difficult=True)),
        "amount": Coalesce(Sum("amount_involved"), Decimal(0)),
    }
    counted = set(definitions().counted_buckets)
    base = report_base(qs, period).order_by().annotate(code_len=Length("division_code"))
    rows: dict[tuple, AreaRow] = {}
    child_len = CHILD_LENGTH.get(len(area_code))
    if child_len is not None:
        grouped = (
            base.filter(code_len__gte=child_len)
            .annotate(prefix=Substr("division_code", 1, child_len))
            .values("prefix", "bucket")
            .annotate(**aggs)
        )
        names = dict(
            Division.objects.filter(code__startswith=area_code, level=_LEVEL_OF_LENGTH[child_len]).values_list(
                "code", "name"
            )
        )
        for g in grouped:
            row = rows.setdefault(("a", g["prefix"]), AreaRow(g["prefix"], names.get(g["prefix"], g["prefix"])))
            _add_group(row, g, counted)
        direct = base.filter(code_len__lt=child_len)
    else:
        direct = base
    for g in direct.values("committee_id", "committee__name", "bucket").annotate(**aggs):
        row = rows.setdefault(
            ("c", g["committee_id"]),
            AreaRow(
                area_code,
                g["committee__name"],
                committee_id=g["committee_id"],
                drill=False,
                own_level=child_len is not None,
            ),
        )
        _add_group(row, g, counted)
    result = [r for r in rows.values() if r.cases or r.open]
    result.sort(key=lambda r: (r.committee_id is not None, r.code, r.name))
    label = LEVEL_LABELS.get(len(area_code), "调解组织") if child_len is not None else "调解组织"
    return result, label


def _month_spans(year: int, months: list[int], through: date | None) -> list[tuple[str, datetime, datetime]]:
    spans = []
    for m in months:
        month = make_period(year, "month", m)
        if through is not None and month.start <= through < month.end:
            month = as_of(month, through)
        spans.append((f"{year}-{m:02d}", month.start_at, month.end_at))
    return spans


def _trend(qs: QuerySet[Case], period: Period, today: date) -> tuple[list[str], list[int], list[int], list[int], int]:
    """Counted cases (调解案件, by the definitions) per month from January of the period's year to its last month
    (or this month, for a period not over), and the same months a year earlier — the month not over compared with
    the same days of last year's month. One grouped query over both ranges: by end of mediation, the month each
    case last ended in comes from one subquery per case (insights.definitions.ending_key)."""
    last_month = period.end.month
    if period.start <= today <= period.end:
        last_month = min(last_month, today.month)
    months = list(range(1, last_month + 1))
    through = period.through or (today if period.start <= today <= period.end else None)
    last_through = None if through is None else year_earlier(through)
    spans = _month_spans(period.year - 1, months, last_through) + _month_spans(period.year, months, through)
    lo, hi = spans[0][1], spans[-1][2]
    counts: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    d = definitions()
    base = qs.filter(accepted_at__isnull=False, accepted_at__lt=hi).exclude(status=CaseStatus.TRANSFERRED_OUT)
    if d.period_by == "accepted":
        # One pass with a conditional count per calendar month (China time) rather than TruncMonth: SQLite
        # evaluates a time-zone-aware TruncMonth with a Python function per row.
        aggregates = {}
        for key, start, end in spans:
            in_month = Q(accepted_at__gte=start, accepted_at__lt=end)
            aggregates[f"n_{key}"] = Count("id", filter=in_month)
            aggregates[f"s_{key}"] = Count("id", filter=in_month & Q(outcome=Outcome.SUCCESS))
        totals = base.aggregate(**aggregates)
        for key, _s, _e in spans:
            counts[int(key[:4]), int(key[5:])] = (totals[f"n_{key}"], totals[f"s_{key}"])
    else:
        base = base.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=lo)).exclude(outcome="")
        grouped = base.annotate(k=ending_key(spans, hi)).order_by().values("k").annotate(n=Count("id"))
        for g in grouped:
            key = g["k"] or ""
            if "|" not in key:
                continue
            ym, kind = key.split("|")
            y, m = int(ym[:4]), int(ym[5:])
            n, succ = counts[y, m]
            counts[y, m] = (n + g["n"], succ + (g["n"] if kind == "S" else 0))
    this_year = [counts[period.year, m][0] for m in months]
    success = [counts[period.year, m][1] for m in months]
    last_year = [counts[period.year - 1, m][0] for m in months]
    return [f"{m}月" for m in months], this_year, last_year, success, 0


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
    period = as_of(period, today)  # a period not over is counted to today (截至) and compared with the same days
    qs = cases.filter(in_area(area_code))
    committee = None
    if committee_id:
        committee = Committee.objects.filter(pk=committee_id, division__code__startswith=area_code).first()
        qs = qs.filter(committee_id=committee_id)
    cube = case_cube(qs, period)
    totals = {m: cube_sum(cube, m) for m in (*CASE_MEASURES, "terminated", "open", "accepted")}
    last_cube = case_cube(qs, period.same_period_last_year())
    last_total = int(cube_sum(last_cube, "cases"))
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
    months, this_year, last_year, success, _unused = _trend(qs, period, today)
    return Dashboard(
        area_code=area_code,
        area_name=area_name(area_code),
        period=period,
        committee=committee,
        received=received_cases(qs, period).count(),
        totals=totals,
        rate=rate_of(int(totals["success"]), int(totals["terminated"]), int(totals["cases"])),
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
