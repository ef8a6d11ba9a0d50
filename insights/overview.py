"""The console overview's figures (console.views.home): every case of the user's jurisdiction by lower area, with
a 本级 row for the committees at the user's own level, so that the rows add up to the headline; and this year's
mediations by the statistics definitions (insights.definitions: counted when they ended, 在办 apart)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from cases.enums import CaseStatus
from cases.listing import overdue_q
from cases.models import Case
from insights.base import Period, as_of, in_area, make_period, report_base
from insights.definitions import BUCKET_OF, OPEN, SUCCESS, TERMINATED, definitions
from insights.metrics import rate_of
from registry.models import Division

OWN_LEVEL = "本级"


def open_now_q() -> Q:
    """在办 today: accepted, mediation not ended (no agreement, no termination, or mediated again)."""
    return Q(accepted_at__isnull=False, outcome="") & ~Q(status=CaseStatus.TRANSFERRED_OUT)


@dataclass
class OverviewRow:
    code: str
    name: str
    own_level: bool = False
    total: int = 0  # every case, any status, any year
    open: int = 0  # 在办 today
    late: int = 0  # 超期未结 today
    ended: int = 0  # 调解案件 of the year (ended in it, by the definitions)
    success: int = 0
    terminated: int = 0

    @property
    def rate(self) -> Decimal | None:
        return rate_of(self.success, self.terminated, self.ended)


@dataclass
class Overview:
    division: Division
    year: Period
    rows: list[OverviewRow] = field(default_factory=list)


def overview(cases: QuerySet[Case], division: Division, today: date) -> Overview:
    """Three grouped queries: all cases by division code (total, 在办, 超期), this year's report by division code and
    bucket; Python maps each code to the child area (or 本级) it lies in."""
    year = as_of(make_period(today.year, "year"), today)
    children = {d.code: d.name for d in Division.objects.filter(parent=division).order_by("code")}
    child_len = len(next(iter(children))) if children else None

    def key_of(code: str) -> str:
        if child_len is None or len(code) < child_len:
            return division.code
        return code[:child_len]

    rows: dict[str, OverviewRow] = {}

    def row(code: str) -> OverviewRow:
        if code not in rows:
            own = code == division.code
            rows[code] = OverviewRow(code, OWN_LEVEL if own else children.get(code, code), own_level=own)
        return rows[code]

    mine = cases.filter(division_code__startswith=division.code)
    totals = (
        mine.order_by()
        .values("division_code")
        .annotate(total=Count("id"), open=Count("id", filter=open_now_q()), late=Count("id", filter=overdue_q(today)))
    )
    for g in totals:
        r = row(key_of(g["division_code"]))
        r.total += g["total"]
        r.open += g["open"]
        r.late += g["late"]
    counted = set(definitions().counted_buckets)
    by_bucket = report_base(mine, year).order_by().values("division_code", "bucket").annotate(n=Count("id"))
    for g in by_bucket:
        bucket = BUCKET_OF.get(g["bucket"])
        if bucket is None or (bucket == OPEN and bucket not in counted):
            continue
        r = row(key_of(g["division_code"]))
        if bucket == SUCCESS:
            r.success += g["n"]
        elif bucket == TERMINATED:
            r.terminated += g["n"]
        if bucket in counted:
            r.ended += g["n"]
    ordered = sorted(rows.values(), key=lambda r: (r.own_level, r.code))
    return Overview(division, year, [r for r in ordered if r.total or r.ended or r.open])


def headline(cases: QuerySet[Case], division: Division, today: date) -> OverviewRow:
    """The headline figures, computed on their own (not as the sum of the rows): every visible case, 在办 and 超期
    today, and this year's 调解案件 from the MoJ form's own case cube (insights.metrics.case_cube)."""
    from insights.metrics import case_cube, cube_sum

    cube = case_cube(cases.filter(in_area(division.code)), as_of(make_period(today.year, "year"), today))
    return OverviewRow(
        division.code,
        "合计",
        total=cases.count(),
        open=cases.filter(open_now_q()).count(),
        late=cases.filter(overdue_q(today)).count(),
        ended=int(cube_sum(cube, "cases")),
        success=int(cube_sum(cube, "success")),
        terminated=int(cube_sum(cube, "terminated")),
    )


__all__ = ["OWN_LEVEL", "Overview", "OverviewRow", "headline", "open_now_q", "overview"]
