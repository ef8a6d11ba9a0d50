"""Messages and booking in a real browser, at the phone and the desktop viewport.

A mediator publishes availability; the party writes with a photo; the mediator replies and sends a private caucus
note; the party books a slot; the mediator proposes another time; the party accepts. Screenshots go to
test-output/screenshots/<viewport>/messaging-*.png; every page is checked for sideways scrolling at 390 px and for
tap targets of at least 44 px."""

import tempfile
from pathlib import Path

import pytest

from cases.enums import CaseStatus
from messaging.models import Booking, BookingStatus, Message
from tests.messaging.helpers import png_bytes, working_day
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(s, step: str) -> None:
    s.page.screenshot(path=str(s.dir / f"messaging-{step}.png"), full_page=True)
    s.check_width(f"messaging-{step}")
    if s.phone:
        small = s.page.evaluate(
            """() => [...document.querySelectorAll(
                    'main .btn, main .tj-slot, main summary, main .form-control, main .form-select')]
                .filter(e => e.offsetParent !== null)
                .map(e => [e.innerText.trim().slice(0, 20) || e.name || e.tagName, e.getBoundingClientRect().height])
                .filter(([, h]) => h < 43.5)"""
        )
        assert small == [], f"{step}: tap targets under 44 px: {small}"


def test_messages_and_booking_round_trip(e2e_world, session):
    s, page = session, session.page
    case = make_case(e2e_world, CaseStatus.IN_MEDIATION)
    first_day, second_day = working_day(2), working_day(3)
    image = Path(tempfile.mkdtemp()) / "漏水照片.png"
    image.write_bytes(png_bytes("steelblue"))

    # 1. The mediator publishes a slot on "my availability".
    s.login("mediator_a")
    s.goto("/messages/availability/")
    page.fill("#id_date", first_day.isoformat())
    page.fill("#id_start", "09:00")
    page.fill("#id_end", "10:00")
    page.fill("#id_place", "桂花村委会调解室")
    s.submit()
    assert "已发布 1 个可预约时段" in page.content()
    shot(s, "availability")
    s.logout()

    # 2. The party opens the case, sees the panel and writes with a photo (HTMX post, no page reload).
    s.login("party_user")
    s.goto(f"/cases/{case.pk}/")
    assert page.locator("#messaging-panel").is_visible()
    page.locator("#messaging-panel").get_by_role("link", name="消息").click()
    page.wait_for_url(f"**/messages/case/{case.pk}/")
    page.fill("#id_body", "调解员您好，这是昨晚排水沟漏水的照片。")
    page.set_input_files("#id_files", str(image))
    page.click("#compose button[type=submit]")
    page.locator("#msg-list .tj-msg.mine img.tj-thumb").wait_for()
    assert page.input_value("#id_body") == ""  # the compose form was reset
    shot(s, "thread-party")
    # a program renamed to .jpg is refused in Chinese next to the field, and the text typed is kept
    fake = image.with_name("照片.jpg")
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
    page.fill("#id_body", "再补一张照片")
    page.set_input_files("#id_files", str(fake))
    assert page.locator("[data-files-chosen]").inner_text() == "照片.jpg"
    page.click("#compose button[type=submit]")
    page.locator("#compose .errorlist", has_text="不是可接受的格式").wait_for()
    assert page.input_value("#id_body") == "再补一张照片"
    shot(s, "upload-refused")
    s.logout()

    # 3. The mediator replies to all, then sends a caucus note to the applicant alone.
    s.login("mediator_a")
    s.goto(f"/messages/case/{case.pk}/")
    page.wait_for_function(
        "() => { const i = document.querySelector('#msg-list img.tj-thumb'); return i && i.complete; }"
    )
    assert page.locator("#msg-list img.tj-thumb").evaluate("img => img.naturalWidth") == 40  # streamed, decodable
    page.fill("#id_body", "收到照片，我下周来现场看看。")
    page.click("#compose button[type=submit]")
    page.locator("#msg-list .tj-msg.mine", has_text="下周来现场").wait_for()
    page.select_option("#id_to", label="仅张三（申请人，单独沟通）")
    page.fill("#id_body", "单独跟您说：对方愿意承担一半维修费，您考虑一下。")
    page.click("#compose button[type=submit]")
    page.locator("#msg-list .tj-msg.caucus", has_text="承担一半").wait_for()
    shot(s, "thread-mediator")
    s.logout()

    # 4. The party sees the caucus note marked private and books the published slot.
    s.login("party_user")
    s.goto(f"/messages/case/{case.pk}/")
    assert page.locator(".tj-msg.caucus", has_text="仅您和调解员可见").is_visible()
    s.goto(f"/messages/case/{case.pk}/booking/")
    shot(s, "booking-choose")
    page.locator("label.tj-slot").first.click()
    page.fill("#id_note", "想当面说明损失")
    s.submit()
    assert "已提交预约，等待调解员确认" in page.content()
    shot(s, "booking-requested")
    s.logout()

    # 5. The mediator proposes another time.
    s.login("mediator_a")
    s.goto(f"/messages/case/{case.pk}/booking/")
    shot(s, "booking-staff")
    with page.expect_navigation():
        page.get_by_role("link", name="建议改期").click()
    page.fill("#id_date", second_day.isoformat())
    page.fill("#id_start", "15:00")
    page.fill("#id_end", "16:00")
    page.select_option("#id_mode", "VIDEO")
    page.fill("#id_place", "微信视频")
    shot(s, "propose")
    s.submit()
    assert "已向当事人建议新的时间" in page.content()
    s.logout()

    # 6. The party accepts; the case page shows the confirmed appointment.
    s.login("party_user")
    s.goto(f"/messages/case/{case.pk}/booking/")
    shot(s, "booking-proposed")
    with page.expect_navigation():
        page.get_by_role("button", name="接受改期").click()
    assert "已接受改期" in page.content()
    shot(s, "booking-confirmed")
    s.goto(f"/cases/{case.pk}/")
    panel = page.locator("#messaging-panel").inner_text()
    assert "15:00" in panel and "已确认" in panel
    page.locator("#messaging-panel").scroll_into_view_if_needed()
    shot(s, "case-panel")

    booking = Booking.objects.get(case=case)
    assert booking.status == BookingStatus.CONFIRMED and booking.slot.date == second_day
    assert Message.objects.filter(case=case).count() == 3
    assert s.overflows == []
