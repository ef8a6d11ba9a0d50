"""Screening and early warning in a real browser (issue 12's browser test): a village mediator on a 390-px phone files
a zero report with one tap, then reports a finding in the next open report and assesses a RED risk on it; nobody at
the village signs within the committee rung's 10 minutes, so the clock pushes the risk to the township; the 温泉司法所
officer, on the desktop console, sees the alert on the notices page and on the risk board and acknowledges the hop;
the county bureau opens the risk and sees the whole chain (every push, the time-out, the acknowledgement).

Screenshots: /tmp/shots-matrix/e2e-NN-*.png (phone steps at 390 × 844, console steps at 1280 × 900); no phone page
may scroll sideways. Each step skips with a reason while its page is still the skeleton's stub."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases import timers
from screening.enums import EscalationStep, HopStatus, ReportStatus, RiskLevel
from screening.models import EscalationHop, Finding, RiskAssessment, ScreeningReport
from tests.screening.factories import build_sworld, make_report
from tests.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-matrix")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STUB = "本页面正在建设中"

FACTS = "张某与李某两户因宅基地边界多次发生争执，昨晚李某扬言要持刀报复，双方亲属聚集。"


class Step:
    """One browser context (a person on a device) with screenshots and the phone's no-sideways-scroll check."""

    def __init__(self, browser, base_url: str, viewport: dict, shots: list) -> None:
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: d.accept())  # a confirm() on the one-tap button
        self.base_url, self.phone, self.shots = base_url, viewport["width"] < 500, shots
        self.overflows: list[str] = []

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check_width(path)
        return response

    def check_width(self, label: str) -> None:
        if not self.phone:
            return
        scroll, inner = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner + 1:
            self.overflows.append(f"{label}: scrollWidth {scroll} > innerWidth {inner}")

    def shot(self, name: str) -> Path:
        self.shots.append(name)
        path = SHOTS / f"e2e-{len(self.shots):02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.check_width(name)
        return path

    def login(self, username: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button:has-text('登录')")

    def require_page(self, path: str, what: str) -> None:
        """Open a page; skip the rest of the scenario while it is still the stub (or missing)."""
        response = self.goto(path)
        if response is None or response.status != 200 or STUB in self.page.content():
            pytest.skip(f"{what} ({path}) is not built yet: {response.status if response else 'no response'}")

    def close(self) -> None:
        self.context.close()


def test_zero_report_finding_red_risk_township_acknowledges_county_sees_chain(e2e_world, browser, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = e2e_world
    sw = build_sworld(w)
    now = timezone.now()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    # Last week's report is due today (the period just ended); this week's is open until next week.
    last_week = make_report(
        w.village_a, monday - timedelta(days=7), monday - timedelta(days=1), due=now + timedelta(hours=3)
    )
    this_week = make_report(w.village_a, monday, monday + timedelta(days=6))
    shots: list[str] = []
    steps: list[Step] = []

    try:
        # 1. The village mediator, on a phone, files last week's zero report with one tap.
        phone = Step(browser, live_server.url, PHONE, shots)
        steps.append(phone)
        phone.login("mediator_a")
        phone.require_page("/screening/", "the unit's screening home (h-reports)")
        page = phone.page
        phone.shot("phone-home")
        zero = page.locator(f"form[action$='/reports/{last_week.pk}/zero/'] button[type=submit]")
        assert zero.count() == 1, "one 零报告 button for the open report"
        assert "零报告" in zero.inner_text()
        box = zero.bounding_box()
        assert box and box["height"] >= 44, "a thumb-sized button on the phone"
        with page.expect_navigation():
            zero.click()
        phone.shot("phone-zero-done")
        last_week.refresh_from_db()
        assert last_week.status == ReportStatus.SUBMITTED and last_week.is_zero and not last_week.is_late
        assert "已报送" in page.content() or "零报告" in page.content()

        # 2. This week: a finding in the open report.
        phone.require_page(f"/screening/reports/{this_week.pk}/findings/new/", "the new-finding form (h-reports)")
        phone.shot("phone-finding-form")
        page.fill("[name=place]", "桂花村三组张家门前")
        page.fill("[name=parties]", "张某与李某两户及亲属")
        page.fill("[name=headcount]", "12")
        page.select_option("[name=dispute_type]", "NEIGHBOR")
        page.fill("[name=facts]", FACTS)
        if page.locator("[name=risk_signs]").count():
            page.fill("[name=risk_signs]", "一方扬言持刀报复")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        phone.shot("phone-finding-saved")
        finding = Finding.objects.get(report=this_week)
        assert finding.headcount == 12 and finding.committee == w.village_a

        # 3. A RED risk on the finding (可能民转刑: the police get it in parallel).
        phone.require_page(f"/screening/risks/new/finding/{finding.pk}/", "the risk assessment form (h-risk)")
        phone.shot("phone-risk-form")
        if page.locator("[name=title]").count():
            page.fill("[name=title]", "宅基地纠纷可能民转刑")
        page.check("[name=flags][value=CIVIL_TO_CRIMINAL]")
        level = page.locator("[name=level]")
        if level.evaluate("e => e.tagName") == "SELECT":
            level.select_option(RiskLevel.RED)
        else:
            page.check(f"[name=level][value={RiskLevel.RED}]")
        page.fill("[name=reasons]", "李某扬言持刀报复，双方亲属聚集，随时可能发生冲突。")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        phone.shot("phone-risk-red")
        risk = RiskAssessment.objects.get(finding=finding)
        assert risk.level == RiskLevel.RED
        assert f"/screening/risks/{risk.pk}/" in page.url
        hops = {h.step: h for h in risk.hops.all()}
        assert hops[EscalationStep.COMMITTEE].status == HopStatus.PENDING  # the director has 10 minutes
        assert hops[EscalationStep.POLICE].status == HopStatus.PENDING  # 治安风险直报公安
        assert phone.overflows == [], phone.overflows

        # 4. Nobody at the village signs within 10 minutes: the clock moves the risk on to the township.
        timers.fire_due(now + timedelta(minutes=11))
        township = EscalationHop.objects.get(risk=risk, step=EscalationStep.TOWNSHIP)
        assert township.status == HopStatus.PENDING and w.sfs_officer.pk in township.recipient_ids
        assert EscalationHop.objects.get(risk=risk, step=EscalationStep.COMMITTEE).status == HopStatus.TIMED_OUT

        # 5. The 司法所 officer, on the console, sees the alert and acknowledges the hop.
        desk = Step(browser, live_server.url, DESKTOP, shots)
        steps.append(desk)
        desk.login("sfs_officer")
        desk.goto("/accounts/notifications/")
        notices = desk.page.locator("main").inner_text()
        assert "红色" in notices, "the RISK_ALERT notice on the notices page"
        desk.shot("sfs-notices")
        link = desk.page.locator(f"main a[href$='/screening/risks/{risk.pk}/']")
        assert link.count() >= 1, "the notice links to the risk page"
        desk.require_page("/screening/risks/", "the risk board (h-board)")
        assert "宅基地纠纷可能民转刑" in desk.page.locator("main").inner_text() or risk.title in desk.page.content()
        desk.shot("sfs-board")
        desk.require_page(f"/screening/risks/{risk.pk}/", "the risk page (h-risk)")
        desk.shot("sfs-risk")
        ack = desk.page.locator(f"form[action$='/hops/{township.pk}/acknowledge/']")
        assert ack.count() == 1, "the 签收 button for the township's hop"
        if ack.locator("textarea, input[name=note]").count():
            ack.locator("textarea, input[name=note]").first.fill("已收到，司法所马上联系派出所和村委会到场处置。")
        with desk.page.expect_navigation():
            ack.locator("button[type=submit]").click()
        desk.shot("sfs-acknowledged")
        township.refresh_from_db()
        assert township.status == HopStatus.ACKNOWLEDGED and township.acknowledged_by == w.sfs_officer
        desk.close()
        steps.remove(desk)

        # 6. The county bureau sees the chain on the risk page.
        county = Step(browser, live_server.url, DESKTOP, shots)
        steps.append(county)
        county.login("county_admin")
        county.require_page(f"/screening/risks/{risk.pk}/", "the risk page (h-risk)")
        text = county.page.locator("main").inner_text()
        assert "温泉司法所" in text, "who acknowledged"
        assert "已签收" in text and "逾期未签收" in text
        assert sw.police.name in text or "公安" in text
        county.shot("county-chain")
        county.require_page("/screening/risks/", "the risk board (h-board)")
        county.shot("county-board")

        # The phone again: the mediator sees the risk with its chain.
        phone.goto(f"/screening/risks/{risk.pk}/")
        phone.shot("phone-risk-after")
        assert phone.overflows == [], phone.overflows
    finally:
        for step in steps:
            step.close()
    assert ScreeningReport.objects.filter(committee=w.village_a, status=ReportStatus.SUBMITTED).count() == 1
