"""Issue 9 §5 and §10 in Chromium at 1366 px and 390 px: the entry notice page with its 印发 form (文号, 落款日期)
and the issued PDF; the legacy import's batch page with its warnings (kept ledger numbers, gaps, short facts).
Screenshots to test-output/screens/h-notice/, no sideways scroll on the phone, no English in the visible text."""

import re
import subprocess
from pathlib import Path

import pytest

from cases.enums import CaseStatus
from registry.models import Committee, CommitteeType, Division
from tests.browser import VIEWPORTS, Session
from tests.imports.test_ledger_numbers import ledger
from tests.supervision.helpers import build, dt

pytestmark = pytest.mark.e2e
OUT = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-notice"
ENGLISH = re.compile(r"\b(?:None|True|False|null|undefined|Error|Traceback)\b|[A-Za-z]{5,}")
ALLOWED = {"PDF", "Excel"}


def visible_english(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return sorted({w for w in ENGLISH.findall(text) if w not in ALLOWED})


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_notice_and_import_warnings_at_both_widths(viewport, browser, live_server, e2e_world, tmp_path):
    world = e2e_world
    for i in range(4):
        build(world, CaseStatus.CLOSED, dt(2026, 3, 2 + i), seed=i)
    build(world, CaseStatus.ACCEPTED, dt(2026, 3, 6), committee=world.village_b, brief_facts="邻里琐事引发争吵纠纷。")
    for i in range(12):
        build(world, CaseStatus.ACCEPTED, dt(2025, 3, 2 + i), seed=20 + i, committee=world.village_b)
    town = Division.objects.get(code="421202001")
    for i in range(30):
        village = Division.objects.create(code=f"421202001{i + 100:03d}", name=f"第{i}村", level=5, parent=town)
        Committee.objects.create(
            name=f"咸安区温泉街道第{i}号社区（含幸福家园小区、滨河工业园区）物业纠纷人民调解委员会",
            short_name=f"幸福{i}",
            committee_type=CommitteeType.VILLAGE,
            division=village,
        )
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    s = Session(page, live_server.url, viewport)
    problems: list[str] = []

    def check(name: str) -> None:
        page.screenshot(path=str(OUT / f"{viewport}-{name}.png"), full_page=True)
        s.check_width(name)
        english = visible_english(page)
        if english:
            problems.append(f"{name}: English {english}")

    s.login("county_admin")
    s.goto("/supervision/entry-notice/?year=2026&month=3")
    page.fill("#id_docno", "12")
    page.fill("#id_issued", "2026-04-08")
    with page.expect_navigation():
        page.click("#issue button[type=submit]")
    assert "咸安司通〔2026〕12号" in page.inner_text("#issue-preview")
    check("01-entry-notice")
    href = page.get_attribute("a:has-text('下载PDF')", "href")
    assert "docno=12" in href and "issued=2026-04-08" in href
    pdf = page.request.get(live_server.url + href)
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    if viewport == "desktop":
        path = OUT / "entry-notice.pdf"
        path.write_bytes(pdf.body())
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(OUT / "entry-notice-pdf")], check=True)

    xlsx = tmp_path / "桂花村台账.xlsx"
    xlsx.write_bytes(ledger())
    s.goto("/imports/")
    check("02-import-upload")
    page.set_input_files("#id_file", str(xlsx))
    with page.expect_navigation():
        page.click("button:has-text('上传并预览')")
    check("03-import-preview")
    with page.expect_navigation():
        page.click("button:has-text('校验全部数据')")
    # The 4 live cases of 2026 hold 第1–4号: the ledger's 第1、2号 are row errors, 第6号 the only gap left.
    assert "案号缺号1个：第6号" in page.inner_text("#warnings ~ .alert")
    check("04-import-warnings")
    context.close()
    assert not s.overflows, s.overflows
    assert not problems, problems
