"""The referral board in Chromium at 1366 and 390 px (h-board): the county's board with every channel and colour,
the time-limit table, the 督办 of a pending referral and the director's reply; no page scrolls sideways at 390 px.
Screenshots go to test-output/screens/h-board/<viewport>/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.enums import ReferralStatus
from tests.referrals.board_helpers import Board, fresh_tables  # noqa: F401  (fresh_tables is autouse)

pytestmark = pytest.mark.e2e


def populate(board: Board, now) -> None:
    w = board.world
    board.referral(received_at=now - timedelta(hours=2))  # at the hub, green
    board.referral(
        institution=board.police, received_at=now - timedelta(hours=5), channel_due=now + timedelta(hours=19)
    )
    board.referral(institution=board.hotline, received_at=now - timedelta(hours=30))  # hub receive: red
    late = board.referral(received_at=now - timedelta(days=6), receiver=w.village_a)  # accept past accept-by
    board.referral(
        receiver=w.village_a,
        status=ReferralStatus.ACCEPTED,
        received_at=now - timedelta(days=9),
        accepted_at=now - timedelta(days=8),
        mediation_due=(now + timedelta(days=22)).date(),
        contact_by=(now - timedelta(days=5)).date(),
        contact_result="CONTACTED",
    )
    board.referral(
        institution=board.police,
        receiver=w.township,
        status=ReferralStatus.SUCCEEDED,
        received_at=now - timedelta(days=20),
        accepted_at=now - timedelta(days=19),
        concluded_at=now - timedelta(days=3),
        replied_at=now - timedelta(days=19),
        channel_due=now - timedelta(days=19),
    )
    waiting = board.referral(institution=board.hotline, received_at=now - timedelta(hours=28))
    board.dispatch(waiting, w.village_b, now - timedelta(hours=26), accepted=False)
    assert late.pk


def test_board_pages_at_both_widths(session, e2e_world):
    s = session
    now = timezone.now()
    board = Board(e2e_world)
    populate(board, now)
    out = s.dir.parents[1] / "screens" / "h-board" / s.viewport
    out.mkdir(parents=True, exist_ok=True)

    s.login("county_admin")
    s.goto("/console/referrals/board/")
    assert s.page.locator("#board-table tbody tr[data-referral]").count() == 7
    assert s.page.locator("#board-table tr[data-colour=red]").count() >= 2
    s.page.screenshot(path=str(out / "01-board-county.png"), full_page=True)
    s.goto("/console/referrals/board/?colour=red")
    s.page.screenshot(path=str(out / "02-board-red.png"), full_page=True)
    s.goto("/console/referrals/board/limits/")
    assert s.page.locator("#limits-table tbody tr").count() >= 10
    s.page.screenshot(path=str(out / "03-limits.png"), full_page=True)

    pending = board.world.village_a.referrals.filter(status=ReferralStatus.PENDING).first()
    s.goto(f"/console/referrals/board/{pending.pk}/supervise/")
    s.page.fill("#id_instruction", "该移送纠纷已超过接收答复期限，请立即接收或书面说明拒绝理由。")
    s.page.screenshot(path=str(out / "04-supervise.png"), full_page=True)
    s.submit()
    assert "已对" in s.page.content()
    s.logout()

    s.login("director_a")
    sup = pending.supervisions.get()
    s.goto(f"/console/referrals/board/supervision/{sup.pk}/")
    s.page.screenshot(path=str(out / "05-director-reply.png"), full_page=True)
    s.page.fill("#id_text", "已与申请人取得联系，明日上午组织双方到村委会调解，今日完成接收。")
    s.submit()
    assert "已提交反馈" in s.page.content()
    s.page.screenshot(path=str(out / "06-replied.png"), full_page=True)
    s.logout()

    s.login("hub_director")
    s.goto("/console/referrals/board/")
    s.page.screenshot(path=str(out / "07-board-hub.png"), full_page=True)
    assert not s.overflows, s.overflows
