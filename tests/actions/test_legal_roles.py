"""Issue 8, the law: a party's refusal and the ending of a case are recorded only by the case's assigned mediators
or the committee director (not any member), and an accepted case can be ended or extended before assignment."""

from datetime import date, timedelta

from django.test import Client

from cases import actions as A
from cases.enums import Route, TerminationReason
from cases.permissions import available_actions
from tests.actions.helpers import S, dt, events, mediating_case, parties, refused, register, reload
from tests.world import make_case


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refusal(case, actor, at):
    _, respondent = parties(case)
    return A.do_record_party_refusal(
        case, actor, party=respondent, statement="不愿意调解", routes=[Route.LITIGATION], at=at
    )


def terminate(case, actor, at, reason=TerminationReason.NO_PROSPECT):
    return A.do_terminate_mediation(
        case, actor, reason=reason, note="双方分歧较大，无法达成一致", routes=[Route.LITIGATION], at=at
    )


def test_an_unassigned_member_may_not_record_a_refusal_or_end_the_case(world):
    case = mediating_case(world, dt(2026, 3, 2))  # mediator_a presides; mediator_a2 is only a member
    with refused(case, "您无权对本案执行“当事人拒绝调解”"):
        refusal(case, world.mediator_a2, dt(2026, 3, 4))
    with refused(case, "您无权对本案执行“终止调解”"):
        terminate(case, world.mediator_a2, dt(2026, 3, 4))
    assert "party_refusal" not in dict(available_actions(case, world.mediator_a2))
    assert "terminate" not in dict(available_actions(case, world.mediator_a2))


def test_the_assigned_mediator_and_the_director_may(world):
    one = mediating_case(world, dt(2026, 3, 2))
    refusal(one, world.mediator_a, dt(2026, 3, 4))
    assert reload(one).status == S.TERMINATED
    two = mediating_case(world, dt(2026, 3, 2), party_user=None)
    terminate(two, world.director_a, dt(2026, 3, 4))
    assert events(two)[-1] == ("terminate", S.IN_MEDIATION, S.TERMINATED, world.director_a.pk)


def test_at_intake_only_the_director_records_a_refusal(world):
    case = register(world, dt(2026, 3, 2, 9))  # registered by mediator_a, a member
    with refused(case, "您无权对本案执行“当事人拒绝调解”"):
        refusal(case, world.mediator_a, dt(2026, 3, 2, 11))
    refusal(case, world.director_a, dt(2026, 3, 2, 11))
    assert reload(case).status == S.NOT_ACCEPTED


def test_the_party_still_records_their_own_refusal(world):
    case = mediating_case(world, dt(2026, 3, 2))
    applicant, _ = parties(case)
    A.do_record_party_refusal(
        case, world.party_user, party=applicant, statement="", routes=[Route.LITIGATION], at=dt(2026, 3, 4)
    )
    assert reload(case).status == S.TERMINATED


def test_an_accepted_unassigned_case_can_be_terminated_by_the_director(world):
    case = make_case(world, S.ACCEPTED)
    at = case.events.last().at + timedelta(hours=2)
    with refused(case, "您无权对本案执行“终止调解”"):
        terminate(case, world.mediator_a, at, TerminationReason.PARTY_UNREACHABLE)
    with refused(case, "尚未指派调解员的案件不能以“经调解无法达成协议”为由终止"):
        terminate(case, world.director_a, at, TerminationReason.NO_PROSPECT)
    terminate(case, world.director_a, at, TerminationReason.EXCLUDED_ACCEPTED_ELSEWHERE)
    case = reload(case)
    assert case.status == S.TERMINATED and case.termination_reason == TerminationReason.EXCLUDED_ACCEPTED_ELSEWHERE
    assert events(case)[-1] == ("terminate", S.ACCEPTED, S.TERMINATED, world.director_a.pk)


def test_an_accepted_unassigned_case_can_be_extended_with_every_partys_consent(world):
    case = make_case(world, S.ACCEPTED)
    due = case.time_limit_due
    at = dt(due.year, due.month, due.day) - timedelta(days=2)
    applicant, respondent = parties(case)

    def extend(consenting):
        return A.do_extend_time_limit(
            case,
            world.director_a,
            new_due=due + timedelta(days=10),
            reason="当事人外出务工，待其返乡后调解",
            consent_record="电话征得双方同意",
            consenting_parties=consenting,
            at=at,
        )

    with refused(case, "延长调解期限须经各方当事人同意"):
        extend([applicant])
    with refused(case, "您无权对本案执行“延长调解期限”"):
        A.do_extend_time_limit(
            case,
            world.mediator_a,
            new_due=due + timedelta(days=10),
            reason="当事人外出务工",
            consent_record="电话征得双方同意",
            consenting_parties=[applicant, respondent],
            at=at,
        )
    extend([applicant, respondent])
    case = reload(case)
    assert case.status == S.ACCEPTED and case.time_limit_due >= due + timedelta(days=10)
    assert case.extensions.count() == 1


def test_pages_offer_termination_before_assignment_with_the_fitting_reasons(world):
    case = make_case(world, S.ACCEPTED, at=dt(2026, 3, 2, 9))
    director = login(world.director_a)
    page = director.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/do/terminate/" in page and f"/cases/{case.pk}/do/extend/" in page
    form = director.get(f"/cases/{case.pk}/do/terminate/").content.decode()
    assert "当事人无法联系" in form and "经调解无法达成协议" not in form
    response = director.post(
        f"/cases/{case.pk}/do/terminate/",
        {"reason": "PARTY_UNREACHABLE", "note": "多次电话、上门均无法联系申请人", "routes": ["LITIGATION"]},
    )
    assert response.status_code == 302
    assert reload(case).status == S.TERMINATED
    # A member who is not assigned gets neither the button nor the page.
    other = make_case(world, S.IN_MEDIATION, at=dt(2026, 3, 2, 9), party_user=None)
    member = login(world.mediator_a2)
    assert f"/cases/{other.pk}/do/party_refusal/" not in member.get(f"/cases/{other.pk}/").content.decode()
    response = member.post(f"/cases/{other.pk}/do/party_refusal/", {"party": "1", "routes": ["LITIGATION"]})
    assert response.status_code == 302 and reload(other).status == S.IN_MEDIATION


def test_day_count_refusals_name_the_last_allowed_day(world):
    """The refusal names the last day as the last day (最后一日为…), never "before" it."""
    case = make_case(world, S.ACCEPTED, at=dt(2026, 3, 2, 9))
    due = case.time_limit_due
    applicant, respondent = parties(case)
    last = due + timedelta(days=30)
    with refused(case, f"每次延长不得超过30日，最后一日为{last.year}年{last.month}月{last.day}日") as info:
        A.do_extend_time_limit(
            case,
            world.director_a,
            new_due=due + timedelta(days=31),
            reason="等待当事人返乡",
            consent_record="双方书面同意",
            consenting_parties=[applicant, respondent],
            at=dt(due.year, due.month, due.day),
        )
    assert "前" not in info.value.message.split("，")[-1]
    assert isinstance(last, date)
