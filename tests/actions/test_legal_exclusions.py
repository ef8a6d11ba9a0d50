"""Issue 8, the law: matters a committee may not take (RGD 22; PML 17–18). The finding is recorded at registration
and at acceptance; an exclusion refuses acceptance with the reason, and the refusal must tell the proper route."""

import re

from django.test import Client

from cases import actions as A
from cases.actions.intake import exclusion_refusal
from cases.enums import Exclusion, Route
from cases.models import Case
from tests.actions.helpers import S, dt, refused, register, reload
from tests.test_views import register_form


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


COURT_MSG = (
    "本纠纷已由人民法院立案受理，依照《人民调解工作若干规定》第二十二条，人民调解委员会不予受理。"
    "应告知当事人：通过已受理或已作出裁判的人民法院依法解决"
)


def test_registration_records_the_finding(world):
    case = register(
        world, dt(2026, 3, 2, 9), exclusion=Exclusion.COURT_ACCEPTED, exclusion_note="（2026）鄂1202民初5号"
    )
    assert (case.exclusion, case.exclusion_note) == (Exclusion.COURT_ACCEPTED, "（2026）鄂1202民初5号")
    assert exclusion_refusal(Exclusion.COURT_ACCEPTED) == COURT_MSG


def test_acceptance_is_refused_for_an_exclusion_found_at_registration(world):
    case = register(world, dt(2026, 3, 2, 9), exclusion=Exclusion.COURT_ACCEPTED)
    with refused(case, COURT_MSG) as info:
        A.do_accept_case(case, world.director_a, at=dt(2026, 3, 3))
    assert info.value.field == "exclusion"


def test_acceptance_is_refused_for_an_exclusion_the_director_finds(world):
    case = register(world, dt(2026, 3, 2, 9), exclusion=Exclusion.NONE)
    for found, route in [
        (Exclusion.ARBITRATION, "通过已受理或已作出裁决的仲裁机构依法解决"),
        (Exclusion.ADMIN_ORGAN, "通过已受理的公安机关或其他行政机关依法处理"),
        (Exclusion.SPECIALISED, "向依法有权处理的专门机关反映"),
    ]:
        with refused(case, exclusion_refusal(found)) as info:
            A.do_accept_case(case, world.director_a, exclusion=found, at=dt(2026, 3, 3))
        assert route in info.value.message
    with refused(case, "请选择是否存在不得受理的情形"):
        A.do_accept_case(case, world.director_a, exclusion="MAYBE", at=dt(2026, 3, 3))


def test_the_directors_finding_at_acceptance_prevails(world):
    case = register(world, dt(2026, 3, 2, 9), exclusion=Exclusion.COURT_ACCEPTED)
    A.do_accept_case(
        case, world.director_a, exclusion=Exclusion.NONE, exclusion_note="经核实法院未立案", at=dt(2026, 3, 3)
    )
    case = reload(case)
    assert case.status == S.ACCEPTED and case.exclusion == Exclusion.NONE
    assert case.events.last().data["exclusion"] == "NONE"


def test_the_refusal_must_tell_the_proper_route(world):
    case = register(world, dt(2026, 3, 2, 9), exclusion=Exclusion.COURT_DECIDED)
    with refused(
        case, "本纠纷已由人民法院判决、裁定或调解结案，须告知当事人：通过已受理或已作出裁判的人民法院依法解决"
    ):
        A.do_refuse_case(case, world.director_a, reason="法院已判决", routes=[Route.ARBITRATION], at=dt(2026, 3, 3))
    A.do_refuse_case(case, world.director_a, reason="法院已判决", routes=[Route.COURT_PROCEEDING], at=dt(2026, 3, 3))
    case = reload(case)
    assert case.status == S.NOT_ACCEPTED and case.exclusion == Exclusion.COURT_DECIDED
    assert case.routes_informed == "通过已受理或已作出裁判的人民法院依法解决"
    assert case.events.last().data["exclusion"] == Exclusion.COURT_DECIDED


def test_a_refusal_for_other_reasons_needs_no_particular_route(world):
    case = register(world, dt(2026, 3, 2, 9))
    A.do_refuse_case(case, world.director_a, reason="不属于民间纠纷", routes=[Route.LITIGATION], at=dt(2026, 3, 3))
    assert reload(case).status == S.NOT_ACCEPTED


def test_the_registration_page_asks_and_keeps_the_finding(world):
    client = login(world.mediator_a)
    data = register_form()
    data.pop("exclusion")
    response = client.post("/workbench/register/", data)
    assert response.status_code == 200 and "请选择是否存在不得受理的情形" in response.content.decode()
    assert not Case.objects.exists()
    response = client.post(
        "/workbench/register/", register_form(exclusion="ARBITRATION", exclusion_note="劳动仲裁已立案")
    )
    assert response.status_code == 302
    assert Case.objects.get().exclusion == Exclusion.ARBITRATION


def test_the_acceptance_page_refuses_and_leads_to_the_refusal_with_the_route(world):
    case = register(world, dt(2026, 3, 2, 9))
    director = login(world.director_a)
    page = director.get(f"/cases/{case.pk}/do/accept/").content.decode()
    assert "是否已由法院、仲裁机构或行政机关受理或处理" in page and "已由人民法院立案受理" in page
    assert director.post(f"/cases/{case.pk}/do/accept/", {"note": ""}).status_code == 200  # a choice is required
    response = director.post(f"/cases/{case.pk}/do/accept/", {"exclusion": "COURT_ACCEPTED", "note": ""})
    body = response.content.decode()
    assert response.status_code == 200 and COURT_MSG in body
    assert f"/cases/{case.pk}/do/refuse/?exclusion=COURT_ACCEPTED" in body
    assert reload(case).status == S.INTAKE
    refuse_page = director.get(f"/cases/{case.pk}/do/refuse/?exclusion=COURT_ACCEPTED").content.decode()
    assert COURT_MSG in refuse_page  # the reason, prefilled
    assert re.search(r'value="COURT_PROCEEDING"[^>]*checked', refuse_page)  # and the proper route ticked
    response = director.post(
        f"/cases/{case.pk}/do/refuse/",
        {"exclusion": "COURT_ACCEPTED", "reason": COURT_MSG, "routes": ["COURT_PROCEEDING"]},
    )
    assert response.status_code == 302
    case = reload(case)
    assert case.status == S.NOT_ACCEPTED and case.exclusion == Exclusion.COURT_ACCEPTED
    assert "已由人民法院立案受理" in director.get(f"/cases/{case.pk}/").content.decode()
    response = director.post(f"/cases/{register(world, dt(2026, 3, 2, 10)).pk}/do/accept/", {"exclusion": "NONE"})
    assert response.status_code == 302
