"""The one door for reading: every list or fetch of cases, parties and records starts here.

A case outside the user's jurisdiction does not exist for that user (404, never 403).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from cases.models import Case, JudicialConfirmation, Party, RecusalRequest


def cases_visible_to(user: User) -> QuerySet[Case]:
    qs = Case.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    role = user.role
    if role in (Role.MEDIATOR, Role.DIRECTOR):
        if not user.committee_id:
            return qs.none()
        # A mediator replaced after a recusal request (RGD 25) no longer sees the case (cases.permissions.recused_from).
        recused = RecusalRequest.objects.filter(case_id=OuterRef("pk"), replaced__user=user)
        # Joint mediation (issue 11 §6): a co-mediator from another body sees the cases they mediate jointly.
        joint = Case.co_mediators.through.objects.filter(case_id=OuterRef("pk"), mediator__user=user)
        return qs.filter(Q(committee_id=user.committee_id) | Exists(joint)).exclude(Exists(recused))
    if role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        return qs.filter(division_code__startswith=user.division_id) if user.division_id else qs.none()
    if role == Role.COURT_LIAISON:
        if not user.court_id:
            return qs.none()
        jc = JudicialConfirmation.objects.filter(case_id=OuterRef("pk"), court_id=user.court_id)
        return qs.filter(Q(court_id=user.court_id) | Exists(jc))
    if role == Role.PARTY:
        return qs.filter(Exists(Party.objects.filter(case_id=OuterRef("pk"), user=user)))
    return qs.none()


def parties_visible_to(user: User) -> QuerySet[Party]:
    return Party.objects.filter(case__in=cases_visible_to(user))


def access_case_by_id(user: User, case_id: int) -> Case:
    """Fetch a case the user may see, or raise Http404."""
    try:
        return cases_visible_to(user).select_related("committee", "committee__division").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("案件不存在") from None
