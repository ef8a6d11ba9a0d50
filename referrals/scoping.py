"""The one door for reading referrals and dispatches (as cases.scoping for cases): 404 for what a user may not see.

- committee members: the referrals their committee holds (the receiver) or whose case is the committee's;
- supervisors (司法所, county, city): every referral held in their division (a prefix match on division_code);
- court liaisons: the referrals of their court's institution; department liaisons: their institution's;
- an API client's service account: its institution's (api.permissions uses `referrals_of_institution`).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from referrals.models import Dispatch, Institution, Referral

STAFF_ROLES = (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN)


def institution_of(user: User) -> Institution | None:
    """The institution a liaison or an API client's account belongs to (a court liaison: their court's)."""
    if user.institution_id:
        return user.institution
    if user.role == Role.COURT_LIAISON and user.court_id:
        return Institution.objects.filter(court_id=user.court_id).first()
    return None


def referrals_of_institution(institution: Institution) -> QuerySet[Referral]:
    return Referral.objects.filter(institution=institution)


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    qs = Referral.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    role = user.role
    if role in (Role.MEDIATOR, Role.DIRECTOR):
        if not user.committee_id:
            return qs.none()
        return qs.filter(Q(receiver_id=user.committee_id) | Q(case__committee_id=user.committee_id))
    if role in STAFF_ROLES:
        return qs.filter(division_code__startswith=user.division_id) if user.division_id else qs.none()
    if role in (Role.COURT_LIAISON, Role.INSTITUTION_LIAISON, Role.API_CLIENT):
        institution = institution_of(user)
        return qs.filter(institution=institution) if institution is not None else qs.none()
    return qs.none()


def access_referral_by_id(user: User, referral_id: object) -> Referral:
    try:
        return (
            referrals_visible_to(user)
            .select_related("institution", "receiver", "receiver__division", "case")
            .get(pk=int(referral_id))
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("移送纠纷不存在") from None


def dispatches_visible_to(user: User) -> QuerySet[Dispatch]:
    """A dispatch is seen by its sender's and its receiver's members, the supervisors above the receiver, and the
    liaisons of a receiving department."""
    qs = Dispatch.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    role = user.role
    if role in (Role.MEDIATOR, Role.DIRECTOR):
        if not user.committee_id:
            return qs.none()
        return qs.filter(Q(from_committee_id=user.committee_id) | Q(to_committee_id=user.committee_id))
    if role in STAFF_ROLES:
        return qs.filter(division_code__startswith=user.division_id) if user.division_id else qs.none()
    if role in (Role.COURT_LIAISON, Role.INSTITUTION_LIAISON):
        institution = institution_of(user)
        return qs.filter(to_institution=institution) if institution is not None else qs.none()
    return qs.none()


def access_dispatch_by_id(user: User, dispatch_id: object) -> Dispatch:
    try:
        return dispatches_visible_to(user).get(pk=int(dispatch_id))
    except (Dispatch.DoesNotExist, ValueError, TypeError):
        raise Http404("交办事项不存在") from None
