"""Issue 9 §2: a role × jurisdiction matrix for every mediator and account page and action. Outside one's area and
for any role but the three administrators, the page does not exist (404) and nothing is written."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from registry.models import Mediator, RegistryChange
from tests.registry.people_helpers import ALL, client_for, mediator_of, mediator_post

# The administrators of each committee of tests.world.
ADMINISTER = {
    "village_a": {"sfs_officer", "county_admin", "city_admin"},
    "township": {"county_admin", "city_admin"},  # a street committee is the county's, not the 司法所's
    "village_c": {"other_county_admin", "city_admin"},
}
# Who administers which account: committee accounts follow their committee; staff accounts one level up.
ACCOUNT_ADMINS = {
    "mediator_a": ADMINISTER["village_a"],
    "mediator_c": ADMINISTER["village_c"],
    "sfs_officer": {"county_admin"},
    "county_admin": {"city_admin"},
}


def _expect(persona: str, allowed: set[str]) -> int:
    return 200 if persona in allowed else 404


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("committee", sorted(ADMINISTER))
def test_add_mediator_form_and_post(world, persona, committee):
    target = getattr(world, committee)
    client = client_for(world.personas()[persona])
    url = reverse("console:registry_mediator_new", args=[target.pk])
    allowed = persona in ADMINISTER[committee]
    assert client.get(url).status_code == (200 if allowed else 404)
    before = Mediator.objects.count()
    response = client.post(url, mediator_post(name="新调解员"))
    if allowed:
        assert response.status_code == 302
        created = Mediator.objects.get(name="新调解员")
        assert created.committee == target and created.is_active
        assert RegistryChange.objects.filter(subject="MEDIATOR", subject_id=created.pk, action="CREATE").exists()
    else:
        assert response.status_code == 404 and Mediator.objects.count() == before


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("committee", sorted(ADMINISTER))
def test_edit_and_leave_a_mediator(world, persona, committee):
    target = getattr(world, committee)
    mediator = Mediator.objects.create(
        committee=target, name="老调解员", gender="F", category="PART_TIME", role="MEMBER", term_start="2024-01-01",
        term_end="2026-12-31",
    )  # fmt: skip
    client = client_for(world.personas()[persona])
    allowed = persona in ADMINISTER[committee]
    edit = reverse("console:registry_mediator_edit", args=[mediator.pk])
    leave = reverse("console:registry_mediator_leave", args=[mediator.pk])
    assert client.get(edit).status_code == _expect(persona, ADMINISTER[committee])
    assert client.get(leave).status_code == _expect(persona, ADMINISTER[committee])
    changes = RegistryChange.objects.count()
    response = client.post(edit, mediator_post(name="老调解员", gender="F", id_number="", role="DEPUTY"))
    assert response.status_code == (302 if allowed else 404)
    left_on = timezone.localdate().isoformat()
    response = client.post(leave, {"left_on": left_on, "left_reason": "辞职"})
    assert response.status_code == (302 if allowed else 404)
    mediator.refresh_from_db()
    if allowed:
        assert mediator.role == "DEPUTY" and not mediator.is_active and str(mediator.left_on) == left_on
        assert RegistryChange.objects.count() == changes + 2
    else:
        assert mediator.role == "MEMBER" and mediator.is_active and RegistryChange.objects.count() == changes


@pytest.mark.parametrize("persona", ALL)
def test_mediator_page(world, persona):
    """Read-only for a supervisor who sees the committee; actions only for its administrators."""
    mediator = mediator_of(world.mediator_a)
    client = client_for(world.personas()[persona])
    response = client.get(reverse("console:registry_mediator", args=[mediator.pk]))
    seers = {"sfs_officer", "county_admin", "city_admin"}
    assert response.status_code == _expect(persona, seers)
    township = Mediator.objects.create(committee=world.township, name="街道调解员", gender="M", category="FULL_TIME")
    response = client.get(reverse("console:registry_mediator", args=[township.pk]))
    assert response.status_code == _expect(persona, seers)
    if persona == "sfs_officer":  # sees the street committee's mediator but does not administer it
        assert reverse("console:registry_mediator_edit", args=[township.pk]) not in response.content.decode()


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("owner", ["mediator_a", "mediator_c"])
def test_open_an_account_for_a_mediator(world, persona, owner):
    committee = world.village_a if owner == "mediator_a" else world.village_c
    mediator = Mediator.objects.create(committee=committee, name="没有账号", gender="M", category="PART_TIME")
    allowed = persona in ACCOUNT_ADMINS[owner]
    client = client_for(world.personas()[persona])
    url = reverse("console:registry_account_new", args=[mediator.pk])
    assert client.get(url).status_code == (200 if allowed else 404)
    response = client.post(url, {"username": "new_account"})
    assert response.status_code == (200 if allowed else 404)
    mediator.refresh_from_db()
    if allowed:
        account = User.objects.get(username="new_account")
        assert mediator.user == account and account.committee == committee and account.role == Role.MEDIATOR
        assert account.must_change_password
    else:
        assert mediator.user is None and not User.objects.filter(username="new_account").exists()


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("owner", sorted(ACCOUNT_ADMINS))
def test_account_page_reset_deactivate_reactivate(world, persona, owner):
    account = world.personas()[owner]
    allowed = persona in ACCOUNT_ADMINS[owner]
    client = client_for(world.personas()[persona])
    page = client.get(reverse("console:registry_account", args=[account.pk]))
    assert page.status_code == (200 if allowed else 404)
    old_hash = account.password
    reset = client.post(reverse("console:registry_account_reset", args=[account.pk]))
    assert reset.status_code == (200 if allowed else 404)
    account.refresh_from_db()
    assert (account.password != old_hash) is allowed and account.must_change_password is allowed
    off = client.post(reverse("console:registry_account_deactivate", args=[account.pk]), {"reason": "调离"})
    assert off.status_code == (302 if allowed else 404)
    account.refresh_from_db()
    assert account.is_active is not allowed
    on = client.post(reverse("console:registry_account_reactivate", args=[account.pk]))
    assert on.status_code == (302 if allowed else 404)
    account.refresh_from_db()
    assert account.is_active
    actions = list(
        RegistryChange.objects.filter(subject="ACCOUNT", subject_id=account.pk).values_list("action", flat=True)
    )
    assert sorted(actions) == (
        sorted(["PASSWORD_RESET", "ACCOUNT_DEACTIVATE", "ACCOUNT_REACTIVATE"]) if allowed else []
    )


@pytest.mark.parametrize("persona", ALL)
def test_staff_accounts(world, persona):
    """City → county administrators of its counties; county → 司法所 officers of its townships; nobody else."""
    client = client_for(world.personas()[persona])
    url = reverse("console:registry_staff_account_new")
    allowed = persona in {"county_admin", "other_county_admin", "city_admin"}
    assert client.get(url).status_code == (200 if allowed else 404)
    own = {"county_admin": "421202001", "other_county_admin": "421221100", "city_admin": "421202"}
    foreign = {"county_admin": "421221100", "other_county_admin": "421202001", "city_admin": "421202001"}
    if not allowed:
        assert client.post(url, {"division": "421202001", "full_name": "某", "username": "staff_x"}).status_code == 404
        assert not User.objects.filter(username="staff_x").exists()
        return
    refused = client.post(url, {"division": foreign[persona], "full_name": "某", "username": "staff_bad"})
    assert refused.status_code == 200 and "请从列表中选择" in refused.content.decode()
    assert not User.objects.filter(username="staff_bad").exists()
    done = client.post(url, {"division": own[persona], "full_name": "新同事", "username": "staff_ok"})
    assert done.status_code == 200
    account = User.objects.get(username="staff_ok")
    expected = Role.COUNTY_ADMIN if persona == "city_admin" else Role.SFS_OFFICER
    assert account.role == expected and account.division_id == own[persona] and account.must_change_password
    assert account.committee is None


@pytest.mark.parametrize("persona", ALL)
def test_accounts_list_and_terms_pages(world, persona):
    client = client_for(world.personas()[persona])
    admins = {"sfs_officer", "county_admin", "other_county_admin", "city_admin"}
    for name in ("console:registry_accounts", "console:registry_terms"):
        assert client.get(reverse(name)).status_code == _expect(persona, admins), name
    if persona == "county_admin":
        html = client.get(reverse("console:registry_accounts")).content.decode()
        assert "mediator_a" in html and "sfs_officer" in html
        assert "mediator_c" not in html and "city_admin" not in html and ">county_admin<" not in html


def test_get_is_refused_on_the_actions_and_csrf_is_checked(world):
    from django.test import Client

    account = world.mediator_a
    client = client_for(world.county_admin)
    for name in ("registry_account_reset", "registry_account_deactivate", "registry_account_reactivate"):
        assert client.get(reverse(f"console:{name}", args=[account.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.county_admin)
    old = account.password
    assert strict.post(reverse("console:registry_account_reset", args=[account.pk])).status_code == 403
    mediator = mediator_of(world.mediator_a)
    leave = strict.post(
        reverse("console:registry_mediator_leave", args=[mediator.pk]), {"left_on": "2026-01-01", "left_reason": "x"}
    )
    assert leave.status_code == 403
    new = strict.post(reverse("console:registry_mediator_new", args=[world.village_a.pk]), mediator_post())
    assert new.status_code == 403
    account.refresh_from_db()
    mediator.refresh_from_db()
    assert account.password == old and mediator.is_active and not RegistryChange.objects.exists()
