"""What goes back to the institution as the case moves: the full success path (agreement → concluded with the
agreement, 备案 for 委派, judicial confirmation requested) and the full failure paths (termination → the failure
report; the other party unreachable or refusing), each with its webhook rows in order; the hook's cost on cases
without referrals; attachments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from api.models import WebhookEvent
from cases import actions as A
from cases.enums import CaseStatus, Outcome, Route, SignatureMethod, TerminationReason
from cases.models import Case, CaseEvent, Notification
from notifications.enums import NoticeKind
from referrals import services
from referrals.enums import ContactResult, CourtTermination, ReferralEventKind, ReferralStatus
from referrals.models import ReferralAttachment
from tests.referrals.factories import (
    accept,
    assign,
    at,
    referral_events,
    rworld,  # noqa: F401
    send,
    webhook_types,
)

pytestmark = pytest.mark.django_db


def mediating(rworld, institution=None, **kw):  # noqa: F811
    """A referral received Monday 3/2, accepted Tuesday 3/3 by the hub, the hub's mediator presiding, the other
    party contacted."""
    r = send(institution or rworld.court, at(2026, 3, 2, 10), **kw)
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        services.record_contact(r, rworld.hub_mediator, ContactResult.CONTACTED, "电话联系", at=at(2026, 3, 4, 9))
    case.refresh_from_db()
    r.refresh_from_db()
    return r, case


def agree(rworld, case, moment):  # noqa: F811
    applicant, respondent = case.parties.order_by("order")
    with time_machine.travel(moment, tick=False):
        A.do_draft_agreement(
            case,
            rworld.hub_mediator,
            facts="双方因房屋漏水造成楼下住户财产损失发生纠纷。",
            responsibilities="被申请人承担主要责任",
            terms=[
                A.TermData(
                    obligor=respondent,
                    obligee=applicant,
                    content="被申请人赔偿装修损失",
                    amount=Decimal("6000"),
                    manner="银行转账",
                    place="渝水区矛调中心",
                    deadline=moment.date(),
                )
            ],
            at=moment,
        )
        for i, party in enumerate([applicant, respondent], start=1):
            A.do_sign_agreement(
                case,
                rworld.hub_mediator,
                party=party,
                method=SignatureMethod.FINGERPRINT,
                at=moment + timedelta(minutes=i),
            )
        A.do_sign_agreement(
            case, rworld.hub_mediator, party=None, method=SignatureMethod.HANDWRITTEN, at=moment + timedelta(minutes=3)
        )
        A.do_seal_agreement(case, rworld.hub_director, at=moment + timedelta(minutes=4))
    case.refresh_from_db()
    return case


def test_the_full_success_path_goes_back_to_the_court_in_order(rworld):  # noqa: F811
    r, case = mediating(rworld)
    case = agree(rworld, case, at(2026, 3, 10, 10))
    r.refresh_from_db()
    assert case.outcome == Outcome.SUCCESS
    assert r.status == ReferralStatus.SUCCEEDED and r.agreement is not None and r.agreement.case_id == case.pk
    assert r.termination_ground == CourtTermination.AGREEMENT and r.filed_with_court is True  # 委派: 备案
    assert r.concluded_at == at(2026, 3, 10, 10, 4)
    assert not services.clocks.live(r).exists()
    assert webhook_types(r) == [
        "referral.received",
        "referral.accepted",
        "referral.party_contacted",
        "referral.concluded",
    ]
    data = r.webhook_events.last().payload["data"]
    assert data["outcome"] == "SUCCESS" and data["agreement_id"] == r.agreement_id
    assert data["filed_with_court"] is True and data["case_no"] == case.case_no and data["effective_at"]
    assert case.events.filter(action="referral_report", actor_kind="SYSTEM").count() == 1
    # The parties then apply for judicial confirmation to the referring court.
    applicant, respondent = case.parties.order_by("order")
    with time_machine.travel(at(2026, 3, 12, 10), tick=False):
        A.do_apply_judicial_confirmation(
            case,
            rworld.hub_mediator,
            applicant=applicant,
            consenting=respondent,
            court=rworld.court_registry,
            applied_on=date(2026, 3, 12),
            at=at(2026, 3, 12, 10),
        )
    r.refresh_from_db()
    assert r.jc_requested is True
    assert webhook_types(r)[-1] == "referral.jc_requested"
    assert referral_events(r) == [
        ReferralEventKind.RECEIVED,
        ReferralEventKind.ACCEPTED,
        ReferralEventKind.PARTY_CONTACTED,
        ReferralEventKind.CONCLUDED,
        ReferralEventKind.JC_REQUESTED,
    ]


def test_a_weituo_agreement_is_not_filed_as_weipai(rworld):  # noqa: F811
    r, case = mediating(rworld, referral_type="WEITUO", procedure="SIMPLE")
    agree(rworld, case, at(2026, 3, 5, 10))
    r.refresh_from_db()
    assert r.status == ReferralStatus.SUCCEEDED and r.filed_with_court is False


def test_the_full_failure_path_ends_with_the_report(rworld):  # noqa: F811
    r, case = mediating(rworld)
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        A.do_terminate_mediation(
            case,
            rworld.hub_mediator,
            reason=TerminationReason.NO_PROSPECT,
            note="双方对赔偿数额分歧较大",
            routes=[Route.LITIGATION],
            at=at(2026, 3, 20, 10),
        )
    r.refresh_from_db()
    assert r.status == ReferralStatus.ACCEPTED and services.awaits_report(r)
    assert r.termination_ground == CourtTermination.DIFFERENCES  # the suggested ground
    assert rworld.hub_mediator.pk in set(
        Notification.objects.filter(kind=NoticeKind.REFERRAL_CLOCK).values_list("user", flat=True)
    )
    assert not services.clocks.live(r).exists()  # no more reminders of a mediation that ended
    assert "report" in services.allowed_actions(r, rworld.hub_mediator)
    with time_machine.travel(at(2026, 3, 21, 10), tick=False):
        services.file_failure_report(
            r,
            rworld.hub_mediator,
            ground=CourtTermination.DIFFERENCES,
            course="组织双方调解两次，就赔偿数额进行协商",
            reason="双方对赔偿数额分歧较大",
            cost_conduct="无",
            other="无",
            undisputed_facts="漏水系被申请人卫生间防水层破损所致",
            materials_returned="起诉状及证据材料已退回",
            at=at(2026, 3, 21, 10),
        )
    r.refresh_from_db()
    assert r.status == ReferralStatus.FAILED and r.concluded_at == at(2026, 3, 21, 10)
    assert r.report_course and r.undisputed_facts and r.materials_returned
    assert webhook_types(r) == [
        "referral.received",
        "referral.accepted",
        "referral.party_contacted",
        "referral.concluded",
    ]
    data = r.webhook_events.last().payload["data"]
    assert data["outcome"] == "FAILURE" and data["termination_ground"] == "DIFFERENCES"
    assert "分歧" not in str(WebhookEvent.objects.filter(referral=r).values_list("payload", flat=True))  # thin
    assert case.events.filter(action="referral_report").count() == 1
    with pytest.raises(A.ActionRefused):  # once
        services.file_failure_report(r, rworld.hub_mediator, ground="OTHER", course="再报一次", reason="再报一次")


def test_the_failure_report_waits_for_the_end_and_needs_its_parts(rworld):  # noqa: F811
    r, case = mediating(rworld)
    report = dict(
        ground=CourtTermination.DIFFERENCES,
        course="组织双方调解两次",
        reason="分歧较大难以达成协议",
        cost_conduct="无",
        other="无",
        materials_returned="已退回",
        at=at(2026, 3, 20, 10),
    )
    with pytest.raises(A.ActionRefused):
        services.file_failure_report(r, rworld.hub_mediator, **report)  # the case is still in mediation
    A.do_terminate_mediation(
        case,
        rworld.hub_mediator,
        reason=TerminationReason.NO_PROSPECT,
        note="双方对赔偿数额分歧较大",
        routes=[Route.LITIGATION],
        at=at(2026, 3, 20, 10),
    )
    for missing, field in [
        ("cost_conduct", "cost_conduct"),
        ("other", "other"),
        ("materials_returned", "materials_returned"),
        ("course", "course"),
    ]:
        with pytest.raises(A.ActionRefused) as info:
            services.file_failure_report(r, rworld.hub_mediator, **{**report, missing: ""})
        assert info.value.field == field
    with pytest.raises(A.ActionRefused) as info:
        services.file_failure_report(r, rworld.hub_mediator, **{**report, "ground": CourtTermination.AGREEMENT})
    assert info.value.field == "ground"
    for outsider in (rworld.township_director, rworld.county_admin, rworld.court_liaison):
        with pytest.raises(A.ActionRefused):
            services.file_failure_report(r, outsider, **report)
    r.refresh_from_db()
    assert r.status == ReferralStatus.ACCEPTED


def test_an_unreachable_other_party_ends_the_mediation_awaiting_the_report(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        services.record_contact(
            r, rworld.hub_director, ContactResult.UNREACHABLE, "三次电话均无人接听，短信未回复", at=at(2026, 3, 6, 16)
        )
    case.refresh_from_db()
    r.refresh_from_db()
    assert case.status == CaseStatus.TERMINATED and case.termination_reason == TerminationReason.PARTY_UNREACHABLE
    assert r.contact_result == ContactResult.UNREACHABLE and r.termination_ground == CourtTermination.UNREACHABLE
    assert services.awaits_report(r)
    assert webhook_types(r) == ["referral.received", "referral.accepted", "referral.party_unreachable"]


def test_a_refusing_other_party_ends_the_mediation_as_unwilling(rworld):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    with time_machine.travel(at(2026, 3, 4, 16), tick=False):
        services.record_contact(
            r, rworld.hub_mediator, ContactResult.REFUSED, "被申请人明确表示不同意调解", at=at(2026, 3, 4, 16)
        )
    case.refresh_from_db()
    r.refresh_from_db()
    assert case.status == CaseStatus.TERMINATED and case.termination_reason == TerminationReason.PARTY_REFUSED
    assert r.termination_ground == CourtTermination.UNWILLING
    assert webhook_types(r)[-1] == "referral.party_refused"


@pytest.mark.parametrize("who", ["hub_mediator", "hub_director", "township_director", "county_admin", "court_liaison"])
def test_who_may_record_the_contact(rworld, who):  # noqa: F811
    r = send(rworld.court, at(2026, 3, 2, 10))
    case = accept(r, rworld.hub_director, at(2026, 3, 3, 10))
    assign(case, rworld.hub_director, rworld.hub_mediator, at(2026, 3, 3, 11))
    user = getattr(rworld, who)
    if who in ("hub_mediator", "hub_director"):
        services.record_contact(r, user, ContactResult.CONTACTED, at=at(2026, 3, 4, 9))
        with pytest.raises(A.ActionRefused):  # once
            services.record_contact(r, user, ContactResult.CONTACTED, at=at(2026, 3, 4, 9))
        return
    with pytest.raises(A.ActionRefused):
        services.record_contact(r, user, ContactResult.CONTACTED, at=at(2026, 3, 4, 9))


def test_automatic_termination_of_the_case_suggests_the_expired_ground(rworld, settings, tmp_path):  # noqa: F811
    from tests.timers.helpers import write_rules

    write_rules(tmp_path, settings, default={"auto_terminate": {"enabled": True}})
    r, case = mediating(rworld)
    with time_machine.travel(at(2026, 4, 14, 8), tick=False):
        A.do_auto_terminate(case, at=at(2026, 4, 14, 8))
    r.refresh_from_db()
    assert r.termination_ground == CourtTermination.EXPIRED and services.awaits_report(r)


def test_the_hook_is_free_for_other_events_and_one_query_for_cases_without_referrals(
    rworld,  # noqa: F811
    django_assert_num_queries,
):
    r, case = mediating(rworld, institution=rworld.police)
    plain = A.do_register_case(
        rworld.hub_mediator, rworld.hub, services._case_data(r, "NEIGHBOR"), at=at(2026, 3, 5, 10)
    )
    event = plain.events.first()
    with django_assert_num_queries(0):
        services.case_event_recorded(plain, event)  # "register" is not an event the institutions hear of
    fake = CaseEvent(case=plain, action="extend", at=at(2026, 3, 5, 10), data={})
    with django_assert_num_queries(1):
        services.case_event_recorded(plain, fake)
    assert not Case.objects.get(pk=plain.pk).referrals.exists()


def pdf_upload() -> SimpleUploadedFile:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
        b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
    )
    return SimpleUploadedFile("起诉状.pdf", body, content_type="application/pdf")


def test_an_attachment_is_checked_hashed_stored_and_announced(rworld, settings, tmp_path):  # noqa: F811
    settings.PRIVATE_FILES_ROOT = tmp_path
    r = send(rworld.court, at(2026, 3, 2, 10))
    attachment = services.add_attachment(r, pdf_upload(), "起诉状", user=rworld.court_liaison, at=at(2026, 3, 2, 11))
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    assert (tmp_path / attachment.stored_path).exists() and attachment.stored_path.startswith(f"referrals/{r.pk}/")
    assert webhook_types(r) == ["referral.received", "referral.attachment_added"]
    fake = SimpleUploadedFile("证据.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(A.ActionRefused) as info:
        services.add_attachment(r, fake, "证据", user=rworld.court_liaison, at=at(2026, 3, 2, 11))
    assert info.value.field == "file"
    with pytest.raises(A.ActionRefused):
        services.add_attachment(r, pdf_upload(), "证据", user=rworld.police_liaison, at=at(2026, 3, 2, 11))
    assert ReferralAttachment.objects.count() == 1


def test_an_oral_agreement_concludes_a_police_referral_without_court_filing(rworld):  # noqa: F811
    r, case = mediating(rworld, institution=rworld.police)
    applicant, respondent = case.parties.order_by("order")
    with time_machine.travel(at(2026, 3, 5, 10), tick=False):
        A.do_record_oral_agreement(
            case,
            rworld.hub_mediator,
            facts="双方因房屋漏水造成楼下住户财产损失发生纠纷。",
            terms=[
                A.TermData(
                    obligor=respondent,
                    obligee=applicant,
                    content="被申请人当场赔偿损失",
                    amount=Decimal("500"),
                    manner="现金",
                    place="城南派出所",
                    deadline=date(2026, 3, 5),
                )
            ],
            oral_reason="即时履行的简单纠纷",
            at=at(2026, 3, 5, 10),
        )
    r.refresh_from_db()
    assert r.status == ReferralStatus.SUCCEEDED and r.agreement.form == "ORAL" and r.filed_with_court is False
    assert webhook_types(r)[-1] == "referral.concluded"
    assert r.webhook_events.last().payload["data"]["agreement_form"] == "ORAL"


def test_a_non_court_failure_report_needs_the_course_and_the_reason_only(rworld):  # noqa: F811
    r, case = mediating(rworld, institution=rworld.hotline)
    A.do_terminate_mediation(
        case,
        rworld.hub_mediator,
        reason=TerminationReason.NO_PROSPECT,
        note="双方对赔偿数额分歧较大",
        routes=[Route.LITIGATION],
        at=at(2026, 3, 20, 10),
    )
    services.file_failure_report(
        r,
        rworld.hub_mediator,
        ground=CourtTermination.DIFFERENCES,
        course="组织双方调解一次",
        reason="双方分歧较大",
        at=at(2026, 3, 20, 11),
    )
    r.refresh_from_db()
    assert r.status == ReferralStatus.FAILED
