"""Who may see and do what in the rectification ledger, on top of ledgers.scoping (one door for reading).

- Items: a department's staff see their department's items; the bureau's office, leaders and reviewers all of
  the bureau's (ledgers.scoping.items_visible_to on the item's `bureau` and `department`). Anything else is a 404.
- Inspections: those of the bureaus where the user holds a bureau-wide role, and those with an item of the user's
  department (a department sees the inspection's page with its own items only).
- Summaries: ledgers.scoping.summary_bureaus (a bureau's office and leaders, a city bureau the counties').
- Actions: `available_actions(item, user)` is what the item page offers; each do_* action checks the same rule.
"""

from django.db.models import QuerySet

from accounts.models import User
from ledgers.models import BUREAU_WIDE, LedgerRoleKind
from ledgers.rectification.models import Inspection, ItemStatus, RectificationItem
from ledgers.scoping import access_of, items_visible_to

S = ItemStatus

# action -> (states it may start from, who may do it)
REPORT, REQUEST, ACCEPT, RETURN, CLOSE, REVISE = "report", "request", "accept", "return", "close", "revise"
LABELS = {
    REPORT: "报送整改进展",
    REQUEST: "申请销号",
    ACCEPT: "验收通过",
    RETURN: "退回整改",
    CLOSE: "销号",
    REVISE: "调整整改措施或时限",
}
FROM_STATES: dict[str, tuple[str, ...]] = {
    REPORT: (S.LISTED, S.IN_PROGRESS),
    REQUEST: (S.IN_PROGRESS,),
    ACCEPT: (S.CLOSURE_REQUESTED,),
    RETURN: (S.CLOSURE_REQUESTED,),
    CLOSE: (S.ACCEPTED,),
    REVISE: (S.LISTED, S.IN_PROGRESS),
}
WHO = {
    REPORT: "责任部门",
    REQUEST: "责任部门",
    ACCEPT: "指定的验收人",
    RETURN: "指定的验收人",
    CLOSE: "办公室",
    REVISE: "办公室",
}


def items_for(user: User) -> QuerySet[RectificationItem]:
    return items_visible_to(user, RectificationItem.objects.all())


def inspections_for(user: User) -> QuerySet[Inspection]:
    access = access_of(user)
    if not access.has_roles:
        return Inspection.objects.none()
    wide = access.bureau_ids(*BUREAU_WIDE)
    mine = items_for(user).values("inspection_id")
    return Inspection.objects.filter(bureau_id__in=wide) | Inspection.objects.filter(pk__in=mine)


def sees_whole_bureau(user: User, bureau_id: str) -> bool:
    return bool(access_of(user).kinds_in(bureau_id) & set(BUREAU_WIDE))


def is_office(user: User, bureau_id: str) -> bool:
    return access_of(user).is_(LedgerRoleKind.OFFICE, bureau_id)


def may_record_meeting(user: User, bureau_id: str) -> bool:
    kinds = access_of(user).kinds_in(bureau_id)
    return LedgerRoleKind.OFFICE in kinds or LedgerRoleKind.LEADER in kinds


def holds(user: User, action: str, item: RectificationItem) -> bool:
    """The actor stands in the relation `action` needs to this item (whatever its state)."""
    access = access_of(user)
    if action in (REPORT, REQUEST):
        return access.in_department(item.department_id) and item.department.bureau_id == item.bureau_id
    if action in (ACCEPT, RETURN):
        return item.reviewer_id == user.pk and access.is_(LedgerRoleKind.REVIEWER, item.bureau_id)
    if action in (CLOSE, REVISE):
        return access.is_(LedgerRoleKind.OFFICE, item.bureau_id)
    return False


def refusal(action: str, item: RectificationItem, user: User) -> str | None:
    """Why `user` may not do `action` on the item now, or None if they may."""
    if not holds(user, action, item):
        return f"只有{WHO[action]}可以“{LABELS[action]}”"
    if item.status not in FROM_STATES[action]:
        return f"该事项当前为“{ItemStatus(item.status).label}”，不能“{LABELS[action]}”"
    return None


def available_actions(item: RectificationItem, user: User) -> list[str]:
    return [a for a in FROM_STATES if refusal(a, item, user) is None]
