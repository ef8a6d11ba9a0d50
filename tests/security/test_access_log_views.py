"""Issue 10 points 6 and 7: each view of personal data writes exactly one access-log row with who, what (kind, case,
the path served) and from where; nothing in the query string can change the row's kind or detail."""

import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AccessKind, AccessLog
from cases.enums import CaseStatus
from supervision.spotcheck import do_create_spot_check
from tests.world import make_case

ADDR = "203.0.113.9"
FORGE = {"kind": "EXPORT_CASES", "action": "EXPORT_CASES", "detail": "伪造", "case": "999"}


@pytest.fixture
def case(world):
    return make_case(world, CaseStatus.IN_MEDIATION)


def _view(client, user, url, params=None):
    client.force_login(user)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    response = client.get(url, params or {}, REMOTE_ADDR=ADDR)
    assert response.status_code == 200, url
    return response, list(AccessLog.objects.exclude(pk__in=before))


def _one(rows, user, kind, path, case=None):
    rows = [r for r in rows if r.action == kind]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row.user == user and row.ip_address == ADDR and row.at is not None
    assert f"GET {path}" in row.detail and "伪造" not in row.detail
    assert row.case_id == (case.pk if case else None)
    return row


@pytest.mark.parametrize("persona", ["mediator_a", "director_a", "county_admin", "city_admin", "sfs_officer"])
def test_case_view_is_logged_for_every_staff_role(world, client, case, persona):
    user = getattr(world, persona)
    path = f"/cases/{case.pk}/"
    _r, rows = _view(client, user, path, FORGE)
    _one(rows, user, AccessKind.VIEW_CASE, path, case)
    assert not any(r.action == AccessKind.EXPORT_CASES for r in rows)


def test_thread_page_is_logged_once_and_the_feed_poll_is_not(world, client, case):
    path = reverse("messaging:thread", args=[case.pk])
    _r, rows = _view(client, world.mediator_a, path, FORGE)
    _one(rows, world.mediator_a, AccessKind.VIEW_THREAD, path, case)
    _r, rows = _view(client, world.mediator_a, reverse("messaging:feed", args=[case.pk]))
    assert rows == []
    _r, rows = _view(client, world.mediator_a, path)  # reloaded within ten minutes
    assert rows == []
    _r, rows = _view(client, world.party_user, path)  # another user: logged
    _one(rows, world.party_user, AccessKind.VIEW_THREAD, path, case)


@pytest.mark.parametrize(("persona", "url"), [("mediator_a", "/workbench/cases/"), ("county_admin", "/console/cases/")])
def test_case_lists_are_logged(world, client, case, persona, url):
    user = getattr(world, persona)
    _r, rows = _view(client, user, url, FORGE)
    row = _one(rows, user, AccessKind.VIEW_CASE_LIST, url)
    assert "显示1件" in row.detail


def test_insights_drilldown_is_logged(world, client, case):
    client.force_login(world.city_admin)
    html = client.get(reverse("insights:dashboard"), {"area": "4212", "period": "2026-03"}).content.decode()
    url = re.findall(r'href="(/insights/cases/\?[^"]+)"', html)[0].replace("&amp;", "&")
    _r, rows = _view(client, world.city_admin, url + "&detail=伪造&kind=EXPORT_CASES")
    row = _one(rows, world.city_admin, AccessKind.VIEW_DRILLDOWN, "/insights/cases/")
    assert "统计明细" in row.detail


def test_spot_check_scoring_page_is_logged(world, client):
    from registry.models import Division

    closed = make_case(world, CaseStatus.CLOSED)
    check = do_create_spot_check(
        world.county_admin,
        title="一季度卷宗评查",
        area=Division.objects.get(code="421202"),
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        size=1,
        seed=1,
    )
    entry = check.entries.get()
    assert entry.case_id == closed.pk
    path = reverse("supervision:spot_check_score", args=[check.pk, entry.pk])
    _r, rows = _view(client, world.county_admin, path, FORGE)
    _one(rows, world.county_admin, AccessKind.VIEW_SPOT_CHECK, path, closed)


def test_no_parameter_chooses_the_kind(world, client, case):
    path = f"/cases/{case.pk}/"
    _r, rows = _view(client, world.county_admin, path, {"log_action": "RESET_TOTP", "action": "RESET_TOTP"})
    assert {r.action for r in rows} == {AccessKind.VIEW_CASE}
    assert rows[0].detail == f"查看案件 · GET {path}"
