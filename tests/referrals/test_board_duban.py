"""督办 of referrals (h-board): a pending referral (no case) is supervised on the referral itself — issued by the
supervisors of its area, answered by the director of the body that holds it, escalated with a yellow and a red
card when unanswered; an accepted one (with a case) is the case's 督办, reached from the board."""

import pytest
import time_machine
from django.test import Client

from cases import timers
from cases.actions import ActionRefused
from cases.models import Notification, Timer, TimerKind
from notifications.enums import NoticeKind
from referrals.enums import ReferralStatus
from supervision.models_duban import CardLevel, Supervision, SupervisionLevel, SupervisionStatus
from supervision.referral_duban import do_reply_referral_supervision, do_supervise_referral
from tests.referrals.board_helpers import Board, dt, fresh_tables  # noqa: F401  (fresh_tables is autouse)
from tests.supervision.duban_helpers import mediating

pytestmark = pytest.mark.django_db
ISSUE_AT = dt(2026, 3, 2, 10)  # Monday; SFS reply 5 working days → 03-09; yellow 1 wd after, red 5 wd after
INSTRUCTION = "该移送纠纷已接近接收答复期限，请立即接收或书面说明拒绝理由。"
REPLY = "已与双方当事人取得联系，今日下午完成接收并安排调解员办理。"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def pending_at_village(world):
    board = Board(world)
    ref = board.referral(received_at=dt(2026, 3, 2, 9))
    board.dispatch(ref, world.village_a, dt(2026, 3, 2, 9, 30))
    return board, ref


def notified(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("sfs_officer", 200),
        ("county_admin", 200),
        ("city_admin", 200),
        ("other_county_admin", 404),  # 嘉鱼县: not its area
        ("hub_director", 404),
        ("director_a", 404),
        ("mediator_a", 404),
        ("liaison", 404),
    ],
)
def test_who_may_open_the_supervise_page(world, who, status):
    board, ref = pending_at_village(world)
    user = getattr(board, who, None) or getattr(world, who)
    assert client_for(user).get(f"/console/referrals/board/{ref.pk}/supervise/").status_code == status


def test_supervise_a_pending_referral_from_the_board(world):
    board, ref = pending_at_village(world)
    county = client_for(world.county_admin)
    url = f"/console/referrals/board/{ref.pk}/supervise/"
    with time_machine.travel(ISSUE_AT, tick=False):
        assert "督办意见" in county.get(url).content.decode()
        bad = county.post(url, {"instruction": "太短"})
        assert bad.status_code == 200 and "不少于10个字" in bad.content.decode()
        assert not Supervision.objects.exists()
        ok = county.post(url, {"instruction": INSTRUCTION, "reply_deadline": ""})
    assert ok.status_code == 302 and ok["Location"] == "/console/referrals/board/"
    sup = Supervision.objects.get()
    assert (sup.referral_id, sup.case_id, sup.level, sup.status) == (ref.pk, None, SupervisionLevel.COUNTY, "PENDING")
    assert sup.reply_deadline == dt(2026, 3, 9).date() and sup.division_code == "421202"
    assert sup.events.get().kind == "ISSUED"
    live = Timer.objects.filter(kind=TimerKind.SUPERVISION_DEADLINE, target_id=sup.pk, case__isnull=True)
    assert sorted(live.values_list("rule", flat=True)) == ["DUBAN:RED", "DUBAN:YELLOW"]
    # to the director of the body that holds the referral (village A after the dispatch), nobody else
    assert notified(NoticeKind.SUPERVISION) == {"director_a"}
    assert sup.subject_label == ref.reference


def test_the_holders_director_replies_and_the_timers_stop(world):
    board, ref = pending_at_village(world)
    sup = do_supervise_referral(ref, world.sfs_officer, instruction=INSTRUCTION, at=ISSUE_AT)
    url = f"/console/referrals/board/supervision/{sup.pk}/"
    for who in ("director_b", "mediator_a", "hub_director", "other_county_admin", "liaison"):
        user = getattr(board, who, None) or getattr(world, who)
        assert client_for(user).get(url).status_code == 404, who
        assert client_for(user).post(url, {"text": REPLY}).status_code == 404, who
    read_only = client_for(world.sfs_officer)
    assert read_only.get(url).status_code == 200 and "提交反馈" not in read_only.get(url).content.decode()
    assert read_only.post(url, {"text": REPLY}).status_code == 404

    director = client_for(world.director_a)
    assert "提交反馈" in director.get(url).content.decode()
    assert director.post(url, {"text": REPLY}).status_code == 302
    sup.refresh_from_db()
    assert sup.status == SupervisionStatus.REPLIED and sup.replied_at is not None
    assert not Timer.objects.filter(target_id=sup.pk, cancelled_at__isnull=True, fired_at__isnull=True).exists()
    assert notified(NoticeKind.SUPERVISION_REPLY) == {"sfs_officer"}
    with pytest.raises(ActionRefused, match="已反馈"):
        do_reply_referral_supervision(sup, world.director_a, text=REPLY)


def test_unanswered_it_escalates_with_a_yellow_then_a_red_card(world):
    board, ref = pending_at_village(world)
    sup = do_supervise_referral(ref, world.sfs_officer, instruction=INSTRUCTION, at=ISSUE_AT)
    assert timers.fire_due(dt(2026, 3, 9, 23)) == 0
    assert timers.fire_due(dt(2026, 3, 10, 0, 1)) == 1  # yellow: 1 working day after the 03-09 deadline
    sup.refresh_from_db()
    county = Supervision.objects.get(escalated_from=sup)
    assert (sup.status, sup.card) == (SupervisionStatus.ESCALATED, CardLevel.YELLOW)
    assert (county.level, county.card, county.referral_id, county.case_id) == ("COUNTY", "YELLOW", ref.pk, None)
    assert notified(NoticeKind.SUPERVISION_ESCALATED) == {"county_admin"}
    assert notified(NoticeKind.SUPERVISION_UNANSWERED) == {"sfs_officer"}
    assert "director_a" in notified(NoticeKind.SUPERVISION)

    assert timers.fire_due(dt(2026, 3, 16, 0, 1)) == 1  # red: 5 working days after the deadline
    city = Supervision.objects.get(escalated_from=county)
    assert (city.level, city.card) == ("CITY", "RED")
    assert "city_admin" in notified(NoticeKind.SUPERVISION_ESCALATED)

    # the director answers the chain at its head (the city's record)
    do_reply_referral_supervision(sup, world.director_a, text=REPLY, at=dt(2026, 3, 16, 9))
    city.refresh_from_db()
    assert city.status == SupervisionStatus.REPLIED
    assert "city_admin" in notified(NoticeKind.SUPERVISION_REPLY)


def test_an_accepted_referral_is_supervised_as_its_case(world):
    board = Board(world)
    case = mediating(world)
    ref = board.referral(
        receiver=world.village_a, status=ReferralStatus.ACCEPTED, accepted_at=dt(2026, 3, 2, 10), case=case
    )
    county = client_for(world.county_admin)
    response = county.get(f"/console/referrals/board/{ref.pk}/supervise/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/do/supervise/"
    assert county.post(response["Location"], {"instruction": INSTRUCTION, "reply_deadline": ""}).status_code == 302
    sup = Supervision.objects.get()
    assert (sup.case_id, sup.referral_id) == (case.pk, None)
    with pytest.raises(ActionRefused, match="已有调解案件"):
        do_supervise_referral(ref, world.county_admin, instruction=INSTRUCTION)
    # the board offers the 督办 link for it
    assert f"/console/referrals/board/{ref.pk}/supervise/" in county.get("/console/referrals/board/").content.decode()
    assert client_for(world.other_county_admin).get(f"/console/referrals/board/{ref.pk}/supervise/").status_code == 404


def test_refusals(world):
    board, ref = pending_at_village(world)
    with pytest.raises(ActionRefused, match="辖区"):
        do_supervise_referral(ref, world.other_county_admin, instruction=INSTRUCTION)
    with pytest.raises(ActionRefused, match="只有司法所"):
        do_supervise_referral(ref, world.director_a, instruction=INSTRUCTION)
    with pytest.raises(ActionRefused, match="反馈期限不能早于今天"):
        do_supervise_referral(
            ref, world.county_admin, instruction=INSTRUCTION, reply_deadline=dt(2026, 3, 1).date(), at=ISSUE_AT
        )
    type(ref).objects.filter(pk=ref.pk).update(status=ReferralStatus.DECLINED)
    ref.refresh_from_db()
    with pytest.raises(ActionRefused, match="无需督办"):
        do_supervise_referral(ref, world.county_admin, instruction=INSTRUCTION)
    response = client_for(world.county_admin).get(f"/console/referrals/board/{ref.pk}/supervise/")
    assert response.status_code == 302
    assert not Supervision.objects.exists()


def test_the_directors_workbench_lists_the_referral_supervision(world):
    board, ref = pending_at_village(world)
    sup = do_supervise_referral(ref, world.county_admin, instruction=INSTRUCTION, at=ISSUE_AT)
    html = client_for(world.director_a).get("/workbench/").content.decode()
    assert f'data-referral-supervision="{sup.pk}"' in html
    assert f"/console/referrals/board/supervision/{sup.pk}/" in html
    for who in ("director_b", "mediator_a"):
        assert "data-referral-supervision" not in client_for(getattr(world, who)).get("/workbench/").content.decode()


def test_the_ledger_counts_the_referral_supervision_in_its_area(world):
    board, ref = pending_at_village(world)
    sup = do_supervise_referral(ref, world.county_admin, instruction=INSTRUCTION, at=ISSUE_AT)
    html = client_for(world.county_admin).get("/supervision/duban/").content.decode()
    assert f'data-supervision="{sup.pk}"' in html and ref.reference in html
    assert 'data-count="supervised">1<' in html
    other = client_for(world.other_county_admin).get("/supervision/duban/").content.decode()
    assert f'data-supervision="{sup.pk}"' not in other and 'data-count="supervised">0<' in other
    export = client_for(world.county_admin).get("/supervision/duban/export/")
    assert export.status_code == 200
