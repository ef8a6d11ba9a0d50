"""The one door for reading screening records (DESIGN rule 2): reports, findings, risks, hops, meetings, campaigns,
policies and report forms a user may see. A record outside the user's jurisdiction does not exist for them (404).

- committee members (MEDIATOR, DIRECTOR) see their own committee's reports, findings and risks, the risks of
  the cases they can see (joint mediation), and — for the director of a township's own committee — the risks
  pushed to the township's rung of the ladder (its directors are that rung's recipients);
- supervisors (SFS_OFFICER, COUNTY_ADMIN, CITY_ADMIN) and GOVERNANCE_OFFICER see everything whose area is inside
  their division (division code prefix), as for cases;
- a police (or other institution) liaison sees the risks that were pushed to their institution (a POLICE hop);
- nobody else sees anything.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from registry.models import CommitteeType
from screening.enums import EscalationStep
from screening.models import (
    EscalationHop,
    Finding,
    RiskAssessment,
    RiskEvent,
    RiskMeeting,
    ScreeningCampaign,
    ScreeningForm,
    ScreeningPolicy,
    ScreeningReport,
    SpecialPeriod,
)

AREA_ROLES = (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.GOVERNANCE_OFFICER)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _member(user: User) -> bool:
    return user.role in (Role.MEDIATOR, Role.DIRECTOR) and bool(user.committee_id)


def _area(user: User) -> str | None:
    """The division code prefix of an area role, or None."""
    if user.role in AREA_ROLES and user.division_id:
        return str(user.division_id)
    return None


def reports_visible_to(user: User) -> QuerySet[ScreeningReport]:
    qs = ScreeningReport.objects.all()
    if not _active(user):
        return qs.none()
    if _member(user):
        return qs.filter(committee_id=user.committee_id)
    area = _area(user)
    return qs.filter(division_code__startswith=area) if area else qs.none()


def findings_visible_to(user: User) -> QuerySet[Finding]:
    qs = Finding.objects.all()
    if not _active(user):
        return qs.none()
    if _member(user):
        return qs.filter(committee_id=user.committee_id)
    area = _area(user)
    return qs.filter(division_code__startswith=area) if area else qs.none()


def risks_visible_to(user: User) -> QuerySet[RiskAssessment]:
    qs = RiskAssessment.objects.all()
    if not _active(user):
        return qs.none()
    if _member(user):
        from cases.scoping import cases_visible_to

        mine = Q(committee_id=user.committee_id) | Q(case__in=cases_visible_to(user))
        committee = user.committee
        if user.role == Role.DIRECTOR and committee.committee_type in (
            CommitteeType.TOWNSHIP,
            CommitteeType.SUBDISTRICT,
        ):
            # The township's own committee is a rung of the ladder: it sees the risks pushed to its township.
            pushed = EscalationHop.objects.filter(
                risk_id=OuterRef("pk"), step=EscalationStep.TOWNSHIP, division_code=committee.division_id
            )
            mine |= Q(Exists(pushed))
        return qs.filter(mine)
    area = _area(user)
    if area:
        return qs.filter(division_code__startswith=area)
    if user.role == Role.INSTITUTION_LIAISON and user.institution_id:
        pushed = EscalationHop.objects.filter(risk_id=OuterRef("pk"), institution_id=user.institution_id)
        return qs.filter(Exists(pushed))
    return qs.none()


def hops_visible_to(user: User) -> QuerySet[EscalationHop]:
    qs = EscalationHop.objects.filter(risk__in=risks_visible_to(user))
    if user.role == Role.INSTITUTION_LIAISON:
        qs = qs.filter(institution_id=user.institution_id)
    return qs


def risk_events_visible_to(user: User) -> QuerySet[RiskEvent]:
    return RiskEvent.objects.filter(risk__in=risks_visible_to(user))


def meetings_visible_to(user: User) -> QuerySet[RiskMeeting]:
    area = _area(user) if _active(user) else None
    return RiskMeeting.objects.filter(division__code__startswith=area) if area else RiskMeeting.objects.none()


def _covering_or_inside(field: str, code: str) -> Q:
    """Rows set by a division that covers `code` (a policy of the city applies to its counties) or lies inside it."""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if len(code) >= n]
    related = field.removesuffix("_id")  # a foreign key takes no startswith: compare its target's code
    return Q(**{f"{field}__in": prefixes}) | Q(**{f"{related}__code__startswith": code})


def policies_visible_to(user: User) -> QuerySet[ScreeningPolicy]:
    if not _active(user):
        return ScreeningPolicy.objects.none()
    if _member(user):
        return ScreeningPolicy.objects.filter(_covering_or_inside("division_id", user.committee.division_id))
    area = _area(user)
    return (
        ScreeningPolicy.objects.filter(_covering_or_inside("division_id", area))
        if area
        else ScreeningPolicy.objects.none()
    )


def special_periods_visible_to(user: User) -> QuerySet[SpecialPeriod]:
    if not _active(user):
        return SpecialPeriod.objects.none()
    if _member(user):
        return SpecialPeriod.objects.filter(_covering_or_inside("division_id", user.committee.division_id))
    area = _area(user)
    return (
        SpecialPeriod.objects.filter(_covering_or_inside("division_id", area)) if area else SpecialPeriod.objects.none()
    )


def campaigns_visible_to(user: User) -> QuerySet[ScreeningCampaign]:
    if not _active(user):
        return ScreeningCampaign.objects.none()
    if _member(user):
        return ScreeningCampaign.objects.filter(_covering_or_inside("division_id", user.committee.division_id))
    area = _area(user)
    return (
        ScreeningCampaign.objects.filter(_covering_or_inside("division_id", area))
        if area
        else ScreeningCampaign.objects.none()
    )


def forms_visible_to(user: User) -> QuerySet[ScreeningForm]:
    if not _active(user) or user.role not in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        return ScreeningForm.objects.none()
    return (
        ScreeningForm.objects.filter(division__code__startswith=user.division_id)
        if user.division_id
        else ScreeningForm.objects.none()
    )


def _get(qs: QuerySet, pk: object, what: str):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"{what}不存在") from None


def access_report_by_id(user: User, pk: object) -> ScreeningReport:
    return _get(reports_visible_to(user).select_related("committee", "campaign"), pk, "排查报告")


def access_finding_by_id(user: User, pk: object) -> Finding:
    return _get(findings_visible_to(user).select_related("committee", "report", "case"), pk, "排查发现")


def access_risk_by_id(user: User, pk: object) -> RiskAssessment:
    return _get(risks_visible_to(user).select_related("committee", "case", "finding", "owner"), pk, "风险事项")


def access_hop_by_id(user: User, pk: object) -> EscalationHop:
    return _get(hops_visible_to(user).select_related("risk", "institution"), pk, "预警上报")


def access_meeting_by_id(user: User, pk: object) -> RiskMeeting:
    return _get(meetings_visible_to(user), pk, "研判会议")


def access_campaign_by_id(user: User, pk: object) -> ScreeningCampaign:
    return _get(campaigns_visible_to(user), pk, "专项排查")


def access_policy_by_id(user: User, pk: object) -> ScreeningPolicy:
    return _get(policies_visible_to(user), pk, "排查制度")


def access_form_by_id(user: User, pk: object) -> ScreeningForm:
    return _get(forms_visible_to(user).select_related("division"), pk, "排查情况表")
