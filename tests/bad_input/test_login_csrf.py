"""The login form refuses bad credentials in Chinese and locks out after five failures (django-axes); every POST
without a CSRF token is forbidden and changes nothing."""

import random

import pytest
from axes.utils import reset as axes_reset
from django.test import Client
from django.utils.html import escape

from cases.enums import CaseStatus
from tests.bad_input.checks import CJK, EMPTY, ENGLISH, error_texts, random_text
from tests.bad_input.posters import register_valid, valid_data
from tests.world import PASSWORD, make_case
from workdays.models import CalendarOverride

# --- the login form ---------------------------------------------------------------------------------------------


def login_refused(client, data, why, typed_username=True):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 200, why
    html = response.content.decode()
    errors = error_texts(html)
    assert errors and any(CJK.search(e) for e in errors), (why, errors)
    assert not ENGLISH.search(html), why
    assert "_auth_user_id" not in client.session
    if typed_username and data.get("username"):
        assert f'value="{escape(data["username"])}"' in html
    return html


def test_login_wrong_or_random_credentials(world):
    client = Client()
    rng = random.Random("login")
    login_refused(client, {"username": "mediator_a", "password": "wrong"}, "wrong password")
    login_refused(client, {"username": random_text(rng), "password": random_text(rng)}, "random")


def test_login_huge_username_is_refused(world):
    login_refused(Client(), {"username": "长" * 10_000, "password": "x"}, "huge username")


@pytest.mark.parametrize(
    "data",
    [EMPTY, {"username": "", "password": ""}, {"username": "mediator_a", "password": ""}],
    ids=["no-fields", "blank", "no-password"],
)
def test_login_empty_says_why(world, data):
    login_refused(Client(), data, f"login {list(data)}", typed_username=False)


def test_login_empty_or_long_does_not_crash(world):
    client = Client()
    long = {"username": "长" * 150, "password": "x" * 10_000}  # longer names: test_login_huge_username_is_refused
    for data in [{}, EMPTY, {"username": "", "password": ""}, long]:
        response = client.post("/accounts/login/", data)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_login_is_locked_after_five_failures(world):
    client = Client()
    for n in range(1, 6):
        response = client.post("/accounts/login/", {"username": "mediator_a", "password": f"wrong-{n}"})
        if n < 5:
            assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "mediator_a", "password": PASSWORD})
    assert response.status_code in (403, 429)
    html = response.content.decode()
    assert "登录失败次数过多" in html and "锁定" in html
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected; an administrator's reset unlocks.
    assert Client().post("/accounts/login/", {"username": "mediator_a2", "password": PASSWORD}).status_code == 302
    axes_reset(username="mediator_a")
    assert client.post("/accounts/login/", {"username": "mediator_a", "password": PASSWORD}).status_code == 302


# --- CSRF -------------------------------------------------------------------------------------------------------


def test_posts_without_csrf_token_are_forbidden(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.mediator_a)
    events = case.events.count()
    data = valid_data(world, case, "pause")
    assert client.post(f"/cases/{case.pk}/do/pause/", data).status_code == 403
    assert client.post(f"/cases/{case.pk}/parties/{case.parties.first().pk}/id-number/").status_code == 403
    assert client.post("/workbench/register/", register_valid()).status_code == 403
    assert (
        Client(enforce_csrf_checks=True)
        .post("/accounts/login/", {"username": "mediator_a", "password": PASSWORD})
        .status_code
        == 403
    )
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(world.city_admin)
    assert admin.post("/console/holidays/", {"date": "2026-12-05", "kind": "WORKDAY"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION and case.events.count() == events
    assert not CalendarOverride.objects.exists()
    # With the token the same post goes through.
    page = client.get(f"/cases/{case.pk}/do/pause/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    assert client.post(f"/cases/{case.pk}/do/pause/", {**data, "csrfmiddlewaretoken": token}).status_code == 302
