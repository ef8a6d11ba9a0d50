"""Availability and booking: publishing rules, which slots a party may book, the confirm / propose / accept /
decline / cancel steps with history and notifications, and no double booking even under concurrent requests."""

import threading
from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.actions import ActionRefused
from cases.models import Notification
from messaging import services as S
from messaging.models import Booking, BookingStatus, Slot
from tests.messaging.helpers import book, build_scene, non_working_day, slot_for, working_day


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def publish(client, **data):
    base = {
        "date": working_day(2).isoformat(),
        "start": "09:00",
        "end": "10:00",
        "mode": "IN_PERSON",
        "place": "调解室",
        "repeat": "1",
    }
    return client.post(reverse("messaging:availability"), {**base, **data})


def test_publishing_slots_and_its_refusals(world):
    build_scene(world)
    client = client_for(world.mediator_a)
    r = publish(client, repeat="3")
    assert r.status_code == 302
    slots = list(Slot.objects.filter(mediator=world.mediator_a.mediator).order_by("date"))
    assert len(slots) == 3 and all(s.start == time(9) and s.end == time(10) for s in slots)
    assert len({s.date for s in slots}) == 3 and slots[0].date == working_day(2)
    # overlapping own slot, weekend/holiday, the past, end before start: Chinese message, input kept
    cases = [
        ({"start": "09:30", "end": "10:30"}, "重叠"),
        ({"date": non_working_day().isoformat()}, "不是工作日"),
        ({"date": (timezone.localdate() - timedelta(days=3)).isoformat()}, "只能选择今后的时间"),
        ({"start": "11:00", "end": "10:00"}, "结束时间必须晚于开始时间"),
        ({"date": "2026-02-30"}, "日期格式不正确"),
        ({"repeat": "11"}, "最多连续 10 个工作日"),
    ]
    for data, message in cases:
        r = publish(client, place="保留的地点", **data)
        html = r.content.decode()
        assert r.status_code == 200 and message in html, message
        assert "保留的地点" in html
    assert Slot.objects.count() == 3
    # a mediator cannot publish in the committee's name; the director can
    r = publish(client, for_committee="on", date=working_day(5).isoformat())
    assert Slot.objects.filter(mediator__isnull=True).count() == 0
    r = publish(client_for(world.director_a), for_committee="on", date=working_day(5).isoformat())
    assert r.status_code == 302 and Slot.objects.filter(mediator__isnull=True, committee=world.village_a).count() == 1


def test_which_slots_a_party_may_book(world):
    scene = build_scene(world)
    case = scene.case_a
    mine = slot_for(world.mediator_a, hour=9)
    committee = slot_for(world.director_a, hour=10, committee=True)
    not_assigned = slot_for(world.mediator_a2, hour=11)  # same committee, not on this case
    other_committee = slot_for(world.mediator_c, hour=9)
    weekend = slot_for(world.mediator_a, day=non_working_day(), hour=9)
    past = slot_for(world.mediator_a, day=timezone.localdate() - timedelta(days=1), hour=9)
    withdrawn = slot_for(world.mediator_a, hour=15)
    Slot.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    assert {s.pk for s in S.bookable_slots(case)} == {mine.pk, committee.pk}

    client = client_for(world.party_user)
    page = client.get(reverse("messaging:booking", args=[case.pk])).content.decode()
    assert f'value="{mine.pk}"' in page and f'value="{committee.pk}"' in page
    assert f'value="{not_assigned.pk}"' not in page
    for slot, message in (
        (not_assigned, "只能预约本案调解员或本调委会发布的时段"),
        (other_committee, "只能预约本案调解员或本调委会发布的时段"),
        (weekend, "不在工作日"),
        (past, "该时段已过"),
        (withdrawn, "已被预约或已撤回"),
    ):
        r = client.post(reverse("messaging:booking", args=[case.pk]), {"slot": slot.pk, "note": "想补充证据"})
        assert r.status_code == 200 and message in r.content.decode(), message
    assert not Booking.objects.exists()
    r = client.post(reverse("messaging:booking", args=[case.pk]), {"slot": committee.pk, "note": "想补充证据"})
    assert r.status_code == 302
    # one active booking per party and case
    r = client.post(reverse("messaging:booking", args=[case.pk]), {"slot": mine.pk})
    assert r.status_code == 200 and "已有一个进行中的预约" in r.content.decode()
    # the committee slot's booking is answered by the director too (not only the case's mediators)
    b = Booking.objects.get()
    assert S.booking_side(world.director_a, b.pk).side == "staff"
    assert (
        client_for(world.director_a).post(reverse("messaging:booking_action", args=[b.pk, "confirm"])).status_code
        == 302
    )
    b.refresh_from_db()
    assert b.status == BookingStatus.CONFIRMED


def test_book_confirm_propose_accept_with_history_and_notifications(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    case = scene.case_a
    first = slot_for(world.mediator_a, hour=9)
    party, mediator = client_for(world.party_user), client_for(world.mediator_a)
    Notification.objects.all().delete()

    def told():
        names = list(Notification.objects.order_by("-id").values_list("user__username", flat=True))
        Notification.objects.all().delete()
        return set(names)

    with django_capture_on_commit_callbacks(execute=True):
        assert party.post(reverse("messaging:booking", args=[case.pk]), {"slot": first.pk}).status_code == 302
    assert told() == {"mediator_a"}
    b = Booking.objects.get()
    assert b.status == BookingStatus.REQUESTED and b.party == scene.own_a

    # the party may not confirm their own booking (not their side): 404
    assert party.post(reverse("messaging:booking_action", args=[b.pk, "confirm"])).status_code == 404
    assert mediator.get(reverse("messaging:propose", args=[b.pk])).status_code == 200
    assert party.get(reverse("messaging:propose", args=[b.pk])).status_code == 404

    new_day = working_day(3)
    with django_capture_on_commit_callbacks(execute=True):
        r = mediator.post(
            reverse("messaging:propose", args=[b.pk]),
            {
                "date": new_day.isoformat(),
                "start": "15:00",
                "end": "16:00",
                "mode": "VIDEO",
                "place": "微信视频",
                "note": "上午要下村",
            },
        )
    assert r.status_code == 302
    assert told() == {"party_user"}
    b.refresh_from_db()
    assert b.status == BookingStatus.PROPOSED and b.slot.date == new_day and b.slot.start == time(15)
    assert b.requested_slot == first
    assert first.pk in {s.pk for s in S.bookable_slots(case)}  # the first slot is free again
    assert b.slot.pk not in {s.pk for s in S.bookable_slots(case)}  # the proposed one is held
    page = party.get(reverse("messaging:booking", args=[case.pk])).content.decode()
    assert "调解员建议改期" in page and "接受改期" in page and "视频（微信视频）" in page
    assert "说明：上午要下村" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert party.post(reverse("messaging:booking_action", args=[b.pk, "accept"])).status_code == 302
    assert told() == {"mediator_a"}
    b.refresh_from_db()
    assert b.status == BookingStatus.CONFIRMED
    history = list(b.events.values_list("action", "from_status", "to_status"))
    assert history == [
        ("book", "", "REQUESTED"),
        ("propose", "REQUESTED", "PROPOSED"),
        ("accept", "PROPOSED", "CONFIRMED"),
    ]
    assert b.events.get(action="propose").note == "上午要下村"
    # accepting twice is refused with a message, not an error
    r = party.post(reverse("messaging:booking_action", args=[b.pk, "accept"]), follow=True)
    assert "不能接受改期" in r.content.decode()
    # the case panel shows the next appointment to both sides
    for c in (party, mediator):
        html = c.get(reverse("cases:detail", args=[case.pk]), follow=True).content.decode()  # parties: the portal
        assert "下次约谈" in html and "15:00" in html

    # cancelling needs a reason; then the slot is free and the other side is told
    r = mediator.post(reverse("messaging:booking_action", args=[b.pk, "cancel"]), {"reason": ""}, follow=True)
    assert "请填写取消原因" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        mediator.post(reverse("messaging:booking_action", args=[b.pk, "cancel"]), {"reason": "临时出差"})
    assert told() == {"party_user"}
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.events.last().note == "临时出差"


def test_decline_a_proposal_frees_everything(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    slot = slot_for(world.mediator_a, hour=9)
    b = book(scene.case_a, scene.own_a, slot, world.party_user)
    S.propose_booking(
        world.mediator_a,
        S.booking_side(world.mediator_a, b.pk),
        slot_date=working_day(4),
        start=time(10),
        end=time(11),
        mode="PHONE",
        place="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.party_user).post(
            reverse("messaging:booking_action", args=[b.pk, "decline"]), {"reason": "那天要上班"}
        )
    b.refresh_from_db()
    assert b.status == BookingStatus.DECLINED and not b.is_active
    assert Notification.objects.filter(user=world.mediator_a, message__contains="未接受改期").exists()
    # the party can book again
    assert S.book_slot(world.party_user, S.thread_access(world.party_user, scene.case_a.pk), slot.pk).is_active


def test_propose_refuses_weekends_and_the_past(world):
    scene = build_scene(world)
    b = book(scene.case_a, scene.own_a, slot_for(world.mediator_a), world.party_user)
    client = client_for(world.mediator_a)
    for day, message in ((non_working_day(), "不是工作日"), (timezone.localdate() - timedelta(days=2), "今后")):
        r = client.post(
            reverse("messaging:propose", args=[b.pk]),
            {"date": day.isoformat(), "start": "09:00", "end": "10:00", "mode": "IN_PERSON"},
        )
        assert r.status_code == 200 and message in r.content.decode()
    b.refresh_from_db()
    assert b.status == BookingStatus.REQUESTED


def test_withdraw_only_free_slots_of_ones_own(world):
    scene = build_scene(world)
    free, taken = slot_for(world.mediator_a, hour=9), slot_for(world.mediator_a, hour=10)
    book(scene.case_a, scene.own_a, taken, world.party_user)
    client = client_for(world.mediator_a)
    r = client.post(reverse("messaging:withdraw", args=[taken.pk]), follow=True)
    assert "该时段已有预约" in r.content.decode()
    assert client.post(reverse("messaging:withdraw", args=[free.pk])).status_code == 302
    free.refresh_from_db()
    taken.refresh_from_db()
    assert free.withdrawn_at is not None and taken.withdrawn_at is None
    # someone else's slot does not exist for this user
    assert client_for(world.mediator_a2).post(reverse("messaging:withdraw", args=[taken.pk])).status_code == 404
    page = client.get(reverse("messaging:availability")).content.decode()
    assert "待处理的预约" in page and "张三" in page


def test_database_refuses_a_second_active_booking_of_a_slot(world):
    scene = build_scene(world)
    slot = slot_for(world.mediator_a)
    book(scene.case_a, scene.own_a, slot, world.party_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        book(scene.case_a, scene.other_a, slot, scene.party_b)
    # a cancelled booking no longer holds the slot
    Booking.objects.filter(slot=slot).update(status=BookingStatus.CANCELLED)
    book(scene.case_a, scene.other_a, slot, scene.party_b)


@pytest.mark.django_db(transaction=True)
def test_two_parties_booking_the_same_slot_at_once(world):
    """Two requests race for one slot (two threads, two connections): exactly one booking, the other refused."""
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):
        pytest.skip("needs a file database so that threads each get a connection")
    scene = build_scene(world)
    slot = slot_for(world.mediator_a)
    accesses = [(world.party_user, scene.case_a.pk), (scene.party_b, scene.case_a.pk)]
    barrier = threading.Barrier(len(accesses))
    outcomes: list[str] = []

    def work(user, case_id) -> None:
        try:
            access = S.thread_access(user, case_id)
            barrier.wait(timeout=30)
            S.book_slot(user, access, slot.pk)
            outcomes.append("booked")
        except ActionRefused as refusal:
            outcomes.append(refusal.message)
        except BaseException as exc:  # noqa: BLE001 — reported below
            outcomes.append(f"error {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=a) for a in accesses]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert sorted(outcomes) == ["booked", "该时段已被预约或已撤回，请选择其他时段"], outcomes
    assert Booking.objects.filter(slot=slot, status__in=["REQUESTED", "CONFIRMED", "PROPOSED"]).count() == 1


def test_dates_are_local(world):
    """A slot at 09:00 Shanghai today is in the past once 09:00 Shanghai has passed, whatever UTC says."""
    now = timezone.localtime()
    assert S.slot_starts_in_future(now.date(), (now + timedelta(minutes=5)).time()) or now.hour == 23
    assert not S.slot_starts_in_future(now.date() - timedelta(days=1), time(23, 59))
    assert S.slot_starts_in_future(date(now.year + 1, 1, 5), time(9))


def test_director_answers_committee_slot_bookings_from_the_availability_page(world):
    scene = build_scene(world)
    committee_slot = slot_for(world.director_a, hour=10, committee=True)
    b = book(scene.case_a, scene.own_a, committee_slot, world.party_user)
    director = client_for(world.director_a)
    page = director.get(reverse("messaging:availability")).content.decode()
    assert f'id="booking-{b.pk}"' in page and "待确认" in page
    # the thread and the case's booking page stay closed to the director
    assert director.get(reverse("messaging:booking", args=[scene.case_a.pk])).status_code == 404
    r = director.post(
        reverse("messaging:propose", args=[b.pk]),
        {"date": working_day(4).isoformat(), "start": "14:00", "end": "15:00", "mode": "IN_PERSON", "place": "调解室"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("messaging:availability")
    b.refresh_from_db()
    assert b.status == BookingStatus.PROPOSED and b.slot.mediator is None  # still the committee's slot
    # a mediator slot's booking is not the director's business
    other = book(scene.case_a, scene.other_a, slot_for(world.mediator_a, hour=11), scene.party_b)
    assert director.post(reverse("messaging:booking_action", args=[other.pk, "confirm"])).status_code == 404


def test_workbench_panel_lists_bookings_to_confirm_and_unread_threads(world, django_capture_on_commit_callbacks):
    from django.template.loader import render_to_string

    scene = build_scene(world)
    b = book(scene.case_a, scene.own_a, slot_for(world.mediator_a, hour=9), world.party_user)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.party_user).post(reverse("messaging:post", args=[scene.case_a.pk]), {"body": "在吗"})
    html = render_to_string("messaging/_workbench_panel.html", {"user": world.mediator_a})
    assert f"#booking-{b.pk}" in html and "待确认" in html and "1 条未读消息" in html
    assert render_to_string("messaging/_workbench_panel.html", {"user": world.mediator_b}).count("待确认：") == 0
    assert render_to_string("messaging/_workbench_panel.html", {"user": world.county_admin}).strip() == ""
