"""Retention periods (保管期限) of archived dossiers and when a dossier may be disposed of (销毁).

The years per retention class are configuration (data/retention_periods.json, mediation-domain.md §13.4): a
permanent dossier (永久) has no entry and is never disposed of. A dossier archived on day D of class "10 years" may
be disposed of from the same calendar day ten years later (a 29 February archive: 28 February, see add_months).
The one computation for both the offered button (cases.permissions) and the action (cases.actions.performance)."""

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cases.enums import CaseStatus
from workdays.calendar import add_months

PERIODS_FILE = Path(settings.BASE_DIR) / "data" / "retention_periods.json"


@lru_cache(maxsize=1)
def retention_years() -> dict[str, int]:
    """Years of retention per RetentionClass value; classes without an entry are kept permanently."""
    with PERIODS_FILE.open(encoding="utf-8") as fh:
        return {str(k): int(v) for k, v in json.load(fh)["years"].items()}


def disposable_from(case) -> date | None:
    """The first day this archived dossier may be disposed of, or None (not archived, or kept permanently)."""
    years = retention_years().get(case.retention_class or "")
    if years is None or case.archived_at is None:
        return None
    archived = timezone.localdate(case.archived_at)
    return add_months(archived, 12 * years)


def retention_refusal(case, at: datetime | date | None = None) -> str | None:
    """Why the dossier may not be disposed of on `at` (default now), in Chinese; None when it may."""
    if case.status != CaseStatus.ARCHIVED:
        return "只有已归档的卷宗可以销毁"
    if not case.retention_class:
        return "卷宗未登记保管期限，不能销毁"
    if retention_years().get(case.retention_class) is None:
        return "永久保管的卷宗不能销毁"
    first = disposable_from(case)
    if first is None:
        return "卷宗尚未归档，不能销毁"
    on = at if isinstance(at, date) and not isinstance(at, datetime) else timezone.localdate(at or timezone.now())
    if on < first:
        return f"保管期限未满，不能销毁：最早可于{first.year}年{first.month}月{first.day}日销毁"
    return None


def may_dispose(case, at: datetime | date | None = None) -> bool:
    return retention_refusal(case, at) is None
