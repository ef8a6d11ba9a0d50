"""What of the outbox a person may see: the delivery log is the county's and city's (and a 司法所's for its
township), limited to the messages concerning their area; for everyone else it does not exist (404)."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import SUPERVISOR_ROLES, User
from notifications.models import OutboxMessage


def outbox_visible_to(user: User) -> QuerySet[OutboxMessage]:
    """Messages whose division (the case's, else the recipient's jurisdiction) lies in the user's area."""
    qs = OutboxMessage.objects.all()
    if not user.is_authenticated or not user.is_active or user.role not in SUPERVISOR_ROLES or not user.division_id:
        return qs.none()
    return qs.filter(division_code__startswith=user.division_id).exclude(division_code="")


def can_see_delivery_log(user: User) -> bool:
    return user.is_authenticated and user.role in SUPERVISOR_ROLES and bool(user.division_id)


def access_outbox_message_by_id(user: User, message_id: int) -> OutboxMessage:
    """Fetch a message of the user's area, or raise Http404."""
    try:
        return outbox_visible_to(user).select_related("case", "user").get(pk=message_id)
    except (OutboxMessage.DoesNotExist, ValueError, TypeError):
        raise Http404("消息不存在") from None
