"""Issue 13, POST /api/v1/triage/: the same answer as a line of `manage.py triage` (the same triage.service.suggest),
for a client-credentials token with the scope triage:suggest; every error in the API's one JSON shape; in the
published schema; nothing stored."""

import pytest
from django.test import Client

from cases.enums import DisputeType
from referrals.models import Institution
from screening.enums import RiskFlag, RiskLevel
from tests.api.api_helpers import Api, get_token, make_client
from triage import service
from triage.enums import Route
from triage.models import TriageSuggestion

URL = "/api/v1/triage/"
TEXT = "邻居家装修把我家墙震裂了，协商了几次都没结果，对方态度还很差。"
KEYS = {"id", "dispute_type", "risk_level", "risk_flags", "route", "reasons"}


@pytest.fixture
def institution(world) -> Institution:
    return Institution.objects.create(
        kind="POLICE",
        name="咸安区公安分局温泉派出所",
        code="T-TRIAGE",
        division=world.village_a.division,
        default_receiver=world.village_a,
    )


@pytest.fixture
def api(institution) -> Api:
    client, secret = make_client(institution, scopes="triage:suggest referrals:read")
    return Api(get_token(client, secret, "triage:suggest"))


def test_the_answer_is_a_line_of_manage_py_triage(api, monkeypatch):
    """Patched: whatever the service says is what the endpoint answers, with the caller's id."""
    seen = {}

    def fake(text, *, headcount=None, amount_yuan=None, division_code=""):
        seen.update(text=text, headcount=headcount, amount_yuan=amount_yuan)
        return service.Suggestion(
            "NEIGHBOR", 0.8, "YELLOW", 0.7, [], "VILLAGE_COMMITTEE", 0.75, {"route": {"rule": "邻里纠纷就近化解"}}, "f"
        )

    monkeypatch.setattr(service, "suggest", fake)
    response = api.post(URL, {"id": "A-1", "text": TEXT, "headcount": 3, "amount_yuan": "5000.50"})
    assert response.status_code == 200, response.content
    assert seen["text"] == TEXT and seen["headcount"] == 3 and str(seen["amount_yuan"]) == "5000.50"
    assert response.json() == fake(TEXT).as_output("A-1")
    assert api.post(URL, {"id": 7, "text": TEXT}).json()["id"] == 7
    assert api.post(URL, {"text": TEXT}).json()["id"] is None
    assert not TriageSuggestion.objects.exists()


def test_the_real_engine_answers_in_the_contract_shape(api):
    response = api.post(URL, {"id": 1, "text": TEXT})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS and body["id"] == 1
    assert body["dispute_type"] in DisputeType.values and body["risk_level"] in RiskLevel.values
    assert body["route"] in Route.values and set(body["risk_flags"]) <= set(RiskFlag.values)
    assert isinstance(body["reasons"], dict)
    assert body == service.suggest(TEXT).as_output(1)  # the same function as manage.py triage


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": TEXT, "headcount": 0}, "headcount"),
        ({"text": TEXT, "headcount": "很多"}, "headcount"),
        ({"text": TEXT, "amount_yuan": -1}, "amount_yuan"),
        ({"text": TEXT, "id": {"a": 1}}, "id"),
        ({"text": TEXT, "id": "x" * 101}, "id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, payload, field):
    response = api.post(URL, payload)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and field in body["fields"]


@pytest.mark.parametrize("raw", [b"null", b"[1]", b"5", b'"text"'])
def test_a_body_that_is_not_an_object_is_a_400_in_chinese(api, raw):
    response = api.post_raw(URL, raw, "application/json")
    assert response.status_code == 400 and "JSON 对象" in response.json()["message"]


def test_authentication_and_scope_are_required(institution):
    assert Api(None).post(URL, {"text": TEXT}).status_code == 401
    assert Api("not-a-token").post(URL, {"text": TEXT}).status_code == 401
    # A client without the scope, or a token asked without it: 403.
    client, secret = make_client(institution, scopes="referrals:read referrals:write")
    response = Api(get_token(client, secret)).post(URL, {"text": TEXT})
    assert response.status_code == 403 and "triage:suggest" in response.json()["message"]
    client, secret = make_client(institution, scopes="triage:suggest referrals:read")
    assert Api(get_token(client, secret, "referrals:read")).post(URL, {"text": TEXT}).status_code == 403
    # A signed-in staff session is not an API credential.
    from accounts.models import User

    browser = Client()
    browser.force_login(User.objects.get(username="mediator_a"))
    assert browser.post(URL, {"text": TEXT}, content_type="application/json").status_code == 401


def test_only_post(api):
    assert api.get(URL).status_code == 405


def test_it_is_throttled(api, settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "API_TRIAGE_RATE": "2/min"}
    assert api.post(URL, {"text": TEXT}).status_code == 200
    assert api.post(URL, {"text": TEXT}).status_code == 200
    response = api.post(URL, {"text": TEXT})
    assert response.status_code == 429 and response.json()["code"] == "throttled"


def test_the_schema_lists_it(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    op = schema["paths"][URL]["post"]
    assert op["operationId"] == "triage_suggest" and op["security"] == [{"oauth2": ["triage:suggest"]}]
    assert "智能分流" in op["tags"] and "manage.py triage" in op["description"]
    assert set(op["responses"]) >= {"200", "400", "401", "403", "429"}
    out = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][out]["properties"]) == KEYS
    assert "triage:suggest" in schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"]
