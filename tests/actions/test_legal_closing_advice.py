"""Issue 8, the law: the advice at closing depends on the agreement (PML 32, 33). Confirmed by a court →
"可以向人民法院申请强制执行"; not confirmed → "可以就调解协议的履行或者内容向人民法院提起诉讼"."""

from datetime import date

from django.template.loader import render_to_string
from django.test import Client

from cases import actions as A
from cases.closing import ENFORCEMENT_ADVICE, LITIGATION_ADVICE, closing_advice
from cases.models import Notification
from documents.builders import SINGLE, Viewer
from tests.actions.helpers import S, dt, mediating_case, parties, reload, written_agreement


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def performed(world):
    case = mediating_case(world, dt(2026, 3, 2))
    written_agreement(world, case, dt(2026, 3, 10), date(2026, 3, 10))
    A.do_record_immediate_performance(
        case, world.mediator_a, on=date(2026, 3, 10), note="当场付清", at=dt(2026, 3, 10, 16)
    )
    return reload(case)


def confirm(world, case):
    applicant, respondent = parties(case)
    A.do_apply_judicial_confirmation(
        case,
        world.mediator_a,
        applicant=applicant,
        consenting=respondent,
        court=world.court,
        applied_on=date(2026, 3, 11),
        at=dt(2026, 3, 11),
    )
    A.do_record_court_acceptance(
        case,
        world.court_liaison,
        accepted=True,
        on=date(2026, 3, 12),
        court_case_no="（2026）鄂1202民特9号",
        at=dt(2026, 3, 12),
    )
    A.do_record_court_decision(case, world.court_liaison, valid=True, on=date(2026, 3, 20), at=dt(2026, 3, 20))
    return reload(case)


def close(world, case):
    A.do_close_case(case, world.mediator_a, summary="协议已履行完毕，结案", at=dt(2026, 3, 25))
    return reload(case)


def report_text(world, case) -> str:
    d = {"case": case, "committee": case.committee, **SINGLE["closing_report"](case, Viewer.of(world.mediator_a, case))}
    return render_to_string("documents/parts/closing_report.html", {"d": d})


def test_not_confirmed_means_a_lawsuit(world):
    case = close(world, performed(world))
    assert LITIGATION_ADVICE in closing_advice(case) and ENFORCEMENT_ADVICE not in closing_advice(case)
    event = case.events.get(action="close")
    assert LITIGATION_ADVICE in event.note and event.data["advice"] == closing_advice(case)
    assert Notification.objects.filter(case=case, message__contains=LITIGATION_ADVICE).exists()
    assert LITIGATION_ADVICE in login(world.mediator_a).get(f"/cases/{case.pk}/").content.decode()
    assert LITIGATION_ADVICE in report_text(world, case)


def test_confirmed_by_a_court_means_enforcement(world):
    case = confirm(world, performed(world))
    assert ENFORCEMENT_ADVICE in case.events.get(action="jc_decide").note  # told at the ruling already
    case = close(world, case)
    assert ENFORCEMENT_ADVICE in closing_advice(case) and LITIGATION_ADVICE not in closing_advice(case)
    assert ENFORCEMENT_ADVICE in case.events.get(action="close").note
    assert Notification.objects.filter(case=case, message__contains=ENFORCEMENT_ADVICE).exists()
    page = login(world.mediator_a).get(f"/cases/{case.pk}/").content.decode()
    assert ENFORCEMENT_ADVICE in page and LITIGATION_ADVICE not in page
    assert ENFORCEMENT_ADVICE in report_text(world, case)


def test_no_agreement_no_agreement_advice(world):
    case = mediating_case(world, dt(2026, 3, 2))
    A.do_terminate_mediation(
        case, world.mediator_a, reason="NO_PROSPECT", note="双方分歧较大", routes=["LITIGATION"], at=dt(2026, 3, 5)
    )
    case = close(world, reload(case))
    assert closing_advice(case) == "" and case.status == S.CLOSED
    assert case.events.get(action="close").data["advice"] == ""
