"""Issue 10 point 11: 等保 level-3 password rules and a change-password page for every staff user (and a party who
has a password), linked from the navigation."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from accounts.models import AccessLog, User
from tests.bad_input.checks import CJK, ENGLISH
from tests.world import PASSWORD

STAFF = ["mediator_a", "director_a", "sfs_officer", "county_admin", "city_admin", "court_liaison"]
GOOD = "Xianning#2026qs"


def errors_for(password: str, user: User | None = None) -> list[str]:
    try:
        with translation.override("zh-hans"):
            validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Zhou2026", "至少包含 10"),  # the probe's example: 8 characters
        ("zhouzhou2026", "3类"),  # two classes
        ("ZHOUZHOU!!!!", "3类"),
        ("1234567890123", "只包含数字"),
        ("Password123", "太常见"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(db, password, why):
    messages = errors_for(password)
    assert messages and all(CJK.search(m) and not ENGLISH.search(m) for m in messages), messages
    assert any(why in m for m in messages), messages


def test_the_username_and_phone_may_not_be_in_the_password(world):
    user = world.county_admin
    user.phone = "13900001111"
    assert any("用户名" in m for m in errors_for("Xx#county_admin9", user))
    assert any("手机号" in m for m in errors_for("Ab#13900001111", user))
    assert errors_for(GOOD, user) == []


@pytest.mark.parametrize("persona", STAFF)
def test_every_staff_user_can_change_their_password_from_the_navigation(world, persona):
    user = world.personas()[persona]
    client = Client()
    client.force_login(user)
    home = client.get("/", follow=True).content.decode()
    assert 'href="/accounts/password/"' in home
    page = client.get("/accounts/password/").content.decode()
    assert "修改密码" in page and not ENGLISH.search(page)
    weak = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "Zhou2026", "new_password2": "Zhou2026"}
    ).content.decode()
    assert "3类" in weak or "至少包含" in weak
    wrong_old = client.post(
        "/accounts/password/", {"old_password": "nope", "new_password1": GOOD, "new_password2": GOOD}
    ).content.decode()
    assert "旧密码" in wrong_old and not ENGLISH.search(wrong_old)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD) and client.get("/accounts/password/").status_code == 200  # still signed in
    assert AccessLog.objects.filter(user=user, action="CHANGE_PASSWORD").count() == 1
    fresh = Client()
    fresh.post("/accounts/login/", {"username": user.username, "password": GOOD})
    assert fresh.session.get("_auth_user_id") == str(user.pk)


def test_a_party_signs_in_by_sms_and_has_no_password_to_change(world):
    world.party_user.set_unusable_password()  # as the portal creates them (portal.views._party_account)
    world.party_user.save()
    client = Client()
    client.force_login(world.party_user)
    assert 'href="/accounts/password/"' not in client.get("/portal/cases/").content.decode()
    assert client.get("/accounts/password/").status_code == 302
    world.party_user.set_password(PASSWORD)
    world.party_user.save()
    client.force_login(world.party_user)
    assert 'href="/accounts/password/"' in client.get("/portal/cases/").content.decode()
    page = client.get("/accounts/password/").content.decode()
    assert "修改密码" in page and "人民调解" in page


def test_anonymous_visitors_are_sent_to_sign_in(db):
    assert Client().get("/accounts/password/")["Location"].startswith("/accounts/login/")
