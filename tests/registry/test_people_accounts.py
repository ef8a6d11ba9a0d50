"""Issue 9 §2 and 'How it must be built': a handed-over password is shown once, stored nowhere in clear, and must be
changed at the first sign-in; a deactivated account cannot sign in; a mediator who leaves loses their account."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessKind, AccessLog, User
from registry.models import Mediator, RegistryChange
from tests.registry.people_helpers import GOOD_PASSWORD, client_for, handed_password, mediator_of
from tests.world import PASSWORD


def _login(username: str, password: str) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def _signed_in(client: Client, user: User) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_opening_an_account_shows_the_password_once_and_never_stores_it(world, caplog):
    caplog.set_level(logging.DEBUG)
    mediator = Mediator.objects.create(committee=world.village_a, name="孙新", gender="M", category="FULL_TIME")
    admin = client_for(world.county_admin)
    response = admin.post(reverse("console:registry_account_new", args=[mediator.pk]), {"username": "sunxin"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = handed_password(response.content.decode())
    account = User.objects.get(username="sunxin")
    assert account.check_password(password) and password not in account.password
    rows = RegistryChange.objects.all()
    assert rows.filter(subject="ACCOUNT", subject_id=account.pk, action="ACCOUNT_CREATE").exists()
    assert all(password not in f"{r.changes}{r.note}" for r in rows)
    assert all(password not in r.detail for r in AccessLog.objects.all())
    assert all(password not in str(s.get_decoded()) for s in Session.objects.all())
    assert all(password not in r.getMessage() for r in caplog.records)
    # the account page (and the mediator page) never show it again
    assert password not in admin.get(reverse("console:registry_account", args=[account.pk])).content.decode()
    assert password not in admin.get(reverse("console:registry_mediator", args=[mediator.pk])).content.decode()
    # a second POST does not open a second account
    again = admin.post(reverse("console:registry_account_new", args=[mediator.pk]), {"username": "sunxin2"})
    assert again.status_code == 302 and not User.objects.filter(username="sunxin2").exists()


def test_the_director_gets_a_director_account(world):
    director = Mediator.objects.create(
        committee=world.village_b, name="新主任", gender="M", category="FULL_TIME", role="DEPUTY"
    )
    admin = client_for(world.sfs_officer)
    admin.post(reverse("console:registry_account_new", args=[director.pk]), {"username": "zhuren"})
    assert User.objects.get(username="zhuren").role == "MEDIATOR"
    # the record becomes 主任 once the old one has left: the account follows
    old = mediator_of(world.director_b)
    admin.post(
        reverse("console:registry_mediator_leave", args=[old.pk]),
        {"left_on": timezone.localdate(), "left_reason": "换届"},
    )
    response = admin.post(
        reverse("console:registry_mediator_edit", args=[director.pk]),
        {
            "name": "新主任",
            "gender": "M",
            "category": "FULL_TIME",
            "role": "DIRECTOR",
            "term_start": "2026-01-01",
            "term_end": "2028-12-31",
        },
    )
    assert response.status_code == 302
    account = User.objects.get(username="zhuren")
    assert account.role == "DIRECTOR" and account.committee == world.village_b
    world.director_b.refresh_from_db()
    assert not world.director_b.is_active  # the old director's account went with the leaving


def test_a_username_is_checked(world):
    mediator = Mediator.objects.create(committee=world.village_a, name="孙新", gender="M", category="FULL_TIME")
    admin = client_for(world.county_admin)
    url = reverse("console:registry_account_new", args=[mediator.pk])
    for bad, why in (("Mediator_A", "已被使用"), ("9abc", "字母开头"), ("张三", "字母开头")):
        html = admin.post(url, {"username": bad}).content.decode()
        assert why in html, bad
    mediator.refresh_from_db()
    assert mediator.user is None


def test_reset_password_must_be_changed_at_sign_in_then_pages_open(world):
    account = world.mediator_a
    admin = client_for(world.county_admin)
    response = admin.post(reverse("console:registry_account_reset", args=[account.pk]))
    password = handed_password(response.content.decode())
    log = AccessLog.objects.get(action=AccessKind.RESET_PASSWORD)
    assert log.user == world.county_admin and "mediator_a" in log.detail and password not in log.detail
    assert RegistryChange.objects.filter(subject="ACCOUNT", subject_id=account.pk, action="PASSWORD_RESET").exists()
    assert not _signed_in(_login("mediator_a", PASSWORD), account)  # the old password is gone

    client = _login("mediator_a", password)
    assert _signed_in(client, account)
    for url in ("/workbench/", "/", reverse("notifications"), "/console/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    page = client.get(reverse("password_change")).content.decode()
    assert "请先修改密码" in page
    # the rules hold on the forced change too
    for weak, why in (
        ("Ab#12", "至少包含"),
        ("abcdefghij12", "3类"),
        ("Mediator_a#1", "用户名"),
        (password, "不能与当前密码相同"),
    ):
        html = client.post(
            reverse("password_change"), {"old_password": password, "new_password1": weak, "new_password2": weak}
        ).content.decode()
        assert why in html, weak
        assert client.get("/workbench/").status_code == 302
    done = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert done.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password and account.check_password(GOOD_PASSWORD)
    assert client.get("/workbench/", follow=True).status_code == 200
    assert client.get("/workbench/").status_code == 200
    assert "请先修改密码" not in client.get(reverse("password_change")).content.decode()


def test_static_and_logout_stay_open_while_a_change_is_owed(world):
    account = world.mediator_a
    account.must_change_password = True
    account.save()
    client = client_for(account)
    assert client.get("/workbench/").status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_sign_in_and_its_session_ends(world):
    account = world.mediator_a
    session = _login("mediator_a", PASSWORD)
    assert _signed_in(session, account)
    admin = client_for(world.sfs_officer)
    admin.post(reverse("console:registry_account_deactivate", args=[account.pk]), {"reason": "调离"})
    account.refresh_from_db()
    assert not account.is_active
    refused = Client()
    response = refused.post(reverse("login"), {"username": "mediator_a", "password": PASSWORD})
    assert response.status_code == 200 and not _signed_in(refused, account)
    assert "不正确" in response.content.decode() or "停用" in response.content.decode()
    assert session.get("/workbench/").status_code == 302  # the open session is no longer signed in
    assert reverse("login") in session.get("/workbench/")["Location"]
    # reset is refused while deactivated; reactivation lets the person back in
    assert (
        "先恢复账号"
        in admin.post(reverse("console:registry_account_reset", args=[account.pk]), follow=True).content.decode()
    )
    admin.post(reverse("console:registry_account_reactivate", args=[account.pk]))
    assert _signed_in(_login("mediator_a", PASSWORD), User.objects.get(pk=account.pk))


def test_deactivation_needs_a_reason(world):
    admin = client_for(world.county_admin)
    response = admin.post(reverse("console:registry_account_deactivate", args=[world.mediator_a.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写停用原因" in response.content.decode()
    world.mediator_a.refresh_from_db()
    assert world.mediator_a.is_active


def test_a_mediator_who_leaves_loses_the_account_and_the_roster_place(world):
    mediator = mediator_of(world.mediator_a)
    admin = client_for(world.county_admin)
    today = timezone.localdate()
    response = admin.post(
        reverse("console:registry_mediator_leave", args=[mediator.pk]), {"left_on": today, "left_reason": "辞职"}
    )
    assert response.status_code == 302
    world.mediator_a.refresh_from_db()
    mediator.refresh_from_db()
    assert not world.mediator_a.is_active and not mediator.is_active and mediator.left_reason == "辞职"
    actions = set(RegistryChange.objects.values_list("subject", "action"))
    assert {("MEDIATOR", "DEACTIVATE"), ("ACCOUNT", "ACCOUNT_DEACTIVATE")} <= actions
    assert not _signed_in(_login("mediator_a", PASSWORD), world.mediator_a)
    # the account of someone who has left is not reactivated
    html = admin.post(reverse("console:registry_account_reactivate", args=[world.mediator_a.pk]), follow=True)
    assert "已离任" in html.content.decode()
    world.mediator_a.refresh_from_db()
    assert not world.mediator_a.is_active
    # and the public roster no longer lists them
    roster = Client().get(reverse("portal:roster")).content.decode()
    assert "李调解" not in roster and "赵调解" in roster


@pytest.mark.parametrize("when", ["future", "before_term"])
def test_a_leaving_date_is_checked(world, when):
    mediator = mediator_of(world.mediator_a)
    mediator.term_start = timezone.localdate().replace(year=2024, month=1, day=1)
    mediator.save()
    admin = client_for(world.county_admin)
    day = timezone.localdate().replace(year=timezone.localdate().year + 1) if when == "future" else "2023-06-01"
    html = admin.post(
        reverse("console:registry_mediator_leave", args=[mediator.pk]), {"left_on": day, "left_reason": "辞职"}
    ).content.decode()
    assert ("晚于今天" if when == "future" else "早于任期开始") in html
    mediator.refresh_from_db()
    assert mediator.is_active


def test_htmx_requests_are_sent_to_the_password_page_too(world):
    world.mediator_a.must_change_password = True
    world.mediator_a.save()
    response = client_for(world.mediator_a).get("/workbench/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("password_change")


def test_a_developer_account_is_not_administered_from_the_console(world):
    world.mediator_a.is_staff = True
    world.mediator_a.save()
    admin = client_for(world.county_admin)
    assert admin.get(reverse("console:registry_account", args=[world.mediator_a.pk])).status_code == 404
    assert admin.post(reverse("console:registry_account_reset", args=[world.mediator_a.pk])).status_code == 404


def test_the_lockout_stays_and_a_reset_lifts_it(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login("mediator_a", "wrong-password-1A")
    assert not _signed_in(_login("mediator_a", PASSWORD), world.mediator_a)  # locked out, even with the password
    response = client_for(world.county_admin).post(
        reverse("console:registry_account_reset", args=[world.mediator_a.pk])
    )
    password = handed_password(response.content.decode())
    assert _signed_in(_login("mediator_a", password), world.mediator_a)
