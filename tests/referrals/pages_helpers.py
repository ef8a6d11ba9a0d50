"""Referrals in each state for the page tests, built through referrals.services and cases.actions."""

from datetime import timedelta

from django.utils import timezone

from cases import actions as A
from cases.enums import PartySide, SignatureMethod
from referrals import services
from referrals.models import Referral
from tests.referrals.factories import make_referral


def accepted(rworld, institution, **overrides) -> Referral:
    referral = make_referral(institution, **overrides)
    services.accept_referral(referral, rworld.hub_director)
    referral.refresh_from_db()
    return referral


def mediating(rworld, institution, **overrides) -> Referral:
    """Accepted by the hub, the other party reached, the hub's mediator presiding."""
    referral = accepted(rworld, institution, **overrides)
    services.record_contact(referral, rworld.hub_director, "CONTACTED", "电话联系，同意调解")
    A.do_assign_mediators(
        referral.case,
        rworld.hub_director,
        presiding=rworld.hub_mediator.mediator,
        rights_notified=True,
        identities_checked=True,
    )
    referral.refresh_from_db()
    return referral


def succeeded(rworld, institution, **overrides) -> Referral:
    """Mediated to a written agreement signed by both parties and the mediator and sealed."""
    referral = mediating(rworld, institution, **overrides)
    case = referral.case
    applicant = case.parties.get(side=PartySide.APPLICANT)
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    A.do_draft_agreement(
        case,
        rworld.hub_mediator,
        facts=case.brief_facts,
        responsibilities="双方各自承担相应责任",
        terms=[
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="被申请人赔偿申请人装修损失",
                amount=6000,
                manner="银行转账",
                place="渝水区矛调中心",
                deadline=timezone.localdate() + timedelta(days=20),
            )
        ],
    )
    for party in (applicant, respondent, None):
        A.do_sign_agreement(case, rworld.hub_mediator, party=party, method=SignatureMethod.HANDWRITTEN)
    A.do_seal_agreement(case, rworld.hub_director)
    referral.refresh_from_db()
    return referral


def failed(rworld, institution, **overrides) -> Referral:
    """The other party unreachable, the failure report filed."""
    referral = accepted(rworld, institution, **overrides)
    services.record_contact(referral, rworld.hub_director, "UNREACHABLE", "三次电话联系均未接通")
    referral.refresh_from_db()
    services.file_failure_report(
        referral,
        rworld.hub_director,
        ground="UNREACHABLE",
        course="受理后三次电话联系被申请人均未接通，上门送达未果。",
        reason="被申请人在期限内无法联系。",
        cost_conduct="无",
        other="无",
        undisputed_facts="双方系上下楼邻居。",
        materials_returned="起诉状1份、证据3页已退回。",
    )
    referral.refresh_from_db()
    return referral
