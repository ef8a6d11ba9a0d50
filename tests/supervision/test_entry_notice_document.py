"""Issue 9 §5: the entry notice as a document a bureau can issue — issuing bureau, 文号, addressees, date and 落款
from configuration (data/document_headers.json), the 文号 sequence entered on the page; table rows never split
across pages, the total printed once, long committee names wrapped inside their column; no drop claimed on a base
below the configured minimum. Real WeasyPrint PDFs read back with pypdf, page by page."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from registry.models import Committee, CommitteeType, Division
from supervision import notice_header
from supervision.config import entry_rules
from supervision.notice import NoticeRow
from tests.supervision.test_entry_notice import dataset, notice_for  # noqa: F401 - the dataset fixture

NOTICE = {"year": 2026, "month": 3}


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages]


@pytest.fixture
def rules_file(settings, tmp_path):
    """Point the entry rules at a copy of data/entry_rules.json with some keys changed."""

    def use(**changes) -> None:
        with open(settings.TIAOJIE["ENTRY_RULES"], encoding="utf-8") as fh:
            raw = {**json.load(fh), **changes}
        path = tmp_path / "entry_rules.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        settings.TIAOJIE = {**settings.TIAOJIE, "ENTRY_RULES": path}
        entry_rules.cache_clear()

    entry_rules.cache_clear()
    yield use
    entry_rules.cache_clear()


@pytest.fixture
def headers_file(settings, tmp_path):
    def use(raw: dict) -> None:
        path = tmp_path / "document_headers.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        settings.TIAOJIE = {**settings.TIAOJIE, "DOCUMENT_HEADERS": path}

    yield use
    notice_header._load.cache_clear()


def test_header_docno_date_and_signoff_from_configuration(client, world):
    client.force_login(world.county_admin)
    query = {**NOTICE, "docno": 12, "issued": "2026-04-08"}
    page = client.get(reverse("supervision:entry_notice"), query)
    html = page.content.decode()
    assert page.status_code == 200
    assert "咸安司通〔2026〕12号" in html and "咸宁市咸安区司法局" in html and "2026年4月8日" in html
    # The PDF link carries what was entered.
    assert "docno=12" in html and "issued=2026-04-08" in html

    (first, *_rest) = pages = pdf_pages(client.get(reverse("supervision:entry_notice_pdf"), query))
    flat = "".join(pages)
    assert first.startswith("咸宁市咸安区司法局咸安司通〔2026〕12号咸安区2026年3月案件录入情况通报")
    assert "各司法所，各人民调解委员会：" in first
    # The 落款 closes the document: the bureau, the date, and the seal's place left blank (no drawn seal).
    assert flat.endswith("咸宁市咸安区司法局2026年4月8日（印章）" + f"第{len(pages)}页共{len(pages)}页")
    assert "已盖章" not in flat


def test_a_division_not_configured_gets_the_defaults_of_its_level(client, world, headers_file):
    client.force_login(world.other_county_admin)
    pages = pdf_pages(client.get(reverse("supervision:entry_notice_pdf"), NOTICE))
    assert pages[0].startswith("嘉鱼县司法局嘉鱼司通〔")  # derived from the division's name; number left open
    # Another bureau's configuration changes the document without code.
    county = {"issuer": "{name}司法行政局", "docno_prefix": "{short}司发", "recipients": ""}
    headers_file({"levels": {"COUNTY": county}})
    pages = pdf_pages(client.get(reverse("supervision:entry_notice_pdf"), {**NOTICE, "docno": 3}))
    assert pages[0].startswith("嘉鱼县司法行政局嘉鱼司发〔")
    assert "各司法所" not in pages[0]


def test_bad_issue_input_is_reported_and_prints_an_open_number(client, world):
    client.force_login(world.county_admin)
    page = client.get(reverse("supervision:entry_notice"), {**NOTICE, "docno": "十二", "issued": "2099-01-01"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "文号序号须为数字" in html and "（未填序号，打印后手写）" in html


def test_no_drop_claim_below_the_minimum_base_and_a_claim_above_it(client, world, dataset, rules_file):  # noqa: F811
    client.force_login(world.county_admin)
    claim = "录入数量较去年同期下降30%以上的调委会：柏墩村人民调解委员会（-66.7%）"
    # 柏墩村: 3 cases in March 2025, 1 in March 2026. Below the minimum base of 10: neither claim nor percentage.
    flat = "".join(pdf_pages(client.get(reverse("supervision:entry_notice_pdf"), NOTICE)))
    assert "下降30%以上" not in flat and "-66.7%" not in flat
    assert "去年同期不足10件的，不计算增减百分比" in flat
    rules_file(drop_min_base=3)
    n = notice_for(world)
    assert claim in "".join(n.summary())
    flat = "".join(pdf_pages(client.get(reverse("supervision:entry_notice_pdf"), NOTICE)))
    assert claim in flat


def test_total_once_rows_never_split_and_long_names_wrap(client, world):
    """A notice of 70 committees with long names: several pages, the header row on each, every committee's row
    whole on one page, the total row once; the names stay inside their column."""
    town = Division.objects.get(code="421202001")
    names = []
    for i in range(70):
        village = Division.objects.create(code=f"421202001{i + 100:03d}", name=f"第{i}村", level=5, parent=town)
        name = f"咸安区温泉街道第{i}号社区（含幸福家园小区、滨河工业园区）物业纠纷人民调解委员会"
        kind = CommitteeType.VILLAGE
        Committee.objects.create(name=name, short_name=f"幸福{i}", committee_type=kind, division=village)
        names.append(name)
    client.force_login(world.county_admin)
    response = client.get(reverse("supervision:entry_notice_pdf"), {**NOTICE, "area": "421202001"})
    pages = pdf_pages(response)
    assert len(pages) >= 3
    for name in names:
        assert sum(name in p for p in pages) == 1, f"{name} is split across pages or missing"
    assert sum(p.count("合计") for p in pages) == 1
    with_rows = [p for p in pages if any(name in p for name in names)]
    assert all("调委会本月录入去年同期" in p for p in with_rows)  # the header row repeats on every page

    # Long names wrap inside the first column: no text of a name starts right of it or runs past it.
    reader = PdfReader(io.BytesIO(response.content))
    width = float(reader.pages[0].mediabox.width)
    left, content = 25 / 210 * width, (210 - 45) / 210 * width
    boundary = left + 0.33 * content
    runs: list[tuple[float, str, float]] = []

    def visit(text, cm, tm, _font, size) -> None:  # page coordinates: the text matrix through the CTM
        runs.append((cm[0] * tm[4] + cm[4], text.strip(), size * tm[0] * cm[0]))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    name_runs = [(x, t, s) for x, t, s in runs if len(t) >= 4 and any(t in name for name in names)]
    assert len(name_runs) >= len(names) * 2  # each name wraps onto two lines or more
    for x, text, size in name_runs:
        assert x < boundary, text
        ems = sum(1 if ord(ch) > 0x2E80 else 0.6 for ch in text)
        assert x + ems * size <= boundary + 1, f"{text!r} runs past its column"


def test_the_summary_states_a_small_base_change_in_cases_not_per_cent(world):
    n = notice_for(world)
    n.total = NoticeRow("", "咸安区", entries=1, last_year=3, min_base=n.rules.drop_min_base)
    assert n.total.change_pct == -66.7 and n.total.stated_pct is None
    assert "去年同期3件，下降2件。" in "".join(n.summary())
    n.total = NoticeRow("", "咸安区", entries=6, last_year=12, min_base=n.rules.drop_min_base)
    assert "去年同期12件，下降50.0%。" in "".join(n.summary())
