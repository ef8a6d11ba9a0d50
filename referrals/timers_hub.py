"""Timer handler of the dispatch clock (DISPATCH_DUE: an unaccepted dispatch moves up). h-hub."""

from datetime import datetime

from cases.models import Timer
from cases.models.timers import TimerKind
from cases.timers import handler


@handler(TimerKind.DISPATCH_DUE)
def dispatch_due(timer: Timer, now: datetime) -> str:
    """Fired at a dispatch's deadline: still unanswered, it moves up to the next level (referrals.hub.escalate)."""
    from referrals import hub
    from referrals.enums import DispatchStatus
    from referrals.models import Dispatch

    dispatch = Dispatch.objects.filter(pk=timer.target_id).first()
    if dispatch is None or timer.target_type != Dispatch._meta.label:
        return "交办事项不存在"
    if dispatch.status != DispatchStatus.PENDING:
        return f"已答复（{dispatch.get_status_display()}）"
    new = hub.escalate(dispatch, now)
    if new is None:
        return "逾期未接收，已无上级可上移" if hub.overdue(dispatch, now) else "无需上移"
    return f"已上移至{new.to_committee.name}"
