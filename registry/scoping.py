"""Which committees and mediators a user can see (beside cases.scoping, which decides the cases).

Supervisors (司法所, county and city bureaus) see every committee in their division; a committee's mediators and
director see their own committee; courts, parties and everyone else see none. Outside that, a committee does not
exist for the user (404).
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import COMMITTEE_ROLES, SUPERVISOR_ROLES, Role, User
from registry.models import Committee, Division, DivisionLevel, Mediator

# Who administers the registry (issue 9 §1), and the level of division each of them must be attached to: a county
# bureau its county, a 司法所 its township, the city bureau the city. An account whose division is of another level
# administers nothing (fail closed) rather than something unintended.
ADMIN_LEVEL = {
    Role.CITY_ADMIN: DivisionLevel.CITY,
    Role.COUNTY_ADMIN: DivisionLevel.COUNTY,
    Role.SFS_OFFICER: DivisionLevel.TOWNSHIP,
}


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


def admin_division(user: User) -> Division | None:
    """The division whose committees `user` administers, or None for everyone who administers none."""
    if not user.is_authenticated or not user.is_active or user.role not in ADMIN_LEVEL or not user.division_id:
        return None
    division = user.division
    return division if division.level == ADMIN_LEVEL[user.role] else None


def is_registry_admin(user: User) -> bool:
    return admin_division(user) is not None


def creatable_divisions(user: User) -> QuerySet[Division]:
    """Where `user` may seat a committee: the city or county bureau anywhere in its area (its own level included:
    a county's 调解中心 or 劳动争议调委会 sits at the county), a 司法所 only at the villages and communities of its
    township (the township's own committee is the county's to administer)."""
    division = admin_division(user)
    if division is None:
        return Division.objects.none()
    qs = Division.objects.filter(code__startswith=division.code)
    if user.role == Role.SFS_OFFICER:
        qs = qs.filter(level=DivisionLevel.VILLAGE)
    return qs


def editable_committees(user: User) -> QuerySet[Committee]:
    """The committees `user` may edit, deactivate, reactivate and file: those seated in `creatable_divisions`."""
    division = admin_division(user)
    if division is None:
        return Committee.objects.none()
    qs = Committee.objects.filter(division__code__startswith=division.code)
    if user.role == Role.SFS_OFFICER:
        qs = qs.filter(division__level=DivisionLevel.VILLAGE)
    return qs


def access_editable_committee_by_id(user: User, committee_id: object) -> Committee:
    """A committee the user may administer, or Http404 (also for one they can see but not edit)."""
    try:
        return editable_committees(user).select_related("division").get(pk=int(str(committee_id)))
    except (Committee.DoesNotExist, ValueError, TypeError):
        raise Http404("调委会不存在") from None


__all__ = [
    "access_committee_by_id",
    "access_editable_committee_by_id",
    "admin_division",
    "committees_visible_to",
    "creatable_divisions",
    "editable_committees",
    "is_registry_admin",
    "mediators_visible_to",
]
