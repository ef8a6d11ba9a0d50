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
