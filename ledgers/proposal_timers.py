"""Timer handlers of the proposals ledger's clocks (ledgers.proposal_clock), registered with cases.timers. Each runs
in the scan's transaction as the system; a timer whose clock no longer applies (the reply went out, the deadline
moved) does nothing."""

from datetime import datetime

from cases.models import Timer
from cases.timers import handler
from ledgers.actions import proposals as P
from ledgers.models_proposals import Proposal
from ledgers.proposal_clock import KINDS, OVERDUE, wanted


def _fire(timer: Timer, now: datetime) -> str:
    if timer.target_type != Proposal._meta.label:
        return "对象不存在"
    item = Proposal.objects.select_related("bureau").filter(pk=timer.target_id).first()
    if item is None or wanted(item).get(timer.kind) != timer.deadline:
        return "已办理或期限已变化，无需处理"
    if timer.rule == OVERDUE:
        return P.system_overdue(item, deadline=timer.deadline, at=now)
    days = int(timer.rule.rsplit("-", 1)[-1]) if timer.rule.startswith("remind:-") else 0
    return P.system_remind(item, kind=timer.kind, deadline=timer.deadline, days=days, at=now)


for _kind in KINDS:
    handler(_kind)(_fire)
