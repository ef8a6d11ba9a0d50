"""Guards of the actions during mediation: assignment and recusal, extension of the time limit, a party's refusal
(voluntariness) and termination.

Each refusal says why in Chinese and changes nothing; each success records one event. Extension deadlines use
the shipped 2025–2026 holiday schedule (data/holidays/cn-2025-2026.json).
"""

from datetime import date, datetime, timedelta

import pytest

from cases import actions as A
from cases.enums import Outcome, Route, TerminationReason
from cases.models import Case, Extension, RecusalRequest
from cases.permissions import available_actions
from tests.actions.helpers import S, dt, events, mediating_case, new_events, parties, refused, register, reload
from tests.world import World, make_case

# --- assignment and recusal -------------------------------------------------------------------------------------


def test_assign_requires_rights_notice_identity_check_and_committee_mediators(world):
    case = register(world, dt(2026, 3, 2, 9))
    A.do_accept_case(case, world.director_a, at=dt(2026, 3, 2, 10))
    ok = {"rights_notified": True, "identities_checked": True, "at": dt(2026, 3, 3)}
    with refused(case, "须先向当事人送达并签收权利义务告知书"):
        A.do_assign_mediators(
            case, world.director_a, presiding=world.mediator_a.mediator, **{**ok, "rights_notified": False}
        )
    with refused(case, "须先核验当事人身份证明"):
        A.do_assign_mediators(
            case, world.director_a, presiding=world.mediator_a.mediator, **{**ok, "identities_checked": False}
        )
    with refused(case, "主持调解员必须是本调委会在任调解员"):
        A.do_assign_mediators(case, world.director_a, presiding=world.mediator_b.mediator, **ok)
    with refused(case, "参与调解员必须是本调委会在任调解员"):
        A.do_assign_mediators(
            case, world.director_a, presiding=world.mediator_a.mediator, co_mediators=[world.mediator_b.mediator], **ok
        )
    with refused(case, "主持调解员不能同时列为参与调解员"):
        A.do_assign_mediators(
            case, world.director_a, presiding=world.mediator_a.mediator, co_mediators=[world.mediator_a.mediator], **ok
        )
    with refused(case, "您无权对本案执行“指派调解员”"):
        A.do_assign_mediators(case, world.mediator_a, presiding=world.mediator_a.mediator, **ok)
    A.do_assign_mediators(
        case, world.director_a, presiding=world.mediator_a.mediator, co_mediators=[world.mediator_a2.mediator], **ok
    )
    case = reload(case)
    assert case.status == S.IN_MEDIATION
    assert case.mediators() == [world.mediator_a.mediator, world.mediator_a2.mediator]
    assert case.rights_notified_at == dt(2026, 3, 3)
    assert not case.parties.filter(identity_verified=False).exists()
    assert events(case)[-1] == ("assign", S.ACCEPTED, S.IN_MEDIATION, world.director_a.pk)


def test_recusal_replaces_the_presiding_mediator(world):
    case = mediating_case(world, dt(2026, 3, 2))
    applicant, _ = parties(case)
    n = case.events.count()
    A.do_recuse_mediator(
        case,
        world.director_a,
        party=applicant,
        replaced=world.mediator_a.mediator,
        replacement=world.mediator_a2.mediator,
        reason="调解员与被申请人是亲戚",
        at=dt(2026, 3, 4),
    )
    case = reload(case)
    assert case.presiding_mediator == world.mediator_a2.mediator
    assert case.status == S.IN_MEDIATION
    rr = RecusalRequest.objects.get(case=case)
    assert (rr.requested_by, rr.replaced, rr.replacement, rr.reason, rr.at) == (
        applicant,
        world.mediator_a.mediator,
        world.mediator_a2.mediator,
        "调解员与被申请人是亲戚",
        dt(2026, 3, 4),
    )
    assert new_events(case, n) == [("recuse", S.IN_MEDIATION, S.IN_MEDIATION, world.director_a.pk)]
    # The replaced mediator loses the case's mediator actions; the replacement gains them.
    assert "record_session" not in dict(available_actions(case, world.mediator_a))
    assert "record_session" in dict(available_actions(case, world.mediator_a2))


def test_recusal_guards(world):
    case = mediating_case(world, dt(2026, 3, 2))
    other = make_case(world, S.INTAKE)
    applicant, _ = parties(case)
    kw = {
        "party": applicant,
        "replaced": world.mediator_a.mediator,
        "replacement": world.mediator_a2.mediator,
        "reason": "调解员与被申请人是亲戚",
        "at": dt(2026, 3, 4),
    }
    with refused(case, "替换调解员必须是本调委会在任调解员"):
        A.do_recuse_mediator(case, world.director_a, **{**kw, "replacement": world.mediator_b.mediator})
    with refused(case, "被申请回避的人员不是本案调解员"):
        A.do_recuse_mediator(
            case,
            world.director_a,
            **{**kw, "replaced": world.mediator_a2.mediator, "replacement": world.director_a.mediator},
        )
    with refused(case, "替换调解员已在本案中"):
        A.do_recuse_mediator(case, world.director_a, **{**kw, "replacement": world.mediator_a.mediator})
    with refused(case, "申请人不是本案当事人"):
        A.do_recuse_mediator(case, world.director_a, **{**kw, "party": other.parties.first()})
    with refused(case, "请写明回避理由"):
        A.do_recuse_mediator(case, world.director_a, **{**kw, "reason": " "})
    with refused(case, "您无权对本案执行“回避更换调解员”"):
        A.do_recuse_mediator(case, world.mediator_a, **kw)


# --- extension of the time limit --------------------------------------------------------------------------------


@pytest.fixture
def due_oct_8(world, holidays) -> Case:
    case = mediating_case(world, dt(2026, 9, 1))
    assert case.time_limit_due == date(2026, 10, 8)
    return case


def extend(world: World, case: Case, at: datetime, new_due: date, consenting=None) -> Case:
    return A.do_extend_time_limit(
        case,
        world.mediator_a,
        new_due=new_due,
        reason="等待伤情鉴定意见",
        consent_record="双方当事人在调解记录上签字同意延长",
        consenting_parties=list(case.parties.all()) if consenting is None else consenting,
        at=at,
    )


def test_extension_requires_every_partys_consent(world, due_oct_8):
    case = due_oct_8
    applicant, _ = parties(case)
    with refused(case, "延长调解期限须经各方当事人同意"):
        extend(world, case, dt(2026, 10, 2), date(2026, 10, 30), consenting=[applicant])
    with refused(case, "延长调解期限须经各方当事人同意"):
        extend(world, case, dt(2026, 10, 2), date(2026, 10, 30), consenting=[])


def test_extension_only_within_seven_days_of_the_due_date(world, due_oct_8):
    case = due_oct_8
    with refused(case, "调解期限届满前7日内或届满后方可延长：最早可于2026年10月1日办理"):
        extend(world, case, dt(2026, 9, 30, 23, 59), date(2026, 10, 30))
    n = case.events.count()
    extend(world, case, dt(2026, 10, 1, 0, 1), date(2026, 10, 30))  # exactly 7 days before 10-08
    case = reload(case)
    assert case.time_limit_due == date(2026, 10, 30)
    ext = Extension.objects.get(case=case)
    assert (ext.old_due, ext.new_due, ext.recorded_by) == (date(2026, 10, 8), date(2026, 10, 30), world.mediator_a)
    assert set(ext.consenting_parties.all()) == set(case.parties.all())
    assert new_events(case, n) == [("extend", S.IN_MEDIATION, S.IN_MEDIATION, world.mediator_a.pk)]


def test_extension_at_most_30_days_and_lands_on_a_working_day(world, due_oct_8):
    case = due_oct_8
    with refused(case, "每次延长不得超过30日，最后一日为2026年11月7日"):
        extend(world, case, dt(2026, 10, 2), date(2026, 11, 8))  # 10-08 + 31 days
    with refused(case, "延长后的期限须晚于原期限和今天：最早为2026年10月9日"):
        extend(world, case, dt(2026, 10, 2), date(2026, 10, 8))
    extend(world, case, dt(2026, 10, 2), date(2026, 11, 7))  # 10-08 + 30 days is a Saturday
    assert reload(case).time_limit_due == date(2026, 11, 9)
    assert Extension.objects.get(case=case).new_due == date(2026, 11, 9)


def test_extension_after_expiry_counts_from_today(world, due_oct_8):
    case = due_oct_8
    with refused(case, "每次延长不得超过30日，最后一日为2026年11月19日"):
        extend(world, case, dt(2026, 10, 20), date(2026, 11, 20))
    extend(world, case, dt(2026, 10, 20), date(2026, 11, 19))
    assert reload(case).time_limit_due == date(2026, 11, 19)


def test_extension_allowed_while_paused_but_not_before_acceptance(world, due_oct_8):
    case = due_oct_8
    A.do_pause_mediation(case, world.mediator_a, reason="等待伤情鉴定结论", at=dt(2026, 9, 20))
    extend(world, reload(case), dt(2026, 10, 5), date(2026, 10, 20))
    assert reload(case).status == S.PAUSED and reload(case).time_limit_due == date(2026, 10, 20)
    intake = register(world, dt(2026, 10, 5, 9))
    with refused(intake, "案件当前状态为“待审查”，不能执行“延长调解期限”"):
        extend(world, intake, dt(2026, 10, 5), date(2026, 10, 20))


# --- voluntariness: a party's refusal ---------------------------------------------------------------------------


def test_party_refusal_at_intake_means_not_accepted(world):
    case = register(world, dt(2026, 3, 2, 9))
    applicant, respondent = parties(case)
    with refused(case, "请选择已告知当事人的其他解决途径"):
        A.do_record_party_refusal(
            case, world.director_a, party=respondent, statement="", routes=[], at=dt(2026, 3, 2, 11)
        )
    A.do_record_party_refusal(
        case,
        world.director_a,
        party=respondent,
        statement="不同意调解，要去法院",
        routes=[Route.LITIGATION],
        at=dt(2026, 3, 2, 11),
    )
    case = reload(case)
    assert case.status == S.NOT_ACCEPTED and case.case_no is None
    assert case.not_accepted_reason == "李四明确表示拒绝调解：不同意调解，要去法院"
    assert case.termination_reason == "" and case.routes_informed == "向人民法院起诉"
    assert events(case)[-1] == ("party_refusal", S.INTAKE, S.NOT_ACCEPTED, world.director_a.pk)


@pytest.mark.parametrize("status", [S.ACCEPTED, S.IN_MEDIATION, S.PAUSED, S.REMEDIATION])
def test_party_refusal_before_agreement_terminates(world, status):
    case = make_case(world, status)
    _, respondent = parties(case)
    n = case.events.count()
    # Before assignment only the director may record it; then the assigned mediator.
    actor = world.director_a if status == S.ACCEPTED else world.mediator_a
    A.do_record_party_refusal(
        case,
        actor,
        party=respondent,
        statement="不愿继续调解",
        routes=[Route.LITIGATION, Route.ARBITRATION],
        at=case.events.last().at + timedelta(hours=1),
    )
    case = reload(case)
    assert case.status == S.TERMINATED
    assert case.termination_reason == TerminationReason.PARTY_REFUSED and case.outcome == Outcome.FAILURE
    assert case.termination_note == "李四明确表示拒绝调解：不愿继续调解"
    assert new_events(case, n) == [("party_refusal", status, S.TERMINATED, actor.pk)]


@pytest.mark.parametrize("status", [S.AGREEMENT_REACHED, S.PERFORMING, S.PERFORMED, S.TERMINATED])
def test_party_refusal_after_agreement_is_refused(world, status):
    case = make_case(world, status)
    _, respondent = parties(case)
    with refused(case, f"案件当前状态为“{status.label}”，不能执行“当事人拒绝调解”"):
        A.do_record_party_refusal(
            case,
            world.mediator_a,
            party=respondent,
            statement="反悔",
            routes=[Route.LITIGATION],
            at=case.events.last().at + timedelta(hours=1),
        )


def test_party_user_records_only_their_own_refusal(world):
    case = make_case(world, S.IN_MEDIATION)
    applicant, respondent = parties(case)
    at = case.events.last().at + timedelta(hours=1)
    with refused(case, "只能由当事人本人表示拒绝"):
        A.do_record_party_refusal(
            case, world.party_user, party=respondent, statement="", routes=[Route.LITIGATION], at=at
        )
    with refused(case, "您无权对本案执行“当事人拒绝调解”"):
        A.do_record_party_refusal(
            case, world.outsider, party=respondent, statement="", routes=[Route.LITIGATION], at=at
        )
    other = make_case(world, S.IN_MEDIATION, party_user=None)
    with refused(other, "该当事人不属于本案"):
        A.do_record_party_refusal(
            other, world.mediator_a, party=applicant, statement="", routes=[Route.LITIGATION], at=at
        )
    A.do_record_party_refusal(
        case, world.party_user, party=applicant, statement="不想调了", routes=[Route.LITIGATION], at=at
    )
    case = reload(case)
    assert case.status == S.TERMINATED and case.termination_reason == TerminationReason.PARTY_REFUSED
    assert events(case)[-1] == ("party_refusal", S.IN_MEDIATION, S.TERMINATED, world.party_user.pk)


# --- termination ------------------------------------------------------------------------------------------------


def test_terminate_requires_reason_note_and_routes(world):
    case = make_case(world, S.IN_MEDIATION)
    at = case.events.last().at + timedelta(hours=1)
    kw = {"reason": TerminationReason.NO_PROSPECT, "note": "双方分歧较大", "routes": [Route.LITIGATION], "at": at}
    with refused(case, "须告知当事人可以通过仲裁、行政、司法等途径解决"):
        A.do_terminate_mediation(case, world.mediator_a, **{**kw, "routes": []})
    with refused(case, "请写明终止调解的具体情况"):
        A.do_terminate_mediation(case, world.mediator_a, **{**kw, "note": "不行"})
    with refused(case, "请选择终止原因"):
        A.do_terminate_mediation(case, world.mediator_a, **{**kw, "reason": "BORED"})
    with refused(case, "您无权对本案执行“终止调解”"):
        A.do_terminate_mediation(case, world.mediator_a2, **kw)
    A.do_terminate_mediation(
        case, world.director_a, escalation_risk=True, **{**kw, "routes": [Route.LITIGATION, Route.ARBITRATION]}
    )
    case = reload(case)
    assert case.status == S.TERMINATED and case.outcome == Outcome.FAILURE
    assert case.routes_informed == "向人民法院起诉、申请仲裁"
    event = case.events.order_by("id").last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "terminate",
        S.IN_MEDIATION,
        S.TERMINATED,
        world.director_a,
    )
    assert event.data == {"routes": ["LITIGATION", "ARBITRATION"], "escalation_risk": True}
