"""Issue 10 point 6 in a real browser at 1366 px and 390 px: opening a notices page leaves the notices unread (the
badge stays); the 全部标为已读 button marks them and the badge goes. Screenshots NN-notices-*.png."""

import pytest

from cases.enums import CaseStatus
from cases.models import Notification
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "path", "badge", "label"),
    [
        ("mediator_a", "/accounts/notifications/", "a[title='通知'] .badge", "staff"),
        ("party_user", "/portal/notices/", "a.portal-link .badge", "portal"),
    ],
)
def test_notices_are_marked_read_by_the_button_not_by_opening(e2e_world, session, username, path, badge, label):
    w, s, page = e2e_world, session, session.page
    make_case(w, CaseStatus.ACCEPTED)
    user = getattr(w, username)
    Notification.objects.create(user=user, message="案件已受理，请留意调解员的电话。")
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    before = unread.count()
    assert before >= 1
    s.login(username)
    s.goto(path)
    s.check_width()
    assert page.locator(badge).first.is_visible() or s.phone  # the staff badge may sit in the collapsed menu
    assert unread.count() == before
    s.shot(f"notices-{label}-unread")
    with page.expect_navigation():
        page.click("button:has-text('全部标为已读')")
    assert unread.count() == 0
    assert page.locator(badge).count() == 0
    assert page.locator("button:has-text('全部标为已读')").count() == 0
    s.check_width()
    s.shot(f"notices-{label}-read")
    assert not s.overflows, s.overflows
