"""The entry-deadline check (issue 8 §4): the township office and the county bureau are told, once per unit and
month, of the cases of that month entered after the entry deadline (supervision.entries defines late entry from
data/entry_rules.json). A unit is a township (the 司法所's area). Idempotent: the notice sent for (unit, month) is
recorded (EntryDeadlineNotice) and never sent again, however often the check runs."""

from collections import Counter
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case
from insights.base import make_period
from notifications.enums import NoticeKind
from notifications.services import notify_supervisors
from registry.models import Division
from supervision.config import supervision_rules
from supervision.entries import entry_deadline, last_entry_day, late_entries
from supervision.models_duban import EntryDeadlineNotice

TOWNSHIP_CODE = 9


def _months_back(now: datetime, n: int) -> list[tuple[int, int]]:
    local = timezone.localtime(now)
    y, m = local.year, local.month
    months = []
    for _ in range(n):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.append((y, m))
    return months


def check_entry_deadlines(now: datetime | None = None) -> int:
    """Send the ENTRY_DEADLINE_MISSED notices due at `now` for the last `entry_check_months` months whose entry
    deadline has passed. Returns how many (unit, month) notices were sent now."""
    now = now or timezone.now()
    sent = 0
    for year, month in _months_back(now, supervision_rules().entry_check_months):
        period = make_period(year, "month", month)
        if now < entry_deadline(period):
            continue
        late = late_entries(Case.objects.all(), period).values_list("division_code", flat=True)
        by_unit = Counter(code[:TOWNSHIP_CODE] for code in late if len(code) >= TOWNSHIP_CODE)
        done = set(EntryDeadlineNotice.objects.filter(year=year, month=month).values_list("division_code", flat=True))
        for unit, count in sorted(by_unit.items()):
            if unit in done:
                continue
            try:
                with transaction.atomic():
                    EntryDeadlineNotice.objects.create(
                        division_code=unit, year=year, month=month, late_count=count, sent_at=now
                    )
                    name = Division.objects.filter(code=unit).values_list("name", flat=True).first() or unit
                    notify_supervisors(
                        NoticeKind.ENTRY_DEADLINE_MISSED,
                        unit,
                        f"{name}{period.label}有{count}件案件在录入期限（{last_entry_day(period):%-m月%-d日}）后"
                        "才录入系统，请督促调委会按时录入",
                        at=now,  # whom: notifications' rules for the kind (the township office and the county)
                    )
            except IntegrityError:  # another run recorded this (unit, month) first
                continue
            sent += 1
    return sent
