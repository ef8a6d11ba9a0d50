"""The judicial-confirmation page of the portal in each state of the joint request, at 1366 and 390 px: the request
form, a request waiting (the applicant's view, with withdrawal), the other side's consent form, and the history after
a decline and a withdrawal. Screenshots: test-output/screenshots/{desktop,phone}/portal-jc-*.png; no sideways
scrolling; each step made through the page, and checked against the actions' records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.enums import CaseStatus, PartySide
from cases.permissions import current_agreement
from portal.models import JCRequest, JCRequestStatus
from tests.browser import SCREENSHOTS, VIEWPORTS
from tests.e2e.test_portal_desktop import _session_cookie
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MATERIALS = ("application", "agreement", "identity", "addresses")


def _agreed(w):
    case = make_case(w, CaseStatus.AGREEMENT_REACHED)
    agreement = current_agreement(case)
    agreement.effective_at = timezone.now() - timedelta(days=4, minutes=5)
    agreement.save(update_fields=["effective_at"])
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    respondent.user = w.outsider
    respondent.save(update_fields=["user"])
    return case


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_judicial_confirmation_pages(e2e_world, browser, live_server, viewport):
    w = e2e_world
    case = _agreed(w)
    url = f"{live_server.url}/portal/cases/{case.pk}/judicial/"
    out = SCREENSHOTS / viewport
    out.mkdir(parents=True, exist_ok=True)
    width = VIEWPORTS[viewport]["width"]

    def open_as(user):
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
        context.add_cookies([_session_cookie(user, live_server)])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def shot(page, name: str) -> str:
        page.screenshot(path=str(out / f"portal-jc-{name}.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name
        text = page.inner_text("main")
        assert "jc_" not in text and "PENDING" not in text, name  # no English or codes leak
        return text

    def submit(page, selector: str = "main form button[type=submit]") -> None:
        with page.expect_navigation():
            page.click(selector)

    me, other = open_as(w.party_user), open_as(w.outsider)
    me.goto(url)
    assert "还剩" in shot(me, "1-request-form")
    me.fill("#id_address", "桂花村五组12号")
    for key in MATERIALS:
        me.check(f"input[name=materials][value={key}]")
    submit(me)
    assert "等待" in shot(me, "2-pending-applicant")
    other.goto(url)
    other.check("input[name=answer][value=no]")
    assert "是否同意共同申请司法确认" in shot(other, "3-consent-form")
    submit(other)
    assert JCRequest.objects.get().status == JCRequestStatus.DECLINED
    me.goto(url)
    me.fill("#id_address", "桂花村五组12号")
    for key in MATERIALS:
        me.check(f"input[name=materials][value={key}]")
    submit(me)
    submit(me, "main form:has(input[value=cancel]) button")
    assert list(JCRequest.objects.order_by("id").values_list("status", flat=True)) == [
        JCRequestStatus.DECLINED,
        JCRequestStatus.CANCELLED,
    ]
    text = shot(me, "4-history")
    assert "对方不同意" in text and "已撤回" in text
    me.goto(f"{live_server.url}/portal/cases/{case.pk}/")
    text = shot(me, "5-case-timeline")
    assert "不同意共同申请司法确认" in text and "撤回了共同申请司法确认的请求" in text
    me.context.close()
    other.context.close()
