"""The ledgers' shared base: departments, roles, what a user may see, the change log and the menu."""

import pytest
from django.http import Http404

from accounts.models import Role
from ledgers.events import diff, history, record, snapshot
from ledgers.models import BureauDepartment, LedgerEvent, LedgerRole, LedgerRoleKind
from ledgers.navigation import ledger_menu_entries
from ledgers.scoping import access_of, get_visible_or_404, items_visible_to, summary_bureaus
from tests.world import World, _user


@pytest.fixture
def bureau(world: World):
    county = world.county_admin.division
    office = BureauDepartment.objects.create(bureau=county, name="办公室", is_office=True)
    dept = BureauDepartment.objects.create(bureau=county, name="人民参与和促进法治科")
    other_dept = BureauDepartment.objects.create(bureau=county, name="公共法律服务科")
    users = {
        "office": _user("l_office", Role.COUNTY_ADMIN, "办公室干事", division=county),
        "leader": _user("l_leader", Role.COUNTY_ADMIN, "分管副局长", division=county),
        "dept": _user("l_dept", Role.COUNTY_ADMIN, "参促科干事", division=county),
        "other_dept": _user("l_other", Role.COUNTY_ADMIN, "公法科干事", division=county),
    }
    LedgerRole.objects.create(user=users["office"], bureau=county, kind=LedgerRoleKind.OFFICE, department=office)
    LedgerRole.objects.create(user=users["leader"], bureau=county, kind=LedgerRoleKind.LEADER)
    LedgerRole.objects.create(user=users["dept"], bureau=county, kind=LedgerRoleKind.DEPARTMENT, department=dept)
    LedgerRole.objects.create(
        user=users["other_dept"], bureau=county, kind=LedgerRoleKind.DEPARTMENT, department=other_dept
    )
    return county, dept, other_dept, users


def test_roles_decide_which_items_open(world, bureau):
    county, dept, other_dept, users = bureau
    # LedgerRole rows carry a bureau and a department, like any ledger item: use them as the items here.
    items = LedgerRole.objects.all()
    mine = items.get(user=users["dept"])
    assert set(items_visible_to(users["office"], items)) == set(items)
    assert set(items_visible_to(users["leader"], items)) == set(items)
    assert set(items_visible_to(users["dept"], items)) == {mine}
    for outsider in (world.other_county_admin, world.city_admin, world.county_admin, world.party_user):
        assert not items_visible_to(outsider, items).exists()
        with pytest.raises(Http404):
            get_visible_or_404(outsider, items, mine.pk)
    with pytest.raises(Http404):
        get_visible_or_404(users["other_dept"], items, mine.pk)
    assert get_visible_or_404(users["dept"], items, mine.pk) == mine
    with pytest.raises(Http404):
        get_visible_or_404(users["dept"], items, "x")


def test_summaries_follow_the_bureaus(world, bureau):
    county, _dept, _other, users = bureau
    assert list(summary_bureaus(world.city_admin).values_list("code", flat=True))[:1] == [world.city_admin.division_id]
    assert county in summary_bureaus(world.city_admin)
    assert list(summary_bureaus(users["office"])) == [county]
    assert list(summary_bureaus(world.other_county_admin)) == [world.other_county_admin.division]
    assert not summary_bureaus(world.sfs_officer).exists()
    assert access_of(users["dept"]).department_ids() == {_dept.pk}


def test_the_change_log_records_who_what_and_when(world, bureau):
    county, dept, _other, users = bureau
    before = snapshot(dept, ["name", "active"])
    dept.name = "人民参与科"
    dept.save()
    event = record(
        ledger="BASE",
        bureau=county,
        target=dept,
        action="department_renamed",
        summary="科室更名",
        actor=users["office"],
        changes=diff(before, snapshot(dept, ["name", "active"])),
    )
    assert event.changes == {"name": ["人民参与和促进法治科", "人民参与科"]}
    assert list(history(dept)) == [event]
    assert LedgerEvent.objects.get().target == dept
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        dept.delete()


def test_the_menu_shows_the_ledgers_to_their_users_only(world, bureau, client):
    _county, _dept, _other, users = bureau
    labels = {label for label, _name, _icon in ledger_menu_entries(users["dept"])}
    assert "建议提案办理" in labels
    assert ledger_menu_entries(world.sfs_officer) == []
    assert ledger_menu_entries(world.party_user) == []
    client.force_login(world.sfs_officer)
    assert client.get("/ledgers/").status_code == 404
    client.force_login(users["dept"])
    page = client.get("/ledgers/")
    assert page.status_code == 200 and "/ledgers/proposals/" in page.content.decode()


def test_the_office_sets_departments_and_roles_and_every_change_is_logged(world, bureau, client):
    county, dept, _other, users = bureau
    newcomer = _user("l_new", Role.COUNTY_ADMIN, "新同事", division=county)
    client.force_login(users["office"])
    assert client.get("/ledgers/roles/").status_code == 200
    response = client.post("/ledgers/roles/", {"form": "department", "bureau": county.pk, "name": "法治督察科"})
    assert response.status_code == 302
    grant = {"form": "grant", "bureau": county.pk, "user": newcomer.pk, "kind": "DEPARTMENT", "department": dept.pk}
    assert client.post("/ledgers/roles/", grant).status_code == 302
    role = LedgerRole.objects.get(user=newcomer, ended_at__isnull=True)
    assert access_of(newcomer).department_ids() == {dept.pk}
    assert client.post("/ledgers/roles/", {"form": "end", "bureau": county.pk, "role": role.pk}).status_code == 302
    role.refresh_from_db()
    assert role.ended_at is not None and LedgerRole.objects.filter(pk=role.pk).exists()
    actions = set(LedgerEvent.objects.filter(ledger="BASE").values_list("action", flat=True))
    assert actions == {"department_added", "role_granted", "role_ended"}
    # An account of another bureau cannot be given a role here.
    foreign = {**grant, "user": world.other_county_admin.pk}
    client.post("/ledgers/roles/", foreign)
    assert not LedgerRole.objects.filter(user=world.other_county_admin).exists()


def test_who_may_open_the_roles_page(world, bureau, client):
    county, _dept, _other, users = bureau
    for user, status in (
        (users["dept"], 404),
        (users["leader"], 404),
        (world.county_admin, 200),  # the bureau's administrator account, without a ledger role: may start it off
        (world.other_county_admin, 200),  # their own bureau's page …
        (world.sfs_officer, 404),
    ):
        client.force_login(user)
        assert client.get("/ledgers/roles/").status_code == status, user
    client.force_login(world.other_county_admin)
    assert client.get(f"/ledgers/roles/?bureau={county.pk}").status_code == 404  # … not another's
