"""The referral pages (issue 11 §1–3): who sees which page (liaison of the institution / of another, the receiving
committee's director and mediator / another committee, supervisors in and out of the area), what each page shows
of the parties, and each action through its page — the services do the work, the pages must call them and refuse
what the user may not do (nothing changes)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccessKind, AccessLog
from cases.enums import PartySide
from referrals.enums import ReferralStatus
from referrals.models import Referral
from tests.referrals.factories import make_referral, party_id, rworld  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Who sees a court referral received by the county's 矛调中心 (division 360502).
SEES_COURT_REFERRAL = {
    "court_liaison": True,
    "other_court_liaison": False,
    "police_liaison": False,
    "hub_director": True,
    "hub_mediator": True,
    "township_director": False,
    "village_mediator": False,
    "other_city_director": False,
    "sfs_officer": False,  # 城南街道司法所: the referral is held at the county
    "county_admin": True,
    "city_admin": True,
    "other_county_admin": False,
    "party_user": False,
}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"console:{name}", args=args)


@pytest.fixture
def court_referral(rworld):  # noqa: F811
    return make_referral(rworld.court)


# --------------------------------------------------------------------------------------------------- the matrix
@pytest.mark.parametrize("who", list(SEES_COURT_REFERRAL))
def test_referral_page_matrix(rworld, court_referral, who):  # noqa: F811
    user = getattr(rworld, who)
    response = as_user(user).get(url("referral", court_referral.pk))
    logged = AccessLog.objects.filter(user=user, action=AccessKind.VIEW_REFERRAL)
    if SEES_COURT_REFERRAL[who]:
        assert response.status_code == 200
        assert court_referral.external_no in response.content.decode()
        assert logged.count() == 1
    else:
        assert response.status_code == 404
        assert not logged.exists()


@pytest.mark.parametrize("who", list(SEES_COURT_REFERRAL))
def test_list_matrix(rworld, court_referral, who):  # noqa: F811
    user = getattr(rworld, who)
    response = as_user(user).get(url("referrals"))
    if who == "party_user":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert (court_referral.reference in response.content.decode()) is SEES_COURT_REFERRAL[who]


def test_supervisor_in_township_sees_a_referral_held_there(rworld):  # noqa: F811
    referral = make_referral(rworld.police, designated_committee_id=rworld.township.pk)
    assert as_user(rworld.sfs_officer).get(url("referral", referral.pk)).status_code == 200
    assert as_user(rworld.sfs_officer2).get(url("referral", referral.pk)).status_code == 404
    # Supervisors read only: no action offered, and an action page refuses.
    page = as_user(rworld.sfs_officer).get(url("referral", referral.pk)).content.decode()
    assert url("referral_accept", referral.pk) not in page
    response = as_user(rworld.sfs_officer).post(url("referral_accept", referral.pk))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_pending_first_with_deadline(rworld):  # noqa: F811
    from referrals import services

    declined = make_referral(rworld.court)

    services.decline_referral(declined, rworld.hub_director, "不属于人民调解的受理范围：已由法院立案")
    pending = make_referral(rworld.court)
    page = as_user(rworld.hub_director).get(url("referrals") + "?status=all").content.decode()
    assert page.index(pending.reference) < page.index(declined.reference)
    assert "接收答复期限" in page


# ----------------------------------------------------------------------------------------- personal data shown
def test_ids_masked_and_phones_by_role(rworld, court_referral):  # noqa: F811
    full_id = party_id(1)
    phone = court_referral.parties.get(side=PartySide.APPLICANT).phone
    for who, full_phone in [
        ("court_liaison", True),
        ("hub_director", True),
        ("hub_mediator", False),
        ("county_admin", False),
    ]:
        page = as_user(getattr(rworld, who)).get(url("referral", court_referral.pk)).content.decode()
        assert full_id not in page, who
        assert court_referral.parties.first().id_number_masked in page, who
        assert (phone in page) is full_phone, who


# ----------------------------------------------------------------------------------------------- accept/decline
def test_only_the_receiving_director_accepts(rworld, court_referral):  # noqa: F811
    for user in (rworld.hub_mediator, rworld.court_liaison, rworld.county_admin):
        response = as_user(user).post(url("referral_accept", court_referral.pk))
        assert response.status_code == 302 and response["Location"] == url("referral", court_referral.pk)
    assert as_user(rworld.township_director).post(url("referral_accept", court_referral.pk)).status_code == 404
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.PENDING and court_referral.case_id is None

    director = as_user(rworld.hub_director)
    assert director.get(url("referral_accept", court_referral.pk)).status_code == 200
    response = director.post(url("referral_accept", court_referral.pk))
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.ACCEPTED and court_referral.case_id
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[court_referral.case_id])
    # The case page shows the 移送信息 block with a link back.
    case_page = director.get(response["Location"]).content.decode()
    assert "移送信息" in case_page and url("referral", court_referral.pk) in case_page


def test_decline_needs_a_reason_and_keeps_input(rworld, court_referral):  # noqa: F811
    director = as_user(rworld.hub_director)
    response = director.post(url("referral_decline", court_referral.pk), {"ground": "INDUSTRY", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请写明拒绝接收的具体理由" in page
    assert re.search(r'value="INDUSTRY"[^>]*checked', page)
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.PENDING

    response = director.post(
        url("referral_decline", court_referral.pk), {"ground": "INDUSTRY", "reason": "医疗纠纷请移送医调委"}
    )
    assert response.status_code == 302
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.DECLINED
    assert "不属于本调解组织的行业、专业领域" in court_referral.decline_reason
    assert "医疗纠纷请移送医调委" in court_referral.decline_reason
    # The liaison reads the reason on the referral's page.
    page = as_user(rworld.court_liaison).get(url("referral", court_referral.pk)).content.decode()
    assert "医疗纠纷请移送医调委" in page


def test_mediator_cannot_decline(rworld, court_referral):  # noqa: F811
    response = as_user(rworld.hub_mediator).post(
        url("referral_decline", court_referral.pk), {"ground": "SCOPE", "reason": "不受理"}
    )
    assert response.status_code == 302
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.PENDING


# ------------------------------------------------------------------------------------------- after acceptance
def accepted(rworld, institution, **overrides):  # noqa: F811
    from referrals import services

    referral = make_referral(institution, **overrides)
    services.accept_referral(referral, rworld.hub_director)
    referral.refresh_from_db()
    return referral


def test_contact_result(rworld):  # noqa: F811
    referral = accepted(rworld, rworld.court)
    director = as_user(rworld.hub_director)
    # Another committee's director: 404; the liaison: not offered.
    assert as_user(rworld.township_director).get(url("referral_contact", referral.pk)).status_code == 404
    assert as_user(rworld.court_liaison).get(url("referral_contact", referral.pk)).status_code == 302
    response = director.post(url("referral_contact", referral.pk), {"result": "UNREACHABLE", "note": ""})
    assert response.status_code == 400 and "请写明联系经过" in response.content.decode()
    contacted = {"result": "CONTACTED", "note": "电话联系，同意调解"}
    response = director.post(url("referral_contact", referral.pk), contacted)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.contact_result == "CONTACTED"
    # Once recorded, the action is no longer offered.
    assert url("referral_contact", referral.pk) not in director.get(url("referral", referral.pk)).content.decode()


def test_reply_to_the_police(rworld):  # noqa: F811
    referral = accepted(rworld, rworld.police)
    director = as_user(rworld.hub_director)
    response = director.post(url("referral_reply", referral.pk), {"text": ""})
    assert response.status_code == 400 and "请填写反馈内容" in response.content.decode()
    response = director.post(url("referral_reply", referral.pk), {"text": "已联系双方，约定明日上午调解"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.replied_at is not None
    page = as_user(rworld.police_liaison).get(url("referral", referral.pk)).content.decode()
    assert "已联系双方，约定明日上午调解" in page


def test_reply_only_by_the_case_staff(rworld):  # noqa: F811
    referral = accepted(rworld, rworld.hotline, matter_type="COMPLAINT")
    assert (
        as_user(rworld.township_director).post(url("referral_reply", referral.pk), {"text": "反馈内容"}).status_code
        == 404
    )
    for user in (rworld.county_admin, rworld.hotline_liaison):
        assert as_user(user).post(url("referral_reply", referral.pk), {"text": "反馈内容"}).status_code == 302
    referral.refresh_from_db()
    assert referral.replied_at is None


def test_failure_report_after_termination(rworld):  # noqa: F811
    from cases import actions as A

    referral = accepted(rworld, rworld.court)
    director = as_user(rworld.hub_director)
    # Not offered while the case is still going.
    assert director.get(url("referral_report", referral.pk)).status_code == 302
    A.do_terminate_mediation(
        referral.case,
        rworld.hub_director,
        reason="PARTY_UNREACHABLE",
        note="多次电话联系被申请人未果",
        routes=["LITIGATION"],
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    page = director.get(url("referral_report", referral.pk))
    assert page.status_code == 200
    form = {
        "ground": "UNREACHABLE",
        "course": "",
        "reason": "被申请人无法联系",
        "cost_conduct": "",
        "other": "",
        "undisputed_facts": "",
        "materials_returned": "起诉状1份",
    }
    response = director.post(url("referral_report", referral.pk), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请写明调解的基本经过" in body and "被申请人无法联系" in body
    assert "请写明是否存在导致其他当事人诉讼成本增加的行为" in body
    form.update(course="受理后三次电话联系被申请人均未接通", cost_conduct="无", other="无")
    response = director.post(url("referral_report", referral.pk), form)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.FAILED
    assert referral.termination_ground == "UNREACHABLE"
    page = as_user(rworld.court_liaison).get(url("referral", referral.pk)).content.decode()
    assert "受理后三次电话联系被申请人均未接通" in page and "起诉状1份" in page


# ---------------------------------------------------------------------------------------------------- withdraw
def test_withdraw_by_the_liaison_while_pending(rworld, court_referral):  # noqa: F811
    assert as_user(rworld.court_liaison).get(url("referral_withdraw", court_referral.pk)).status_code == 405
    assert as_user(rworld.other_court_liaison).post(url("referral_withdraw", court_referral.pk)).status_code == 404
    as_user(rworld.hub_director).post(url("referral_withdraw", court_referral.pk))
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.PENDING
    liaison = as_user(rworld.court_liaison)
    response = liaison.post(url("referral_withdraw", court_referral.pk), {"reason": "当事人已和解"})
    assert response.status_code == 302
    court_referral.refresh_from_db()
    assert court_referral.status == ReferralStatus.WITHDRAWN


def test_no_withdraw_once_accepted(rworld):  # noqa: F811
    referral = accepted(rworld, rworld.court)
    as_user(rworld.court_liaison).post(url("referral_withdraw", referral.pk))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


# ------------------------------------------------------------------------------------------------- downloads
def test_agreement_pdf_only_for_succeeded(rworld, court_referral):  # noqa: F811
    assert as_user(rworld.court_liaison).get(url("referral_agreement", court_referral.pk)).status_code == 404
    assert as_user(rworld.other_court_liaison).get(url("referral_agreement", court_referral.pk)).status_code == 404


def test_only_liaisons_send(rworld):  # noqa: F811
    for user in (rworld.hub_director, rworld.county_admin, rworld.party_user):
        assert as_user(user).get(url("referral_new")).status_code == 404
    assert not Referral.objects.exists()
