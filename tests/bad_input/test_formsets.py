"""Tampered formsets: the agreement terms and the registration parties with broken management forms, absurd form
counts (capped at max_num), and instalment lines that are not instalments."""

from datetime import timedelta

import pytest
from django.test import Client

from cases.models import Case
from tests.bad_input.checks import today
from tests.bad_input.posters import Poster, RegisterPoster, register_valid

# --- agreement terms --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["draft_agreement", "oral_agreement"])
@pytest.mark.parametrize("tamper", ["x", "21", "-1", "0", "initial-x", "missing"])
def test_term_formset_tampering(world, action, tamper):
    p = Poster(world, action)
    data = p.valid()
    if tamper == "missing":
        for key in [k for k in data if k.endswith("_FORMS")]:
            del data[key]
    elif tamper == "initial-x":
        data["terms-INITIAL_FORMS"] = "x"
    else:
        data["terms-TOTAL_FORMS"] = tamper
    p.refused(data, typed={"facts": data["facts"]}, why=f"{action} TOTAL_FORMS {tamper}")


@pytest.mark.parametrize(
    "instalments",
    [
        "2026-12-01 sNaN",
        "2026-12-01 NaN",
        "2026-12-01 Infinity",
        "2026-12-01 1e999999",
        "2026-02-30 800",
        "明天 800",
        "2026-12-01",
    ],
)
def test_instalment_lines_that_are_not_instalments(world, instalments):
    p = Poster(world, "draft_agreement")
    data = p.valid()
    deadline = today() + timedelta(days=20)
    data["terms-0-instalments"] = instalments.replace("2026-12-01", (deadline - timedelta(days=5)).isoformat())
    p.refused(data, why=f"instalments {instalments!r}")


def test_negative_instalment_is_refused(world):
    p = Poster(world, "draft_agreement")
    data = p.valid()
    first, second = today() + timedelta(days=5), today() + timedelta(days=10)
    data["terms-0-instalments"] = f"{first} 1600\n{second} -800"
    p.refused(data, why="negative instalment")


def test_huge_term_total_forms_is_capped_at_max_num(world):
    p = Poster(world, "draft_agreement")
    data = {**p.valid(), "terms-TOTAL_FORMS": "1000000"}
    response = p.client.post(p.url, data)
    assert response.status_code == 200
    assert "请最多提交 20 个表单" in response.content.decode()
    p.unchanged()
    assert response.context["form"].terms.total_form_count() <= 20


# --- registration parties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tamper", ["x", "31", "-1", "1", "initial-x", "missing"])
def test_register_party_formset_tampering(world, tamper):
    p = RegisterPoster(world)
    data = register_valid()
    if tamper == "missing":
        for key in [k for k in data if k.endswith("_FORMS")]:
            del data[key]
    elif tamper == "initial-x":
        data["parties-INITIAL_FORMS"] = "x"
    else:
        data["parties-TOTAL_FORMS"] = tamper
    p.refused(data, typed={"brief_facts": data["brief_facts"], "claims": data["claims"]}, why=f"TOTAL_FORMS {tamper}")


def test_huge_party_total_forms_is_capped_at_max_num(world):
    client = Client()
    client.force_login(world.mediator_a)
    response = client.post("/workbench/register/", {**register_valid(), "parties-TOTAL_FORMS": "1000000"})
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert response.context["parties"].total_form_count() <= 30
