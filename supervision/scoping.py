"""Which spot checks (卷宗评查), their scored cases and their results a user can see (beside cases.scoping).

A check belongs to the bureaus (county, city) whose jurisdiction contains its whole area; a committee director sees
only the published results of their own committee, and the scored cases behind them. Everyone else sees none, and
what they cannot see does not exist for them (404).
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from supervision.access import CHECK_ROLES, RESULT_ROLES
from supervision.models import SpotCheck, SpotCheckCase, SpotCheckResult, SpotCheckStatus

PUBLISHED = SpotCheckStatus.PUBLISHED


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def spot_checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    if not _active(user) or user.role not in CHECK_ROLES or not user.division_id:
        return SpotCheck.objects.none()
    return SpotCheck.objects.filter(area__code__startswith=user.division_id)


def access_spot_check_by_id(user: User, check_id: object) -> SpotCheck:
    """A spot check the user may see, or Http404."""
    try:
        return spot_checks_visible_to(user).select_related("area", "created_by").get(pk=int(str(check_id)))
    except (SpotCheck.DoesNotExist, ValueError, TypeError):
        raise Http404("评查不存在") from None


def spot_check_results_visible_to(user: User) -> QuerySet[SpotCheckResult]:
    """Bureaus: the results of their checks. A director: the published results of their committee."""
    if _active(user) and user.role in RESULT_ROLES and user.committee_id:
        return SpotCheckResult.objects.filter(
            committee_id=user.committee_id, spot_check__status=SpotCheckStatus.PUBLISHED
        )
    return SpotCheckResult.objects.filter(spot_check__in=spot_checks_visible_to(user))


def spot_check_entries_visible_to(user: User) -> QuerySet[SpotCheckCase]:
    """Bureaus: every drawn case of their checks. A director: their committee's cases in published checks."""
    if _active(user) and user.role in RESULT_ROLES and user.committee_id:
        return SpotCheckCase.objects.filter(
            committee_id=user.committee_id, spot_check__status=SpotCheckStatus.PUBLISHED
        )
    return SpotCheckCase.objects.filter(spot_check__in=spot_checks_visible_to(user))


__all__ = [
    "access_spot_check_by_id",
    "spot_check_entries_visible_to",
    "spot_check_results_visible_to",
    "spot_checks_visible_to",
]
