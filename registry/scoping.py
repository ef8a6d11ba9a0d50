"""Which committees and mediators a user can see (beside cases.scoping, which decides the cases).

Supervisors (司法所, county and city bureaus) see every committee in their division; a committee's mediators and
director see their own committee; courts, parties and everyone else see none. Outside that, a committee does not
exist for the user (404).
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import COMMITTEE_ROLES, SUPERVISOR_ROLES, User
from registry.models import Committee, Mediator


def committees_visible_to(user: User) -> QuerySet[Committee]:
    qs = Committee.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in SUPERVISOR_ROLES:
        return qs.filter(division__code__startswith=user.division_id) if user.division_id else qs.none()
    if user.role in COMMITTEE_ROLES:
        return qs.filter(pk=user.committee_id) if user.committee_id else qs.none()
    return qs.none()


def mediators_visible_to(user: User) -> QuerySet[Mediator]:
    """The mediators of the committees the user can see."""
    return Mediator.objects.filter(committee__in=committees_visible_to(user))


def access_committee_by_id(user: User, committee_id: object) -> Committee:
    """A committee the user may see, or Http404."""
    try:
        return committees_visible_to(user).select_related("division").get(pk=int(str(committee_id)))
    except (Committee.DoesNotExist, ValueError, TypeError):
        raise Http404("调委会不存在") from None


__all__ = ["access_committee_by_id", "committees_visible_to", "mediators_visible_to"]
