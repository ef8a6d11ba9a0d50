"""Guards of judicial confirmation: the application within 30 days of a written agreement taking effect, and the
court liaison recording the court's acceptance, refusal and decision.
"""

from datetime import date, datetime, timedelta

import pytest

from accounts.models import Role, User
from cases import actions as A
from cases.actions.base import local_date
from cases.enums import AgreementStatus, JCStatus
from cases.models import Case, JudicialConfirmation
from cases.permissions import available_actions
from registry.models import Court
from tests.actions.helpers import (
    S,
    dt,
    events,
    mediating_case,
    new_events,
    parties,
    refused,
    reload,
    term,
    written_agreement,
)
from tests.world import World, make_case

# --- judicial confirmation --------------------------------------------------------------------------------------


@pytest.fixture
def agreed(world) -> Case:
    """A written agreement effective on 2026-03-10 (immediate terms): AGREEMENT_REACHED."""
    case = mediating_case(world, dt(2026, 3, 2))
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    case = reload(case)
    assert case.status == S.AGREEMENT_REACHED
    return case


def jc_apply(world: World, case: Case, actor: User, applied_on: date, at: datetime, applicant=None, consenting=None):
    a, r = parties(case)
    return A.do_apply_judicial_confirmation(
        case,
        actor,
        applicant=applicant or a,
        consenting=consenting or r,
        court=world.court,
        applied_on=applied_on,
        at=at,
    )


def test_jc_apply_within_30_days_of_the_effective_date(world, agreed):
    case = agreed
    assert A.jc_deadline(case) == date(2026, 4, 9)
    with refused(case, "已超过申请期限：应自协议生效之日起30日内申请司法确认，最后一日为2026年4月9日"):
        jc_apply(world, case, world.mediator_a, date(2026, 4, 10), dt(2026, 4, 10))
    with refused(case, "申请日期不能晚于今天"):
        jc_apply(world, case, world.mediator_a, date(2026, 4, 9), dt(2026, 4, 8))
    n = case.events.count()
    jc = jc_apply(world, case, world.mediator_a, date(2026, 4, 9), dt(2026, 4, 10))  # day 30, recorded a day later
    assert (jc.status, jc.court, jc.applied_on) == (JCStatus.APPLIED, world.court, date(2026, 4, 9))
    assert new_events(case, n) == [("jc_apply", S.AGREEMENT_REACHED, S.AGREEMENT_REACHED, world.mediator_a.pk)]
    assert reload(case).status == S.AGREEMENT_REACHED
    with refused(case, "司法确认当前为“已申请”，不能执行此操作"):
        jc_apply(world, case, world.mediator_a, date(2026, 4, 9), dt(2026, 4, 10))


def test_jc_apply_needs_both_parties(world, agreed):
    case = agreed
    applicant, respondent = parties(case)
    with refused(case, "司法确认须由双方当事人共同申请"):
        jc_apply(world, case, world.mediator_a, date(2026, 3, 12), dt(2026, 3, 12), consenting=applicant)
    with refused(case, "只能以本人名义申请"):
        jc_apply(
            world,
            case,
            world.party_user,
            date(2026, 3, 12),
            dt(2026, 3, 12),
            applicant=respondent,
            consenting=applicant,
        )
    with refused(case, "您无权对本案执行“申请司法确认”"):
        jc_apply(world, case, world.director_a, date(2026, 3, 12), dt(2026, 3, 12))
    # A party never applies alone (naming the other side as consenting): online, the other party asks from their
    # own account and this party's consent completes the application, dated the day of the consent.
    with refused(case, "司法确认须由双方共同申请：须先由对方当事人在网上提出申请，再由您本人同意"):
        jc_apply(world, case, world.party_user, date(2026, 3, 12), dt(2026, 3, 12))
    respondent.user = world.outsider
    respondent.save(update_fields=["user"])
    online = {"applicant": respondent, "consenting": applicant, "court": world.court, "at": dt(2026, 3, 12)}
    with refused(case, "网上共同申请的申请日期为您同意之日（今天），不能另选日期"):
        A.do_apply_judicial_confirmation(
            case, world.party_user, applied_on=date(2026, 3, 11), requested_at=dt(2026, 3, 11), **online
        )
    A.do_apply_judicial_confirmation(
        case, world.party_user, applied_on=date(2026, 3, 12), requested_at=dt(2026, 3, 11), **online
    )
    assert events(case)[-1] == ("jc_apply", S.AGREEMENT_REACHED, S.AGREEMENT_REACHED, world.party_user.pk)


def test_oral_agreement_is_not_confirmable_until_put_in_writing(world):
    """PML 33 covers oral agreements too, once written out (tests/actions/test_legal_oral_writing.py goes on)."""
    case = mediating_case(world, dt(2026, 3, 2))
    A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        oral_reason="双方同意口头协议",
        terms=[term(case, date(2026, 3, 10))],
        at=dt(2026, 3, 10, 15),
    )
    case = reload(case)
    assert case.status == S.AGREEMENT_REACHED
    assert "jc_apply" not in dict(available_actions(case, world.mediator_a))
    with refused(case, "口头协议须先书面化（由当事人签署书面协议文本）后，方可申请司法确认"):
        jc_apply(world, case, world.mediator_a, date(2026, 3, 11), dt(2026, 3, 11))


def test_court_liaison_records_acceptance_and_a_valid_decision(world, agreed):
    case = agreed
    jc_apply(world, case, world.mediator_a, date(2026, 3, 12), dt(2026, 3, 12))
    assert set(dict(available_actions(case, world.court_liaison))) == {"jc_court_accept", "jc_court_refuse"}
    with refused(case, "司法确认当前为“已申请”，不能执行此操作"):
        A.do_record_court_decision(case, world.court_liaison, valid=True, on=date(2026, 3, 20), at=dt(2026, 3, 20))
    with refused(case, "受理日期不能早于申请日期"):
        A.do_record_court_acceptance(
            case,
            world.court_liaison,
            accepted=True,
            on=date(2026, 3, 11),
            court_case_no="（2026）鄂1202民特8号",
            at=dt(2026, 3, 13),
        )
    with refused(case, "请填写法院案号"):
        A.do_record_court_acceptance(
            case, world.court_liaison, accepted=True, on=date(2026, 3, 13), court_case_no=" ", at=dt(2026, 3, 13)
        )
    with refused(case, "您无权对本案执行“法院受理司法确认”"):
        A.do_record_court_acceptance(
            case,
            world.party_user,
            accepted=True,
            on=date(2026, 3, 13),
            court_case_no="（2026）鄂1202民特8号",
            at=dt(2026, 3, 13),
        )
    n = case.events.count()
    A.do_record_court_acceptance(
        case,
        world.court_liaison,
        accepted=True,
        on=date(2026, 3, 13),
        court_case_no="（2026）鄂1202民特8号",
        at=dt(2026, 3, 13),
    )
    with refused(case, "裁定日期不能早于受理日期"):
        A.do_record_court_decision(case, world.court_liaison, valid=True, on=date(2026, 3, 12), at=dt(2026, 3, 20))
    A.do_record_court_decision(case, world.court_liaison, valid=True, on=date(2026, 3, 20), at=dt(2026, 3, 20))
    jc = JudicialConfirmation.objects.get(case=case)
    assert (jc.status, jc.accepted_on, jc.court_case_no, jc.decided_on) == (
        JCStatus.CONFIRMED_VALID,
        date(2026, 3, 13),
        "（2026）鄂1202民特8号",
        date(2026, 3, 20),
    )
    assert jc.agreement.status == AgreementStatus.CONFIRMED_BY_COURT
    assert reload(case).status == S.AGREEMENT_REACHED
    assert new_events(case, n) == [
        ("jc_court_accept", S.AGREEMENT_REACHED, S.AGREEMENT_REACHED, world.court_liaison.pk),
        ("jc_decide", S.AGREEMENT_REACHED, S.AGREEMENT_REACHED, world.court_liaison.pk),
    ]
    assert available_actions(case, world.court_liaison) == []


def test_court_refusal_allows_a_new_application_and_rejection_invalidates(world, agreed):
    case = agreed
    jc_apply(world, case, world.mediator_a, date(2026, 3, 12), dt(2026, 3, 12))
    with refused(case, "请填写不予受理的理由"):
        A.do_record_court_acceptance(
            case, world.court_liaison, accepted=False, on=date(2026, 3, 13), at=dt(2026, 3, 13)
        )
    A.do_record_court_acceptance(
        case, world.court_liaison, accepted=False, on=date(2026, 3, 13), reason="申请材料不全", at=dt(2026, 3, 13)
    )
    assert JudicialConfirmation.objects.get(case=case).status == JCStatus.NOT_ACCEPTED
    assert "jc_apply" in dict(available_actions(case, world.mediator_a))
    jc_apply(world, case, world.mediator_a, date(2026, 3, 16), dt(2026, 3, 16))
    A.do_record_court_acceptance(
        case,
        world.mediator_a,
        accepted=True,
        on=date(2026, 3, 17),
        court_case_no="（2026）鄂1202民特9号",
        at=dt(2026, 3, 17),
    )
    with refused(case, "请填写驳回理由"):
        A.do_record_court_decision(case, world.court_liaison, valid=False, on=date(2026, 3, 25), at=dt(2026, 3, 25))
    A.do_record_court_decision(
        case, world.court_liaison, valid=False, on=date(2026, 3, 25), reason="协议内容不明确", at=dt(2026, 3, 25)
    )
    jc = JudicialConfirmation.objects.filter(case=case).first()
    assert jc.status == JCStatus.REJECTED and jc.reason == "协议内容不明确"
    assert jc.agreement.status == AgreementStatus.INVALIDATED_BY_COURT
    assert JudicialConfirmation.objects.filter(case=case).count() == 2


def test_only_the_jc_courts_liaison_records_its_acceptance(world):
    court2 = Court.objects.create(name="咸宁市中级人民法院", division=world.court.division.parent)
    liaison2 = User.objects.create_user(username="liaison2", password="x", role=Role.COURT_LIAISON, court=court2)
    case = make_case(world, S.AGREEMENT_REACHED, source="REFERRED_COURT", court=world.court, court_mode="WEIPAI")
    at = case.events.last().at + timedelta(hours=1)
    a, r = parties(case)
    A.do_apply_judicial_confirmation(
        case, world.mediator_a, applicant=a, consenting=r, court=court2, applied_on=local_date(at), at=at
    )
    assert "jc_court_accept" in dict(available_actions(case, liaison2))
    assert "jc_court_accept" not in dict(available_actions(case, world.court_liaison))
    with pytest.raises(A.ActionRefused):
        A.do_record_court_acceptance(
            case, world.court_liaison, accepted=True, on=local_date(at), court_case_no="（2026）鄂12民特1号", at=at
        )
