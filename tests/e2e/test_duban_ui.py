"""督办 in a real browser, at the desktop and the phone viewport: the county bureau finds an overdue case and sends a
督办; the committee director sees it on the workbench and replies; the county sees the reply on the ledger and on the
case page. Screenshots: test-output/screenshots/<viewport>/duban-*.png; no page may scroll sideways at 390 px."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.enums import CaseStatus
from supervision.models import Supervision
from supervision.models_duban import SupervisionStatus
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INSTRUCTION = "该案已超过调解期限，请于期限内组织双方调解，并书面反馈办理进展和下一步安排。"
REPLY = "已于本周组织双方第二次调解，双方对赔偿金额已基本达成一致，预计三个工作日内签订书面协议。"


def shot(s, step: str) -> None:
    s.page.screenshot(path=str(s.dir / f"duban-{step}.png"), full_page=True)
    s.check_width(f"duban-{step}")


def test_county_supervises_and_director_replies(e2e_world, session):
    s, page = session, session.page
    case = make_case(e2e_world, CaseStatus.IN_MEDIATION, at=timezone.now() - timedelta(days=45))
    case_no = case.case_no

    # 1. The county bureau opens the overdue list and finds the case.
    s.login("county_admin")
    s.goto("/supervision/overdue/")
    row = page.locator(f'#overdue-table tr[data-case="{case.pk}"]')
    assert "超期" in row.inner_text()
    shot(s, "1-overdue")

    # 2. Sends a 督办 from the row.
    with page.expect_navigation():
        row.get_by_role("link", name="督办", exact=True).click()
    assert "督办意见" in page.content()
    shot(s, "2-form")
    page.fill("#id_instruction", INSTRUCTION)
    s.submit()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert page.locator("#duban-panel").inner_text().count("待反馈") == 1
    shot(s, "3-sent")
    sup = Supervision.objects.get(case=case)
    s.logout()

    # 3. The director sees it on the workbench and replies there.
    s.login("director_a")
    assert page.url.endswith("/workbench/")
    panel = page.locator("#duban-items")
    assert case_no in panel.inner_text() and "县级督办" in panel.inner_text()
    shot(s, "4-workbench")
    page.fill(f"#reply-{sup.pk}", REPLY)
    with page.expect_navigation():
        panel.get_by_role("button", name="提交反馈").click()
    assert "已提交反馈" in page.content()
    assert "暂无待反馈" in page.locator("#duban-items").inner_text()
    shot(s, "5-replied")
    sup.refresh_from_db()
    assert sup.status == SupervisionStatus.REPLIED
    s.logout()

    # 4. The county sees the reply on the ledger and on the case page.
    s.login("county_admin")
    s.goto("/supervision/duban/")
    ledger_row = page.locator(f'#ledger-table tr[data-supervision="{sup.pk}"]')
    assert "已反馈" in ledger_row.inner_text() and "王主任" in ledger_row.inner_text()
    assert page.locator('[data-count="replied"]').inner_text() == "1"
    shot(s, "6-ledger")
    s.goto(f"/cases/{case.pk}/")
    assert REPLY in page.locator("#duban-panel").inner_text()
    shot(s, "7-case-reply")

    assert s.overflows == []
