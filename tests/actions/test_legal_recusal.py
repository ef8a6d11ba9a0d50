"""Issue 8, the law: a mediator replaced after a recusal request (回避, RGD 25) loses access to the case — pages,
messages, documents and every action — from that moment, and what they had is kept in the history."""

import pytest
from django.http import Http404
from django.test import Client

from cases import actions as A
from cases.enums import RecordKind
from cases.models import RecusalRequest
from cases.permissions import available_actions, relations
from cases.scoping import access_case_by_id, cases_visible_to
from tests.actions.helpers import dt, mediating_case, parties, refused, reload


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def recuse(world, case, at):
    applicant, _ = parties(case)
    return A.do_recuse_mediator(
        case,
        world.director_a,
        party=applicant,
        replaced=world.mediator_a.mediator,
        replacement=world.mediator_a2.mediator,
        reason="调解员与被申请人系近亲属",
        at=at,
    )


@pytest.fixture
def recused(world):
    case = mediating_case(world, dt(2026, 3, 2))
    A.do_record_mediation(
        case,
        world.mediator_a,
        kind=RecordKind.INVESTIGATION,
        held_at=dt(2026, 3, 3),
        place="调解室",
        subject="张三",
        content="了解排水沟堵塞的经过并查看现场。",
        at=dt(2026, 3, 3),
    )
    recuse(world, case, dt(2026, 3, 4))
    return reload(case)


def test_before_recusal_the_mediator_sees_and_acts(world):
    case = mediating_case(world, dt(2026, 3, 2))
    assert cases_visible_to(world.mediator_a).filter(pk=case.pk).exists()
    assert "record_session" in dict(available_actions(case, world.mediator_a))


def test_the_replaced_mediator_no_longer_sees_the_case_or_acts_on_it(world, recused):
    case = recused
    assert not cases_visible_to(world.mediator_a).filter(pk=case.pk).exists()
    with pytest.raises(Http404):
        access_case_by_id(world.mediator_a, case.pk)
    assert relations(world.mediator_a, case) == set()
    assert available_actions(case, world.mediator_a) == []
    with refused(case, "您无权对本案执行“记录调解”"):
        A.do_record_mediation(
            case,
            world.mediator_a,
            kind=RecordKind.SESSION,
            held_at=dt(2026, 3, 5),
            place="调解室",
            subject="双方",
            content="双方陈述事实，调解员释法说理。",
            at=dt(2026, 3, 5),
        )
    # The replacement and the rest of the committee are unaffected.
    assert "record_session" in dict(available_actions(case, world.mediator_a2))
    assert cases_visible_to(world.director_a).filter(pk=case.pk).exists()


def test_the_history_keeps_what_they_had(world, recused):
    case = recused
    row = RecusalRequest.objects.get(case=case)
    assert (row.replaced, row.replacement) == (world.mediator_a.mediator, world.mediator_a2.mediator)
    event = case.events.get(action="recuse")
    assert event.data["replaced_user"] == world.mediator_a.pk
    assert "申请李调解回避，改由赵调解调解" in event.note
    # Their earlier record and its event stay, still naming them.
    assert case.records.get().recorded_by == world.mediator_a
    assert case.events.get(action="record_investigation").actor == world.mediator_a


def test_a_recused_mediator_cannot_be_brought_back(world, recused):
    case = recused
    applicant, _ = parties(case)
    with refused(case, "李调解已在本案回避，不能再担任替换调解员"):
        A.do_recuse_mediator(
            case,
            world.director_a,
            party=applicant,
            replaced=world.mediator_a2.mediator,
            replacement=world.mediator_a.mediator,
            reason="再次更换",
            at=dt(2026, 3, 6),
        )


def test_pages_messages_and_documents_are_404_for_the_replaced_mediator(world, recused):
    case = recused
    client = login(world.mediator_a)
    for url in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/do/record_session/",
        f"/messages/case/{case.pk}/",
        f"/documents/case/{case.pk}/acceptance.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cases/{case.pk}/do/record_session/", {"place": "x"}).status_code == 404
    assert f'href="/cases/{case.pk}/"' not in client.get("/workbench/cases/").content.decode()
    assert f'href="/cases/{case.pk}/"' in login(world.mediator_a2).get("/workbench/cases/").content.decode()
    # The replacement still has the page; the director's page shows who was replaced.
    assert login(world.mediator_a2).get(f"/cases/{case.pk}/").status_code == 200
    page = login(world.director_a).get(f"/cases/{case.pk}/").content.decode()
    assert "回避记录" in page and "李调解（此前可查看和办理本案，自此不再接触本案）改由 赵调解 调解" in page
