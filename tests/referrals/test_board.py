"""The referral board (h-board): who sees it and what (role × jurisdiction), the counts by channel, the filters, the
clocks and colours on each row, and the time-limit table page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from referrals.enums import Channel, ReferralStatus
from tests.referrals.board_helpers import Board, dt, fresh_tables  # noqa: F401  (fresh_tables is autouse)

pytestmark = pytest.mark.django_db
NOW = dt(2026, 3, 4, 10)
BOARD, LIMITS = "/console/referrals/board/", "/console/referrals/board/limits/"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def shown(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-referral="(\d+)"', response.content.decode())}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def build(world):
    """r_hub at the 温泉 hub (court); r_sent dispatched by the hub to village A (police); r_jiayu at 城关村 (嘉鱼县)."""
    board = Board(world)
    r_hub = board.referral(received_at=dt(2026, 3, 4, 8))
    r_sent = board.referral(institution=board.police, received_at=dt(2026, 3, 2, 9))
    board.dispatch(r_sent, world.village_a, dt(2026, 3, 2, 10))
    r_jiayu = board.referral(institution=board.jiayu_police, receiver=world.village_c, received_at=dt(2026, 3, 3, 9))
    return board, {"hub": r_hub.pk, "sent": r_sent.pk, "jiayu": r_jiayu.pk}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("hub_director", {"hub", "sent"}),  # the hub's own and what it dispatched
        ("hub_member", {"hub", "sent"}),
        ("sfs_officer", {"hub", "sent"}),  # 温泉街道
        ("county_admin", {"hub", "sent"}),  # 咸安区
        ("other_county_admin", {"jiayu"}),  # 嘉鱼县: only its own area
        ("city_admin", {"hub", "sent", "jiayu"}),
    ],
)
def test_who_sees_which_referrals(world, frozen, who, expected):
    board, ids = build(world)
    user = getattr(board, who, None) or getattr(world, who)
    for path in (BOARD, LIMITS):
        assert client_for(user).get(path).status_code == 200
    assert shown(client_for(user).get(BOARD)) == {ids[k] for k in expected}


@pytest.mark.parametrize(
    "who", ["mediator_a", "director_a", "director_c", "court_liaison", "liaison", "party_user", "outsider"]
)
def test_no_board_for_committee_members_liaisons_and_parties(world, frozen, who):
    board, _ = build(world)
    user = getattr(board, who, None) or getattr(world, who)
    for path in (BOARD, LIMITS, f"{BOARD}1/supervise/"):
        assert client_for(user).get(path).status_code == 404


def test_anonymous_is_sent_to_sign_in(world):
    response = Client().get(BOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_counts_by_channel_and_the_colour_of_each_row(world, frozen):
    board, ids = build(world)
    board.referral(
        receiver=world.village_a,
        status=ReferralStatus.SUCCEEDED,
        received_at=dt(2026, 2, 2, 9),
        accepted_at=dt(2026, 2, 3, 9),
        concluded_at=dt(2026, 2, 20, 9),
    )
    html = client_for(world.county_admin).get(BOARD).content.decode()

    def count(channel, name):
        row = re.search(rf'<tr data-channel="{channel}".*?</tr>', html, re.S).group(0)
        return int(re.search(rf'data-count="{name}">(\d+)<', row).group(1))

    assert [count("COURT", n) for n in ("total", "pending", "accepted", "concluded", "overdue")] == [2, 1, 0, 1, 0]
    # the police referral: at village A since 03-02 10:00; village accept 1 / 2 working days → red since 03-04 10:00
    assert [count("POLICE", n) for n in ("total", "pending", "red", "yellow")] == [1, 1, 1, 0]
    assert count("ALL", "total") == 3 and count("PETITION", "total") == 0
    assert re.search(rf'data-referral="{ids["sent"]}" data-colour="red"', html)
    assert re.search(rf'data-referral="{ids["hub"]}" data-colour="green"', html)  # 2 hours at the hub (4 / 8)


def test_filters_by_channel_status_colour_and_number(world, frozen):
    board, ids = build(world)
    c = client_for(world.city_admin)
    assert shown(c.get(BOARD, {"channel": Channel.POLICE})) == {ids["sent"], ids["jiayu"]}
    assert shown(c.get(BOARD, {"colour": "red"})) == {ids["sent"]}
    assert shown(c.get(BOARD, {"colour": "yellow"})) == {ids["jiayu"]}  # 25 hours at a village (1 working day)
    assert shown(c.get(BOARD, {"colour": "green"})) == {ids["hub"]}
    assert shown(c.get(BOARD, {"status": "accepted"})) == set()
    assert shown(c.get(BOARD, {"status": "pending", "channel": Channel.COURT})) == {ids["hub"]}
    assert shown(c.get(BOARD, {"q": f"移送2026-{ids['jiayu']:06d}"})) == {ids["jiayu"]}
    assert shown(c.get(BOARD, {"q": "诉前001"})) == {ids["hub"]}
    assert shown(c.get(BOARD, {"channel": "NOPE"})) == set()  # an invalid filter shows nothing, not everything


def test_overdue_status_follows_the_statutory_clocks(world):
    board, ids = build(world)  # r_sent: accept_by = 3 working days after 03-02 = 03-05
    c = client_for(world.county_admin)
    with time_machine.travel(dt(2026, 3, 5, 23), tick=False):
        assert shown(c.get(BOARD, {"status": "overdue"})) == set()
    with time_machine.travel(dt(2026, 3, 6, 9), tick=False):
        assert shown(c.get(BOARD, {"status": "overdue"})) == {ids["sent"]}  # r_hub's accept_by is 03-09
        html = c.get(BOARD).content.decode()
        assert "已逾期" in html


def test_clocks_are_shown_on_the_row(world, frozen):
    board = Board(world)
    ref = board.referral(
        receiver=world.village_a,
        status=ReferralStatus.ACCEPTED,
        received_at=dt(2026, 3, 2, 9),
        accepted_at=dt(2026, 3, 2, 10),
        contact_by=dt(2026, 3, 5).date(),
        mediation_due=dt(2026, 4, 1).date(),
        channel_due=dt(2026, 3, 3, 9) + timedelta(days=60),
    )
    html = client_for(world.sfs_officer).get(BOARD).content.decode()
    row = re.search(rf'<tr data-referral="{ref.pk}".*?</tr>', html, re.S).group(0)
    for text in ("03-05", "04-01", "05-02 09:00", "调解办理", "已接收"):
        assert text in row


def test_limits_page_lists_every_row_of_the_table(world):
    board = Board(world)
    from referrals.limits import time_limits

    html = client_for(board.hub_member).get(LIMITS).content.decode()
    assert html.count('<tr data-stage="') == len(time_limits().rows)
    assert "默认" in html and "个工作日" in html and "小时" in html


def test_the_menu_offers_the_board_to_the_hub_and_the_supervisors_only(world):
    board = Board(world)
    for user in (board.hub_member, board.hub_director, world.sfs_officer, world.county_admin):
        assert (
            'href="/console/referrals/board/"'
            in client_for(user).get("/workbench/" if user.committee_id else "/console/").content.decode()
        )
    for user in (world.mediator_a, world.director_a):
        assert 'href="/console/referrals/board/"' not in client_for(user).get("/workbench/").content.decode()


def test_a_waiting_dispatch_is_named_on_the_row_and_seen_by_the_receivers_supervisors(world, frozen):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 4, 8))
    board.dispatch(ref, world.village_b, dt(2026, 3, 4, 9), accepted=False)
    response = client_for(world.sfs_officer).get(BOARD)
    assert response.status_code == 200
    row = re.search(rf'<tr data-referral="{ref.pk}".*?</tr>', response.content.decode(), re.S).group(0)
    assert "已交办柏墩村人民调解委员会，待其接收" in row and "接收答复" in row
    assert ref.pk in shown(client_for(board.hub_member).get(BOARD))
