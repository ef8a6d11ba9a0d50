"""The proposals ledger's clocks on the engine room's timers (cases.timers): the reply or co-handling opinion
deadline, the return window and the re-handling deadline. Each clock has reminders before it (data/
proposal_rules.json remind_days_before) and, for the handling deadlines, a 督办 by the office the day after.

The actions (ledgers.actions.proposals) call `sync(item, now)` after every change: it cancels the clocks that no
longer apply and schedules the ones that do, so the timers always follow the item's state."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cases import timers
from ledgers.models_proposals import AWAITING_REPLY, Proposal, ProposalStatus
from ledgers.proposal_config import rules_for

REPLY_DUE = "LEDGER_PROPOSAL_REPLY"  # the reply (主办) or opinion (会办), first round
REHANDLE_DUE = "LEDGER_PROPOSAL_REHANDLE"  # the new reply after a 不满意 rating
RETURN_WINDOW = "LEDGER_PROPOSAL_RETURN"  # the last day to return a wrongly assigned item
KINDS = (REPLY_DUE, REHANDLE_DUE, RETURN_WINDOW)
OVERDUE = "overdue"
FIRE_HOUR = 8


def fire_moment(day: date) -> datetime:
    return datetime.combine(day, time(FIRE_HOUR), tzinfo=timezone.get_current_timezone())


def _clock(kind: str, item: Proposal, deadline: date, now: datetime, *, overdue: bool) -> None:
    rules = rules_for(item.bureau_id)
    for days in rules.remind_days_before:
        moment = fire_moment(deadline - timedelta(days=days))
        if moment > now:
            timers.schedule(kind, case=None, target=item, deadline=deadline, fire_at=moment, rule=f"remind:-{days}")
    if overdue:
        moment = fire_moment(deadline + timedelta(days=1))
        timers.schedule(kind, case=None, target=item, deadline=deadline, fire_at=max(moment, now), rule=OVERDUE)


def wanted(item: Proposal) -> dict[str, date]:
    """The clocks the item's state calls for: kind → deadline."""
    clocks: dict[str, date] = {}
    if item.status in AWAITING_REPLY:
        if item.rehandle_round and item.rehandle_due_on:
            clocks[REHANDLE_DUE] = item.rehandle_due_on
        else:
            clocks[REPLY_DUE] = item.due_on
    if item.status in (ProposalStatus.REGISTERED, ProposalStatus.HANDLING) and not item.rehandle_round:
        clocks[RETURN_WINDOW] = item.return_by
    return clocks


def sync(item: Proposal, now: datetime) -> None:
    """Cancel the item's live timers that its state no longer calls for; schedule those it does."""
    from cases.models import Timer

    clocks = wanted(item)
    live = Timer.objects.filter(
        target_type=item._meta.label, target_id=item.pk, fired_at__isnull=True, cancelled_at__isnull=True
    )
    for kind in KINDS:
        deadlines = set(live.filter(kind=kind).values_list("deadline", flat=True))
        if deadlines and deadlines != {clocks.get(kind)}:
            timers.cancel(kind, target=item, reason="期限已变化或已办结", at=now)
    for kind, deadline in clocks.items():
        _clock(kind, item, deadline, now, overdue=kind != RETURN_WINDOW)
