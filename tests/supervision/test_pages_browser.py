"""Every supervision page in Chromium at 1366 px and 390 px: screenshots to test-output/screenshots/{desktop,phone}/
supervision-*.png, no sideways scroll on the phone, no English in the visible text, tap targets ≥ 44 px."""

import re
from datetime import date
from decimal import Decimal

import pytest

from cases.enums import CaseStatus
from cases.models import Case, Party
from registry.models import Division
from supervision.config import checklist_items
from supervision.models import SpotCheck
from supervision.spotcheck import do_create_spot_check, do_publish, do_score_case
from tests.browser import SCREENSHOTS, VIEWPORTS, Session
from tests.supervision.helpers import build, dt, set_entered

pytestmark = pytest.mark.e2e
S = CaseStatus
ENGLISH = re.compile(r"\b(?:None|True|False|null|undefined|Error|Traceback)\b|[A-Za-z]{5,}")
ALLOWED_WORDS = {"PDF"}


def dataset(world) -> tuple[int, int]:
    for i, status in enumerate([S.ARCHIVED, S.CLOSED, S.CLOSED, S.PERFORMED, S.ACCEPTED, S.IN_MEDIATION]):
        build(world, status, dt(2026, 3, 2 + i), seed=i)
    for i in range(3):
        build(world, S.CLOSED, dt(2026, 3, 3 + i), seed=10 + i, committee=world.village_b)
        build(world, S.ACCEPTED, dt(2025, 3, 3 + i), seed=20 + i, committee=world.village_b)
    build(world, S.PERFORMED, dt(2026, 3, 9), seed=30, oral=True)
    build(world, S.INTAKE, dt(2026, 3, 28))
    build(world, S.ACCEPTED, dt(2026, 3, 10), committee=world.village_b, brief_facts="邻里琐事引发争吵纠纷。")
    late = build(world, S.ACCEPTED, dt(2026, 3, 12), seed=31)
    set_entered(late, dt(2026, 4, 12, 9))
    odd = Case.objects.filter(committee=world.village_a, status=S.CLOSED).first()
    # No identity on record: the dossier lacks 当事人身份证明 (a tick alone no longer files it, issue 9 §3).
    Party.objects.filter(case=odd).update(id_number_masked="", id_number_encrypted="", id_number_hash="")
    Case.objects.filter(pk=late.pk).update(case_no="桂花2026-12")

    area = Division.objects.get(code="421202")
    published = do_create_spot_check(
        world.county_admin,
        title="2026年一季度卷宗评查",
        area=area,
        start=date(2026, 3, 1),
        end=date(2026, 5, 31),
        size=5,
        seed=7,
    )
    for n, entry in enumerate(published.entries.all()):
        scores = {i.key: (i.max_points, "") for i in checklist_items(published.checklist)}
        scores["forms"] = (Decimal(10 - 2 * n), "受理登记表未使用规范格式") if n else scores["forms"]
        do_score_case(entry, world.county_admin, scores=scores, findings="卷宗基本规范" if n % 2 else "")
    do_publish(published, world.county_admin)
    draft = do_create_spot_check(
        world.county_admin,
        title="2026年4月专项抽查",
        area=area,
        start=date(2026, 3, 1),
        end=date(2026, 5, 31),
        size=3,
        seed=8,
    )
    return published.pk, draft.pk


def visible_english(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return sorted({w for w in ENGLISH.findall(text) if w not in ALLOWED_WORDS})


def small_targets(page) -> list[str]:
    """Buttons and form controls in the main area smaller than 44 px high."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main .btn, main input:not([type=hidden]), main select, main textarea')]
            .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 43.5)
            .map(e => (e.innerText || e.name || e.tagName).trim().slice(0, 20))"""
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_at_both_widths(viewport, browser, live_server, e2e_world):  # noqa: F811
    world = e2e_world
    published, draft = dataset(world)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    s = Session(page, live_server.url, viewport)
    out = SCREENSHOTS / viewport
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def visit(name: str, path: str) -> None:
        response = s.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        page.screenshot(path=str(out / f"supervision-{name}.png"), full_page=True)
        english = visible_english(page)
        if english:
            problems.append(f"{name}: English {english}")
        if s.phone:
            small = small_targets(page)
            if small:
                problems.append(f"{name}: small tap targets {small}")

    s.login("county_admin")
    march = "year=2026&month=3"
    visit("01-reconciliation", "/supervision/reconciliation/?year=2026&kind=month&index=3")
    visit("02-entry-notice", f"/supervision/entry-notice/?{march}")
    visit("03-spot-checks", "/supervision/spot-checks/")
    visit("04-spot-check-new", "/supervision/spot-checks/new/")
    visit("05-spot-check-draft", f"/supervision/spot-checks/{draft}/")
    entry = SpotCheck.objects.get(pk=draft).entries.first()
    visit("06-spot-check-score", f"/supervision/spot-checks/{draft}/cases/{entry.pk}/")
    visit("07-spot-check-published", f"/supervision/spot-checks/{published}/")
    pdf = page.request.get(f"{live_server.url}/supervision/entry-notice/pdf/?{march}")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    (SCREENSHOTS.parent / f"supervision-entry-notice-{viewport}.pdf").write_bytes(pdf.body())
    s.logout()
    s.login("city_admin")
    visit("08-entry-notice-city", f"/supervision/entry-notice/?area=4212&{march}")
    s.logout()
    s.login("director_a")
    visit("09-committee-results", "/supervision/results/")
    context.close()
    assert not s.overflows, s.overflows
    assert not problems, problems
