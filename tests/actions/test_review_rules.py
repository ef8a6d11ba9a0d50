"""Rules added after the code review: a court sees only what it referred; judicial confirmation belongs to the
current agreement, is applied for jointly with the other side, and its deadline lands on a working day."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from cases import actions as A
from cases.enums import CaseSource, CourtReferralType, JCStatus, PartySide
from cases.permissions import can_view_full_id, current_jc
from cases.scoping import cases_visible_to
from registry.models import Court, Division
from tests.actions.helpers import S, dt, mediating_case, parties, refused, reload, written_agreement
from tests.world import case_data


@pytest.fixture(autouse=True)
def holidays(db):
    from workdays.calendar import clear_cache

    call_command("load_holidays", verbosity=0)
    clear_cache()
    yield
    clear_cache()


def test_a_court_chosen_on_a_case_it_did_not_refer_is_dropped(world):
    data = case_data(world.party_user, court=world.court, court_mode=CourtReferralType.WEIPAI, court_case_no="X1")
    case = A.do_register_case(world.mediator_a, world.village_a, data, at=dt(2026, 3, 2))
    assert (case.court, case.court_mode, case.court_case_no) == (None, "", "")
    assert case not in cases_visible_to(world.court_liaison)
    assert not can_view_full_id(world.court_liaison, case)


def test_a_court_referral_must_come_from_a_court_of_the_same_city(world):
    far = Division.objects.create(code="4201", name="武汉市", level=2, parent_id="42")
    court = Court.objects.create(name="武汉市某区人民法院", division=far)
    data = case_data(world.party_user, source=CaseSource.REFERRED_COURT, court=court)
    with pytest.raises(A.ActionRefused, match="只能选择本市的法院"):
        A.do_register_case(world.mediator_a, world.village_a, data, at=dt(2026, 3, 2))
    ok = A.do_register_case(
        world.mediator_a,
        world.village_a,
        case_data(world.party_user, source=CaseSource.REFERRED_COURT, court=world.court),
        at=dt(2026, 3, 2),
    )
    assert ok in cases_visible_to(world.court_liaison)


def test_the_deadline_to_apply_moves_off_a_rest_day(world):
    # Effective 2026-03-06 + 30 days = 2026-04-05, a Sunday inside 清明 (4–6 April): the last day is 04-07.
    case = mediating_case(world, dt(2026, 3, 2))
    written_agreement(world, case, dt(2026, 3, 6), date(2026, 3, 6))
    case = reload(case)
    assert A.jc_deadline(case) == date(2026, 4, 7)
    applicant, respondent = parties(case)
    jc = A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 4, 7),
        at=dt(2026, 4, 7),
    )
    assert jc.status == JCStatus.APPLIED


def test_joint_application_needs_the_other_side_and_a_date_after_the_agreement(world):
    case = mediating_case(world, dt(2026, 3, 2))
    # A second applicant: both applicants together are not "both parties to the agreement".
    from cases.models import Party

    second = Party.objects.create(case=case, side=PartySide.APPLICANT, name="王五", order=3)
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    A.do_sign_agreement(case, world.mediator_a, party=second, method="FINGERPRINT", at=dt(2026, 3, 10, 11))
    case = reload(case)
    assert case.status == S.AGREEMENT_REACHED
    applicant, respondent = parties(case)
    with refused(case, "司法确认须由协议双方共同申请：同意申请的须为对方当事人"):
        A.do_apply_judicial_confirmation(
            case,
            world.mediator_a,
            applicant=applicant,
            consenting=second,
            court=world.court,
            applied_on=date(2026, 3, 12),
            at=dt(2026, 3, 12),
        )
    with refused(case, "申请日期不能早于协议生效日期"):
        A.do_apply_judicial_confirmation(
            case,
            world.mediator_a,
            applicant=applicant,
            consenting=respondent,
            court=world.court,
            applied_on=date(2026, 3, 9),
            at=dt(2026, 3, 12),
        )


def test_an_oral_agreements_confirmation_window_runs_from_its_effective_day(world):
    case = mediating_case(world, dt(2026, 3, 2))
    a, r = parties(case)
    A.do_record_oral_agreement(
        case,
        world.mediator_a,
        facts="双方当场协商一致，口头约定赔偿。",
        oral_reason="当场履行",
        terms=[
            A.TermData(
                obligor=r,
                obligee=a,
                content="赔偿",
                manner="现金",
                place="调委会",
                deadline=date(2026, 3, 10),
                amount=Decimal("100"),
            )
        ],
        at=dt(2026, 3, 10),
    )
    # PML 30 + 33: 30 days from 2026-03-10 is 2026-04-09 (a Thursday), whether or not it is put in writing yet.
    assert A.jc_deadline(reload(case)) == date(2026, 4, 9)


def test_a_pending_confirmation_blocks_remediation_and_a_new_agreement_can_be_confirmed(world):
    case = mediating_case(world, dt(2026, 3, 2))
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 4, 30))  # deferred: PERFORMING
    case = reload(case)
    assert case.status == S.PERFORMING
    applicant, respondent = parties(case)
    liaison = User.objects.create_user("liaison2", role=Role.COURT_LIAISON, court=world.court)
    A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 3, 12),
        at=dt(2026, 3, 12),
    )
    with refused(case, "该协议的司法确认正在办理或已确认有效，不能重新调解；当事人可依法向人民法院起诉或申请执行"):
        A.do_start_remediation(
            case,
            world.mediator_a,
            reason="双方对履行方式有新争议",
            revoke=False,
            consenting_parties=list(case.parties.all()),
            at=dt(2026, 3, 13),
        )
    A.do_record_court_acceptance(
        case, liaison, accepted=True, on=date(2026, 3, 13), court_case_no="（2026）鄂1202民特1号", at=dt(2026, 3, 13)
    )
    A.do_record_court_decision(
        case, liaison, valid=False, on=date(2026, 3, 20), reason="协议内容不明确", at=dt(2026, 3, 20)
    )
    # Rejected: the parties may change the agreement through mediation (PML 33) and apply again for the new one.
    A.do_start_remediation(
        case,
        world.mediator_a,
        reason="按法院意见修改协议",
        revoke=False,
        consenting_parties=list(case.parties.all()),
        at=dt(2026, 3, 21),
    )
    case = reload(case)
    assert current_jc(case) is None  # the rejected confirmation belonged to the old agreement
    written_agreement(world, case, dt(2026, 3, 25), date(2026, 3, 25))
    case = reload(case)
    jc = A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 3, 26),
        at=dt(2026, 3, 26),
    )
    assert jc.agreement == case.agreements.filter(status="EFFECTIVE").get()


def test_paused_days_do_not_count_against_the_mediation_period(world):
    case = mediating_case(world, dt(2026, 3, 2))  # accepted 03-02: due 04-02
    due = reload(case).time_limit_due
    A.do_pause_mediation(case, world.mediator_a, reason="等待伤情鉴定结论", at=dt(2026, 3, 10))
    A.do_resume_mediation(case, world.mediator_a, at=dt(2026, 3, 30))
    case = reload(case)
    assert case.status == S.IN_MEDIATION
    # 20 paused days added: 04-02 + 20 = 04-22 (a Wednesday, a working day).
    assert (due, case.time_limit_due) == (date(2026, 4, 2), date(2026, 4, 22))
    assert "暂缓20日不计入调解期限" in case.events.last().note


def test_time_limit_termination_only_after_the_limit(world):
    case = mediating_case(world, dt(2026, 3, 2))
    with refused(case, "调解期限尚未届满，不能以此为由终止：期限最后一日为2026年4月2日"):
        A.do_terminate_mediation(
            case,
            world.mediator_a,
            reason="TIME_LIMIT_NO_CONSENT",
            note="当事人不同意延长",
            routes=["LITIGATION"],
            at=dt(2026, 3, 20),
        )
    A.do_terminate_mediation(
        case,
        world.mediator_a,
        reason="TIME_LIMIT_NO_CONSENT",
        note="当事人不同意延长",
        routes=["LITIGATION"],
        at=dt(2026, 4, 3),
    )
    assert reload(case).status == S.TERMINATED


def test_registration_number_uses_the_local_year(world):
    # 2026-01-01 05:00 in Beijing is still 2025 in UTC.
    case = A.do_register_case(world.mediator_a, world.village_a, case_data(world.party_user), at=dt(2026, 1, 1, 5))
    assert case.registration_no.startswith("登记2026-")


def test_each_signature_keeps_the_text_it_attests_to(world):
    from tests.actions.helpers import draft, sign

    case = mediating_case(world, dt(2026, 3, 2))
    first = draft(world, case, dt(2026, 3, 10), date(2026, 4, 30))
    signed_text = first.canonical_text()
    sig = sign(world, case, "applicant", dt(2026, 3, 10, 11))
    draft(world, case, dt(2026, 3, 11), date(2026, 5, 31))  # the text changes: the signature is voided
    sig.refresh_from_db()
    assert sig.voided_at is not None
    assert sig.signed_text == signed_text and "2026-04-30" in sig.signed_text
