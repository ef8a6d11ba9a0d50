"""Guards of the do_* actions: each refusal says why in Chinese and changes nothing; each success records one event.

Dates are passed with `at=` (and once with time_machine) so that deadlines are exact; holidays come from the
shipped 2025–2026 schedule (data/holidays/cn-2025-2026.json) where a due date depends on them.
"""

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from accounts.models import Role, User
from cases import actions as A
from cases.actions.base import local_date
from cases.enums import (
    AgreementForm,
    AgreementStatus,
    CaseStatus,
    FollowUpOutcome,
    JCStatus,
    Outcome,
    PartySide,
    PerformanceStatus,
    RetentionClass,
    Route,
    Satisfaction,
    SignatureMethod,
    TerminationReason,
)
from cases.identity import make_valid_id_number
from cases.models import (
    Agreement,
    AgreementSignature,
    Case,
    CaseEvent,
    Extension,
    FollowUp,
    JudicialConfirmation,
    MediationRecord,
    Party,
    PerformanceRecord,
    RecusalRequest,
)
from cases.permissions import available_actions, current_agreement
from registry.models import Court
from tests.world import TZ, World, case_data, make_case
from workdays import calendar

S = CaseStatus


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def holidays(db):
    call_command("load_holidays", stdout=StringIO())
    calendar.clear_cache()


def dt(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


COUNTED = (
    Case,
    CaseEvent,
    Party,
    Agreement,
    AgreementSignature,
    JudicialConfirmation,
    MediationRecord,
    Extension,
    FollowUp,
    PerformanceRecord,
    RecusalRequest,
)


def snapshot(case: Case | None = None) -> dict:
    state: dict = {m.__name__: m.objects.count() for m in COUNTED}
    if case is not None:
        state["case"] = Case.objects.filter(pk=case.pk).values().get()
        state["co"] = sorted(Case.objects.get(pk=case.pk).co_mediators.values_list("pk", flat=True))
        state["sigs"] = list(AgreementSignature.objects.filter(agreement__case=case).values().order_by("id"))
        state["jcs"] = list(JudicialConfirmation.objects.filter(case=case).values().order_by("id"))
        state["agreements"] = list(Agreement.objects.filter(case=case).values().order_by("id"))
    return state


@contextmanager
def refused(case: Case | None, message: str):
    """The block must raise ActionRefused with exactly `message` and leave the database as it was."""
    before = snapshot(case)
    with pytest.raises(A.ActionRefused) as info:
        yield info
    assert info.value.message == message
    assert snapshot(case) == before


def events(case: Case) -> list[tuple]:
    return list(case.events.order_by("id").values_list("action", "from_status", "to_status", "actor_id"))


def new_events(case: Case, before: int) -> list[tuple]:
    return events(case)[before:]


def parties(case: Case) -> tuple[Party, Party]:
    applicant, respondent = case.parties.order_by("order")[:2]
    return applicant, respondent


def register(world: World, at: datetime, **overrides) -> Case:
    overrides.setdefault("party_user", world.party_user)
    party_user = overrides.pop("party_user")
    return A.do_register_case(world.mediator_a, world.village_a, case_data(party_user, **overrides), at=at)


def mediating_case(world: World, accepted_at: datetime, **overrides) -> Case:
    """INTAKE at accepted_at − 1 h, ACCEPTED at accepted_at, IN_MEDIATION (mediator_a presiding) 1 h later."""
    case = register(world, accepted_at - timedelta(hours=1), **overrides)
    A.do_accept_case(case, world.director_a, at=accepted_at)
    A.do_assign_mediators(
        case,
        world.director_a,
        presiding=world.mediator_a.mediator,
        rights_notified=True,
        identities_checked=True,
        at=accepted_at + timedelta(hours=1),
    )
    case.refresh_from_db()
    return case


def term(case: Case, deadline: date, amount: Decimal = Decimal("1500")) -> A.TermData:
    applicant, respondent = parties(case)
    return A.TermData(
        obligor=respondent,
        obligee=applicant,
        content="被申请人向申请人支付排水沟修复费用",
        amount=amount,
        manner="银行转账",
        place="桂花村调委会",
        deadline=deadline,
    )


def draft(world: World, case: Case, at: datetime, deadline: date, amount: Decimal = Decimal("1500")) -> Agreement:
    return A.do_draft_agreement(
        case,
        world.mediator_a,
        facts=case.brief_facts,
        responsibilities="双方各自承担相应责任",
        terms=[term(case, deadline, amount)],
        at=at,
    )


def sign(world: World, case: Case, who: str, at: datetime):
    applicant, respondent = parties(case)
    if who == "seal":
        return A.do_seal_agreement(case, world.director_a, at=at)
    party = {"applicant": applicant, "respondent": respondent, "mediator": None}[who]
    return A.do_sign_agreement(case, world.mediator_a, party=party, method=SignatureMethod.FINGERPRINT, at=at)


def written_agreement(world: World, case: Case, at: datetime, deadline: date) -> Agreement:
    draft(world, case, at, deadline)
    for i, who in enumerate(["applicant", "respondent", "mediator", "seal"], start=1):
        sign(world, case, who, at + timedelta(minutes=i))
    case.refresh_from_db()
    return current_agreement(case)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- acceptance -------------------------------------------------------------------------------------------------


def test_accept_assigns_sequential_numbers_and_records_one_event(world):
    first, second = register(world, dt(2026, 3, 2, 9)), register(world, dt(2026, 3, 2, 9, 30))
    A.do_accept_case(first, world.director_a, at=dt(2026, 3, 3))
    A.do_accept_case(second, world.director_a, at=dt(2026, 3, 3, 11))
    first, second = reload(first), reload(second)
    assert first.case_no == "（2026）桂花人调字第1号"
    assert second.case_no == "（2026）桂花人调字第2号"
    assert (first.year, first.seq, second.seq) == (2026, 1, 2)
    assert first.accepted_by == world.director_a and first.accepted_at == dt(2026, 3, 3)
    assert events(first)[-1] == ("accept", S.INTAKE, S.ACCEPTED, world.director_a.pk)
    assert first.events.last().data == {"case_no": "（2026）桂花人调字第1号", "due": "2026-04-03"}


def test_accept_refused_for_a_mediator_and_consumes_no_number(world):
    case = register(world, dt(2026, 3, 2, 9))
    with refused(case, "您无权对本案执行“受理”"):
        A.do_accept_case(case, world.mediator_a, at=dt(2026, 3, 3))
    A.do_accept_case(case, world.director_a, at=dt(2026, 3, 3))
    assert reload(case).case_no == "（2026）桂花人调字第1号"
    with refused(case, "案件当前状态为“已受理”，不能执行“受理”"):
        A.do_accept_case(case, world.director_a, at=dt(2026, 3, 4))


@pytest.mark.parametrize(
    ("accepted_on", "due"),
    [
        (date(2026, 9, 1), date(2026, 10, 8)),  # 10-01 … 10-07 国庆 → first working day 10-08
        (date(2026, 3, 4), date(2026, 4, 7)),  # 04-04 … 04-06 清明 → 04-07
        (date(2026, 1, 31), date(2026, 2, 28)),  # 02-28 is a Saturday, but a 调休 makeup working day
        (date(2026, 3, 2), date(2026, 4, 2)),  # an ordinary Thursday
        (date(2026, 5, 9), date(2026, 6, 9)),  # 05-09 (Saturday, makeup day) + 1 month = Tuesday
        (date(2026, 1, 17), date(2026, 2, 24)),  # 02-17 is in the 春节 block (02-15 … 02-23)
    ],
)
def test_accept_due_date_is_one_month_later_on_a_working_day(world, holidays, accepted_on, due):
    case = register(world, dt(accepted_on.year, accepted_on.month, accepted_on.day, 8))
    A.do_accept_case(case, world.director_a, at=dt(accepted_on.year, accepted_on.month, accepted_on.day, 9))
    assert reload(case).time_limit_due == due
    assert calendar.is_working_day(due)


def test_due_date_without_a_holiday_schedule_only_skips_weekends(world):
    """Control for the test above: the same acceptance without the 2026 schedule loaded is due on 10-01."""
    case = register(world, dt(2026, 9, 1, 8))
    A.do_accept_case(case, world.director_a, at=dt(2026, 9, 1, 9))
    assert reload(case).time_limit_due == date(2026, 10, 1)


# --- refusal ----------------------------------------------------------------------------------------------------


def test_refuse_requires_reason_and_routes(world):
    case = register(world, dt(2026, 3, 2, 9))
    with refused(case, "请写明不予受理的理由"):
        A.do_refuse_case(case, world.director_a, reason="  ", routes=[Route.LITIGATION], at=dt(2026, 3, 3))
    with refused(case, "请选择已告知当事人的其他解决途径"):
        A.do_refuse_case(case, world.director_a, reason="纠纷已由法院立案受理", routes=[], at=dt(2026, 3, 3))
    with refused(case, "您无权对本案执行“不予受理”"):
        A.do_refuse_case(
            case, world.mediator_a, reason="纠纷已由法院立案受理", routes=[Route.LITIGATION], at=dt(2026, 3, 3)
        )
    A.do_refuse_case(
        case,
        world.director_a,
        reason="纠纷已由法院立案受理",
        routes=[Route.LITIGATION, Route.ADMINISTRATIVE],
        at=dt(2026, 3, 3),
    )
    case = reload(case)
    assert case.status == S.NOT_ACCEPTED
    assert case.not_accepted_reason == "纠纷已由法院立案受理"
    assert case.routes_informed == "向人民法院起诉、请求行政机关处理"
    assert case.case_no is None
    assert events(case)[-1] == ("refuse", S.INTAKE, S.NOT_ACCEPTED, world.director_a.pk)


# --- transfer ---------------------------------------------------------------------------------------------------


def test_transfer_to_the_township_creates_a_linked_intake_case(world):
    case = register(world, dt(2026, 3, 2, 9))
    with refused(case, "请选择接收的调委会，或填写接收机关（二选一）"):
        A.do_transfer_case(
            case,
            world.director_a,
            reason="跨村纠纷，移交街道调委会",
            to_committee=world.township,
            to_authority="县信访局",
            at=dt(2026, 3, 3),
        )
    with refused(case, "不能移交给本调委会"):
        A.do_transfer_case(
            case, world.director_a, reason="跨村纠纷，移交街道调委会", to_committee=world.village_a, at=dt(2026, 3, 3)
        )
    A.do_transfer_case(
        case, world.director_a, reason="跨村纠纷，移交街道调委会", to_committee=world.township, at=dt(2026, 3, 3)
    )
    case = reload(case)
    assert case.status == S.TRANSFERRED_OUT and case.transferred_to == "温泉街道人民调解委员会"
    new = Case.objects.get(pk=case.events.last().data["new_case_id"])
    assert (new.committee, new.status, new.case_no) == (world.township, S.INTAKE, None)
    assert [(p.name, p.side, p.full_id_number()) for p in new.parties.all()] == [
        (p.name, p.side, p.full_id_number()) for p in case.parties.all()
    ]
    assert events(new) == [("register", "", S.INTAKE, world.director_a.pk)]  # no township director: the sender


def test_transfer_keeps_the_guardian_of_a_minor(world):
    minor = A.PartyData(
        side=PartySide.RESPONDENT,
        name="李小四",
        guardian_name="李四",
        id_number=make_valid_id_number("421202", date(2012, 6, 1), 7),
    )
    data = case_data(None)
    data.parties = [data.parties[0], minor]
    case = A.do_register_case(world.mediator_a, world.village_a, data, at=dt(2026, 3, 2, 9))
    A.do_transfer_case(
        case, world.director_a, reason="跨村纠纷，移交街道调委会", to_committee=world.township, at=dt(2026, 3, 3)
    )
    new = Case.objects.get(pk=reload(case).events.last().data["new_case_id"])
    assert new.parties.get(name="李小四").guardian_name == "李四"


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
    with refused(case, "调解期限届满前7日内或届满后方可延长"):
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
    with refused(case, "每次延长不得超过30日"):
        extend(world, case, dt(2026, 10, 2), date(2026, 11, 8))  # 10-08 + 31 days
    with refused(case, "延长后的期限须晚于原期限和今天"):
        extend(world, case, dt(2026, 10, 2), date(2026, 10, 8))
    extend(world, case, dt(2026, 10, 2), date(2026, 11, 7))  # 10-08 + 30 days is a Saturday
    assert reload(case).time_limit_due == date(2026, 11, 9)
    assert Extension.objects.get(case=case).new_due == date(2026, 11, 9)


def test_extension_after_expiry_counts_from_today(world, due_oct_8):
    case = due_oct_8
    with refused(case, "每次延长不得超过30日"):
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


# --- voluntariness: a party's refusal ---------------------------------------------------------------------------


def test_party_refusal_at_intake_means_not_accepted(world):
    case = register(world, dt(2026, 3, 2, 9))
    applicant, respondent = parties(case)
    with refused(case, "请选择已告知当事人的其他解决途径"):
        A.do_record_party_refusal(
            case, world.mediator_a2, party=respondent, statement="", routes=[], at=dt(2026, 3, 2, 11)
        )
    A.do_record_party_refusal(
        case,
        world.mediator_a2,
        party=respondent,
        statement="不同意调解，要去法院",
        routes=[Route.LITIGATION],
        at=dt(2026, 3, 2, 11),
    )
    case = reload(case)
    assert case.status == S.NOT_ACCEPTED and case.case_no is None
    assert case.not_accepted_reason == "李四明确表示拒绝调解：不同意调解，要去法院"
    assert case.termination_reason == "" and case.routes_informed == "向人民法院起诉"
    assert events(case)[-1] == ("party_refusal", S.INTAKE, S.NOT_ACCEPTED, world.mediator_a2.pk)


@pytest.mark.parametrize("status", [S.ACCEPTED, S.IN_MEDIATION, S.PAUSED, S.REMEDIATION])
def test_party_refusal_before_agreement_terminates(world, status):
    case = make_case(world, status)
    _, respondent = parties(case)
    n = case.events.count()
    A.do_record_party_refusal(
        case,
        world.mediator_a,
        party=respondent,
        statement="不愿继续调解",
        routes=[Route.LITIGATION, Route.ARBITRATION],
        at=case.events.last().at + timedelta(hours=1),
    )
    case = reload(case)
    assert case.status == S.TERMINATED
    assert case.termination_reason == TerminationReason.PARTY_REFUSED and case.outcome == Outcome.FAILURE
    assert case.termination_note == "李四明确表示拒绝调解：不愿继续调解"
    assert new_events(case, n) == [("party_refusal", status, S.TERMINATED, world.mediator_a.pk)]


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


# --- termination and closing ------------------------------------------------------------------------------------


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


def test_close_from_non_performance_requires_urging_and_advice_to_sue(world):
    case = make_case(world, S.NON_PERFORMANCE)
    at = case.events.last().at + timedelta(hours=1)
    with refused(case, "未履行的案件须先督促履行"):
        A.do_close_case(case, world.mediator_a, summary="督促无果，结案", advised_litigation=True, at=at)
    A.do_urge_performance(case, world.mediator_a, note="上门督促义务人履行", at=at)
    assert reload(case).status == S.PERFORMING
    A.do_report_non_performance(case, world.mediator_a, partial=True, note="督促后仍只付了一半", at=at)
    case = reload(case)
    assert case.status == S.NON_PERFORMANCE and case.performance_status == PerformanceStatus.PARTIALLY_PERFORMED
    with refused(case, "须告知当事人可以就履行问题向人民法院起诉（或申请强制执行）"):
        A.do_close_case(case, world.mediator_a, summary="督促无果，结案", advised_litigation=False, at=at)
    A.do_close_case(case, world.mediator_a, summary="督促无果，结案", advised_litigation=True, at=at)
    case = reload(case)
    assert case.status == S.CLOSED and case.closing_summary == "督促无果，结案" and case.closed_at == at
    assert case.performance_records.filter(kind="ADVISED_LITIGATION").count() == 1
    assert events(case)[-1] == ("close", S.NON_PERFORMANCE, S.CLOSED, world.mediator_a.pk)


def test_confirm_performed_requires_a_follow_up_finding_performance(world):
    case = make_case(world, S.PERFORMING)
    at = case.events.last().at + timedelta(days=1)
    with refused(case, "须先记录一次确认已履行的回访"):
        A.do_confirm_performed(case, world.mediator_a, at=at)
    A.do_record_follow_up(
        case,
        world.mediator_a,
        party=case.parties.first(),
        visited_on=local_date(at),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.SATISFIED,
        notes="款项已付清",
        at=at,
    )
    A.do_confirm_performed(case, world.mediator_a, at=at)
    case = reload(case)
    assert case.status == S.PERFORMED and case.performance_status == PerformanceStatus.FULLY_PERFORMED


# --- archiving --------------------------------------------------------------------------------------------------


def test_archive_refused_with_the_missing_session_record(world):
    """Mediation began (investigation only) and ended with a party's refusal: the dossier lacks 人民调解记录."""
    case = make_case(world, S.IN_MEDIATION)
    at = case.events.last().at + timedelta(hours=1)
    A.do_record_party_refusal(
        case, world.mediator_a, party=case.parties.first(), statement="不愿调解", routes=[Route.LITIGATION], at=at
    )
    A.do_close_case(case, world.mediator_a, summary="当事人拒绝调解，终止结案", at=at)
    case = reload(case)
    with refused(case, "卷宗材料不齐，不能归档。缺少：人民调解记录"):
        A.do_archive_case(case, world.mediator_a, retention_class=RetentionClass.Y10, pages=6, at=at)


def test_archive_refused_until_the_follow_up_is_recorded(world):
    """Immediate performance then closing without a 回访: archiving lists it, and succeeds once it is recorded."""
    case = make_case(world, S.PERFORMED)
    at = case.events.last().at + timedelta(hours=1)
    A.do_close_case(case, world.mediator_a, summary="当场履行完毕，结案", at=at)
    case = reload(case)
    with refused(case, "卷宗材料不齐，不能归档。缺少：人民调解回访记录"):
        A.do_archive_case(case, world.mediator_a, retention_class=RetentionClass.Y10, pages=10, at=at)
    with refused(case, "请填写卷宗页数（1–2000）"):
        A.do_archive_case(case, world.mediator_a, retention_class=RetentionClass.Y10, pages=0, at=at)
    with refused(case, "请选择保管期限"):
        A.do_archive_case(case, world.mediator_a, retention_class="FOREVER", pages=10, at=at)
    A.do_record_follow_up(
        case,
        world.mediator_a,
        party=case.parties.first(),
        visited_on=local_date(at),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.VERY_SATISFIED,
        notes="协议已履行，关系和睦",
        at=at,
    )
    A.do_archive_case(case, world.director_a, retention_class=RetentionClass.Y30, pages=10, at=at)
    case = reload(case)
    assert case.status == S.ARCHIVED and case.archived_by == world.director_a
    assert (case.retention_class, case.dossier_pages, case.archived_at) == (RetentionClass.Y30, 10, at)
    assert events(case)[-1] == ("archive", S.CLOSED, S.ARCHIVED, world.director_a.pk)


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
    with refused(case, "已超过申请期限：应自协议生效之日起30日内（2026年04月09日前）申请司法确认"):
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
    jc_apply(world, case, world.party_user, date(2026, 3, 12), dt(2026, 3, 12))
    assert events(case)[-1] == ("jc_apply", S.AGREEMENT_REACHED, S.AGREEMENT_REACHED, world.party_user.pk)


def test_oral_agreement_cannot_be_judicially_confirmed(world):
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
    with refused(case, "只有已生效的书面调解协议可以申请司法确认"):
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


# --- disposal ---------------------------------------------------------------------------------------------------


def test_dispose_refused_before_the_retention_period_expires(world):
    case = make_case(world, S.ARCHIVED)
    archived = local_date(case.archived_at)
    expiry = archived.replace(year=archived.year + 10)
    with refused(case, "保管期限未满，不能销毁"):
        A.do_dispose_case(
            case,
            world.county_admin,
            approval="经县司法局审批",
            at=dt(expiry.year, expiry.month, expiry.day, 0) - timedelta(minutes=1),
        )
    with refused(case, "您无权对本案执行“销毁”"):
        A.do_dispose_case(case, world.director_a, approval="经县司法局审批", at=dt(expiry.year + 1, 1, 5))
    with refused(case, "您无权对本案执行“销毁”"):
        A.do_dispose_case(case, world.other_county_admin, approval="经县司法局审批", at=dt(expiry.year + 1, 1, 5))
    with refused(case, "请填写销毁审批情况"):
        A.do_dispose_case(case, world.county_admin, approval="", at=dt(expiry.year + 1, 1, 5))
    at = dt(expiry.year, expiry.month, expiry.day, 0, 1)
    with time_machine.travel(at, tick=False):
        A.do_dispose_case(case, world.county_admin, approval="经县司法局档案室审批销毁")
    case = reload(case)
    assert case.status == S.DISPOSED and case.disposed_at == at
    assert events(case)[-1] == ("dispose", S.ARCHIVED, S.DISPOSED, world.county_admin.pk)
    assert available_actions(case, world.county_admin) == []


def test_permanent_dossiers_are_never_disposed(world):
    case = make_case(world, S.CLOSED)
    at = case.events.last().at + timedelta(days=1)
    A.do_archive_case(case, world.mediator_a, retention_class=RetentionClass.PERMANENT, pages=9, at=at)
    with refused(case, "永久保管的卷宗不能销毁"):
        A.do_dispose_case(case, world.county_admin, approval="经县司法局审批", at=at + timedelta(days=365 * 100))


def test_dispose_a_dossier_archived_on_29_february(world):
    case = make_case(world, S.CLOSED, at=dt(2028, 2, 1, 9))
    A.do_archive_case(case, world.mediator_a, retention_class=RetentionClass.Y10, pages=9, at=dt(2028, 2, 29))
    with refused(case, "保管期限未满，不能销毁"):
        A.do_dispose_case(case, world.county_admin, approval="经县司法局审批", at=dt(2038, 2, 27))
    A.do_dispose_case(case, world.county_admin, approval="经县司法局审批", at=dt(2038, 3, 1))
    assert reload(case).status == S.DISPOSED


# --- the event history ------------------------------------------------------------------------------------------


def test_case_event_is_append_only(world):
    case = make_case(world, S.ACCEPTED)
    event = case.events.order_by("id").last()
    before = list(CaseEvent.objects.values().order_by("id"))
    event.note = "篡改"
    attempts = {
        "save": event.save,
        "delete": event.delete,
        "queryset update": lambda: CaseEvent.objects.filter(pk=event.pk).update(note="篡改"),
        "queryset delete": lambda: CaseEvent.objects.filter(case=case).delete(),
        "related update": lambda: case.events.update(note="篡改"),
        "related delete": lambda: case.events.all().delete(),
        "bulk_update": lambda: CaseEvent.objects.bulk_update([event], ["note"]),
        "update_or_create": lambda: CaseEvent.objects.update_or_create(pk=event.pk, defaults={"note": "篡改"}),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionError), transaction.atomic():  # savepoint: bulk_update breaks the transaction
            attempt()
            pytest.fail(f"{name} did not raise")
    assert list(CaseEvent.objects.values().order_by("id")) == before


def test_every_state_change_writes_exactly_one_event_with_actor_and_transition(world):
    case = make_case(world, S.CLOSED)
    m, d = world.mediator_a.pk, world.director_a.pk
    im = S.IN_MEDIATION
    assert events(case) == [
        ("register", "", S.INTAKE, m),
        ("accept", S.INTAKE, S.ACCEPTED, d),
        ("assign", S.ACCEPTED, im, d),
        ("record_session", im, im, m),
        ("draft_agreement", im, im, m),
        ("sign_agreement", im, im, m),
        ("sign_agreement", im, im, m),
        ("sign_agreement", im, im, m),
        ("seal_agreement", im, im, d),
        ("agreement_effective", im, S.AGREEMENT_REACHED, None),
        ("immediate_performance", S.AGREEMENT_REACHED, S.PERFORMED, m),
        ("record_follow_up", S.PERFORMED, S.PERFORMED, m),
        ("close", S.PERFORMED, S.CLOSED, m),
    ]
    times = list(case.events.order_by("id").values_list("at", flat=True))
    assert times == sorted(times)


@pytest.mark.parametrize("status", [s for s in S if s != S.DISPOSED])
def test_event_chain_is_consistent_for_every_status(world, status):
    case = make_case(world, status)
    chain = list(case.events.order_by("id"))
    assert chain[0].from_status == "" and chain[0].to_status == S.INTAKE
    for prev, nxt in zip(chain, chain[1:], strict=False):
        assert nxt.from_status == prev.to_status, (prev.action, nxt.action)
    assert chain[-1].to_status == case.status
    for e in chain:
        assert (e.actor is None) == (e.action in {"agreement_effective", "performance_tracking"}), e.action
