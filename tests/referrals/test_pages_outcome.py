"""What the institution reads back on its pages (issue 11 §2): the outcome of a referral that succeeded (agreement
effective date, signatures, seal, 备案, the agreement as PDF) or failed (the four-part report, the ground, the
undisputed facts, the materials returned), and the phones after acceptance per the case rules."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccessKind, AccessLog
from cases.enums import PartySide
from referrals.enums import ReferralStatus
from tests.referrals.factories import rworld  # noqa: F401 (fixture)
from tests.referrals.pages_helpers import failed, mediating, succeeded

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(user, referral) -> str:
    response = as_user(user).get(reverse("console:referral", args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_success_and_the_agreement_pdf(rworld):  # noqa: F811
    referral = succeeded(rworld, rworld.court)
    assert referral.status == ReferralStatus.SUCCEEDED
    page = page_of(rworld.court_liaison, referral)
    assert "调解结果" in page and "生效" in page and "已加盖" in page
    assert "刘一" in page and "调解员矛调调解员" in page
    assert "向法院备案" in page  # 委派
    pdf_url = reverse("console:referral_agreement", args=[referral.pk])
    assert pdf_url in page
    # The liaison's list shows the case number once accepted.
    listing = as_user(rworld.court_liaison).get(reverse("console:referrals") + "?status=all").content.decode()
    assert referral.case.case_no in listing

    response = as_user(rworld.court_liaison).get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    log = AccessLog.objects.get(user=rworld.court_liaison, action=AccessKind.EXPORT_DOCUMENT)
    assert referral.reference in log.detail and log.case_id == referral.case_id
    # Outside the referral's scope: 404, nothing logged.
    for user in (rworld.other_court_liaison, rworld.police_liaison, rworld.township_director):
        assert as_user(user).get(pdf_url).status_code == 404
    assert AccessLog.objects.filter(action=AccessKind.EXPORT_DOCUMENT).count() == 1


def test_no_pdf_before_success(rworld):  # noqa: F811
    referral = mediating(rworld, rworld.court)
    assert (
        as_user(rworld.court_liaison).get(reverse("console:referral_agreement", args=[referral.pk])).status_code == 404
    )


def test_failure_report_read_by_the_court(rworld):  # noqa: F811
    referral = failed(rworld, rworld.court)
    assert referral.status == ReferralStatus.FAILED
    page = page_of(rworld.court_liaison, referral)
    for text in (
        "在期限内无法联系到当事人",
        "受理后三次电话联系被申请人均未接通",
        "被申请人在期限内无法联系。",
        "双方系上下楼邻居。",
        "起诉状1份、证据3页已退回。",
        "司法确认",
    ):
        assert text in page, text
    assert "下载调解协议" not in page


def test_phones_after_acceptance_follow_the_case(rworld):  # noqa: F811
    referral = mediating(rworld, rworld.court)
    phone = referral.parties.get(side=PartySide.RESPONDENT).phone
    assert phone in page_of(rworld.hub_mediator, referral)  # assigned
    assert phone in page_of(rworld.hub_director, referral)
    assert phone in page_of(rworld.court_liaison, referral)  # who sent it
    assert phone not in page_of(rworld.county_admin, referral)
    assert phone not in page_of(rworld.city_admin, referral)
