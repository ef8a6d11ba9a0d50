"""Guards of the actions after the agreement: confirming performance, closing, archiving and disposal.

Disposal dates are exact (`at=`, once with time_machine): the retention period ends on the anniversary of archiving.
"""

from datetime import timedelta

import time_machine

from cases import actions as A
from cases.actions.base import local_date
from cases.closing import LITIGATION_ADVICE
from cases.enums import FollowUpOutcome, PerformanceStatus, RetentionClass, Route, Satisfaction
from cases.permissions import available_actions
from tests.actions.helpers import S, dt, events, refused, reload
from tests.world import make_case

# --- performance and closing ------------------------------------------------------------------------------------


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
    advice = f"本调解协议未经人民法院司法确认，当事人之间就调解协议的履行或者内容发生争议的，{LITIGATION_ADVICE}"
    with refused(case, f"须告知当事人：{advice}"):
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


# --- disposal ---------------------------------------------------------------------------------------------------


def test_dispose_refused_before_the_retention_period_expires(world):
    case = make_case(world, S.ARCHIVED)
    archived = local_date(case.archived_at)
    expiry = archived.replace(year=archived.year + 10)
    with refused(case, "保管期限未满，不能销毁：最早可于2036年3月23日销毁"):
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
    with refused(case, "保管期限未满，不能销毁：最早可于2038年2月28日销毁"):
        A.do_dispose_case(case, world.county_admin, approval="经县司法局审批", at=dt(2038, 2, 27))
    A.do_dispose_case(case, world.county_admin, approval="经县司法局审批", at=dt(2038, 3, 1))
    assert reload(case).status == S.DISPOSED


def test_close_records_prevention_indicators_and_refuses_nonsense(world):
    case = make_case(world, S.PERFORMED)
    with refused(case, "人数应为0至100000之间的整数"):
        A.do_close_case(
            case, world.mediator_a, summary="协议已履行完毕，结案", prevention={"prevented_criminal_persons": -2}
        )
    with refused(case, "未知的预防指标"):
        A.do_close_case(case, world.mediator_a, summary="协议已履行完毕，结案", prevention={"nonsense": 1})
    assert reload(case).status == S.PERFORMED
    A.do_close_case(
        case,
        world.mediator_a,
        summary="协议已履行完毕，结案",
        prevention={"prevented_criminal_persons": 3, "prevented_suicide_persons": 0},
    )
    case = reload(case)
    assert case.status == S.CLOSED
    assert (case.prevented_criminal_persons, case.prevented_suicide_persons) == (3, 0)
    assert case.events.get(action="close").data["prevention"] == {"prevented_criminal_persons": 3}


def test_close_form_takes_prevention_persons(world, client):
    case = make_case(world, S.PERFORMED)
    client.force_login(world.mediator_a)
    url = f"/cases/{case.pk}/do/close/"
    response = client.post(url, {"summary": "协议已履行完毕，结案", "prevented_group_petition_persons": "abc"})
    assert response.status_code == 200 and "输入整数" in response.content.decode()
    assert reload(case).status == S.PERFORMED
    response = client.post(url, {"summary": "协议已履行完毕，结案", "prevented_group_petition_persons": "12"})
    assert response.status_code == 302
    assert reload(case).prevented_group_petition_persons == 12
