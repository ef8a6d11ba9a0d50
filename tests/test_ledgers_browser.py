"""Issue 16 in Chromium at 1280 px and 390 px: a reply rated 不满意 and re-handled, through the pages — the office
records the rating, the department drafts the new reply, the leader signs it, the office sends it and records the
second rating; then the list, the year's report and the public page. Screenshots to
test-output/screens/h-ledgers/; no sideways scroll on the phone, no English in the visible text."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from ledgers.models_proposals import Proposal, ProposalStatus
from tests.browser import Session
from tests.ledgers_world import build_bureau, register, reply

pytestmark = pytest.mark.e2e
OUT = Path(__file__).resolve().parents[1] / "test-output" / "screens" / "h-ledgers"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"Excel", "PDF"}  # the file formats, named as on the other pages (导出Excel)


def visible_english(page) -> list[str]:
    return sorted(set(ENGLISH.findall(page.evaluate("() => document.body.innerText"))) - ALLOWED)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_reply_rated_unsatisfied_is_re_handled(viewport, browser, live_server, e2e_world):
    b = build_bureau(e2e_world)
    today = timezone.localdate()
    item = register(b, "037", assigned_on=today, at=timezone.now())
    item = reply(b, item, on=today, klass="B", doc_no=f"咸安司函〔{today.year}〕37号", at=timezone.now())
    OUT.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def as_user(username: str) -> tuple[Session, object]:
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(20_000)
        s = Session(context.new_page(), live_server.url, viewport)
        s.login(username)
        return s, context

    def check(s: Session, name: str) -> None:
        s.page.screenshot(path=str(OUT / f"{viewport}-{name}.png"), full_page=True)
        s.check_width(name)
        if english := visible_english(s.page):
            problems.append(f"{name}: English {english}")

    def submit(s: Session, panel: str) -> None:
        with s.page.expect_navigation():
            s.page.click(f"#panel-{panel} button[type=submit]")

    page_url = f"/ledgers/proposals/{item.pk}/"
    # 1. The office records the proposer's rating: result 不满意 → re-handling within a month.
    office, c1 = as_user("lg_office")
    office.goto("/ledgers/proposals/")
    check(office, "01-list")
    office.goto(page_url)
    check(office, "02-replied")
    office.page.select_option("#id_feedback_attitude", "SATISFIED")
    office.page.select_option("#id_feedback_result", "UNSATISFIED")
    office.page.fill("#id_feedback_comments", "调解员补贴经费仍未落实")
    submit(office, "feedback")
    assert office.page.locator("[data-status]").get_attribute("data-status") == ProposalStatus.REHANDLING
    assert office.page.locator("[data-rehandle-due]").count() == 1
    check(office, "03-rehandling")
    # 2. The department drafts the new reply.
    dept, c2 = as_user("lg_dept")
    dept.goto(page_url)
    dept.page.select_option("#id_draft_result_class", "A")
    dept.page.fill(
        "#id_draft_body", "经重新办理，调解员补贴经费已纳入本年度财政预算并于本月拨付到位，所提问题已经解决。"
    )
    submit(dept, "draft")
    check(dept, "04-drafted")
    # 3. The leader signs it.
    leader, c3 = as_user("lg_leader")
    leader.goto(page_url)
    submit(leader, "approve")
    # 4. The office sends it and records the second rating: satisfied, closed.
    office.goto(page_url)
    office.page.fill("#id_send_doc_no", f"咸安司函〔{today.year}〕58号")
    submit(office, "send")
    office.page.select_option("#id_feedback_attitude", "SATISFIED")
    office.page.select_option("#id_feedback_result", "SATISFIED")
    submit(office, "feedback")
    assert office.page.locator("[data-status]").get_attribute("data-status") == ProposalStatus.CLOSED
    submit(office, "publish")
    check(office, "05-closed")
    item = Proposal.objects.get(pk=item.pk)
    assert item.rehandle_round == 1 and item.result_class == "A" and item.replies.count() == 2
    assert item.feedbacks.count() == 2
    # 5. The year's report and the public page.
    office.goto(f"/ledgers/proposals/report/?year={today.year}")
    assert "办理总数" in office.page.inner_text("#report-cards")
    check(office, "06-report")
    office.goto(f"/ledgers/public/{b.county.pk}/proposals/{item.pk}/")
    assert "所提问题已经解决" in office.page.inner_text("main")
    check(office, "07-public")
    for context in (c1, c2, c3):
        context.close()
    assert not office.overflows and not dept.overflows, office.overflows + dept.overflows
    assert not problems, problems
