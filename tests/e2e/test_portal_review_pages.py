"""The portal's refusal pages added after the code review, in a real browser at both widths: a bad join link, an
invitation opened by another number, and a confirmation request the other party cannot answer (no account yet).
Screenshots: test-output/screenshots/{desktop,phone}/portal-review-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.enums import CaseStatus, PartySide
from cases.permissions import current_agreement
from portal.models import Invitation, secret_digest
from tests.browser import SCREENSHOTS, VIEWPORTS
from tests.e2e.test_portal_desktop import _session_cookie
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_refusal_pages_are_clear_at_both_widths(e2e_world, browser, live_server, viewport):
    w = e2e_world
    intake = make_case(w, CaseStatus.INTAKE)
    Invitation.objects.create(
        party=intake.parties.get(side=PartySide.RESPONDENT),
        token_hash=secret_digest("join-token:tok-e2e"),
        code_hash=secret_digest("join-code:tok-e2e"),
        phone="13766665555",
        created_by=w.party_user,
    )
    agreed = make_case(w, CaseStatus.AGREEMENT_REACHED, seed=1)
    agreement = current_agreement(agreed)
    agreement.effective_at = timezone.now() - timedelta(minutes=5)
    agreement.save(update_fields=["effective_at"])

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_cookies([_session_cookie(w.party_user, live_server)])
    page = context.new_page()
    out = SCREENSHOTS / viewport
    out.mkdir(parents=True, exist_ok=True)
    pages = {
        "join-bad-link": ("/portal/join/" + "x" * 40 + "/", "邀请码不正确、已使用或已过期"),
        "join-other-number": ("/portal/join/tok-e2e/", "该邀请发送给手机号137****5555"),
        "judicial-no-account": (f"/portal/cases/{agreed.pk}/judicial/", "还没有加入线上案件"),
    }
    for name, (path, text) in pages.items():
        assert page.goto(live_server.url + path).status == 200, path
        assert text in page.content(), name
        page.screenshot(path=str(out / f"portal-review-{name}.png"), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], (name, width)
    context.close()
