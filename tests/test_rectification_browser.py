"""One rectification item from 挂账 to 销号 in Chromium, at 1280 px and 390 px (issue 16 §4): the office lists it, the
department reports progress with a photo and asks for 销号, the named reviewer returns it with reasons, the
department completes and asks again, the reviewer accepts, the office closes it and issues the progress notice,
whose public page anyone can open. Screenshots to test-output/screens/h-rect/; no sideways scroll on the phone, no
English in the visible text."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from ledgers.rectification.models import ItemStatus, RectificationItem
from tests.browser import Session
from tests.rectification_people import build, inspection

pytestmark = pytest.mark.e2e
OUT = Path(__file__).resolve().parents[1] / "test-output" / "screens" / "h-rect"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"PDF", "Excel", "xlsx", "JPEG", "PNG", "WebP", "png"}  # format names and the file name shown


def visible_english(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return sorted({w for w in ENGLISH.findall(text) if w not in ALLOWED})


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_one_item_from_listed_to_closed(viewport, browser, live_server, e2e_world, tmp_path):
    r = build(e2e_world)
    insp = inspection(r)
    photo = tmp_path / "现场照片.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    s = Session(page, live_server.url, viewport)
    problems: list[str] = []

    def shot(name: str) -> None:
        page.screenshot(path=str(OUT / f"{viewport}-{name}.png"), full_page=True)
        s.check_width(name)
        english = visible_english(page)
        if english:
            problems.append(f"{name}: English {english}")

    def press(selector: str) -> None:
        with page.expect_navigation():
            page.click(selector)

    # 1. The office lists the problem (挂账).
    s.login("r_office")
    s.goto(f"/ledgers/rectification/{insp.pk}/")
    shot("01-inspection-empty")
    press("a:has-text('录入问题')")
    page.fill("#id_problem", "落实第一议题制度不到位")
    page.select_option("#id_leader", label="周局长")
    page.select_option("#id_department", label="人民参与和促进法治科")
    page.select_option("#id_reviewer", label="冯验收")
    page.fill("#id_measures", "严格执行第一议题制度，纳入党组会议议程，每次会议第一项学习。")
    page.fill("#id_milestones", "2027-01-31 制定年度学习计划")
    page.fill("#id_deadline", "2027-03-31")
    shot("02-item-form")
    press("main form button[type=submit]")
    item = RectificationItem.objects.get()
    assert item.status == ItemStatus.LISTED
    shot("03-inspection-listed")
    s.logout()

    # 2. The department reports progress with a photo and asks for 销号.
    s.login("r_staff")
    s.goto(f"/ledgers/rectification/items/{item.pk}/")
    page.fill("#id_report-text", "已召开党组会议，制定年度学习计划。")
    page.set_input_files("#id_report-files", str(photo))
    shot("04-item-report-form")
    press("#act-report button[type=submit]")
    assert "整改进展已报送" in page.inner_text("main")
    page.click("#act-request summary")
    page.fill("#id_request-summary", "第一议题学习已常态化，制度已印发执行。")
    press("#act-request button[type=submit]")
    assert "申请销号" in page.inner_text("#item-status")
    shot("05-item-requested")
    s.logout()

    # 3. The named reviewer returns it with reasons.
    s.login("r_reviewer")
    s.goto(f"/ledgers/rectification/items/{item.pk}/")
    page.click("#act-return summary")
    page.fill("#id_return-reasons", "缺少党组会议记录，请补充佐证材料后再申请。")
    shot("06-item-return-form")
    press("#act-return button[type=submit]")
    assert "整改中" in page.inner_text("#item-status")
    s.logout()

    # 4. The department completes and asks again; 5. the reviewer accepts.
    s.login("r_staff")
    s.goto(f"/ledgers/rectification/items/{item.pk}/")
    page.fill("#id_report-text", "补充党组会议记录。")
    page.set_input_files("#id_report-files", str(photo))
    press("#act-report button[type=submit]")
    page.click("#act-request summary")
    page.fill("#id_request-summary", "已补充党组会议记录，整改全部完成。")
    press("#act-request button[type=submit]")
    s.logout()
    s.login("r_reviewer")
    s.goto(f"/ledgers/rectification/items/{item.pk}/")
    page.fill("#id_accept-opinion", "经核查，整改到位。")
    press("#act-accept button[type=submit]")
    assert "已验收" in page.inner_text("#item-status")
    s.logout()

    # 6. The office closes it (销号) and issues the progress notice; its public page is open to anyone.
    s.login("r_office")
    s.goto(f"/ledgers/rectification/items/{item.pk}/")
    press("#act-close button[type=submit]")
    assert "已销号" in page.inner_text("#item-status")
    shot("07-item-closed")
    s.goto(f"/ledgers/rectification/{insp.pk}/notices/new/")
    shot("08-notice-form")
    press("main form button[type=submit]")
    shot("09-notice")
    notice_url = page.url
    s.logout()
    s.goto(notice_url.removeprefix(live_server.url).replace("/notices/", "/public/notices/"))
    assert "已完成整改（销号）1个" in page.inner_text("main").replace(" ", "")
    shot("10-public-notice")
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.closures.count() == 2
    context.close()
    assert not s.overflows, s.overflows
    assert not problems, problems
