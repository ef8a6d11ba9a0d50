"""Shared definitions of the statistics: periods, areas and which cases a report counts.

Every figure of the dashboard, the MoJ monthly form, the reconciliation (三统一), the entry notice and the
benchmark starts from these functions, so that the same case is counted the same way everywhere.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from cases.enums import CaseStatus
from cases.models import Case
from insights.definitions import OPEN, bucket_expr, definitions, raw_buckets

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days [start, end] in China time, with its Chinese label."""

    start: date
    end: date
    label: str
    # A period not over yet is counted up to this day (inclusive): 截至 12月3日. None: the whole period.
    through: date | None = None

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=TZ)

    @property
    def last_day(self) -> date:
        """The last day counted: `through` for a period not over, else `end`."""
        return self.through or self.end

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound: midnight after the last day counted."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=TZ)

    @property
    def partial(self) -> bool:
        return self.through is not None

    @property
    def full_label(self) -> str:
        """The label with 截至 for a period not over: "2026年12月（截至12月3日）"."""
        if self.through is None:
            return self.label
        return f"{self.label}（截至{self.through.month}月{self.through.day}日）"

    @property
    def span_text(self) -> str:
        """The days counted: "2026-12-01 至 2026-12-03，期间尚未结束" for a period not over, else the whole range."""
        text = f"{self.start:%Y-%m-%d} 至 {self.last_day:%Y-%m-%d}"
        return text + "，期间尚未结束" if self.partial else text

    def same_period_last_year(self) -> "Period":
        """The same span a year earlier: for a period not over, the same days (Dec 1–3), not the whole month."""
        prev = make_period(self.start.year - 1, self._kind(), self._index())
        if self.through is None:
            return prev
        return replace(prev, through=year_earlier(self.through))

    @property
    def kind(self) -> str:
        """ "month", "quarter" or "year" (the arguments of make_period, so a period round-trips through a URL)."""
        return self._kind()

    @property
    def index(self) -> int:
        return self._index()

    @property
    def year(self) -> int:
        return self.start.year

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every calendar month the period covers, in order."""
        return [(self.start.year, m) for m in range(self.start.month, self.end.month + 1)]

    def _kind(self) -> str:
        if self.start.month == 1 and self.end.month == 12:
            return "year"
        return "quarter" if (self.end.month - self.start.month) == 2 else "month"

    def _index(self) -> int:
        kind = self._kind()
        return 1 if kind == "year" else (self.start.month - 1) // 3 + 1 if kind == "quarter" else self.start.month


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def make_period(year: int, kind: str = "month", index: int = 1) -> Period:
    """kind "month" (index 1–12), "quarter" (1–4) or "year"."""
    if kind == "year":
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年")
    if kind == "quarter":
        first = 3 * (index - 1) + 1
        return Period(date(year, first, 1), _month_end(year, first + 2), f"{year}年第{index}季度")
    return Period(date(year, index, 1), _month_end(year, index), f"{year}年{index}月")


def year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def as_of(period: Period, today: date) -> Period:
    """`period` cut at `today` when it is not over yet (it has started and ends after today); else unchanged."""
    if period.start <= today < period.end:
        return replace(period, through=today)
    return period


KINDS = {"month": 12, "quarter": 4, "year": 1}


def period_or_none(year: object, kind: object, index: object) -> Period | None:
    """make_period from untrusted input (URL parameters): None instead of an exception when out of range."""
    try:
        y, i = int(str(year)), int(str(index or 1))
    except (TypeError, ValueError):
        return None
    if kind not in KINDS or not (2000 <= y <= 2100) or not (1 <= i <= KINDS[str(kind)]):
        return None
    return make_period(y, str(kind), i)


def period_key(period: Period) -> str:
    """The compact URL form of a period: "2026", "2026-Q2" or "2026-03"."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "quarter":
        return f"{period.year}-Q{period.index}"
    return f"{period.year}-{period.index:02d}"


def parse_period_key(value: object) -> Period | None:
    """The inverse of period_key; None for anything else (never an exception on user input)."""
    text = str(value or "").strip().upper()
    year, _sep, rest = text.partition("-")
    if not rest:
        return period_or_none(year, "year", 1)
    if rest.startswith("Q"):
        return period_or_none(year, "quarter", rest[1:])
    return period_or_none(year, "month", rest)


def in_area(code: str) -> Q:
    """Cases in an administrative area given by its division code (any level; "" = everywhere)."""
    return Q(division_code__startswith=code) if code else Q()


def report_base(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """The cases a report for `period` looks at, each annotated with its `bucket` (insights.definitions): accepted
    before the period's end; a case transferred out after acceptance is counted once, by the committee that finally
    handles it (its linked intake case there), so the transferred-out row is left out. By end of mediation, a case
    closed before the period began ended before it too (closing follows the end), so it is left out at once; by
    acceptance, only the cases accepted within the period."""
    d = definitions()
    qs = qs.filter(accepted_at__isnull=False, accepted_at__lt=period.end_at).exclude(status=CaseStatus.TRANSFERRED_OUT)
    if d.period_by == "accepted":
        qs = qs.filter(accepted_at__gte=period.start_at)
    else:
        qs = qs.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.start_at))
    return qs.annotate(bucket=bucket_expr(period.start_at, period.end_at))


def reported_cases(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """The cases a report for `period` counts as 调解案件: by the definitions in force, those whose mediation ended
    within the period (成功 + 终止), or those accepted within it."""
    return in_buckets(qs, period, *definitions().counted_buckets)


def in_buckets(qs: QuerySet[Case], period: Period, *names: str) -> QuerySet[Case]:
    """The cases of the report in the named buckets (success, terminated, open)."""
    return report_base(qs, period).filter(bucket__in=raw_buckets(*names))


def open_cases(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """在办: accepted, and mediation not ended by the end of the period."""
    return in_buckets(qs, period, OPEN)


def accepted_cases(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """受理: accepted within the period (a transferred-out row is left out, as everywhere)."""
    return qs.filter(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at).exclude(
        status=CaseStatus.TRANSFERRED_OUT
    )
