"""The batch door for historical cases (cases.actions.historical): path checked against the transition table,
jurisdiction of the importer, gap-free numbering in acceptance order, one event per step at its historical time,
signatures whose hashes the agreement model itself accepts, nothing written on refusal, no notifications."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from cases import actions as A
from cases.actions.historical import (
    HistoricalAgreement,
    HistoricalCase,
    HistoricalRefused,
    HistoricalTerm,
    HistoricalTermination,
    do_import_historical_cases,
    plan_historical_case,
)
from cases.enums import AgreementForm, AgreementStatus, CaseStatus, Outcome, Route, SignerRole, TerminationReason
from cases.models import Agreement, AgreementSignature, Case, CaseEvent, CaseSequence, Notification, Party
from tests.actions.helpers import snapshot
from tests.world import TZ, World, case_data

S = CaseStatus


def at(m: int, d: int, h: int = 10, y: int = 2025) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=TZ)


def written(world: World, n: int, accepted: datetime, **kw) -> HistoricalCase:
    """Village A, written agreement signed on the day of the outcome, performed on the spot, closed."""
    data = case_data(None, brief_facts=f"双方因宅前排水沟堵塞问题发生争执，申请人房屋受雨水浸泡（第{n}件）。")
    outcome = accepted + timedelta(days=5)
    values = {
        "committee": world.village_a,
        "data": data,
        "registered_at": accepted - timedelta(hours=2),
        "accepted_at": accepted,
        "presiding": world.mediator_a.mediator,
        "agreement": HistoricalAgreement(
            form=AgreementForm.WRITTEN,
            facts="双方因排水沟堵塞发生争执，经调解达成协议。",
            responsibilities="被申请人负主要责任",
            terms=[
                HistoricalTerm(
                    obligor=1,
                    obligee=0,
                    content="李四向张三赔偿损失",
                    manner="现金",
                    deadline=outcome.date(),
                    amount=Decimal("2400"),
                    place="桂花村委会",
                )
            ],
        ),
        "outcome_at": outcome,
        "performed_at": outcome + timedelta(hours=1),
        "performance_note": "当场付清，有收条",
        "closed_at": outcome + timedelta(days=1),
        "closing_summary": "协议已履行完毕，结案",
        "note": f"第{n}行",
    }
    values.update(kw)
    return HistoricalCase(**values)


def refused_item(items: list[HistoricalCase], actor, message: str, index: int = 0) -> None:
    before = snapshot()
    seq_before = list(CaseSequence.objects.values_list("committee_id", "year", "last"))
    with pytest.raises(HistoricalRefused) as info:
        do_import_historical_cases(items, actor, source_note="批次T")
    assert info.value.message == message
    assert info.value.index == index
    assert snapshot() == before
    assert list(CaseSequence.objects.values_list("committee_id", "year", "last")) == seq_before


# --- the path, checked against the single transition table ------------------------------------------------------


def test_closed_without_acceptance_is_refused(world):
    item = written(world, 1, at(3, 2), accepted_at=None, presiding=None, agreement=None, performed_at=None)
    refused_item([item], world.county_admin, "历史记录不符合办案流程：案件处于“待审查”时不能“结案”")


def test_agreement_without_assigned_mediators_is_refused(world):
    item = written(world, 1, at(3, 2), presiding=None)
    refused_item([item], world.county_admin, "历史记录不符合办案流程：案件处于“已受理”时不能“起草书面协议”")


def test_closing_a_case_still_in_performance_is_refused(world):
    """A deadline after the agreement puts the case in PERFORMING (the SYSTEM row): the table has no close from
    there, nor an immediate performance."""
    item = written(world, 1, at(3, 2), performed_at=None)
    item.agreement.terms[0].deadline = date(2025, 5, 1)
    refused_item([item], world.county_admin, "历史记录不符合办案流程：案件处于“履行中”时不能“结案”")
    item.closed_at = None
    (made,) = do_import_historical_cases([item], world.county_admin, source_note="批次T")
    assert Case.objects.get(pk=made.case_id).status == S.PERFORMING


def test_agreement_by_a_mediator_of_another_committee_is_refused(world):
    item = written(world, 1, at(3, 2), presiding=world.mediator_b.mediator)
    refused_item([item], world.county_admin, "主持调解员必须是桂花村人民调解委员会的调解员")


def test_agreement_and_termination_together_are_refused(world):
    termination = HistoricalTermination(TerminationReason.NO_PROSPECT, "双方分歧太大", [Route.LITIGATION])
    refused_item(
        [written(world, 1, at(3, 2), termination=termination)],
        world.county_admin,
        "同一案件不能既达成协议又终止调解",
    )


def test_dates_out_of_order_and_future_dates_are_refused(world):
    item = written(world, 1, at(3, 2))
    item.closed_at = item.outcome_at - timedelta(days=1)
    refused_item([item], world.county_admin, "历史日期先后顺序不对：“结案”早于“即时履行”")
    future = written(world, 2, at(3, 2))
    future.closed_at = datetime.now(TZ) + timedelta(days=3)
    refused_item([future], world.county_admin, "历史记录的日期不能晚于现在")


def test_the_registration_guards_apply_at_the_registration_date(world):
    bad = written(world, 1, at(3, 2))
    good = bad.data.parties[0].id_number
    bad.data.parties[0].id_number = good[:17] + ("0" if good[17] != "0" else "1")
    refused_item([bad], world.county_admin, "第1位当事人：身份证号码校验位不正确，请核对")


def test_a_refused_item_names_its_index_and_nothing_of_the_batch_is_written(world):
    good, bad = written(world, 1, at(3, 2)), written(world, 2, at(3, 3), presiding=world.mediator_c.mediator)
    refused_item([good, bad], world.county_admin, "主持调解员必须是桂花村人民调解委员会的调解员", index=1)


def test_termination_and_oral_and_open_paths(world):
    termination = HistoricalTermination(TerminationReason.NO_PROSPECT, "双方分歧太大", [Route.LITIGATION])
    failed = written(world, 1, at(3, 2), agreement=None, termination=termination, performed_at=None)
    oral = written(world, 2, at(3, 3))
    oral.agreement.form, oral.agreement.oral_reason = AgreementForm.ORAL, "当事人认为无需书面协议"
    still_open = written(world, 3, at(3, 4), agreement=None, outcome_at=None, performed_at=None, closed_at=None)
    made = do_import_historical_cases([failed, oral, still_open], world.county_admin, source_note="批次T")
    cases = [Case.objects.get(pk=m.case_id) for m in made]
    assert [c.status for c in cases] == [S.CLOSED, S.CLOSED, S.IN_MEDIATION]
    assert [c.outcome for c in cases] == [Outcome.FAILURE, Outcome.SUCCESS, ""]
    assert cases[0].termination_reason == TerminationReason.NO_PROSPECT
    assert cases[0].routes_informed == "向人民法院起诉"
    assert [e.action for e in cases[0].events.all()] == ["register", "accept", "assign", "terminate", "close"]
    assert [e.action for e in cases[1].events.all()] == [
        *("register", "accept", "assign", "oral_agreement", "immediate_performance", "close"),
    ]
    assert cases[1].agreements.get().form == AgreementForm.ORAL
    assert not AgreementSignature.objects.filter(agreement__case=cases[1]).exists()


# --- who may import ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,allowed",
    [
        ("county_admin", True),
        ("city_admin", True),
        ("director_a", True),
        ("other_county_admin", False),
        ("director_b", False),
        ("mediator_a", False),  # a mediator of the committee answers for no ledger
        ("sfs_officer", False),
        ("court_liaison", False),
        ("party_user", False),
    ],
)
def test_the_committee_must_be_within_the_importers_jurisdiction(world, persona, allowed):
    actor = getattr(world, persona)
    item = written(world, 1, at(3, 2))
    if allowed:
        (made,) = do_import_historical_cases([item], actor, source_note="批次T")
        case = Case.objects.get(pk=made.case_id)
        assert case.registered_by == actor and case.accepted_by == actor
    else:
        refused_item([item], actor, "桂花村人民调解委员会不在您的管辖范围内，不能导入其案件")


# --- numbering ---------------------------------------------------------------------------------------------------


def test_numbers_are_gap_free_in_acceptance_order_across_chunks_and_alongside_live_acceptances(world):
    admin = world.county_admin
    # Chunk 1, given out of order: numbered by acceptance date, not by position.
    chunk1 = [written(world, 1, at(3, 9)), written(world, 2, at(3, 2)), written(world, 3, at(3, 5))]
    first = do_import_historical_cases(chunk1, admin, source_note="批次T")
    assert [m.case_no for m in first] == [
        "（2025）桂花人调字第3号",
        "（2025）桂花人调字第1号",
        "（2025）桂花人调字第2号",
    ]
    # A live acceptance in between takes the next number of the same counter.
    live = A.do_register_case(world.mediator_a, world.village_a, case_data(None), at=at(4, 1))
    A.do_accept_case(live, world.director_a, at=at(4, 1, 11))
    live.refresh_from_db()
    assert live.case_no == "（2025）桂花人调字第4号"
    # Chunk 2: another committee-year in the same chunk has its own counter; a case not yet accepted has none.
    other_year = written(world, 5, at(3, 2, y=2024))
    intake = written(
        world, 6, at(4, 2), accepted_at=None, presiding=None, agreement=None, performed_at=None, closed_at=None
    )
    second = do_import_historical_cases(
        [written(world, 4, at(4, 3)), other_year, intake, written(world, 7, at(4, 5))], admin, source_note="批次T"
    )
    assert [m.case_no for m in second] == [
        "（2025）桂花人调字第5号",
        "（2024）桂花人调字第1号",
        None,
        "（2025）桂花人调字第6号",
    ]
    assert Case.objects.get(pk=second[2].case_id).status == S.INTAKE
    seqs = sorted(Case.objects.filter(committee=world.village_a, year=2025).values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert dict(CaseSequence.objects.filter(committee=world.village_a).values_list("year", "last")) == {
        2024: 1,
        2025: 6,
    }


# --- events, signatures, no notifications -----------------------------------------------------------------------


def test_one_event_per_step_at_its_historical_time_by_the_importer(world):
    item = written(world, 1, at(3, 2))
    (made,) = do_import_historical_cases([item], world.county_admin, source_note="批次9", entered_at=at(11, 1))
    case = Case.objects.get(pk=made.case_id)
    events = list(case.events.order_by("at", "id"))
    outcome = item.outcome_at
    assert [(e.action, e.from_status, e.to_status, e.at) for e in events] == [
        ("register", "", S.INTAKE, item.registered_at),
        ("accept", S.INTAKE, S.ACCEPTED, item.accepted_at),
        ("assign", S.ACCEPTED, S.IN_MEDIATION, item.accepted_at),
        ("draft_agreement", S.IN_MEDIATION, S.IN_MEDIATION, outcome),
        ("sign_agreement", S.IN_MEDIATION, S.IN_MEDIATION, outcome),
        ("sign_agreement", S.IN_MEDIATION, S.IN_MEDIATION, outcome),
        ("sign_agreement", S.IN_MEDIATION, S.IN_MEDIATION, outcome),
        ("seal_agreement", S.IN_MEDIATION, S.IN_MEDIATION, outcome),
        ("agreement_effective", S.IN_MEDIATION, S.AGREEMENT_REACHED, outcome),
        ("immediate_performance", S.AGREEMENT_REACHED, S.PERFORMED, item.performed_at),
        ("close", S.PERFORMED, S.CLOSED, item.closed_at),
    ]
    # The importer is the actor; the SYSTEM row of the table (the agreement taking effect) has none, as live.
    assert [e.actor_id for e in events] == [world.county_admin.pk] * 8 + [None] + [world.county_admin.pk] * 2
    assert all(e.note.startswith("历史台账导入（批次9，第1行）：") and e.data["historical"] for e in events)
    assert events[1].data["case_no"] == case.case_no
    assert case.entered_at == at(11, 1) and case.registered_at == item.registered_at
    assert case.closed_at == item.closed_at and case.performance_status == "IMMEDIATE"
    assert case.presiding_mediator == world.mediator_a.mediator
    assert case.time_limit_due is not None and case.time_limit_due > item.accepted_at.date()
    assert set(case.parties.values_list("identity_verified", flat=True)) == {True}
    # The parties' ID numbers are stored as the model stores them: encrypted, hashed, masked.
    applicant = case.parties.get(order=1)
    assert applicant.full_id_number() == item.data.parties[0].id_number
    assert applicant.id_number_masked.startswith("421") and "*" in applicant.id_number_masked
    assert applicant.birth_date == date(1980, 5, 17)
    # History is not news.
    assert not Notification.objects.exists()
    # Append-only as ever.
    with pytest.raises(PermissionError):
        events[0].save()


def test_signatures_are_valid_for_the_agreement_model_itself(world):
    items = [written(world, n, at(3, n + 1)) for n in range(1, 4)]
    items[1].agreement.terms.append(
        HistoricalTerm(obligor=0, obligee=1, content="张三配合疏通排水沟", manner="出工", deadline=date(2025, 3, 8))
    )
    made = do_import_historical_cases(items, world.county_admin, source_note="批次T")
    for m in made:
        case = Case.objects.get(pk=m.case_id)
        agreement = Agreement.objects.get(case=case)
        assert agreement.status == AgreementStatus.EFFECTIVE
        sigs = list(agreement.signatures.all())
        assert sorted(s.signer_role for s in sigs) == [SignerRole.MEDIATOR, SignerRole.PARTY, SignerRole.PARTY, "SEAL"]
        # The model's own canonical text and hash, read back from the database, agree with every signature.
        assert {s.text_hash for s in sigs} == {agreement.text_hash()}
        assert {s.signed_text for s in sigs} == {agreement.canonical_text()}
        assert agreement.valid_signatures().count() == 4
        assert {s.party_id for s in sigs if s.party_id} == set(case.parties.values_list("pk", flat=True))
        assert [e.data["hash"] for e in case.events.filter(action="sign_agreement")] == [agreement.text_hash()] * 3
    assert Agreement.objects.get(case_id=made[1].case_id).terms.count() == 2


def test_plan_checks_without_writing(world):
    before = snapshot()
    steps = plan_historical_case(written(world, 1, at(3, 2)), world.county_admin)
    assert [s.action for s in steps][-3:] == ["agreement_effective", "immediate_performance", "close"]
    assert snapshot() == before
    assert Party.objects.count() == 0 and CaseEvent.objects.count() == 0
