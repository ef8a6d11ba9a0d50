"""What a user may see in the ledgers (issue 16 §5). Both ledgers use these helpers on every query.

- A DEPARTMENT role sees the items of its own department; OFFICE, LEADER and REVIEWER roles see every item of their
  bureau. Roles come from LedgerRole (active = not ended); a user may hold several.
- Summaries (counts and rates, no item): a bureau's office and leaders see their own bureau's, and a city bureau
  the counties' under it; a county or city administrator (Role.COUNTY_ADMIN / CITY_ADMIN) without any ledger role
  sees the summaries of the bureaus in their jurisdiction, and no item. A user with ledger roles gets what the roles
  give, whatever their account's role (a department's staff: no summaries).
- What a user may not see does not exist for them: `get_visible_or_404` raises Http404, never 403.

Items are expected to carry a `bureau` foreign key to registry.Division and one or more department foreign keys
to BureauDepartment (names passed in `department_fields`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from ledgers.models import BUREAU_WIDE, BureauDepartment, LedgerRole, LedgerRoleKind
from registry.models import Division, DivisionLevel

M = TypeVar("M", bound=models.Model)
ADMIN_ROLES = (Role.COUNTY_ADMIN, Role.CITY_ADMIN)


@dataclass(frozen=True)
class LedgerAccess:
    """A user's standing in the ledgers, read once per request."""

    roles: tuple[LedgerRole, ...]

    @property
    def has_roles(self) -> bool:
        return bool(self.roles)

    def bureau_ids(self, *kinds: str) -> set[str]:
        """The bureaus where the user holds one of `kinds` (any kind if none given)."""
        return {r.bureau_id for r in self.roles if not kinds or r.kind in kinds}

    def department_ids(self) -> set[int]:
        return {r.department_id for r in self.roles if r.kind == LedgerRoleKind.DEPARTMENT and r.department_id}

    def kinds_in(self, bureau_id: str) -> set[str]:
        return {r.kind for r in self.roles if r.bureau_id == bureau_id}

    def is_(self, kind: str, bureau_id: str) -> bool:
        return kind in self.kinds_in(bureau_id)

    def in_department(self, department_id: int | None) -> bool:
        return department_id is not None and department_id in self.department_ids()


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def access_of(user: User) -> LedgerAccess:
    """The user's live ledger roles (cached on the user object for the request)."""
    if not _active(user):
        return LedgerAccess(())
    cached = getattr(user, "_ledger_access", None)
    if cached is None:
        roles = tuple(
            LedgerRole.objects.filter(user=user, ended_at__isnull=True).select_related("bureau", "department")
        )
        cached = LedgerAccess(roles)
        user._ledger_access = cached  # type: ignore[attr-defined]
    return cached


def forget_access(user: User) -> None:
    """Drop the cached roles (after a role was granted or ended within the same request or test)."""
    if hasattr(user, "_ledger_access"):
        del user._ledger_access


def items_visible_to(
    user: User,
    qs: QuerySet[M],
    *,
    bureau_field: str = "bureau",
    department_fields: Sequence[str] = ("department",),
) -> QuerySet[M]:
    """The items of `qs` the user may open: their bureau-wide roles' bureaus, their departments' items."""
    access = access_of(user)
    if not access.has_roles:
        return qs.none()
    cond = Q(**{f"{bureau_field}__in": access.bureau_ids(*BUREAU_WIDE)})
    departments = access.department_ids()
    for name in department_fields:
        cond |= Q(**{f"{name}__in": departments})
    return qs.filter(cond).distinct() if len(department_fields) > 1 else qs.filter(cond)


def get_visible_or_404(user: User, qs: QuerySet[M], pk: Any, **kw: Any) -> M:
    """One item the user may open, or Http404 (as if it did not exist)."""
    try:
        return items_visible_to(user, qs, **kw).get(pk=int(str(pk)))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("台账事项不存在") from None


def summary_bureaus(user: User) -> QuerySet[Division]:
    """The bureaus (city- and county-level divisions) whose summaries the user may see: their own bureau's as
    office or leader, the counties' under a city bureau, and an administrator's jurisdiction."""
    if not _active(user):
        return Division.objects.none()
    access = access_of(user)
    if access.has_roles:  # a user with ledger roles sees what the roles give, whatever their account's role
        prefixes = set(access.bureau_ids(LedgerRoleKind.OFFICE, LedgerRoleKind.LEADER))
    elif user.role in ADMIN_ROLES and user.division_id:
        prefixes = {user.division_id}
    else:
        prefixes = set()
    if not prefixes:
        return Division.objects.none()
    cond = Q()
    for prefix in prefixes:
        cond |= Q(code__startswith=prefix)
    return Division.objects.filter(cond, level__in=(DivisionLevel.CITY, DivisionLevel.COUNTY)).order_by("code")


def can_see_summaries(user: User) -> bool:
    """summary_bureaus(user) is not empty — decided from the roles already read, without a query (the menu asks it
    on every page): an office or leader role, or a county or city administrator's own bureau."""
    if not _active(user):
        return False
    access = access_of(user)
    if access.has_roles:
        return bool(access.bureau_ids(LedgerRoleKind.OFFICE, LedgerRoleKind.LEADER))
    return user.role in ADMIN_ROLES and bool(user.division_id)


def departments_of(bureau: Division | str, *, active_only: bool = True) -> QuerySet[BureauDepartment]:
    bureau_id = bureau if isinstance(bureau, str) else bureau.pk
    qs = BureauDepartment.objects.filter(bureau_id=bureau_id)
    return qs.filter(active=True) if active_only else qs


def role_users(bureau: Division | str, kind: str, department: BureauDepartment | None = None) -> list[User]:
    """The users holding `kind` in a bureau (and department), for notices."""
    bureau_id = bureau if isinstance(bureau, str) else bureau.pk
    qs = LedgerRole.objects.filter(bureau_id=bureau_id, kind=kind, ended_at__isnull=True, user__is_active=True)
    if department is not None:
        qs = qs.filter(department=department)
    return [r.user for r in qs.select_related("user").order_by("id")]


__all__ = [
    "LedgerAccess",
    "access_of",
    "can_see_summaries",
    "departments_of",
    "forget_access",
    "get_visible_or_404",
    "items_visible_to",
    "role_users",
    "summary_bureaus",
]
