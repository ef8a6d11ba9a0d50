"""Issue 9 §1: every organisation page and action × every persona × every committee of the world.

Inside the administrator's area the action succeeds, stores the change and writes its RegistryChange row; outside
it (another county, the township's own committee for a 司法所, a division code posted from elsewhere) and for
every non-administrator, the page does not exist (404) and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AccessLog, User
from registry.models import ChangeAction, Committee, FilingDocument, RegistryChange
from tests.files import clean_pdf
from tests.registry.orgs_helpers import (
    ADMINS,
    COMMITTEES,
    EDITS,
    NON_ADMINS,
    SEES,
    committee_post,
    edit_post,
    login,
)

ALL = ADMINS + NON_ADMINS
# A village inside each administrator's area, where it creates a committee.
OWN_VILLAGE = {
    "county_admin": "421202001002",
    "other_county_admin": "421221100001",
    "city_admin": "421221100001",
    "sfs_officer": "421202001002",
}


def expected(persona: str, committee: str, table: dict[str, set[str]]) -> bool:
    return committee in table.get(persona, set())


@pytest.mark.parametrize("persona", ALL)
def test_list_and_changes_pages(world, persona):
    client = login(getattr(world, persona))
    listing = client.get("/console/committees/")
    changes = client.get("/console/registry/changes/")
    new = client.get("/console/registry/committees/new/")
    if persona in NON_ADMINS:
        assert (listing.status_code, changes.status_code, new.status_code) == (404, 404, 404)
        return
    assert (listing.status_code, changes.status_code, new.status_code) == (200, 200, 200)
    html = listing.content.decode()
    for name in COMMITTEES:
        assert (getattr(world, name).name in html) == expected(persona, name, SEES), name
    assert "新建调解组织" in html


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", COMMITTEES)
def test_committee_page_and_its_buttons(world, persona, name):
    committee = getattr(world, name)
    response = login(getattr(world, persona)).get(f"/console/committees/{committee.pk}/")
    if not expected(persona, name, SEES):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    edit_url = f"/console/registry/committees/{committee.pk}/edit/"
    assert (edit_url in html) == expected(persona, name, EDITS)


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", COMMITTEES)
def test_edit(world, persona, name):
    user, committee = getattr(world, persona), getattr(world, name)
    client = login(user)
    url = f"/console/registry/committees/{committee.pk}/edit/"
    data = edit_post(user, committee, phone="0715-7777777", address="新址") if persona in ADMINS else {"phone": "1"}
    if not expected(persona, name, EDITS):
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
        assert not RegistryChange.objects.exists()
        assert Committee.objects.get(pk=committee.pk).phone == committee.phone
        return
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    committee.refresh_from_db()
    assert committee.phone == "0715-7777777"
    row = RegistryChange.objects.get()
    assert (row.action, row.actor, row.committee) == (ChangeAction.EDIT, user, committee)
    assert row.changes == {"电话": ["", "0715-7777777"], "地址": ["", "新址"]}


@pytest.mark.parametrize("persona", ALL)
def test_create_in_own_area_and_not_elsewhere(world, persona):
    user = getattr(world, persona)
    client = login(user)
    url = "/console/registry/committees/new/"
    if persona in NON_ADMINS:
        assert client.post(url, {"name": "x"}).status_code == 404
        assert not RegistryChange.objects.exists()
        return
    # A division code from outside the area is a 404, and nothing is created.
    elsewhere = "421202001001" if persona == "other_county_admin" else "421221100001"
    if persona != "city_admin":
        assert client.post(url, committee_post(user, elsewhere)).status_code == 404
        assert not Committee.objects.filter(short_name="新村").exists()
    response = client.post(url, committee_post(user, OWN_VILLAGE[persona]))
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Committee.objects.get(short_name="新村")
    assert created.division_id == OWN_VILLAGE[persona] and created.is_active
    row = RegistryChange.objects.get()
    assert (row.action, row.subject_id, row.actor) == (ChangeAction.CREATE, created.pk, user)
    assert row.changes["名称"] == [None, "新村人民调解委员会"]


def test_a_township_officer_cannot_seat_a_committee_at_the_township(world):
    """The 司法所's own level (and the county's) is not among its choices: a form error, nothing created."""
    client = login(world.sfs_officer)
    data = committee_post(world.sfs_officer, "421202001", committee_type="SUBDISTRICT")
    data["village"] = "421202001"
    response = client.post("/console/registry/committees/new/", data)
    assert response.status_code == 200
    assert not Committee.objects.filter(short_name="新村").exists()


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", COMMITTEES)
def test_deactivate_and_reactivate(world, persona, name):
    user, committee = getattr(world, persona), getattr(world, name)
    client = login(user)
    off = f"/console/registry/committees/{committee.pk}/deactivate/"
    on = f"/console/registry/committees/{committee.pk}/reactivate/"
    if not expected(persona, name, EDITS):
        assert client.get(off).status_code == 404
        assert client.post(off, {"on": "2026-03-01", "reason": "合并"}).status_code == 404
        Committee.objects.filter(pk=committee.pk).update(is_active=False)
        assert client.post(on, {"reason": "误撤销"}).status_code == 404
        assert not RegistryChange.objects.exists()
        return
    assert client.get(off).status_code == 200
    assert client.post(off, {"on": "2026-03-01", "reason": "村组合并"}).status_code == 302
    committee.refresh_from_db()
    assert not committee.is_active and committee.deactivation_reason == "村组合并"
    assert str(committee.deactivated_on) == "2026-03-01"
    assert client.post(on, {"reason": "误撤销"}).status_code == 302
    committee.refresh_from_db()
    assert committee.is_active and committee.deactivated_on is None
    rows = list(RegistryChange.objects.filter(subject="COMMITTEE").order_by("id"))
    assert [r.action for r in rows] == [ChangeAction.DEACTIVATE, ChangeAction.REACTIVATE]
    # the committee's login accounts were stopped with it, each with its own record (and stay stopped)
    accounts = set(User.objects.filter(committee=committee).values_list("pk", flat=True))
    stopped = RegistryChange.objects.filter(subject="ACCOUNT", action=ChangeAction.ACCOUNT_DEACTIVATE)
    assert set(stopped.values_list("subject_id", flat=True)) == accounts
    assert not User.objects.filter(committee=committee, is_active=True).exists()
    assert rows[0].changes["在用"] == [True, False] and rows[1].note == "误撤销"


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", ("village_a", "township", "village_c"))
def test_filing_and_its_files(world, persona, name):
    user, committee = getattr(world, persona), getattr(world, name)
    client = login(user)
    url = f"/console/registry/committees/{committee.pk}/filing/"
    filing = {
        "form": "filing",
        "filing_date": "2025-06-01",
        "filing_number": "咸司备〔2025〕3号",
        "filing_authority": "咸安区司法局",
    }
    upload = {"form": "upload", "title": "设立文件", "file": SimpleUploadedFile("设立.pdf", clean_pdf())}
    if not expected(persona, name, EDITS):
        assert client.get(url).status_code == 404
        assert client.post(url, filing).status_code == 404
        assert client.post(url, upload).status_code == 404
        assert not RegistryChange.objects.exists() and not FilingDocument.objects.exists()
        return
    assert client.get(url).status_code == 200
    assert client.post(url, filing).status_code == 302
    assert client.post(url, upload).status_code == 302
    committee.refresh_from_db()
    assert committee.filing_number == "咸司备〔2025〕3号" and str(committee.filing_date) == "2025-06-01"
    doc = FilingDocument.objects.get()
    assert (doc.committee, doc.title, doc.content_type, doc.uploaded_by) == (
        committee,
        "设立文件",
        "application/pdf",
        user,
    )
    actions = list(RegistryChange.objects.order_by("id").values_list("action", flat=True))
    assert actions == [ChangeAction.FILING, ChangeAction.ATTACH]


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", ("village_a", "township", "village_c"))
def test_filing_file_download_is_scoped_and_logged(world, persona, name):
    committee = getattr(world, name)
    admin = world.city_admin
    login(admin).post(
        f"/console/registry/committees/{committee.pk}/filing/",
        {"form": "upload", "title": "备案回执", "file": SimpleUploadedFile("回执.pdf", clean_pdf())},
    )
    doc = FilingDocument.objects.get()
    AccessLog.objects.all()  # (nothing logged by the upload)
    response = login(getattr(world, persona)).get(f"/console/registry/filing-files/{doc.pk}/")
    if not expected(persona, name, SEES):
        assert response.status_code == 404
        assert not AccessLog.objects.filter(action="DOWNLOAD_FILING").exists()
        return
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == clean_pdf()
    assert response["Content-Disposition"].startswith("attachment;")
    entry = AccessLog.objects.get(action="DOWNLOAD_FILING")
    assert entry.user == getattr(world, persona) and "备案回执" in entry.detail


@pytest.mark.parametrize(
    "url",
    [
        "/console/registry/committees/new/",
        "/console/registry/committees/{pk}/edit/",
        "/console/registry/committees/{pk}/deactivate/",
        "/console/registry/committees/{pk}/reactivate/",
        "/console/registry/committees/{pk}/filing/",
    ],
)
def test_every_form_needs_its_csrf_token(world, url):
    client = login(world.county_admin, csrf=True)
    url = url.format(pk=world.village_a.pk)
    assert client.get(url).status_code in (200, 302)
    assert client.post(url, {"reason": "x", "on": "2026-03-01", "form": "filing"}).status_code == 403
    assert not RegistryChange.objects.exists()


def test_unknown_ids_are_404(world):
    client = login(world.city_admin)
    for url in (
        "/console/committees/999999/",
        "/console/registry/committees/999999/edit/",
        "/console/registry/committees/999999/filing/",
        "/console/registry/filing-files/999999/",
    ):
        assert client.get(url).status_code == 404, url
