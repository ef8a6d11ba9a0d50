"""Screening and early warning in a real browser (issue 12's browser test): a village mediator on a 390-px phone files
a zero report with one tap, then reports a finding in the next open report and assesses a RED risk on it; the village
director signs the committee rung on his phone, which passes the risk on to the township; the 温泉司法所 officer, on
the desktop console, sees the alert on the notices page and on the risk board and acknowledges the hop; the county
bureau opens the risk and sees the whole chain (every push and acknowledgement, the police hop).

Screenshots: /tmp/shots-matrix/e2e-NN-*.png (phone steps at 390 × 844, console steps at 1280 × 900); no phone page
may scroll sideways. Each step skips with a reason while its page is still the skeleton's stub."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases import timers
from screening.enums import EscalationStep, HopStatus, ReportStatus, RiskLevel
from screening.models import EscalationHop, Finding, RiskAssessment, ScreeningReport
from tests.screening.factories import build_sworld, make_policy, make_report
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
        if page.locator("select[name=level]").count():
            page.select_option("select[name=level]", RiskLevel.RED)
        else:
            radio = page.locator(f"[name=level][value={RiskLevel.RED}]")
            page.click(f"label[for={radio.get_attribute('id')}]")  # the big coloured button is the label
            assert radio.is_checked()
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

        # 4. The village committee's director signs on his phone (RED is reported up to the county, so his
        # acknowledgement passes the risk on to the township at once).
        director = Step(browser, live_server.url, PHONE, shots)
        steps.append(director)
        director.login("director_a")
        director.require_page(f"/screening/risks/{risk.pk}/", "the risk page (h-risk)")
        committee = hops[EscalationStep.COMMITTEE]
        director.page.locator(f"form[action$='/hops/{committee.pk}/acknowledge/'] input[name=note]").fill(
            "已收到，马上到张家了解情况"
        )
        with director.page.expect_navigation():
            director.page.locator(f"form[action$='/hops/{committee.pk}/acknowledge/'] button[type=submit]").click()
        director.shot("phone-director-acknowledged")
        committee.refresh_from_db()
        assert committee.status == HopStatus.ACKNOWLEDGED and committee.acknowledged_by == w.director_a
        township = EscalationHop.objects.get(risk=risk, step=EscalationStep.TOWNSHIP)
        assert township.status == HopStatus.PENDING and w.sfs_officer.pk in township.recipient_ids
        assert director.overflows == [], director.overflows
        director.close()
        steps.remove(director)

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
        assert text.count("已签收") >= 2, "the committee's and the township's acknowledgements"
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


# ---------------------------------------------------------------------------------------------------------------
# The screenshot tour: every screening page with data, at 1280 px and 390 px, for the person who uses it. Each
# page must answer 200 and must not scroll sideways on the phone; the PNGs are for a person to look at
# (/tmp/shots-matrix/tour-<viewport>-<persona>-<page>.png). Stub pages are listed and skipped.


def seed_screening(w, sw, now):
    """Eight weeks of village screening in 咸安区 through the actions, with a RED, an ORANGE and a YELLOW risk, a
    campaign, a special period, a meeting and two screening forms. Returns the records the tour opens."""

    from cases import actions as CA
    from registry.models import Division
    from screening import actions as S
    from screening.enums import Cadence, FormPeriod, RiskFlag
    from screening.schedule import ensure_reports
    from tests.world import case_data

    xianan = Division.objects.get(code="421202")
    wenquan = Division.objects.get(code="421202001")
    start = now - timedelta(days=56)
    # The policy row straight from the factory (its effective_from is in the past; the scan below makes the rows).
    make_policy(xianan, effective_from=timezone.localdate(start), by=w.county_admin, document_no="咸安司〔2026〕12号")
    ensure_reports(now)
    reports = list(ScreeningReport.objects.filter(committee=w.village_a).order_by("period_start"))
    for i, r in enumerate(reports):  # most on time, one late, one left overdue, the current ones open
        if r.due_at > now:
            continue
        if i == 2:
            continue  # missing
        late = i == 4
        S.do_submit_zero_report(
            w.mediator_a,
            r,
            participants="李调解、王主任",
            method="走访入户",
            at=r.due_at + timedelta(hours=5 if late else -3),
        )
    for r in ScreeningReport.objects.filter(committee=w.village_b).order_by("period_start"):
        if r.due_at < now - timedelta(days=14):
            S.do_submit_zero_report(w.mediator_b, r, at=r.due_at - timedelta(hours=1))
    timers.fire_due(now)
    current = (
        ScreeningReport.objects.filter(committee=w.village_a, status=ReportStatus.PENDING)
        .order_by("period_start")
        .first()
    )
    finding = S.do_add_finding(
        w.mediator_a,
        current,
        place="桂花村三组张家门前",
        parties="张某与李某两户及亲属",
        headcount=12,
        dispute_type="NEIGHBOR",
        facts=FACTS,
        risk_signs="一方扬言持刀报复",
        measures="调解员已上门劝导双方",
        at=now - timedelta(hours=5),
    )
    finding2 = S.do_add_finding(
        w.mediator_a,
        current,
        place="桂花村五组",
        parties="刘某等60余名务工人员与某建筑公司",
        headcount=63,
        dispute_type="LABOR_MIGRANT_WAGES",
        facts="某建筑公司拖欠60余名务工人员工资共计约80万元，工人多次到村委会反映，扬言集体上访。",
        at=now - timedelta(hours=4),
    )
    red = S.do_assess_risk(
        w.mediator_a,
        finding=finding,
        title="宅基地纠纷可能民转刑",
        flags=[RiskFlag.CIVIL_TO_CRIMINAL],
        level=RiskLevel.RED,
        reasons="李某扬言持刀报复，双方亲属聚集，随时可能发生冲突。",
        owner=w.director_a,
        measures="村调委会主任包案，每日上门走访。",
        review_on=timezone.localdate(now) + timedelta(days=3),
        headcount=12,
        at=now - timedelta(minutes=20),
    )
    timers.fire_due(now - timedelta(minutes=8))  # the committee's 10 minutes pass: on to the township
    orange = S.do_assess_risk(
        w.director_a,
        finding=finding2,
        title="欠薪纠纷可能引发群体性上访",
        flags=[RiskFlag.GROUP_PETITION, RiskFlag.MASS_PARTIES, RiskFlag.LARGE_AMOUNT],
        level=RiskLevel.ORANGE,
        reasons="涉及60余名务工人员，欠薪数额较大，工人扬言集体上访。",
        headcount=63,
        at=now - timedelta(hours=1),
    )
    case = CA.do_register_case(w.mediator_a, w.village_a, case_data(w.party_user), at=now - timedelta(days=3))
    yellow = S.do_assess_risk(
        w.mediator_a,
        case=case,
        title="排水沟纠纷，双方有口角",
        flags=[],
        level=RiskLevel.YELLOW,
        reasons="双方有口角，暂无激化迹象。",
        at=now - timedelta(days=2),
    )
    campaign = S.do_start_campaign(
        w.county_admin,
        xianan,
        theme="岁末年初矛盾纠纷专项排查",
        description="重点排查欠薪、婚姻家庭、邻里纠纷，做到早发现、早报告、早化解。",
        area_codes=[],
        start=timezone.localdate(now),
        end=timezone.localdate(now) + timedelta(days=40),
        cadence=Cadence.WEEKLY,
        at=now - timedelta(minutes=30),
    )
    today = timezone.localdate(now)
    S.do_add_special_period(
        w.county_admin,
        xianan,
        name="元旦",
        start=date(today.year + 1, 1, 1) if today.month == 12 else today + timedelta(days=20),
        end=date(today.year + 1, 1, 3) if today.month == 12 else today + timedelta(days=22),
        cadence=Cadence.DAILY,
        unit_levels=[],
        at=now - timedelta(minutes=20),
    )
    meeting = S.do_record_meeting(
        w.sfs_officer,
        wenquan,
        held_on=today,
        title="温泉街道第49周矛盾纠纷研判会",
        chair="温泉司法所所长",
        attendees="司法所、派出所、综治中心、各村调委会主任",
        minutes="逐件研判本周排查发现的纠纷：宅基地纠纷由村调委会主任包案，派出所介入；欠薪纠纷报街道劳动保障所。",
        risks=[red, orange],
        at=now - timedelta(minutes=10),
    )
    qstart = date(today.year, 1 + 3 * ((today.month - 1) // 3), 1)
    form = S.do_create_form(
        w.county_admin,
        xianan,
        period_kind=FormPeriod.QUARTER,
        period_start=qstart,
        reporting_unit="咸安区司法局",
        signer="张局长",
        preparer="李科员",
        at=now - timedelta(minutes=5),
    )
    return {
        "current": current,
        "submitted": ScreeningReport.objects.filter(committee=w.village_a, is_zero=True).first(),
        "overdue": ScreeningReport.objects.filter(committee=w.village_a, status=ReportStatus.OVERDUE).first(),
        "finding": finding,
        "red": red,
        "orange": orange,
        "yellow": yellow,
        "case": case,
        "campaign": campaign,
        "meeting": meeting,
        "form": form,
    }


def tour_pages(o) -> dict[str, list[tuple[str, str]]]:
    def pk(name: str) -> int:
        return o[name].pk

    return {
        "mediator_a": [
            ("home", "/screening/"),
            ("report-open", f"/screening/reports/{pk('current')}/"),
            ("report-zero", f"/screening/reports/{pk('submitted')}/"),
            ("report-overdue", f"/screening/reports/{pk('overdue')}/" if o["overdue"] else ""),
            ("finding-new", f"/screening/reports/{pk('current')}/findings/new/"),
            ("finding", f"/screening/findings/{pk('finding')}/"),
            ("finding-case", f"/screening/findings/{pk('finding')}/case/"),
            ("risk-new-finding", f"/screening/risks/new/finding/{pk('finding')}/"),
            ("risk-new-case", f"/screening/risks/new/case/{pk('case')}/"),
            ("risk-red", f"/screening/risks/{pk('red')}/"),
            ("risk-yellow", f"/screening/risks/{pk('yellow')}/"),
            ("board", "/screening/risks/"),
            ("case", f"/cases/{pk('case')}/"),
        ],
        "sfs_officer": [
            ("compliance", "/screening/compliance/"),
            ("board", "/screening/risks/"),
            ("board-overdue", "/screening/risks/?overdue=1"),
            ("areas", "/screening/risks/areas/"),
            ("risk-red", f"/screening/risks/{pk('red')}/"),
            ("risk-orange", f"/screening/risks/{pk('orange')}/"),
            ("meetings", "/screening/meetings/"),
            ("meeting-new", "/screening/meetings/new/"),
            ("meeting", f"/screening/meetings/{pk('meeting')}/"),
            ("forms", "/screening/forms/"),
            ("policies", "/screening/policies/"),
            ("campaigns", "/screening/campaigns/"),
            ("notices", "/accounts/notifications/"),
        ],
        "county_admin": [
            ("policies", "/screening/policies/"),
            ("policy-new", "/screening/policies/new/"),
            ("special-new", "/screening/special-periods/new/"),
            ("campaigns", "/screening/campaigns/"),
            ("campaign-new", "/screening/campaigns/new/"),
            ("campaign", f"/screening/campaigns/{pk('campaign')}/"),
            ("compliance", "/screening/compliance/"),
            ("compliance-township", "/screening/compliance/?area=421202001"),
            ("areas", "/screening/risks/areas/"),
            ("board", "/screening/risks/"),
            ("forms", "/screening/forms/"),
            ("form-new", "/screening/forms/new/"),
            ("form", f"/screening/forms/{pk('form')}/"),
            ("risk-red", f"/screening/risks/{pk('red')}/"),
        ],
        "gov_officer": [
            ("board", "/screening/risks/"),
            ("areas", "/screening/risks/areas/"),
            ("meetings", "/screening/meetings/"),
        ],
        "police_liaison": [("board", "/screening/risks/"), ("risk-red", f"/screening/risks/{pk('red')}/")],
        "city_admin": [("areas", "/screening/risks/areas/"), ("compliance", "/screening/compliance/")],
    }


def test_screening_pages_tour(e2e_world, browser, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    w = e2e_world
    sw = build_sworld(w)
    objects = seed_screening(w, sw, timezone.now())
    problems, stubs, taken = [], [], []
    for persona, pages in tour_pages(objects).items():
        for vname, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            step = Step(browser, live_server.url, viewport, [])
            try:
                step.login(persona)
                for name, path in pages:
                    if not path:
                        continue
                    response = step.goto(path)
                    status = response.status if response else 0
                    if STUB in step.page.content():
                        stubs.append(f"{persona} {name} {path}")
                        continue
                    if status != 200:
                        problems.append(f"{persona} {name} {path}: {status}")
                        continue
                    out = SHOTS / f"tour-{vname}-{persona}-{name}.png"
                    step.page.screenshot(path=str(out), full_page=True)
                    taken.append(out.name)
                problems += [f"{persona}: {o}" for o in step.overflows]
            finally:
                step.close()
    print(f"{len(taken)} screenshots; stubs: {stubs}")
    assert taken, "no screening page is built yet"
    assert problems == [], "\n".join(problems)
