"""What counts as an entry (录入) and as a dossier (卷宗) for a period: the one place that defines them.

Both the reconciliation (三统一) and the entry notice (录入情况通报) read these functions, and the report rows come
from `insights.base.reported_cases`, so the three numbers are computed the same way everywhere.

- A case **belongs to** a month by its case date: the acceptance date (受理), or the registration date while it
  still awaits acceptance. Cases refused (不予受理) or transferred out are not mediation cases of the committee
  (a transferred case is counted once, by the committee that receives it), so they belong to no period.
- An **entry** of a period is a case that belongs to it and was entered in the system (`Case.entered_at`) by the
  entry deadline of its month: the end of the day `deadline_days_after_month_end` calendar days after the month's
  last day (data/entry_rules.json; 7 = "by the end of the first week of the following month").
- A **dossier** of a period is an accepted case of the period that is archived (the archiving action already
  refused a dossier with a mandatory item missing), or closed and not yet archived with every mandatory item of
  the dossier checklist (data/dossier_checklist.json, `cases.dossier.missing_items`) present.
"""

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from cases.dossier import missing_items
from cases.enums import CaseStatus
from cases.models import Case
from insights.base import Period, make_period
from supervision.config import entry_rules

# A merged case (issue 11 §5) is the second registration of a dispute another case carries: not a case of its own.
NOT_MEDIATION = (CaseStatus.NOT_ACCEPTED, CaseStatus.TRANSFERRED_OUT, CaseStatus.MERGED)
ENTRY_DEFINITION = (
    "录入数：本期案件（按受理日期归期；尚待受理的按登记日期）中，在所属月份的录入期限（次月{days}日24时）前已录入系统的案件。"
    "不予受理、已移交出和已并案的案件不计（移交案件由接收的调委会计入，并案案件计入其并入的案件）。"
)
DOSSIER_DEFINITION = (
    "卷宗数：本期受理的案件中，已归档的案件（归档时已校验卷宗必备材料），加上已结案、尚未归档但卷宗目录"
    "必备材料齐全的案件。必备材料以本地卷宗目录配置为准。"
)
REPORT_DEFINITION = "报表数：统计报表计入的调解案件数，即本期受理的案件（不含移交出的案件），与月报表同一口径。"


def months_of(period: Period) -> list[Period]:
    """The calendar months a period spans (one for a month, three for a quarter, twelve for a year)."""
    months, cursor = [], period.start
    while cursor <= period.end:
        months.append(make_period(cursor.year, "month", cursor.month))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months


def entry_deadline(month: Period) -> datetime:
    """Exclusive bound: a case of `month` entered before this instant was entered on time."""
    return month.end_at + timedelta(days=entry_rules().deadline_days)


def last_entry_day(month: Period) -> date:
    return month.end + timedelta(days=entry_rules().deadline_days)


def of_period(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """The cases that belong to `period` (annotated with `case_date`)."""
    return (
        qs.annotate(case_date=Coalesce("accepted_at", "registered_at"))
        .filter(case_date__gte=period.start_at, case_date__lt=period.end_at)
        .exclude(status__in=NOT_MEDIATION)
    )


def on_time_q(period: Period) -> Q:
    """Filter on an `of_period` queryset: entered by the deadline of the case's own month."""
    q = Q(pk__in=[])
    for month in months_of(period):
        q |= Q(case_date__gte=month.start_at, case_date__lt=month.end_at, entered_at__lt=entry_deadline(month))
    return q


def entries(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    return of_period(qs, period).filter(on_time_q(period))


def late_entries(qs: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """Accepted cases of the period entered after their month's deadline (counted by the report, not as entries)."""
    return of_period(qs, period).filter(accepted_at__isnull=False).exclude(on_time_q(period))


def has_dossier(case: Case) -> bool:
    if case.archived_at is not None:
        return True
    return case.status == CaseStatus.CLOSED and not missing_items(case)
