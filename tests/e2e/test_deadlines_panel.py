"""The workbench's 到期提醒 panel in a real browser, for the mediator and the director, at 1366 px and 390 px
(screenshots test-output/screenshots/<viewport>/deadlines-*.png; no sideways scrolling at 390 px)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.timers import fire_due
from tests.timers.helpers import open_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_deadlines_panel(e2e_world, session):
    s, page = session, session.page
    now = timezone.now()
    # Real time (the browser's clock must run): accepted about a month ago, so the limits fall in the next days.
    for days_ago in (29, 27, 25):
        open_case(e2e_world, now - timedelta(days=days_ago), co=[e2e_world.mediator_a2])
    open_case(e2e_world, now - timedelta(days=28), at_committee="b")
    fire_due(now)

    for user, step in [("mediator_a", "mediator"), ("director_a", "director")]:
        s.login(user)
        s.goto("/workbench/")
        panel = page.locator("#deadlines-panel")
        assert panel.is_visible()
        assert "到期提醒" in panel.inner_text()
        assert panel.locator("a", has_text="调解期限").count() >= 2
        assert "柏墩" not in panel.inner_text()  # another committee's case
        page.screenshot(path=str(s.dir / f"deadlines-{step}.png"), full_page=True)
        panel.screenshot(path=str(s.dir / f"deadlines-{step}-panel.png"))
        s.check_width(f"deadlines-{step}")
        s.logout()
    assert s.overflows == []
