"""Issue 10 point 6: a GET changes nothing. Notices are marked read by a POST (全部标为已读), never by opening the
page; opening the online application creates no draft until the first POST."""

from cases.enums import CaseStatus
from cases.models import Notification
from portal.models import ApplicationDraft
from tests.world import make_case


def _unread(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _notice(user, text="测试通知"):
    return Notification.objects.create(user=user, message=text)


def test_staff_notifications_page_get_leaves_unread_and_post_marks_read(world, client):
    _notice(world.mediator_a)
    _notice(world.mediator_a, "第二条")
    other = _notice(world.director_a)
    client.force_login(world.mediator_a)
    page = client.get("/accounts/notifications/")
    assert page.status_code == 200 and "全部标为已读" in page.content.decode()
    assert _unread(world.mediator_a) == 2
    assert client.get("/accounts/notifications/read/").status_code == 405  # a link cannot mark
    assert _unread(world.mediator_a) == 2
    client.post("/accounts/notifications/read/")
    assert _unread(world.mediator_a) == 0
    other.refresh_from_db()
    assert other.read_at is None  # only one's own
    assert "全部标为已读" not in client.get("/accounts/notifications/").content.decode()


def test_single_notice_marked_read_by_post(world, client):
    first, second = _notice(world.mediator_a), _notice(world.mediator_a)
    foreign = _notice(world.director_a)
    client.force_login(world.mediator_a)
    client.post("/accounts/notifications/read/", {"notice": first.pk})
    client.post("/accounts/notifications/read/", {"notice": foreign.pk})
    first.refresh_from_db(), second.refresh_from_db(), foreign.refresh_from_db()
    assert first.read_at is not None and second.read_at is None and foreign.read_at is None


def test_portal_notices_get_leaves_unread_and_post_marks_read(world, client):
    make_case(world, CaseStatus.ACCEPTED)
    _notice(world.party_user)
    client.force_login(world.party_user)
    before = _unread(world.party_user)
    assert before >= 1
    page = client.get("/portal/notices/")
    assert page.status_code == 200 and "全部标为已读" in page.content.decode()
    assert _unread(world.party_user) == before
    assert client.get("/portal/notices/read/").status_code == 405
    response = client.post("/portal/notices/read/")
    assert response.status_code == 302
    assert _unread(world.party_user) == 0


def test_get_apply_creates_no_draft_and_the_first_post_does(world, client):
    client.force_login(world.party_user)
    start = client.get("/portal/apply/", follow=True)
    assert start.status_code == 200
    for step in ("about", "other", "what", "place", "evidence", "confirm"):
        assert client.get(f"/portal/apply/{step}/").status_code == 200, step
    assert not ApplicationDraft.objects.filter(user=world.party_user).exists()
    client.post("/portal/apply/about/", {"name": "张三", "go": "next"})
    assert ApplicationDraft.objects.filter(user=world.party_user, submitted_at__isnull=True).count() == 1


def test_no_registry_page_changes_anything_on_get_nor_without_its_csrf_token(world):
    """Issue 9: every page of the registry's administration (read from registry/urls_*.py) changes nothing on a GET,
    an action is POST-only (405 on a GET), and a POST without its CSRF token is refused (403) and changes nothing —
    for each administrator of village A."""
    from django.test import Client

    from tests.registry.urls_helpers import registry_urls, state

    urls = registry_urls(world)
    assert len(urls) >= 15  # §1 and §2 pages are all there
    before = state()
    for admin in (world.sfs_officer, world.county_admin, world.city_admin):
        client = Client()
        client.force_login(admin)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(admin)
        for name, url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302, 404, 405), name
            assert state() == before, f"GET {name} changed something"
            refused = strict.post(url, {"reason": "x", "on": "2026-01-01", "username": "zzz", "left_reason": "x"})
            assert refused.status_code in (403, 404), name  # 404: outside the 司法所's reach
            assert state() == before, f"POST {name} without a CSRF token changed something"
    assert client.get(dict(urls)["registry_account_reset"]).status_code == 405
