"""Review of the §1/§2 administration pages (issue 9): the holes found and closed, each with the test that showed it.

- an officer attached to a division of another level administers no people (the organisation pages already failed
  closed; the mediator and account pages did not);
- every people action checks the actor's area itself, not only in the view;
- a username taken between the check and the insert (double submit) is a refusal, not a server error;
- a double submit of the new-mediator form does not register the same person twice;
- the password-change form's fields never reach an error report;
- the public roster page follows the records (dissolved committee, left mediator, renamed mediator).
"""

from datetime import date

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import security
from accounts.models import User
from cases.actions.base import ActionRefused
from registry import people_services as S
from registry.models import Mediator, RegistryChange
from tests.registry.people_helpers import client_for, male_id, mediator_of, mediator_post


def test_an_officer_attached_to_the_wrong_level_administers_no_people(world):
    officer = world.sfs_officer
    officer.division = world.county_admin.division  # a 司法所 account attached to the county by mistake
    officer.save()
    client = client_for(officer)
    urls = [
        reverse("console:registry_accounts"),
        reverse("console:registry_terms"),
        reverse("console:registry_mediator_new", args=[world.village_a.pk]),
        reverse("console:registry_mediator", args=[mediator_of(world.mediator_a).pk]),
        reverse("console:registry_account", args=[world.mediator_a.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("console:registry_account_reset", args=[world.mediator_a.pk])).status_code == 404
    assert not S.administrable_accounts(officer).exists()
    # nor does it load rosters into the county's villages
    from registry import roster_import

    assert client.get(reverse("console:registry_import")).status_code == 404
    assert not roster_import.may_import_roster(officer) and not roster_import.target_committees(officer).exists()
    assert not RegistryChange.objects.exists()


def test_every_people_action_checks_the_area_itself(world):
    outsider = world.other_county_admin  # 嘉鱼县: village A is not theirs
    mediator = mediator_of(world.mediator_a)
    no_account = Mediator.objects.create(committee=world.village_a, name="孙新", gender="M", category="FULL_TIME")
    calls = [
        lambda: S.do_add_mediator(outsider, world.village_a, {"name": "吴新", "gender": "M", "category": "FULL_TIME"}),
        lambda: S.do_edit_mediator(outsider, mediator, {"name": "改名"}),
        lambda: S.do_record_leaving(outsider, mediator, timezone.localdate(), "调离"),
        lambda: S.do_create_mediator_account(outsider, no_account, "sunxin"),
        lambda: S.do_reset_password(outsider, world.mediator_a, RequestFactory().post("/")),
        lambda: S.do_deactivate_account(outsider, world.mediator_a, "调离"),
    ]
    for call in calls:
        with pytest.raises(ActionRefused):
            call()
    User.objects.filter(pk=world.mediator_c.pk).update(is_active=False)
    with pytest.raises(ActionRefused):
        S.do_reactivate_account(world.county_admin, world.mediator_c)  # 嘉鱼县's account, not 咸安区's
    mediator.refresh_from_db(), world.mediator_a.refresh_from_db()
    assert mediator.name != "改名" and mediator.is_active and world.mediator_a.is_active
    assert not User.objects.filter(username="sunxin").exists()
    assert not RegistryChange.objects.exists()


def test_a_username_taken_meanwhile_is_a_refusal_not_a_server_error(world, monkeypatch):
    monkeypatch.setattr(S, "_check_username", lambda username: None)  # the other request inserted after the check
    with pytest.raises(ActionRefused) as refused:
        S.do_create_staff_account(world.county_admin, world.sfs_officer.division, "mediator_a", "新所长")
    assert refused.value.field == "username"
    mediator = Mediator.objects.create(committee=world.village_a, name="孙新", gender="M", category="FULL_TIME")
    page = client_for(world.county_admin).post(
        reverse("console:registry_account_new", args=[mediator.pk]), {"username": "mediator_a"}
    )
    assert page.status_code == 200 and "该用户名已被使用" in page.content.decode()
    mediator.refresh_from_db()
    assert mediator.user is None and not RegistryChange.objects.filter(action="ACCOUNT_CREATE").exists()


def test_a_double_submit_does_not_register_the_same_mediator_twice(world):
    admin = client_for(world.county_admin)
    url = reverse("console:registry_mediator_new", args=[world.village_a.pk])
    assert admin.post(url, mediator_post(id_number="")).status_code == 302
    again = admin.post(url, mediator_post(id_number=""))
    assert again.status_code == 200
    html = again.content.decode()
    assert "已登记在任调解员“吴新”" in html and 'value="13712345678"' in html  # what was typed stays
    assert Mediator.objects.filter(committee=world.village_a, name="吴新").count() == 1
    # a namesake told apart by both ID numbers is another person
    Mediator.objects.filter(name="吴新").update(id_number_hash="x" * 64)
    assert admin.post(url, mediator_post(id_number=male_id(2))).status_code == 302
    assert Mediator.objects.filter(committee=world.village_a, name="吴新").count() == 2


def test_the_password_change_fields_never_reach_an_error_report(world):
    request = RequestFactory().post(
        "/accounts/password/", {"old_password": "a", "new_password1": "b", "new_password2": "b"}
    )
    request.user = world.mediator_a
    request.session = Client().session
    request._messages = None
    try:
        security.password_change(request)
    except Exception:  # noqa: BLE001 -- only the marking matters here
        pass
    assert set(request.sensitive_post_parameters) >= {"old_password", "new_password1", "new_password2"}


def test_the_public_roster_page_follows_the_records(world):
    roster = reverse("portal:roster")
    admin = client_for(world.county_admin)
    before = Client().get(roster).content.decode()
    village_b = world.village_b
    b_mediator = mediator_of(world.director_b)
    assert village_b.name in before and b_mediator.name in before
    # a mediator renamed in the registry is renamed on the roster
    a_mediator = mediator_of(world.mediator_a)
    data = mediator_post(
        name="王更名",
        gender=a_mediator.gender,
        id_number="",
        term_start="2026-01-01",
        term_end="2028-12-31",
        role=a_mediator.role,
        category=a_mediator.category,
    )
    assert admin.post(reverse("console:registry_mediator_edit", args=[a_mediator.pk]), data).status_code == 302
    # a dissolved committee and a left mediator are gone
    off = reverse("console:registry_committee_deactivate", args=[village_b.pk])
    assert admin.post(off, {"on": date.today().isoformat(), "reason": "村组合并"}).status_code == 302
    a2 = mediator_of(world.mediator_a2)
    leave = reverse("console:registry_mediator_leave", args=[a2.pk])
    assert admin.post(leave, {"left_on": timezone.localdate(), "left_reason": "调离"}).status_code == 302
    after = Client().get(roster).content.decode()
    assert "王更名" in after and a_mediator.name not in after
    assert village_b.name not in after and b_mediator.name not in after
    assert a2.name not in after and world.village_a.name in after
    searched = Client().get(roster, {"q": b_mediator.name}).content.decode()
    assert searched.count(b_mediator.name) == 1  # in the search box only, not as a result


def test_a_forced_password_change_cannot_be_walked_around(world):
    """Exports, documents, the portal, JSON and HTMX requests, POSTs: all sent to the password page, nothing done."""
    from cases.enums import CaseStatus
    from cases.models import Notification
    from tests.world import make_case

    case = make_case(world, CaseStatus.IN_MEDIATION)
    Notification.objects.create(user=world.mediator_a, message="测试通知")
    target = reverse("password_change")
    for user, urls in (
        (world.county_admin, ["/imports/export/cases.xlsx", "/insights/form.xlsx", "/console/registry/accounts/"]),
        (
            world.mediator_a,
            [f"/documents/case/{case.pk}/dossier.pdf", f"/cases/{case.pk}/", "/portal/", "/messages/", "/insights/"],
        ),
    ):
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == target, url
            htmx = client.get(url, HTTP_HX_REQUEST="true")
            assert htmx.headers.get("HX-Redirect") == target, url
            json = client.get(url, HTTP_ACCEPT="application/json")
            assert json.status_code == 302 and json["Location"] == target, url
    client = client_for(world.mediator_a)
    assert client.post("/accounts/notifications/read/")["Location"] == target
    reset = client_for(world.county_admin).post(reverse("console:registry_account_reset", args=[world.mediator_a2.pk]))
    assert reset["Location"] == target
    assert Notification.objects.filter(user=world.mediator_a, read_at__isnull=True).exists()
    assert not RegistryChange.objects.exists()


# Who sees which accounts (the accounts list) and whose changes (the change list), written out by hand.
COMMITTEE_ACCOUNTS = {
    "village_a": {"director_a", "mediator_a", "mediator_a2"},
    "village_b": {"director_b", "mediator_b"},
    "township": {"township_director"},
    "village_c": {"director_c", "mediator_c"},
}
ACCOUNTS_SEEN = {
    "sfs_officer": COMMITTEE_ACCOUNTS["village_a"] | COMMITTEE_ACCOUNTS["village_b"],
    "county_admin": COMMITTEE_ACCOUNTS["village_a"]
    | COMMITTEE_ACCOUNTS["village_b"]
    | COMMITTEE_ACCOUNTS["township"]
    | {"sfs_officer"},
    "other_county_admin": COMMITTEE_ACCOUNTS["village_c"],
    "city_admin": set().union(*COMMITTEE_ACCOUNTS.values()) | {"county_admin", "other_county_admin"},
}
CHANGES_SEEN = {
    "sfs_officer": {"village_a", "village_b", "township"},  # it sees the township's committee, edits its villages
    "county_admin": {"village_a", "village_b", "township"},
    "other_county_admin": {"village_c"},
    "city_admin": {"village_a", "village_b", "township", "village_c"},
}
EVERY_USERNAME = set().union(*COMMITTEE_ACCOUNTS.values()) | {
    "sfs_officer",
    "county_admin",
    "other_county_admin",
    "city_admin",
    "court_liaison",
    "party_user",
    "outsider",
}


@pytest.mark.parametrize("persona", sorted(ACCOUNTS_SEEN))
def test_the_account_and_change_lists_show_only_ones_own_area(world, persona):
    from registry.history import record_change

    User.objects.create_user(
        username="township_director", role="DIRECTOR", committee=world.township, full_name="街道主任"
    )
    for name in COMMITTEE_ACCOUNTS:
        committee = getattr(world, name)
        record_change(world.city_admin, committee, "EDIT", {"地址": ""}, {"地址": f"{committee.short_name}地址XYZ"})
    # a staff account's change (no committee): only its author sees it in the list
    record_change(world.county_admin, world.sfs_officer, "PASSWORD_RESET", {}, {}, "重置ABC")
    client = client_for(getattr(world, persona))
    html = client.get(reverse("console:registry_accounts")).content.decode()
    shown = {u for u in EVERY_USERNAME if f">{u}<" in html}
    assert shown == ACCOUNTS_SEEN[persona]
    for username in EVERY_USERNAME:
        account = User.objects.get(username=username)
        status = client.get(reverse("console:registry_account", args=[account.pk])).status_code
        assert status == (200 if username in ACCOUNTS_SEEN[persona] else 404), username
    changes = client.get(reverse("console:registry_changes")).content.decode()
    for name in COMMITTEE_ACCOUNTS:
        short = getattr(world, name).short_name
        assert (f"{short}地址XYZ" in changes) == (name in CHANGES_SEEN[persona]), name
    assert ("重置ABC" in changes) == (persona == "county_admin")


def test_a_reset_ends_the_sessions_signed_in_with_the_old_password(world):
    from tests.world import PASSWORD

    own = Client()
    own.post(reverse("login"), {"username": "mediator_a", "password": PASSWORD})
    assert own.get("/workbench/").status_code == 200
    client_for(world.county_admin).post(reverse("console:registry_account_reset", args=[world.mediator_a.pk]))
    response = own.get("/workbench/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_same_filing_file_twice_is_a_double_submit_not_a_second_document(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import FilingDocument
    from tests.files import clean_pdf

    settings.PRIVATE_FILES_ROOT = tmp_path
    url = reverse("console:registry_committee_filing", args=[world.village_a.pk])
    admin = client_for(world.county_admin)
    upload = {"form": "upload", "title": "设立文件"}
    first = admin.post(url, {**upload, "file": SimpleUploadedFile("设立.pdf", clean_pdf())})
    assert first.status_code == 302
    stored = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    again = admin.post(url, {**upload, "file": SimpleUploadedFile("设立.pdf", clean_pdf())})
    assert again.status_code == 200 and "已作为“设立文件”上传过" in again.content.decode()
    assert FilingDocument.objects.count() == 1
    assert RegistryChange.objects.filter(action="ATTACH").count() == 1
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == stored  # no second copy on disk
    # another committee may file the same document (a joint decision, say)
    other = reverse("console:registry_committee_filing", args=[world.village_b.pk])
    assert admin.post(other, {"form": "upload", "file": SimpleUploadedFile("设立.pdf", clean_pdf())}).status_code == 302


@pytest.mark.parametrize("persona", ["county_admin", "city_admin"])
def test_posted_role_and_developer_flags_are_ignored_when_opening_a_staff_account(world, persona):
    own = {"county_admin": "421202001", "city_admin": "421202"}[persona]
    forged = {
        "division": own,
        "full_name": "新同事",
        "username": "forged",
        "role": "CITY_ADMIN",
        "is_superuser": "on",
        "is_staff": "on",
        "committee": world.village_c.pk,
        "must_change_password": "",
    }
    assert (
        client_for(getattr(world, persona)).post(reverse("console:registry_staff_account_new"), forged).status_code
        == 200
    )
    account = User.objects.get(username="forged")
    assert account.role == ("COUNTY_ADMIN" if persona == "city_admin" else "SFS_OFFICER")
    assert not account.is_superuser and not account.is_staff and account.committee is None
    assert account.must_change_password and account.division_id == own


def test_opening_or_reactivating_an_account_locks_the_committee_a_dissolution_locks(world, monkeypatch):
    """A dissolution locks the committee and stops its accounts; opening an account for one of its mediators, or
    reactivating one of its accounts, at the same moment must wait for that lock and then see the dissolution
    (PostgreSQL; SQLite has no row locks, so the lock itself is what is asserted)."""
    from registry.models import Committee

    locked: list = []
    original = Committee.objects.select_for_update

    def spy(*args, **kwargs):
        qs = original(*args, **kwargs)
        locked.append(qs)
        return qs

    monkeypatch.setattr(Committee.objects, "select_for_update", spy)
    mediator = Mediator.objects.create(committee=world.village_a, name="孙新", gender="M", category="FULL_TIME")
    S.do_create_mediator_account(world.county_admin, mediator, "sunxin")
    assert locked, "opening an account locks the committee"
    locked.clear()
    User.objects.filter(pk=world.mediator_a.pk).update(is_active=False)
    S.do_reactivate_account(world.county_admin, world.mediator_a)
    assert locked, "reactivating an account locks its committee"
    # and once dissolved, neither is possible
    Committee.objects.filter(pk=world.village_a.pk).update(is_active=False)
    User.objects.filter(pk=world.mediator_a.pk).update(is_active=False)
    other = Mediator.objects.create(committee=world.village_a, name="钱新", gender="M", category="FULL_TIME")
    with pytest.raises(ActionRefused):
        S.do_create_mediator_account(world.county_admin, other, "qianxin")
    with pytest.raises(ActionRefused):
        S.do_reactivate_account(world.county_admin, world.mediator_a)


def test_a_filing_file_is_checked_by_its_content_and_its_size(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import FilingDocument

    settings.PRIVATE_FILES_ROOT = tmp_path
    settings.TIAOJIE = {**settings.TIAOJIE, "UPLOAD_MAX_BYTES": 2000}
    url = reverse("console:registry_committee_filing", args=[world.village_a.pk])
    admin = client_for(world.county_admin)
    for name, content, why in (
        ("名单.pdf", b"<html><script>alert(1)</script></html>", "不是可接受的格式"),
        ("名单.pdf", b"%PDF-1.4\n" + b"0" * 3000, "超过了"),
        ("名单.exe", b"MZ\x90\x00" + b"0" * 100, "不是可接受的格式"),
    ):
        html = admin.post(url, {"form": "upload", "file": SimpleUploadedFile(name, content)}).content.decode()
        assert why in html, name
    assert not FilingDocument.objects.exists() and not RegistryChange.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_change_list_links_only_to_account_pages_one_may_open(world):
    from registry.history import record_change

    director = User.objects.create_user(
        username="township_director", role="DIRECTOR", committee=world.township, full_name="街道主任"
    )
    record_change(world.county_admin, director, "PASSWORD_RESET", {}, {}, "重置")
    record_change(world.county_admin, world.mediator_a, "PASSWORD_RESET", {}, {}, "重置")
    for persona, linked in (
        ("sfs_officer", {world.mediator_a.pk}),
        ("county_admin", {world.mediator_a.pk, director.pk}),
    ):
        client = client_for(getattr(world, persona))
        html = client.get(reverse("console:registry_changes")).content.decode()
        assert "街道主任" in html  # the 司法所 sees the change of its township's committee...
        for account in (director, world.mediator_a):
            link = reverse("console:registry_account", args=[account.pk])
            assert (f'href="{link}"' in html) == (account.pk in linked), (persona, account.username)
            if account.pk in linked:
                assert client.get(link).status_code == 200
