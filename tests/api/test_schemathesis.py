"""schemathesis against the served schema (h-api): every operation of /api/v1/schema/, through the WSGI app in the
test's database, with a token carrying every scope; bounded examples per operation (positive and negative data).
Checks: no 5xx, documented status codes, content types, headers, and every response body matches its schema.

The figures (operations, requests, failures) are written to test-output/schemathesis.json and printed."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.api_helpers import ALL_SCOPES, get_token, make_client, orm_referral

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 10
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURES: dict = {"requests": Counter(), "statuses": Counter(), "failures": []}


def small_world():
    """A county with its 矛调中心, a court and a police station (the referral world is more than this test needs)."""
    from django.core.management import call_command

    from referrals.enums import Channel
    from referrals.models import Institution
    from registry.models import Committee, CommitteeType, Division
    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    province = Division.objects.create(code="36", name="江西省", level=1)
    city = Division.objects.create(code="3605", name="新余市", level=2, parent=province)
    county = Division.objects.create(code="360502", name="渝水区", level=3, parent=city)
    hub = Committee.objects.create(
        name="渝水区社会矛盾纠纷调处化解中心",
        short_name="渝水矛调",
        committee_type=CommitteeType.SOCIAL_ORG_OTHER,
        division=county,
        is_hub=True,
    )
    court = Institution.objects.create(
        kind=Channel.COURT, name="新余市渝水区人民法院", code="court-yushui", division=county, default_receiver=hub
    )
    police = Institution.objects.create(
        kind=Channel.POLICE, name="城南派出所", code="police-chengnan", division=county, default_receiver=hub
    )
    return court, police


def served_schema() -> dict:
    """The schema as /api/v1/schema/ serves it (a request at collection time, before any database exists: the schema
    view reads none)."""
    from django.test import Client

    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200, response.content
    return response.json()


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def bearer(db, settings, tmp_path, monkeypatch):
    """The court's client with every scope, a few referrals of its own and one of the police station's.

    Calls then go to Django's WSGI app in the test's transaction: it must not close the connection after each
    request (as the test client does; and after the test client's last use, which reconnects the signal). The
    throttle is lifted (a few hundred requests a minute from one client is what this test does, not what the
    throttle is for); uploads go to a temporary directory."""
    from django.core import signals
    from django.db import close_old_connections
    from rest_framework.throttling import UserRateThrottle

    court, police = small_world()
    mine = [orm_referral(court).pk for _ in range(3)]
    orm_referral(police)  # another institution's: 404 for the court's client
    client, secret = make_client(court, scopes=f"{ALL_SCOPES} triage:suggest")  # issue 13: the triage endpoint too
    headers = {"Authorization": f"Bearer {get_token(client, secret)}"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    settings.PRIVATE_FILES_ROOT = tmp_path
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield headers, mine
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, bearer):
    headers, mine = bearer
    label = case.operation.label
    # Every other case whose id is a valid integer names one of the client's own referrals (random ids are 404s).
    if isinstance((case.path_parameters or {}).get("id"), int) and sum(FIGURES["requests"].values()) % 2:
        case.path_parameters["id"] = mine[sum(FIGURES["requests"].values()) % len(mine)]
    try:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
    except Exception as exc:
        FIGURES["failures"].append(f"{label}: {type(exc).__name__}")
        raise
    finally:
        FIGURES["requests"][label] += 1
    FIGURES["statuses"][f"{label} {response.status_code}"] += 1
    if response.status_code >= 400:
        # Every error, whatever was sent: our shape, a Chinese message, Chinese messages for each field named.
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, body
        assert CJK.search(body["message"]), body
        for field, messages in body["fields"].items():
            assert all(CJK.search(m) for m in messages), (field, messages)


def test_schemathesis_figures():
    """After the run above: write and print the figures (operations, requests, failures)."""
    if not FIGURES["requests"]:
        pytest.skip("the schemathesis run did not take place in this session")
    figures = {
        "operations": len(FIGURES["requests"]),
        "requests": sum(FIGURES["requests"].values()),
        "failures": len(FIGURES["failures"]),
        "per_operation": dict(sorted(FIGURES["requests"].items())),
        "statuses": dict(sorted(FIGURES["statuses"].items())),
        "failure_list": FIGURES["failures"],
    }
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    (out / "schemathesis.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(json.dumps({k: figures[k] for k in ("operations", "requests", "failures")}))
    assert figures["operations"] == 10
