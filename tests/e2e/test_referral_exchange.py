"""The browser test of issue 11: the sandbox court (scripts/court_client.py) sends a 委派 through the API; the
矛调中心 dispatches it in the browser to a committee; the committee accepts the dispatch and the referral, reaches
the other party, mediates and reaches a written agreement that takes effect; the court client receives every
webhook in order (received, accepted, party_contacted, concluded), verified with standardwebhooks, and fetches the
agreement PDF, which carries the case number.

The world is tests/referrals/factories.py's (read-only), built in a transactional database for the live server,
plus a sandbox court of its county with an OAuth2 client and a webhook endpoint on a free local port."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.referrals.factories import PASSWORD
from tests.test_court_client import Background, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exchange(transactional_db, tmp_path):
    from django.core.management import call_command

    from api.clients import add_endpoint, create_client
    from referrals.enums import Channel
    from referrals.models import Institution
    from registry.models import Court
    from tests.referrals.factories import build_referral_world
    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    world = build_referral_world()
    institution = Institution.objects.create(
        kind=Channel.COURT,
        name="沙箱法院（演示）",
        code="SANDBOX-E2E",
        division=world.county,
        court=Court.objects.create(name="沙箱法院", division=world.county),
        default_receiver=world.hub,
        is_sandbox=True,
    )
    scopes = "referrals:write referrals:read outcomes:read"
    client, secret = create_client(institution, "沙箱法院案件系统", scopes, world.county_admin)
    port = free_port()
    _endpoint, webhook_secret = add_endpoint(institution, f"http://127.0.0.1:{port}/webhooks", by=world.county_admin)
    creds = tmp_path / "sandbox_court.json"
    creds.write_text(
        f'{{"client_id": "{client.application.client_id}", "client_secret": "{secret}", '
        f'"webhook_secret": "{webhook_secret}"}}'
    )
    yield world, institution, creds, port
    calendar.clear_cache()


def status_badge(page) -> str:
    return page.locator("main .status-badge").first.inner_text().strip()


def click_action(s, label: str) -> None:
    """Open an action page from the case page's list of offered actions."""
    with s.page.expect_navigation():
        s.page.locator(".case-actions").get_by_role("link", name=label, exact=True).click()
    s.check_width()


def test_court_referral_dispatched_accepted_mediated_and_reported_back(exchange, session, tmp_path):
    from pypdf import PdfReader

    from referrals.models import Dispatch, Referral

    world, institution, creds, port = exchange
    s, page = session, session.page

    # 1. The court's system sends a 委派 through the API (and replays it with the same Idempotency-Key).
    out_dir = tmp_path / "court"
    argv = ["send", "--base-url", s.base_url, "--credentials", str(creds), "--port", str(port)]
    argv += ["--poll", "0.5", "--timeout", "240", "--save-dir", str(out_dir)]
    court = Background(argv)
    m = court.wait_for(r"发送委派：(\S+)，.*→ HTTP 201，平台编号 (\S+)（id (\d+)，状态 待接收）")
    external_no, reference, pk = m.group(1), m.group(2), int(m.group(3))
    court.wait_for(r"重放同一请求.*返回已保存的同一响应，未重复创建")
    court.wait_for(r"收到推送 #1 referral\.received")
    referral = Referral.objects.get(pk=pk)
    assert referral.institution == institution and referral.receiver == world.hub

    # 2. The 矛调中心 sees it in its one intake window and dispatches it to 抱石社区调委会 (a simple dispute).
    s.login(world.hub_director.username, PASSWORD)
    s.goto(reverse("console:hub"))
    row = page.locator("table.hub-referrals tr", has_text=external_no)
    assert reference in row.inner_text()
    s.shot("hub-queue")
    with page.expect_navigation():
        row.get_by_role("link", name="分流交办").click()
    page.check("input[name=tier][value=SIMPLE]")
    page.select_option("#id_receiver", value=f"c{world.village.pk}")
    page.fill("#id_note", "相邻关系纠纷，请社区调委会就地化解")
    s.shot("dispatch-form")
    s.submit()
    s.shot("dispatched")
    dispatch = Dispatch.objects.get(referral_id=pk)
    assert (dispatch.to_committee, dispatch.status) == (world.village, "PENDING")
    s.logout()

    # 3. The committee's director accepts the dispatch, then the referral: a case is registered and accepted.
    s.login(world.village_director.username, PASSWORD)
    s.goto(reverse("console:dispatch", args=[dispatch.pk]))
    s.shot("dispatch-received")
    with page.expect_navigation():
        page.locator("main form button", has_text=re.compile(r"^接收$")).click()
    assert page.url.endswith(reverse("console:referral", args=[pk])), page.url
    s.shot("referral-page")
    with page.expect_navigation():
        page.locator("#referral-actions").get_by_role("link", name="接收", exact=True).click()
    s.shot("accept-form")
    s.submit()
    assert re.search(r"/cases/\d+/$", page.url), page.url
    case_path = page.url.removeprefix(s.base_url)
    referral.refresh_from_db()
    case = referral.case
    assert case is not None and case.committee == world.village and case.case_no
    assert page.inner_text("main h1").strip() == case.case_no
    s.shot("case-accepted")

    # 4. The other party is reached (在线调解规则 art. 15).
    s.goto(reverse("console:referral_contact", args=[pk]))
    page.check("input[name=result][value=CONTACTED]")
    page.fill("#id_note", "电话联系被告，同意调解")
    s.submit()
    s.shot("contacted")

    # 5. The director assigns the mediator; the mediator holds a session and drafts a written agreement.
    s.goto(case_path)
    click_action(s, "指派调解员")
    presiding = page.locator("#id_presiding option", has_text=world.village_mediator.full_name)
    page.select_option("#id_presiding", value=presiding.get_attribute("value"))
    page.check("#id_rights_notified")
    page.check("#id_identities_checked")
    s.submit()
    assert status_badge(page) == "调解中"
    s.logout()

    s.login(world.village_mediator.username, PASSWORD)
    s.goto(case_path)
    click_action(s, "记录调解")
    page.fill("#id_place", "抱石社区调解室")
    page.fill("#id_subject", "双方当事人")
    page.fill("#id_content", "双方陈述，调解员释法说理，提出由被告清理建材并赔偿的方案。")
    page.fill("#id_result", "双方同意调解方案")
    s.submit()
    click_action(s, "起草书面协议")
    page.fill("#id_responsibilities", "被告负主要责任")
    page.select_option("#id_terms-0-obligor", label="沙箱被告")
    page.select_option("#id_terms-0-obligee", label="沙箱原告")
    page.fill("#id_terms-0-content", "沙箱被告清除建材、疏通排水沟，并赔偿沙箱原告损失")
    page.fill("#id_terms-0-amount", "2000")
    page.fill("#id_terms-0-manner", "银行转账")
    page.fill("#id_terms-0-place", "抱石社区调委会")
    page.fill("#id_terms-0-deadline", (timezone.localdate() + timedelta(days=20)).isoformat())
    s.submit()
    for signer in ("当事人：沙箱原告", "当事人：沙箱被告", f"调解员本人：{world.village_mediator.full_name}"):
        click_action(s, "登记签名")
        page.select_option("#id_signer", label=signer)
        page.select_option("#id_method", "HANDWRITTEN")
        s.submit()
    s.logout()

    # 6. The director seals: the agreement takes effect, and the referral concludes with it.
    s.login(world.village_director.username, PASSWORD)
    s.goto(case_path)
    click_action(s, "加盖调委会印章")
    s.submit()
    assert "已生效" in page.locator(".card", has_text="调解协议").first.inner_text()
    s.shot("sealed")
    s.goto(reverse("console:referral", args=[pk]))
    assert "调解成功" in page.inner_text("#referral-outcome")
    s.shot("referral-concluded")
    s.logout()

    # 7. The court client received every webhook in order, verified, and fetched the outcome and the PDF.
    court.thread.join(60)
    text = court.text()
    assert court.rc == 0, text
    pushed = re.findall(r"收到推送 #(\d+) (referral\.\w+)（.*?）：移送 id (\d+).*签名有效", text)
    assert [int(n) for n, _t, _r in pushed] == list(range(1, len(pushed) + 1))
    assert {int(r) for _n, _t, r in pushed} == {pk}
    assert [t for _n, t, _r in pushed] == [
        "referral.received",
        "referral.accepted",
        "referral.party_contacted",
        "referral.concluded",
    ], text
    assert "调解结果：GET" in text and "调解成功" in text
    pdf = out_dir / f"referral-{pk}-agreement.pdf"
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    pages = "".join(re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages)
    assert case.case_no in pages
    (s.dir / f"court-client-{s.viewport}.txt").write_text(text, encoding="utf-8")
    assert not s.overflows, s.overflows
