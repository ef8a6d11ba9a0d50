"""Guards of the agreement actions: drafting, signing and sealing a written agreement, redrafting (signatures
voided), oral agreements, and what follows an effective agreement (immediate performance or performance tracking).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases import actions as A
from cases.actions.base import local_date
from cases.enums import AgreementForm, AgreementStatus, Outcome, PerformanceStatus, SignatureMethod
from cases.models import Agreement, AgreementSignature, PerformanceRecord
from cases.permissions import available_actions, current_agreement
from tests.actions.helpers import (
    S,
    draft,
    dt,
    mediating_case,
    new_events,
    parties,
    refused,
    reload,
    sign,
    term,
    written_agreement,
)

# --- the agreement ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("last", ["applicant", "respondent", "mediator", "seal"])
def test_written_agreement_effective_only_after_every_signature_and_the_seal(world, last):
    case = mediating_case(world, dt(2026, 3, 2))
    draft(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    order = [w for w in ["applicant", "respondent", "mediator", "seal"] if w != last] + [last]
    for i, who in enumerate(order[:-1], start=1):
        sign(world, case, who, dt(2026, 3, 10, 11, i))
        agreement = current_agreement(case)
        assert agreement.effective_at is None and agreement.status == AgreementStatus.DRAFT
        assert reload(case).status == S.IN_MEDIATION
    n = case.events.count()
    sign(world, case, last, dt(2026, 3, 10, 12))
    agreement = current_agreement(case)
    case = reload(case)
    assert agreement.effective_at == dt(2026, 3, 10, 12) and agreement.status == AgreementStatus.EFFECTIVE
    assert case.status == S.AGREEMENT_REACHED and case.outcome == Outcome.SUCCESS
    actor = world.director_a if last == "seal" else world.mediator_a
    own = "seal_agreement" if last == "seal" else "sign_agreement"
    assert new_events(case, n) == [
        (own, S.IN_MEDIATION, S.IN_MEDIATION, actor.pk),
        ("agreement_effective", S.IN_MEDIATION, S.AGREEMENT_REACHED, None),
    ]


def test_signing_twice_and_sealing_twice_are_refused(world):
    case = mediating_case(world, dt(2026, 3, 2))
    with refused(case, "没有待签署的书面协议"):
        sign(world, case, "applicant", dt(2026, 3, 10))
    draft(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    sign(world, case, "applicant", dt(2026, 3, 10, 11))
    sign(world, case, "seal", dt(2026, 3, 10, 11, 1))
    with refused(case, "张三已签署当前文本"):
        sign(world, case, "applicant", dt(2026, 3, 10, 11, 2))
    with refused(case, "当前文本已盖章"):
        sign(world, case, "seal", dt(2026, 3, 10, 11, 3))
    with refused(case, "您无权对本案执行“加盖调委会印章”"):
        A.do_seal_agreement(case, world.mediator_a, at=dt(2026, 3, 10, 11, 4))
    with refused(case, "您无权对本案执行“登记签名”"):
        A.do_sign_agreement(
            case, world.director_a, party=None, method=SignatureMethod.HANDWRITTEN, at=dt(2026, 3, 10, 11, 5)
        )


def test_sign_is_not_offered_when_everyone_has_signed(world):
    case = mediating_case(world, dt(2026, 3, 2))
    draft(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    for i, who in enumerate(["applicant", "respondent", "mediator"], start=1):
        sign(world, case, who, dt(2026, 3, 10, 11, i))
    with refused(case, "调解员已签署当前文本"):
        sign(world, case, "mediator", dt(2026, 3, 10, 11, 5))
    offered = dict(available_actions(reload(case), world.mediator_a))
    assert "seal_agreement" in dict(available_actions(reload(case), world.director_a))
    assert "sign_agreement" not in offered


def test_changing_the_draft_voids_earlier_signatures_until_re_signed(world):
    case = mediating_case(world, dt(2026, 3, 2))
    draft(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    sign(world, case, "applicant", dt(2026, 3, 10, 10, 5))
    sign(world, case, "seal", dt(2026, 3, 10, 10, 6))
    n = case.events.count()
    draft(world, case, dt(2026, 3, 10, 10, 20), date(2026, 3, 10), amount=Decimal("1800"))
    event = case.events.order_by("id").last()
    assert new_events(case, n) == [("draft_agreement", S.IN_MEDIATION, S.IN_MEDIATION, world.mediator_a.pk)]
    assert event.data["voided"] == 2 and "2个原签名作废" in event.note
    old = AgreementSignature.objects.filter(agreement__case=case)
    assert [s.voided_at for s in old] == [dt(2026, 3, 10, 10, 20)] * 2
    agreement = current_agreement(case)
    assert Agreement.objects.filter(case=case).count() == 1  # the same draft, revised
    assert agreement.terms.get().amount == Decimal("1800")
    # Everyone else signs the new text and the seal is affixed again: still not effective without the applicant.
    for i, who in enumerate(["respondent", "mediator", "seal"], start=1):
        sign(world, case, who, dt(2026, 3, 10, 11, i))
    agreement.refresh_from_db()
    assert agreement.effective_at is None and reload(case).status == S.IN_MEDIATION
    assert "sign_agreement" in dict(available_actions(case, world.mediator_a))
    sign(world, case, "applicant", dt(2026, 3, 10, 12))
    agreement.refresh_from_db()
    assert agreement.effective_at == dt(2026, 3, 10, 12)
    assert reload(case).status == S.AGREEMENT_REACHED
    assert agreement.valid_signatures().count() == 4
    assert {s.text_hash for s in agreement.valid_signatures()} == {agreement.text_hash()}


def test_redrafting_the_same_text_keeps_the_signatures(world):
    case = mediating_case(world, dt(2026, 3, 2))
    draft(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    sign(world, case, "applicant", dt(2026, 3, 10, 10, 5))
    draft(world, case, dt(2026, 3, 10, 10, 20), date(2026, 3, 10))
    assert case.events.order_by("id").last().data["voided"] == 0
    assert current_agreement(case).valid_signatures().count() == 1


def test_draft_terms_are_validated(world):
    case = mediating_case(world, dt(2026, 3, 2))
    with refused(case, "第1项条款：履行期限不能早于今天"):
        draft(world, case, dt(2026, 3, 10), date(2026, 3, 9))
    applicant, _ = parties(case)
    same = A.TermData(
        obligor=applicant, obligee=applicant, content="支付补偿款", manner="现金", deadline=date(2026, 3, 20)
    )
    with refused(case, "第1项条款：义务人和权利人不能是同一人"):
        A.do_draft_agreement(
            case, world.mediator_a, facts=case.brief_facts, responsibilities="", terms=[same], at=dt(2026, 3, 10)
        )
    no_place = term(case, date(2026, 3, 20))
    no_place.place = ""
    with refused(case, "第1项条款：涉及金钱给付的，须写明履行地点"):
        A.do_draft_agreement(
            case, world.mediator_a, facts=case.brief_facts, responsibilities="", terms=[no_place], at=dt(2026, 3, 10)
        )


def test_written_agreement_with_deferred_terms_goes_on_to_performing(world):
    case = mediating_case(world, dt(2026, 3, 2))
    n = case.events.count()
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 4, 10))
    case = reload(case)
    assert case.status == S.PERFORMING and case.performance_status == PerformanceStatus.PERFORMING
    assert new_events(case, n)[-3:] == [
        ("seal_agreement", S.IN_MEDIATION, S.IN_MEDIATION, world.director_a.pk),
        ("agreement_effective", S.IN_MEDIATION, S.AGREEMENT_REACHED, None),
        ("performance_tracking", S.AGREEMENT_REACHED, S.PERFORMING, None),
    ]


def test_written_agreement_with_immediate_terms_then_immediate_performance(world):
    case = mediating_case(world, dt(2026, 3, 2))
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    case = reload(case)
    assert case.status == S.AGREEMENT_REACHED and case.performance_status == ""
    n = case.events.count()
    with refused(case, "履行日期不能晚于今天"):
        A.do_record_immediate_performance(
            case, world.mediator_a, on=date(2026, 3, 11), note="当场支付", at=dt(2026, 3, 10, 12)
        )
    A.do_record_immediate_performance(
        case, world.mediator_a, on=date(2026, 3, 10), note="当场支付，收条附卷", at=dt(2026, 3, 10, 12)
    )
    case = reload(case)
    assert case.status == S.PERFORMED and case.performance_status == PerformanceStatus.IMMEDIATE
    assert PerformanceRecord.objects.get(case=case).kind == "IMMEDIATE"
    assert new_events(case, n) == [("immediate_performance", S.AGREEMENT_REACHED, S.PERFORMED, world.mediator_a.pk)]


@pytest.mark.parametrize(("deadline_days", "final"), [(0, S.AGREEMENT_REACHED), (20, S.PERFORMING)])
def test_oral_agreement_is_effective_the_same_day(world, deadline_days, final):
    case = mediating_case(world, dt(2026, 3, 2))
    n = case.events.count()
    at = dt(2026, 3, 10, 15)
    with refused(case, "请写明采用口头协议的原因（如当事人认为无需书面协议）"):
        A.do_record_oral_agreement(
            case, world.mediator_a, facts=case.brief_facts, oral_reason="", terms=[term(case, date(2026, 3, 10))], at=at
        )
    agreement = A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        oral_reason="双方当场履行，无需书面协议",
        terms=[term(case, date(2026, 3, 10) + timedelta(days=deadline_days))],
        at=at,
    )
    case = reload(case)
    assert agreement.form == AgreementForm.ORAL and agreement.status == AgreementStatus.EFFECTIVE
    assert agreement.effective_at == at and local_date(agreement.effective_at) == date(2026, 3, 10)
    assert case.status == final and case.outcome == Outcome.SUCCESS
    want = [("oral_agreement", S.IN_MEDIATION, S.AGREEMENT_REACHED, world.mediator_a.pk)]
    if final == S.PERFORMING:
        want.append(("performance_tracking", S.AGREEMENT_REACHED, S.PERFORMING, None))
    assert new_events(case, n) == want


def test_oral_agreement_revokes_a_pending_written_draft(world):
    case = mediating_case(world, dt(2026, 3, 2))
    written = draft(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        oral_reason="双方同意口头协议",
        terms=[term(case, date(2026, 3, 10))],
        at=dt(2026, 3, 10, 15),
    )
    written.refresh_from_db()
    assert written.status == AgreementStatus.REVOKED
    assert current_agreement(case).form == AgreementForm.ORAL
