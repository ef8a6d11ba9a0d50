"""Issue 13 in Chromium at 1280 px and 390 px: the registration form's 智能分类建议 panel updating as the facts are
typed and its 采用建议 filling the type (nothing typed lost), the 重新分类 form, the city administrator's model page.
Screenshots to test-output/screens/h-int/; no sideways scroll on the phone, no English in the visible text.

The engine is the fixed fake of tests/test_triage_flow.py (the live server runs in this process): these pages show
whatever the engine says, and the fake says something with reasons to show."""

import dataclasses
import re
from pathlib import Path

import pytest

from cases.enums import CaseStatus
from tests.browser import Session
from tests.test_triage_flow import EVAL_METRICS, FACTS, fake_suggest
from tests.world import make_case
from triage import service
from triage.models import TriageModelVersion

pytestmark = pytest.mark.e2e
OUT = Path(__file__).resolve().parents[1] / "test-output" / "screens" / "h-int"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# Any Latin word of 3+ letters in the visible text, except hex (a checksum) and codes legitimately shown.
ENGLISH = re.compile(r"[A-Za-z]{3,}")
HEX = re.compile(r"^[0-9a-f]+$")
ALLOWED = {"SHA", "HTTPS"}
VERSION = "2026.12.04-1"


def visible_english(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    return sorted({w for w in ENGLISH.findall(text) if not HEX.match(w) and w.upper() not in ALLOWED})


def versioned_fake(text: str, **kw) -> service.Suggestion:
    """The fake of the flow tests under a real-looking model version (a test name such as "fake-1" is not UI)."""
    return dataclasses.replace(fake_suggest(text, **kw), model_version=VERSION)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_triage_pages_at_both_widths(viewport, browser, live_server, e2e_world, monkeypatch):
    monkeypatch.setattr(service, "suggest", versioned_fake)
    world = e2e_world
    case = make_case(world, CaseStatus.IN_MEDIATION)
    TriageModelVersion.objects.create(
        version="2026.12.04-1",
        path="var/triage/model-2026.12.04-1.joblib",
        sha256="3f2a9c" * 10 + "beef",
        corpus_lines=3412,
        platform_cases=0,
        active=True,
        metrics=EVAL_METRICS,
        trained_by="train_triage",
    )
    TriageModelVersion.objects.create(version="2026.12.01-1", path="x", sha256="0" * 64, corpus_lines=3000)
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

    # 1. Registration: the panel follows the facts as they are typed; 采用建议 fills the type; the text stays.
    s.login("mediator_a")
    s.goto("/workbench/register/")
    assert "填写“纠纷简要情况”后" in page.inner_text("#triage-result")
    page.fill("#id_claims", "请求支付拖欠的工资")
    page.locator("#id_brief_facts").press_sequentially(FACTS[:20], delay=5)
    page.locator("#id_brief_facts").press_sequentially(FACTS[20:], delay=5)
    page.wait_for_selector("#triage-result :text('劳动争议纠纷—拖欠农民工工资纠纷')")
    assert page.locator("#triage-result mark").count() > 0
    page.click("#triage-result [data-triage-adopt]")
    assert page.input_value("#id_dispute_type") == "LABOR_MIGRANT_WAGES"
    assert page.input_value("#id_brief_facts") == FACTS and page.input_value("#id_claims") == "请求支付拖欠的工资"
    page.click("#triage-result summary")
    page.locator("#triage-panel").scroll_into_view_if_needed()
    page.locator("#triage-panel").screenshot(path=str(OUT / f"{viewport}-01-register-panel.png"))
    check("02-register-page")

    # 2. 重新分类 on a case in mediation, with the suggestion for the case's facts.
    s.goto(f"/cases/{case.pk}/do/reclassify/")
    assert "原类型：邻里纠纷" in page.inner_text("main")
    check("03-reclassify")
    s.logout()

    # 3. The city administrator's model page.
    s.login("city_admin")
    s.goto("/triage/model/")
    body = page.inner_text("main")
    assert "2026.12.04-1" in body and "风险等级" in body and "邻里纠纷" in body
    check("04-model")
    context.close()
    assert not s.overflows, s.overflows
    assert not problems, problems
