"""Garbage into the registration form and the holiday editor: never a 500, errors in Chinese, nothing stored,
input kept (the party formset's management form: test_formsets.py)."""

import random

from django.test import Client

from cases.enums import CaseStatus
from cases.models import Case
from tests.bad_input.checks import (
    BAD_DATES,
    BAD_NUMBERS,
    BOUNDARY_DATES,
    EMPTY,
    HUGE_INTEGERS,
    assert_refused,
    garbage,
    random_text,
    today,
)
from tests.bad_input.posters import RegisterPoster, register_fields, register_valid
from workdays.models import CalendarOverride, HolidayChange

# --- registration -----------------------------------------------------------------------------------------------


def test_register_valid_baseline(world):
    client = Client()
    client.force_login(world.mediator_a)
    response = client.post("/workbench/register/", register_valid())
    assert response.status_code == 302
    assert Case.objects.get().status == CaseStatus.INTAKE


def test_register_garbage(world):
    p = RegisterPoster(world)
    fields = register_fields()
    management = {k: v for k, v in register_valid().items() if "FORMS" in k}
    p.refused(EMPTY, typed={}, why="empty")
    rng = random.Random("register")
    p.refused({**garbage(fields, lambda n: random_text(rng)), **management}, why="random")
    html = p.refused({**garbage(fields, lambda n: f"{n}:" + "长" * 10_000), **management}, why="huge")
    assert "不超过" in html
    for bad in [*BAD_DATES, *BOUNDARY_DATES]:
        p.refused({**register_valid(), "occurred_on": bad}, why=f"occurred_on={bad}")
    for bad in [*BAD_NUMBERS, *HUGE_INTEGERS]:
        p.refused({**register_valid(), "amount_involved": bad}, why=f"amount={bad}")
    for bad in ["999999", "abc", "-1", *HUGE_INTEGERS]:
        p.refused({**register_valid(), "source": "REFERRED_COURT", "court": bad}, why=f"court={bad}")
    for bad in ["421202198005170110", "12345", "42120219800230001X", "x" * 18]:
        p.refused({**register_valid(), "parties-0-id_number": bad}, why=f"id={bad}")
    p.refused({**register_valid(), "parties-1-side": "APPLICANT"}, why="no respondent")


# --- the holiday editor -----------------------------------------------------------------------------------------


def test_holiday_form_garbage(world):
    client = Client()
    client.force_login(world.city_admin)
    CalendarOverride.objects.create(date=today(), kind="HOLIDAY", name="已有")
    count = CalendarOverride.objects.count()

    def unchanged():
        assert CalendarOverride.objects.count() == count
        assert list(CalendarOverride.objects.values_list("kind", "name")) == [("HOLIDAY", "已有")]
        assert not HolidayChange.objects.exists()

    def refused(data, why):
        response = client.post("/console/holidays/", data)
        assert response.status_code != 500
        typed = {k: v for k, v in data.items() if k == "name" and v}
        return assert_refused(response, typed, unchanged, why)

    refused(EMPTY, "empty")
    rng = random.Random("holidays")
    refused({"date": random_text(rng), "kind": random_text(rng), "name": random_text(rng)}, "random")
    html = refused({"date": "长" * 10_000, "kind": "长" * 10_000, "name": "名" * 10_000}, "huge")
    assert "不超过" in html
    for bad in [*BAD_DATES, *BOUNDARY_DATES]:
        refused({"date": bad, "kind": "WORKDAY", "name": "调休"}, f"date={bad}")
    # A change needs a reason; the same setting again changes nothing (and records nothing).
    refused({"date": today().isoformat(), "kind": "WORKDAY", "name": "调休"}, "no reason")
    refused({"date": today().isoformat(), "kind": "WORKDAY", "name": "调休", "reason": "  "}, "blank reason")
    html = refused({"date": today().isoformat(), "kind": "HOLIDAY", "name": "已有", "reason": "重复提交"}, "same")
    assert "未作修改" in html
