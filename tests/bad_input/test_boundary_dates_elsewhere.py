"""The boundary dates of issue 10 point 4 in the date fields outside the case actions: the spot-check range, a
mediator's appointment slots and the portal application. Each is refused with a Chinese message, never a 500."""

import pytest
from django.test import Client

from messaging.models import Slot
from supervision.models import SpotCheck
from tests.bad_input.checks import BOUNDARY_DATES, CJK, error_texts, today


def refused(response, why: str) -> None:
    assert response.status_code == 200, (why, response.status_code)
    errors = error_texts(response.content.decode())
    assert "日期超出范围" in response.content.decode() or any(CJK.search(e) for e in errors), why


@pytest.mark.parametrize("value", BOUNDARY_DATES)
@pytest.mark.parametrize("field", ["start", "end"])
def test_spot_check_range(world, field, value):
    client = Client()
    client.force_login(world.county_admin)
    data = {"title": "边界日期评查", "area": world.county_admin.division_id, "start": "2026-01-01"}
    data.update({"end": today().isoformat(), "size": "5", field: value})
    refused(client.post("/supervision/spot-checks/new/", data), f"{field}={value}")
    assert not SpotCheck.objects.exists()


@pytest.mark.parametrize("value", BOUNDARY_DATES)
def test_appointment_slot_date(world, value):
    client = Client()
    client.force_login(world.mediator_a)
    data = {"date": value, "start": "09:00", "end": "10:00", "mode": "IN_PERSON", "place": "调解室", "repeat": "3"}
    refused(client.post("/messages/availability/", data), f"date={value}")
    assert not Slot.objects.exists()


@pytest.mark.parametrize("value", BOUNDARY_DATES)
def test_portal_application_date(world, value):
    client = Client()
    client.force_login(world.party_user)
    data = {"brief_facts": "邻居家排水沟堵塞，雨水流进我家院子。", "claims": "疏通排水沟", "occurred_on": value}
    response = client.post("/portal/apply/what/", {**data, "go": "next"})
    assert response.status_code == 200 and "日期超出范围" in response.content.decode(), value
