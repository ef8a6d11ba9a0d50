"""Issue 8, the law: parties to an oral agreement may ask for judicial confirmation within 30 days of its effect
(PML 30, 33) once it has been put in writing (书面化), a step the mediator records and the parties sign."""

from datetime import date

import pytest
from django.test import Client

from cases import actions as A
from cases.enums import AgreementForm, SignatureMethod, SignerRole
from cases.permissions import available_actions, current_agreement
from tests.actions.helpers import S, dt, mediating_case, parties, refused, reload, term, written_agreement

WRITING_NEEDED = "口头协议须先书面化（由当事人签署书面协议文本）后，方可申请司法确认"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def oral(world):
    """An oral agreement that took effect on 2026-03-10 (immediate obligation: the case stays AGREEMENT_REACHED)."""
    case = mediating_case(world, dt(2026, 3, 2))
    A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        oral_reason="双方认为无需书面协议",
        terms=[term(case, date(2026, 3, 10))],
        at=dt(2026, 3, 10, 15),
    )
    return reload(case)


def both_sign(case):
    applicant, respondent = parties(case)
    return [(applicant, SignatureMethod.FINGERPRINT), (respondent, SignatureMethod.HANDWRITTEN)]


def jc_apply(world, case, applied_on, at):
    applicant, respondent = parties(case)
    return A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=applied_on,
        at=at,
    )


def test_an_oral_agreement_needs_writing_first(world, oral):
    assert "jc_apply" not in dict(available_actions(oral, world.mediator_a))
    assert "put_oral_in_writing" in dict(available_actions(oral, world.mediator_a))
    with refused(oral, WRITING_NEEDED):
        jc_apply(world, oral, date(2026, 3, 11), dt(2026, 3, 11))


def test_putting_it_in_writing_then_applying_within_30_days_of_the_oral_effect(world, oral):
    A.do_put_oral_agreement_in_writing(oral, world.mediator_a, signers=both_sign(oral), at=dt(2026, 3, 20))
    case = reload(oral)
    agreement = current_agreement(case)
    assert agreement.form == AgreementForm.ORAL and agreement.put_in_writing_at == dt(2026, 3, 20)
    assert "口头协议书面化" in agreement.written_text and "张三" in agreement.written_text
    assert agreement.valid_signatures().filter(signer_role=SignerRole.PARTY).count() == 2
    assert agreement.valid_signatures().filter(signer_role=SignerRole.MEDIATOR).count() == 1
    assert case.events.last().action == "put_oral_in_writing"
    assert "最后一日为2026年4月9日" in case.events.last().note
    assert A.jc_deadline(case) == date(2026, 4, 9)  # from the oral effect (03-10), not from the writing (03-20)
    assert "jc_apply" in dict(available_actions(case, world.mediator_a))
    with refused(case, "已超过申请期限：应自协议生效之日起30日内申请司法确认，最后一日为2026年4月9日"):
        jc_apply(world, case, date(2026, 4, 10), dt(2026, 4, 10))
    jc = jc_apply(world, case, date(2026, 4, 9), dt(2026, 4, 9))
    assert jc.agreement == agreement


def test_guards_of_the_writing_step(world, oral):
    applicant, _ = parties(oral)
    with refused(oral, "书面化协议须由各方当事人签署（每位当事人一次）"):
        A.do_put_oral_agreement_in_writing(
            oral, world.mediator_a, signers=[(applicant, SignatureMethod.FINGERPRINT)], at=dt(2026, 3, 20)
        )
    with refused(oral, "请选择签署方式（签名、盖章或按指印）"):
        A.do_put_oral_agreement_in_writing(
            oral,
            world.mediator_a,
            signers=[(p, SignatureMethod.E_SIGNATURE) for p, _m in both_sign(oral)],
            at=dt(2026, 3, 20),
        )
    with refused(oral, "您无权对本案执行“口头协议书面化”"):
        A.do_put_oral_agreement_in_writing(oral, world.director_a, signers=both_sign(oral), at=dt(2026, 3, 20))
    A.do_put_oral_agreement_in_writing(oral, world.mediator_a, signers=both_sign(oral), at=dt(2026, 3, 20))
    with refused(oral, "该口头协议已书面化"):
        A.do_put_oral_agreement_in_writing(oral, world.mediator_a, signers=both_sign(oral), at=dt(2026, 3, 21))


def test_a_written_agreement_has_nothing_to_put_in_writing(world):
    case = mediating_case(world, dt(2026, 3, 2))
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    case = reload(case)
    assert "put_oral_in_writing" not in dict(available_actions(case, world.mediator_a))
    with refused(case, "本案现行协议不是已生效的口头协议"):
        A.do_put_oral_agreement_in_writing(case, world.mediator_a, signers=both_sign(case), at=dt(2026, 3, 11))


def test_the_pages(world, oral):
    client = login(world.mediator_a)
    detail = client.get(f"/cases/{oral.pk}/").content.decode()
    assert f"/cases/{oral.pk}/do/put_oral_in_writing/" in detail
    assert WRITING_NEEDED in detail  # the JC button says why it is not available
    form = client.get(f"/cases/{oral.pk}/do/put_oral_in_writing/").content.decode()
    assert "书面化文本（由各方当事人签署）" in form and "口头协议达成并生效日期：2026年3月10日" in form
    applicant, respondent = parties(oral)
    data = {f"method_{applicant.pk}": "FINGERPRINT", f"method_{respondent.pk}": "HANDWRITTEN"}
    assert client.post(f"/cases/{oral.pk}/do/put_oral_in_writing/", data).status_code == 200  # not confirmed
    assert current_agreement(reload(oral)).put_in_writing_at is None
    response = client.post(f"/cases/{oral.pk}/do/put_oral_in_writing/", {**data, "confirm": "on"})
    assert response.status_code == 302
    detail = client.get(f"/cases/{oral.pk}/").content.decode()
    assert "已书面化并经各方签署" in detail and f"/cases/{oral.pk}/do/jc_apply/" in detail
    assert WRITING_NEEDED not in detail
    assert reload(oral).status == S.AGREEMENT_REACHED
