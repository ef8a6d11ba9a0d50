"""Refused uploads and thumbnails in Chromium at 1366 and 390 px: the import page answering a hostile workbook,
and a thread showing a photo as a thumbnail re-encoded by the server beside a PDF. Screenshots in
test-output/screenshots/<viewport>/uploads-*.png."""

import io
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from cases.enums import CaseStatus
from tests.files import clean_pdf, js_pdf, xlsx_with_huge_shared_string
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(s, step: str) -> None:
    s.page.screenshot(path=str(s.dir / f"uploads-{step}.png"), full_page=True)
    s.check_width(f"uploads-{step}")


def _photo() -> bytes:
    im = Image.new("RGB", (2400, 1600), (196, 220, 235))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 1000, 2400, 1600), fill=(120, 150, 90))
    draw.rectangle((700, 500, 1700, 1100), fill=(180, 120, 90), outline=(80, 50, 40), width=20)
    draw.polygon([(600, 520), (1200, 150), (1800, 520)], fill=(150, 40, 40))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_import_refusal_and_thread_thumbnail(e2e_world, session):
    s, page = session, session.page
    folder = Path(tempfile.mkdtemp())
    bomb = folder / "调解台账2025.xlsx"
    bomb.write_bytes(xlsx_with_huge_shared_string(50))

    s.login("county_admin")
    s.goto("/imports/")
    page.set_input_files("#id_file", str(bomb))
    s.submit()
    error = page.locator(".invalid-feedback, .errorlist, .alert-danger").filter(has_text="表格解压后的内容过大")
    assert error.first.is_visible()
    assert "/imports/" in page.url and "preview" not in page.url
    shot(s, "import-refused")
    s.logout()

    case = make_case(e2e_world, CaseStatus.IN_MEDIATION)
    photo, receipt, bad = folder / "院墙裂缝.jpg", folder / "维修收据.pdf", folder / "协议草稿.pdf"
    photo.write_bytes(_photo())
    receipt.write_bytes(clean_pdf())
    bad.write_bytes(js_pdf())
    s.login("party_user")
    s.goto(f"/messages/case/{case.pk}/")
    page.fill("#id_body", "调解员您好，这是院墙裂缝的照片和维修收据。")
    page.set_input_files("#id_files", [str(photo), str(receipt)])
    page.click("#compose button[type=submit]")
    thumb = page.locator("#msg-list .tj-msg.mine img.tj-thumb")
    thumb.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('img.tj-thumb'); return i && i.complete && i.naturalWidth > 0 }"
    )
    natural = thumb.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert max(natural) == 320, natural
    page.fill("#id_body", "再补一份")
    page.set_input_files("#id_files", str(bad))
    page.click("#compose button[type=submit]")
    page.locator("#compose .errorlist", has_text="PDF 中含有脚本").wait_for()
    shot(s, "thread-thumbnail")
    assert not s.overflows, s.overflows
