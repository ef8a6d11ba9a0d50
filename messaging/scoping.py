"""Who may see which thread, message, attachment, slot and booking (beside cases.scoping, which decides the cases).

A thread belongs to the parties with portal accounts (Rel.PARTY) and the case's assigned mediators (Rel.MEDIATOR);
everyone else — directors, supervisors, courts, other committees — gets a 404, as for a case outside their
jurisdiction. A party sees the open thread and their own caucus; their own bookings. On the staff side a booking is
the case's mediators', and for committee slots also the director's. Slots are managed by the mediator who published
them, and committee slots by the director.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from cases.enums import OPEN_STATES
from cases.models import Case, Party
from cases.permissions import relations
from cases.scoping import access_case_by_id, cases_visible_to
from cases.transitions import Rel
from messaging.models import ACTIVE_BOOKING, Attachment, Booking, Message, Slot

THREAD_RELS = {Rel.PARTY, Rel.MEDIATOR}


@dataclass(frozen=True)
class Access:
    case: Case
    rels: frozenset[Rel]
    own_party: Party | None  # the party this user is, when they are one

    @property
    def is_mediator(self) -> bool:
        return Rel.MEDIATOR in self.rels

    @property
    def is_party(self) -> bool:
        return Rel.PARTY in self.rels and self.own_party is not None

    @property
    def writable(self) -> bool:
        return is_writable(self.case)


def is_writable(case: Case) -> bool:
    """Closed, archived, refused or transferred cases keep their thread, read-only."""
    return case.status in OPEN_STATES


def access_for(user: User, case: Case) -> Access | None:
    rels = frozenset(relations(user, case) & THREAD_RELS)
    if not rels:
        return None
    own = case.parties.filter(user=user).order_by("order", "pk").first() if Rel.PARTY in rels else None
    return Access(case, rels, own)


def thread_access(user: User, case_id: int) -> Access:
    """The thread of a case this user belongs to, or Http404 (also for cases inside their jurisdiction)."""
    case = access_case_by_id(user, case_id)
    access = access_for(user, case)
    if access is None:
        raise Http404("案件不存在")
    return access


def visible_messages(user: User, access: Access) -> QuerySet[Message]:
    """Mediators see every message; a party sees the open thread and their own caucus with the mediators."""
    qs = Message.objects.filter(case=access.case)
    if not access.is_mediator:
        qs = qs.filter(Q(caucus_party__isnull=True) | Q(caucus_party__user=user))
    return qs


def bookings_visible_in(access: Access) -> QuerySet[Booking]:
    """The bookings of a thread's case the user sees: all of them for its mediators, a party's own otherwise."""
    qs = Booking.objects.filter(case=access.case)
    return qs if access.is_mediator else qs.filter(party=access.own_party)


def attachment_for(user: User, pk: int) -> Attachment:
    """An attachment the user may open: they belong to the thread and can see the message — else 404."""
    try:
        att = Attachment.objects.select_related("message").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("文件不存在") from None
    access = thread_access(user, att.message.case_id)
    if not visible_messages(user, access).filter(pk=att.message_id).exists():
        raise Http404("文件不存在")
    return att


def my_slots(user: User) -> QuerySet[Slot]:
    """Slots the user manages: their own, and for a director also the committee's."""
    mediator = getattr(user, "mediator", None)
    q = Q(mediator=mediator) if mediator else Q(pk__in=[])
    if user.role == Role.DIRECTOR and user.committee_id:
        q |= Q(mediator__isnull=True, committee_id=user.committee_id)
    return Slot.objects.filter(q)


@dataclass(frozen=True)
class BookingSide:
    booking: Booking
    side: str  # "party" or "staff"


def booking_side(user: User, booking_id: int) -> BookingSide:
    """How the user stands towards a booking, or Http404 (outside scope or no part in it)."""
    try:
        booking = (
            Booking.objects.filter(case__in=cases_visible_to(user))
            .select_related("case", "slot", "slot__mediator", "party")
            .get(pk=booking_id)
        )
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404("预约不存在") from None
    rels = relations(user, booking.case)
    if Rel.PARTY in rels and booking.party.user_id == user.pk:
        return BookingSide(booking, "party")
    if Rel.MEDIATOR in rels or (Rel.DIRECTOR in rels and booking.slot.mediator_id is None):
        return BookingSide(booking, "staff")
    raise Http404("预约不存在")


def bookings_to_handle(user: User) -> QuerySet[Booking]:
    """Active bookings on which the user is the staff side, from the cases in their scope."""
    if user.role not in (Role.MEDIATOR, Role.DIRECTOR):
        return Booking.objects.none()
    mediator = getattr(user, "mediator", None)
    q = Q(pk__in=[])
    if mediator is not None:
        q |= Q(case__presiding_mediator=mediator) | Q(case__co_mediators=mediator)
    if user.role == Role.DIRECTOR:
        q |= Q(slot__mediator__isnull=True, case__committee_id=user.committee_id)
    return (
        Booking.objects.filter(case__in=cases_visible_to(user), status__in=ACTIVE_BOOKING)
        .filter(q)
        .select_related("case", "slot", "slot__mediator", "party")
        .distinct()
        .order_by("slot__date", "slot__start")
    )


__all__ = [
    "THREAD_RELS",
    "Access",
    "BookingSide",
    "access_for",
    "attachment_for",
    "booking_side",
    "bookings_to_handle",
    "bookings_visible_in",
    "is_writable",
    "my_slots",
    "thread_access",
    "visible_messages",
]
