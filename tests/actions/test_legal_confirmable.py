"""Issue 8, the law: an agreement whose terms concern what a court may not confirm (法释〔2011〕5号 art. 4: status
relations such as marriage or adoption, ownership of property or IP, special procedures) cannot be sent for
judicial confirmation, and the reason is shown."""

from datetime import date

import pytest
from django.test import Client

from cases import actions as A
from cases.enums import SignatureMethod, TermSubject
from cases.models import AgreementTerm
from cases.permissions import available_actions, current_agreement, jc_unavailable_reason
from tests.actions.helpers import dt, mediating_case, parties, refused, reload, term

RULE = "依照《最高人民法院关于人民调解协议司法确认程序的若干规定》第四条，人民法院不予受理司法确认申请"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def agree(world, case, subjects: list[str]):
    at = dt(2026, 3, 10)
    terms = []
    for s in subjects:
        t = term(case, date(2026, 3, 10))
        t.subject = s
        terms.append(t)
    A.do_draft_agreement(case, world.mediator_a, facts=case.brief_facts, responsibilities="", terms=terms, at=at)
    applicant, respondent = parties(case)
    for p in (applicant, respondent, None):
        A.do_sign_agreement(case, world.mediator_a, party=p, method=SignatureMethod.FINGERPRINT, at=at)
    A.do_seal_agreement(case, world.director_a, at=at)
    return reload(case)


def jc_apply(world, case):
    applicant, respondent = parties(case)
    return A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 3, 11),
        at=dt(2026, 3, 11),
    )


@pytest.mark.parametrize(
    "subject",
    [
        TermSubject.MARRIAGE,
        TermSubject.PARENTAGE,
        TermSubject.ADOPTION,
        TermSubject.PROPERTY_TITLE,
        TermSubject.IP_TITLE,
        TermSubject.SPECIAL_PROCEDURE,
    ],
)
def test_such_an_agreement_cannot_be_sent_for_confirmation(world, subject):
    case = agree(world, mediating_case(world, dt(2026, 3, 2)), [TermSubject.GENERAL, subject])
    reason = f"协议内容涉及{TermSubject(subject).label}，{RULE}"
    assert jc_unavailable_reason(case) == reason
    assert "jc_apply" not in dict(available_actions(case, world.mediator_a))
    with refused(case, reason):
        jc_apply(world, case)


def test_an_ordinary_agreement_can(world):
    case = agree(world, mediating_case(world, dt(2026, 3, 2)), [TermSubject.GENERAL])
    assert jc_unavailable_reason(case) is None
    assert jc_apply(world, case).agreement == current_agreement(case)


def test_every_term_says_what_it_concerns_and_the_signed_text_includes_it(world):
    case = mediating_case(world, dt(2026, 3, 2))
    bad = term(case, date(2026, 3, 20))
    bad.subject = "SOMETHING"
    with refused(case, "第1项条款：请选择条款涉及的事项"):
        A.do_draft_agreement(case, world.mediator_a, facts=case.brief_facts, responsibilities="", terms=[bad])
    A.do_draft_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        responsibilities="",
        terms=[term(case, date(2026, 3, 20))],
        at=dt(2026, 3, 5),
    )
    agreement = current_agreement(reload(case))
    general_hash = agreement.text_hash()
    assert '"subject"' not in agreement.canonical_text()  # texts signed before the field existed keep their hash
    AgreementTerm.objects.filter(agreement=agreement).update(subject=TermSubject.PROPERTY_TITLE)
    assert agreement.text_hash() != general_hash  # what the parties sign says what the term concerns


def test_the_drafting_form_asks_and_the_case_page_shows_why(world):
    case = mediating_case(world, dt(2026, 3, 2))
    client = login(world.mediator_a)
    form = client.get(f"/cases/{case.pk}/do/draft_agreement/").content.decode()
    assert "本条款涉及的事项" in form and "物权确权（如房屋、土地权属）" in form
    applicant, respondent = parties(case)
    response = client.post(
        f"/cases/{case.pk}/do/draft_agreement/",
        {
            "facts": case.brief_facts,
            "responsibilities": "",
            "terms-TOTAL_FORMS": "1",
            "terms-INITIAL_FORMS": "0",
            "terms-MIN_NUM_FORMS": "1",
            "terms-MAX_NUM_FORMS": "20",
            "terms-0-obligor": str(respondent.pk),
            "terms-0-obligee": str(applicant.pk),
            "terms-0-content": "确认争议房屋归申请人所有",
            "terms-0-subject": "PROPERTY_TITLE",
            "terms-0-amount": "",
            "terms-0-manner": "办理过户",
            "terms-0-place": "",
            "terms-0-deadline": "2099-12-31",
            "terms-0-instalments": "",
        },
    )
    assert response.status_code == 302
    agreement = current_agreement(reload(case))
    assert agreement.terms.get().subject == TermSubject.PROPERTY_TITLE
    at = dt(2026, 3, 10)
    for p in (applicant, respondent, None):
        A.do_sign_agreement(case, world.mediator_a, party=p, method=SignatureMethod.FINGERPRINT, at=at)
    A.do_seal_agreement(case, world.director_a, at=at)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="jc-blocked"' in page and f"协议内容涉及物权确权（如房屋、土地权属），{RULE}" in page
    assert f"/cases/{case.pk}/do/jc_apply/" not in page
    assert "涉及物权确权" in page  # the term itself is marked
