"""Shared by the portal tests: sign in by phone through the real views, read the SMS the console backend kept.

SMS go through the outbox: a request queues the message and the worker delivers it after commit. Inside a test's
transaction nothing commits, so before reading the console backend the helpers run the worker's own sweep
(notifications.delivery.deliver_due), as the worker would."""

import re
from io import BytesIO

from django.test import Client

from notifications.delivery import deliver_due
from portal.sms import ConsoleBackend


def last_sms(phone: str) -> str:
    deliver_due()
    sms = ConsoleBackend.last_to(phone)
    assert sms is not None, f"no SMS to {phone}"
    return sms.text


def all_sms(phone: str) -> list[str]:
    deliver_due()
    return [m.text for m in ConsoleBackend.outbox if m.phone == phone]


def sms_code(phone: str) -> str:
    return re.search(r"验证码是(\d{6})", last_sms(phone)).group(1)


def invite_code(phone: str) -> str:
    codes = [m.group(1) for t in all_sms(phone) if (m := re.search(r"邀请码 ([A-Z0-9]{8})", t))]
    assert codes, f"no invitation SMS to {phone}"
    return codes[-1]


def phone_login(client: Client, phone: str, ip: str = "10.0.0.1"):
    r = client.post("/portal/login/", {"phone": phone, "step": "send"}, REMOTE_ADDR=ip)
    assert r.status_code == 200, r.content.decode()[:500]
    return client.post("/portal/login/", {"phone": phone, "code": sms_code(phone), "step": "verify"}, REMOTE_ADDR=ip)


def png_bytes() -> bytes:
    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    buf = BytesIO()
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.write(buf)
    return buf.getvalue()


# The first bytes of a Windows executable: a disguised .exe.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
