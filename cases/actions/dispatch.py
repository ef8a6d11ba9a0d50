"""The case's side of a 矛调中心's dispatch (issue 11 §4; referrals.hub decides who may act on the dispatch): the
step recorded on an intake case, and its move to the committee that accepted it (its committee and area; the case
has no number yet, it gets one when that committee accepts it)."""

from datetime import datetime

from accounts.models import User
from cases.actions.base import check, record
from cases.enums import SystemJob
from cases.models import Case
from registry.models import Committee


def do_record_dispatch_step(
    case: Case,
    action: str,
    actor: User | None,
    at: datetime,
    *,
    note: str,
    data: dict,
    move_to: Committee | None = None,
) -> Case:
    """Record `action` (dispatch, dispatch_accepted, dispatch_returned, dispatch_escalated) on a locked intake case,
    inside the caller's transaction. `actor=None` is the system row (the receiver's answer, the move up), checked by
    referrals.hub against the dispatch. `move_to`: the case now belongs to that committee."""
    check(case, action, actor)
    if move_to is not None and move_to.pk != case.committee_id:
        data = {**data, "from_committee": case.committee_id, "to_committee": move_to.pk}
        case.committee = move_to
        case.division_code = move_to.division_id
        case.save(update_fields=["committee", "division_code", "updated_at"])
    record(case, action, actor, at, note=note, data=data, job=None if actor else SystemJob.REFERRAL_MONITOR)
    return case
