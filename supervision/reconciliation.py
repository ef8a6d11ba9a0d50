"""三统一: for a period and an area, the number of entries, of dossiers and of report rows, and every case that makes
them differ. The report rows are the form's 本期受理 (accepted in the period, insights.base.accepted_cases). The
definitions are in supervision/entries.py; the counts are aggregation queries, and the only per-case
check is the dossier checklist of closed, not yet archived cases (the one definition in cases/dossier.py)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.dossier import missing_items
from cases.enums import CaseStatus
from cases.models import Case
from insights.base import Period, accepted_cases, in_area, make_period
from supervision import entries as E

LIST_LIMIT = 200  # cases listed per kind; the counts are always complete

KINDS = {
    "late_entry": "逾期录入",
    "pending": "已录入尚未受理",
    "no_dossier": "已结案但卷宗必备材料不齐",
    "open": "尚未结案（卷宗未形成）",
    "definition": "统计口径不一致",
}
KIND_EXPLAIN = {
    "late_entry": "计入报表，但在录入期限后才录入系统，不计入录入数",
    "pending": "已录入系统，但尚未受理，不计入报表和卷宗",
    "no_dossier": "计入报表，已结案但缺少必备材料，不计入卷宗数",
    "open": "计入报表，尚未结案归档，暂无卷宗",
    "definition": "报表口径与本页口径对同一案件的归期不同，请联系系统管理员",
}


@dataclass
class Discrepancy:
    kind: str
    case: Case
    detail: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass
class Reconciliation:
    period: Period
    entries: int
    dossiers: int
    report_rows: int
    counts: dict[str, int]
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return self.entries == self.dossiers == self.report_rows

    def kinds(self) -> list[tuple[str, str, str, int]]:
        return [(k, KINDS[k], KIND_EXPLAIN[k], self.counts.get(k, 0)) for k in KINDS if self.counts.get(k)]

    def listed(self, kind: str) -> list[Discrepancy]:
        return [d for d in self.discrepancies if d.kind == kind]


def reconcile(scope: QuerySet[Case], period: Period, area_code: str = "") -> Reconciliation:
    """`scope` is already the user's visible cases (cases_visible_to); `area_code` narrows it further."""
    base = scope.filter(in_area(area_code))
    mine = E.of_period(base, period)
    on_time = E.on_time_q(period)
    accepted = Q(accepted_at__isnull=False)
    agg = mine.aggregate(
        entries=Count("id", filter=on_time),
        late_entry=Count("id", filter=accepted & ~on_time),
        pending=Count("id", filter=on_time & Q(status=CaseStatus.INTAKE)),
        accepted=Count("id", filter=accepted),
        archived=Count("id", filter=accepted & Q(archived_at__isnull=False)),
        open=Count("id", filter=accepted & Q(closed_at__isnull=True)),
    )
    # The form's rows of the period's own cases: its 本期受理 column (insights.base.accepted_cases). Its 调解案件 count
    # the mediations that ended in the period (data/statistics_definitions.json), whenever accepted, so they are
    # not the same cases as this period's entries and dossiers.
    report = accepted_cases(base, period)
    report_rows = report.count()

    closed = list(mine.filter(status=CaseStatus.CLOSED, archived_at__isnull=True).select_related("committee"))
    incomplete = [(c, missing_items(c)) for c in closed]
    incomplete = [(c, m) for c, m in incomplete if m]
    counts = {k: agg[k] for k in ("late_entry", "pending", "open")}
    counts["no_dossier"] = len(incomplete)
    dossiers = agg["archived"] + len(closed) - len(incomplete)

    found: list[Discrepancy] = []
    rows = mine.select_related("committee").order_by("case_date", "pk")
    for case in rows.filter(accepted & ~on_time)[:LIST_LIMIT]:
        found.append(Discrepancy("late_entry", case, _late_detail(case)))
    for case in rows.filter(on_time & Q(status=CaseStatus.INTAKE))[:LIST_LIMIT]:
        found.append(Discrepancy("pending", case, f"登记于{_d(case.registered_at)}，待审查"))
    for case, missing in incomplete[:LIST_LIMIT]:
        found.append(Discrepancy("no_dossier", case, "缺少：" + "、".join(missing)))
    for case in rows.filter(accepted & Q(closed_at__isnull=True))[:LIST_LIMIT]:
        found.append(Discrepancy("open", case, f"当前状态：{case.get_status_display()}"))

    if report_rows != agg["accepted"]:
        # The report's definition (owned by insights) and this page's disagree on which cases belong to the period.
        report_ids = set(report.values_list("pk", flat=True))
        mine_ids = set(mine.filter(accepted).values_list("pk", flat=True))
        odd = sorted(report_ids ^ mine_ids)
        counts["definition"] = len(odd)
        for case in base.filter(pk__in=odd[:LIST_LIMIT]).select_related("committee"):
            where = "仅计入报表" if case.pk in report_ids else "仅计入本页"
            found.append(Discrepancy("definition", case, where))
    return Reconciliation(period, agg["entries"], dossiers, report_rows, counts, found)


def _d(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d}"


def _late_detail(case: Case) -> str:
    local = _d(case.case_date)
    month = make_period(int(local[:4]), "month", int(local[5:7]))
    return f"受理于{local}，应于{E.last_entry_day(month):%Y-%m-%d}前录入，实际{_d(case.entered_at)}录入"
