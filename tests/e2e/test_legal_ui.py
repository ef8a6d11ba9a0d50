"""The staff pages changed for issue 8's legal points, in a real browser at a desktop and a phone viewport:
the registration form's RGD 22 question, an acceptance refused for an exclusion leading to the prefilled refusal,
the reason a judicial-confirmation button is unavailable, and a minor's case as a supervisor sees it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import actions as A
from cases.enums import CaseStatus, SignatureMethod, TermSubject
from cases.identity import make_valid_id_number
from tests.world import case_data, make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_legal_pages(e2e_world, session):
    w, s, page = e2e_world, session, session.page
    s.login("mediator_a")
    s.goto("/workbench/register/")
    page.select_option("#id_exclusion", "COURT_ACCEPTED")
    page.fill("#id_exclusion_note", "（2026）鄂1202民初5号")
    page.locator("#id_exclusion").scroll_into_view_if_needed()
    s.shot("legal-register-exclusion")
    s.logout()

    intake = make_case(w, CaseStatus.INTAKE, at=timezone.now() - timedelta(hours=3))
    s.login("director_a")
    s.goto(f"/cases/{intake.pk}/do/accept/")
    page.select_option("#id_exclusion", "COURT_ACCEPTED")
    s.submit()
    assert "人民调解委员会不予受理" in page.inner_text("main")
    s.shot("legal-accept-refused")
    with page.expect_navigation():
        page.get_by_role("link", name="转为“不予受理”，并告知当事人应循的途径").click()
    assert page.locator("#id_exclusion").input_value() == "COURT_ACCEPTED"
    s.shot("legal-refuse-prefilled")

    case = make_case(w, CaseStatus.IN_MEDIATION, at=timezone.now() - timedelta(days=2), party_user=None)
    applicant, respondent = case.parties.order_by("order")
    now = timezone.now()
    term = A.TermData(
        obligor=respondent,
        obligee=applicant,
        content="确认争议房屋归申请人所有",
        manner="办理不动产登记",
        deadline=timezone.localdate() + timedelta(days=20),
        subject=TermSubject.PROPERTY_TITLE,
    )
    A.do_draft_agreement(case, w.mediator_a, facts=case.brief_facts, responsibilities="", terms=[term], at=now)
    for p in (applicant, respondent, None):
        A.do_sign_agreement(case, w.mediator_a, party=p, method=SignatureMethod.FINGERPRINT, at=now)
    A.do_seal_agreement(case, w.director_a, at=now)
    s.logout()
    s.login("mediator_a")
    s.goto(f"/cases/{case.pk}/")
    assert "人民法院不予受理司法确认申请" in page.inner_text("#jc-blocked")
    s.shot("legal-jc-blocked")
    s.logout()

    data = case_data(None)
    data.parties[0].id_number = make_valid_id_number("421202", timezone.localdate().replace(year=2016), 7)
    data.parties[0].guardian_name = "张父"
    minor = A.do_register_case(w.mediator_a, w.village_a, data, at=timezone.now() - timedelta(hours=1))
    s.login("sfs_officer")
    s.goto(f"/cases/{minor.pk}/")
    assert "（已隐去）" in page.inner_text("main") and "13900000001" not in page.inner_text("main")
    s.shot("legal-minor-masked")
    assert s.overflows == []
