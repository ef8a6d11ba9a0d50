"""Issue 13, 重新分类: a case's type changed later through the transition table's reclassify rows, with its event
(from → to, the reason) and a RECLASSIFY triage suggestion stored with the decision.

Who (cases.transitions): while open, the committee's director and the case's mediators; once closed, they and the
county bureau; once archived, the county bureau only. Never after disposal, a merge, a refusal or a transfer."""

import pytest
from django.test import Client

from cases import actions as A
from cases.actions.base import ActionRefused
from cases.enums import OPEN_STATES, CaseStatus, DisputeType
from cases.permissions import available_actions
from cases.transitions import LABELS, TABLE, Rel, find_row
from tests.world import make_case
from triage.enums import Subject
from triage.models import TriageSuggestion

S = CaseStatus
REASON = "经现场查看，实为宅基地边界纠纷"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_rows_of_the_table():
    rows = {r.source: r for r in TABLE if r.action == "reclassify"}
    assert set(rows) == OPEN_STATES | {S.CLOSED, S.ARCHIVED}
    for source, row in rows.items():
        assert row.target == source  # a self-loop: the status does not move
    assert all(rows[s].rels == {Rel.DIRECTOR, Rel.MEDIATOR} for s in OPEN_STATES)
    assert rows[S.CLOSED].rels == {Rel.DIRECTOR, Rel.MEDIATOR, Rel.COUNTY}
    assert rows[S.ARCHIVED].rels == {Rel.COUNTY}
    for status in (S.DISPOSED, S.MERGED, S.NOT_ACCEPTED, S.TRANSFERRED_OUT):
        assert find_row("reclassify", status) is None
    assert LABELS["reclassify"] == "重新分类"


def test_reclassify_changes_the_type_with_its_event_and_a_decided_suggestion(world):
    case = make_case(world, S.IN_MEDIATION)
    assert case.dispute_type == DisputeType.NEIGHBOR
    n = case.events.count()
    A.do_reclassify(case, world.mediator_a, DisputeType.HOUSING_HOMESTEAD, REASON)
    case.refresh_from_db()
    assert case.dispute_type == DisputeType.HOUSING_HOMESTEAD and case.status == S.IN_MEDIATION
    event = case.events.order_by("id").last()
    assert case.events.count() == n + 1
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "reclassify",
        S.IN_MEDIATION,
        S.IN_MEDIATION,
        world.mediator_a,
    )
    assert (event.data["from"], event.data["to"], event.data["reason"]) == ("NEIGHBOR", "HOUSING_HOMESTEAD", REASON)
    assert "邻里纠纷" in event.note and "房屋宅基地纠纷" in event.note and REASON in event.note
    row = TriageSuggestion.objects.get(pk=event.data["suggestion"])
    assert row.subject == Subject.RECLASSIFY and row.case == case
    assert row.suggested_type == event.data["suggested"] and row.suggested_type in DisputeType.values
    assert row.decided_type == DisputeType.HOUSING_HOMESTEAD and row.decided_by == world.mediator_a
    assert row.decision_note == REASON
    # Only the type is asked on the reclassify page: level, route and flags are not decided.
    assert (row.decided_level, row.decided_route, row.decided_flags) == ("", "", None)


@pytest.mark.parametrize(
    ("status", "allowed", "refused"),
    [
        (S.INTAKE, ["director_a"], ["mediator_a", "mediator_a2", "county_admin", "sfs_officer", "mediator_c"]),
        (S.IN_MEDIATION, ["director_a", "mediator_a"], ["mediator_a2", "county_admin", "city_admin", "court_liaison"]),
        (S.CLOSED, ["director_a", "mediator_a", "county_admin"], ["sfs_officer", "city_admin", "other_county_admin"]),
        (S.ARCHIVED, ["county_admin"], ["director_a", "mediator_a", "other_county_admin"]),
    ],
)
def test_who_may_reclassify(world, status, allowed, refused):
    case = make_case(world, status)
    people = world.personas()
    for name in allowed:
        assert "reclassify" in dict(available_actions(case, people[name])), name
    for name in refused:
        assert "reclassify" not in dict(available_actions(case, people[name])), name
        with pytest.raises(ActionRefused, match="无权|不能执行"):
            A.do_reclassify(case, people[name], DisputeType.CONTRACT, REASON)
    assert not TriageSuggestion.objects.exists()  # a refusal writes nothing
    target = DisputeType.CONTRACT
    for name in allowed:
        target = DisputeType.CONTRACT if target != DisputeType.CONTRACT else DisputeType.MEDICAL
        A.do_reclassify(case, people[name], target, REASON)
    case.refresh_from_db()
    assert case.dispute_type == target and case.status == status
    assert case.events.filter(action="reclassify").count() == len(allowed) == TriageSuggestion.objects.count()


def test_guards(world):
    case = make_case(world, S.IN_MEDIATION)
    with pytest.raises(ActionRefused, match="相同"):
        A.do_reclassify(case, world.mediator_a, DisputeType.NEIGHBOR, REASON)
    with pytest.raises(ActionRefused, match="理由"):
        A.do_reclassify(case, world.mediator_a, DisputeType.CONTRACT, "  错 ")
    with pytest.raises(ActionRefused, match="“NOT_A_TYPE”不是全国纠纷类型目录中的类型"):
        A.do_reclassify(case, world.mediator_a, "NOT_A_TYPE", REASON)
    with pytest.raises(ActionRefused, match="请选择纠纷类型"):
        A.do_reclassify(case, world.mediator_a, "", REASON)
    refused = make_case(world, S.NOT_ACCEPTED)
    with pytest.raises(ActionRefused, match="不能执行"):
        A.do_reclassify(refused, world.director_a, DisputeType.CONTRACT, REASON)
    assert not case.events.filter(action="reclassify").exists() and not TriageSuggestion.objects.exists()


def test_the_case_page_offers_it_and_the_form_shows_the_suggestion(world):
    case = make_case(world, S.IN_MEDIATION)
    client = login(world.mediator_a)
    assert f"/cases/{case.pk}/do/reclassify/" in client.get(f"/cases/{case.pk}/").content.decode()
    page = client.get(f"/cases/{case.pk}/do/reclassify/").content.decode()
    assert "重新分类" in page and "智能分类建议" in page and "原类型：邻里纠纷" in page
    assert 'data-triage-adopt="' in page
    response = client.post(f"/cases/{case.pk}/do/reclassify/", {"dispute_type": "HOUSING_HOMESTEAD", "reason": ""})
    assert response.status_code == 200 and "请写明重新分类的理由" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/do/reclassify/", {"dispute_type": "HOUSING_HOMESTEAD", "reason": REASON})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.dispute_type == DisputeType.HOUSING_HOMESTEAD
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    assert "重新分类" in timeline and REASON in timeline


def test_another_county_gets_404_on_the_page(world):
    case = make_case(world, S.IN_MEDIATION)
    for user in (world.mediator_c, world.other_county_admin, world.mediator_b):
        client = login(user)
        assert client.get(f"/cases/{case.pk}/do/reclassify/").status_code == 404
        assert (
            client.post(f"/cases/{case.pk}/do/reclassify/", {"dispute_type": "CONTRACT", "reason": REASON}).status_code
            == 404
        )
    # Inside the jurisdiction but not offered: back to the case, nothing changed.
    response = login(world.mediator_a2).post(
        f"/cases/{case.pk}/do/reclassify/", {"dispute_type": "CONTRACT", "reason": REASON}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.dispute_type == DisputeType.NEIGHBOR and not TriageSuggestion.objects.exists()


def test_the_pages_refresh_asks_for_a_fresh_suggestion_the_one_recorded(world, monkeypatch):
    """重新分析 on the reclassify page is a fresh suggestion for the case's facts, not the stored (registration) row."""
    from triage import decisions, service
    from triage.views import case_shown

    case = make_case(world, S.IN_MEDIATION)
    stub = service.Suggestion("CONTRACT", 0.9, "YELLOW", 0.5, [], "VILLAGE_COMMITTEE", 0.5, {}, "old-1")
    decisions.record_suggestion(Subject.REGISTRATION, "旧的事实", stub, case=case, division_code=case.division_code)
    fresh = service.Suggestion("HOUSING_HOMESTEAD", 0.8, "YELLOW", 0.5, [], "VILLAGE_COMMITTEE", 0.5, {}, "new-1")
    monkeypatch.setattr(service, "suggest", lambda *a, **k: fresh)
    client = login(world.mediator_a)
    page = client.get(f"/cases/{case.pk}/do/reclassify/").content.decode()
    url = f"/triage/panel/case/{case.pk}/?fresh=1"
    assert url in page and 'data-triage-adopt="HOUSING_HOMESTEAD"' in page and "纠纷类型由您决定" in page
    fragment = client.post(url).content.decode()
    assert 'data-triage-adopt="HOUSING_HOMESTEAD"' in fragment and "CONTRACT" not in fragment
    assert case_shown(case, fresh=True).dispute_type == "HOUSING_HOMESTEAD"
    A.do_reclassify(case, world.mediator_a, DisputeType.CONTRACT, REASON)
    recorded = TriageSuggestion.objects.get(subject=Subject.RECLASSIFY)
    assert (recorded.suggested_type, recorded.model_version) == ("HOUSING_HOMESTEAD", "new-1")
