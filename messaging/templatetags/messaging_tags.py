"""Template tags for the messaging panels included by other apps' pages (case page, portal, workbench)."""

from django import template

from accounts.models import User
from cases.models import Case
from messaging import services as S
from messaging.models import BookingStatus

register = template.Library()


@register.simple_tag
def case_messaging(case: Case, user: User) -> dict | None:
    """What the case panel shows: None unless the user belongs to the case's thread (then nothing is rendered)."""
    if case is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    access = S.access_for(user, case)
    if access is None:
        return None
    last = S.visible_messages(user, access).order_by("-created_at", "-id").first()
    booking = S.next_appointment(case, access)
    waiting = 0
    if access.is_mediator:
        waiting = case.bookings.filter(status=BookingStatus.REQUESTED).count()
    return {
        "access": access,
        "unread": S.unread_count(user, access),
        "last": last,
        "next": booking,
        "waiting": waiting,
        "writable": access.writable,
    }


@register.simple_tag
def workbench_messaging(user: User) -> dict | None:
    """For the workbench home: bookings waiting for this user's answer and cases with unread messages."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.committee_id:
        return None
    bookings = list(S.bookings_to_handle(user)[:50])
    return {
        "requested": [b for b in bookings if b.status == BookingStatus.REQUESTED][:5],
        "requested_count": sum(1 for b in bookings if b.status == BookingStatus.REQUESTED),
        "upcoming": [b for b in bookings if b.status == BookingStatus.CONFIRMED][:5],
        "unread": S.unread_threads(user),
    }


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
