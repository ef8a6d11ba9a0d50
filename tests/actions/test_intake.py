"""Guards of the intake actions: acceptance (case number, one-month time limit on a working day), refusal, transfer.

Each refusal says why in Chinese and changes nothing; each success records one event. Due dates that depend on
holidays use the shipped 2025–2026 schedule (data/holidays/cn-2025-2026.json), loaded by the `holidays` fixture.
"""

from datetime import date

import pytest

from accounts.models import AccessLog
from cases import actions as A
from cases.enums import PartySide, Route
from cases.identity import make_valid_id_number
from cases.models import Case
from tests.actions.helpers import S, dt, events, refused, register, reload
from tests.world import case_data
from workdays import calendar

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
    assert first.events.last().data == {"case_no": "（2026）桂花人调字第1号", "due": "2026-04-03", "exclusion": "NONE"}


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
    assert events(new) == [("register", "", S.INTAKE, world.director_a.pk)]  # registered by the sender
    assert new.registered_by == world.director_a
    # Copying the parties' ID numbers to another committee is a logged transfer of personal data.
    logged = AccessLog.objects.filter(action="TRANSFER_PERSONAL_DATA", user=world.director_a, case=case)
    assert sorted(logged.values_list("party__name", flat=True)) == sorted(p.name for p in case.parties.all())


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
