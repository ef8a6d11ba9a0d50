"""The demo's 矛盾纠纷排查 and 预警 (issue 12): two years of screening history in the demo county (咸安区), made
through screening.actions as its people would have made it, with the real clocks.

- 咸安区司法局 (`county`) sets the policies two years ago: villages weekly, townships every 10 days, counties
  monthly (due one working day after each period at 18:00, zero report required); a 春节 special period each year
  (villages report daily); two special campaigns (根治欠薪, 婚姻家庭) in three townships.
- Time advances through one queue of moments: the daily scan (screening.schedule.ensure_reports) on the mornings a
  period begins; every unit's report, mostly a zero report on time, about 10% with findings, about 5% late and
  about 2% never filed; the report timers (reminder at 09:00 of the due day, overdue at due_at) and the risks'
  acknowledgement timers fire through cases.timers.fire_one at their own moments, so a report left unfiled
  becomes OVERDUE and a hop nobody signs moves up, through the handlers. (Only the screening clocks are fired:
  firing the demo cases' own clocks would change the cases seed_demo made.)
- Findings: some become cases (source PROACTIVE, walked on with demo.scenarios.Walker in office hours), some are
  resolved on site, the rest are watched; a few carry a yellow risk.
- A handful of RED and ORANGE risks in the demo township (温泉街道) with their escalation chains: acknowledged rung
  by rung; one hop timed out and moved up; one with the police (the `police` liaison of issue 11's 温泉派出所);
  the weekly 研判 meetings of the township; and the screening form of the last full quarter, submitted.

Called by `seed_demo` after the cases and referrals (its own random stream, so they stay as they were). Every
moment lies before midnight of --today.
"""

import heapq
import itertools
import random
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Min

from accounts.models import Role, User
from cases import actions as CA
from cases import timers
from cases.enums import CaseSource, CaseStatus, PartySide
from cases.identity import make_valid_id_number
from cases.models import Timer
from cases.models.timers import TimerKind
from demo import city as D
from demo.scenarios import PATHS, Cast, Walker, working_moment, working_time_on
from notifications.services import no_sms_for_past_events
from registry.models import Committee, Division, DivisionLevel
from screening import actions as SA
from screening.enums import Cadence, FormPeriod, HopStatus, ReportStatus, RiskFlag, RiskLevel
from screening.models import EscalationHop, Finding, RiskAssessment, ScreeningReport
from workdays.calendar import is_working_day

# The demo accounts of this part (development only; password demo.city.DEMO_PASSWORD): the 综治中心 officer of the
# demo township; the police liaison is issue 11's `police` (咸安区公安局温泉派出所), reused.
GOV_USERNAME = "zongzhi"
GOV_OFFICER = ("李卫东", "M")
SCREENING_ACCOUNTS = (GOV_USERNAME,)
POLICE_USERNAME = "police"

ORAL_SHARE = 0.8  # a dispute found by screening is mostly settled orally on the spot (and no PDF is drawn)
HISTORY_DAYS = 730
SCREENING_COUNTIES = (D.DEMO_COUNTY,)  # the counties whose bureau set a screening policy (the demo county)
CAMPAIGN_TOWNSHIPS = 3  # the demo township and two others of the demo county take part in the campaigns
SHARE_MISSING, SHARE_LATE, SHARE_FINDINGS = 0.02, 0.05, 0.10
TIMER_KINDS = [TimerKind.SCREENING_REPORT_DUE, TimerKind.RISK_ACK_DUE, TimerKind.RISK_REVIEW_DUE]
# 春节 (the first day of the lunar year); the special period runs from 除夕's eve to 初七.
SPRING_FESTIVAL = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
METHODS = ["入户走访", "网格员排查", "召开村（居）民小组会议", "电话回访", "走访重点人员"]
ZERO_NOTES = ["本期经排查，辖区内未发现矛盾纠纷", "", "", "本期无新发现矛盾纠纷，重点人员情况稳定"]
RISK_SIGNS = [
    "双方情绪激动，多次发生口角",
    "一方扬言要采取过激行为",
    "当事人多次到村委会反映，情绪不稳定",
    "有聚集上访苗头",
    "",
    "",
]
RESOLUTIONS = [
    "经调解员现场说和，双方握手言和",
    "经调委会就地调处，双方达成口头协议并已履行",
    "经释法说理，当事人表示理解",
]
MEASURES = ["调解员上门做双方思想工作", "已约定时间组织双方调解", "已告知双方依法理性维权", "网格员持续跟踪关注"]


@dataclass
class Scripted:
    """A risk the demo accounts must see, with how its chain goes (see SCRIPTED)."""

    key: str
    unit: str  # "village" (the demo village, 肖桥村) or "town" (温泉街道's own committee) or "other" (another township)
    days_ago: int
    level: str
    flags: list[str]
    title: str
    dispute_type: str
    headcount: int
    parties: str
    facts: str
    risk_signs: str
    amount: int = 0
    timeout: tuple[str, ...] = ()  # the rungs left unacknowledged (they time out)
    case: bool = False  # the finding becomes a case
    resolve_after_days: float | None = None  # resolved this long after the assessment (None: still open)
    meeting: bool = True


SCRIPTED = [
    Scripted(
        "wages", "village", 210, RiskLevel.RED, [RiskFlag.GROUP_PETITION, RiskFlag.MASS_PARTIES],
        "肖桥村28名务工人员讨薪，扬言集体到区政府上访", "LABOR_MIGRANT_WAGES", 28,
        "吴某某等28名务工人员与某建筑劳务公司",
        "28名本村务工人员在某建筑工地务工，工程完工后劳务公司拖欠工资约46万元至今未结清。",
        "务工人员多次聚集，扬言春节前集体到区政府上访", amount=460000, resolve_after_days=18,
    ),
    Scripted(
        "knife", "village", 95, RiskLevel.RED, [RiskFlag.CIVIL_TO_CRIMINAL, RiskFlag.PUBLIC_SECURITY],
        "肖桥村宅基地纠纷一方扬言持刀报复", "HOUSING_HOMESTEAD", 4, "刘某某与陈某某两家",
        "刘某某与陈某某宅基地相邻，因建房地基越界发生争执，双方多次推搡。",
        "陈某某酒后扬言要持刀报复对方，已有过激言行", case=True, resolve_after_days=9,
    ),
    Scripted(
        "timeout", "village", 46, RiskLevel.ORANGE, [RiskFlag.GROUP_PETITION], "肖桥村征地补偿分配纠纷，村民欲集体上访",
        "LAND_ACQ_DEMOLITION", 15, "肖桥村三组15户村民与村民小组",
        "道路拓宽工程征收三组土地，15户村民认为补偿款分配方案不公。",
        "村民酝酿联名到街道上访", amount=380000, timeout=("TOWNSHIP",), resolve_after_days=25,
    ),
    Scripted(
        "family", "town", 21, RiskLevel.ORANGE, [RiskFlag.SUICIDE_RISK], "温泉街道婚姻纠纷一方流露轻生念头",
        "MARRIAGE_FAMILY", 2, "黄某某与丈夫李某某", "黄某某与丈夫长期感情不和，丈夫提出离婚并拒绝支付子女抚养费。",
        "黄某某多次向邻居流露轻生念头", case=True, resolve_after_days=12,
    ),
    Scripted(
        "forest", "village", 4, RiskLevel.RED, [RiskFlag.GROUP_FIGHT, RiskFlag.MASS_PARTIES],
        "肖桥村与邻村山林界址纠纷，双方村民聚集对峙", "FOREST_LAND", 40, "肖桥村五组与邻村村民约40人",
        "肖桥村五组与邻村因山林界址不清，邻村村民进山砍伐杉木，双方村民发生争执。",
        "双方约40人聚集对峙，有人携带柴刀，有械斗苗头", amount=120000,
    ),
    Scripted(
        "other", "other", 60, RiskLevel.ORANGE, [RiskFlag.MASS_PARTIES], "小区业主与物业服务企业停车收费纠纷",
        "PROPERTY_MGMT", 60, "某小区60余户业主与物业服务公司",
        "物业服务公司上调停车费，60余户业主拒绝缴纳，物业封堵车库入口。",
        "业主在小区内聚集，拉横幅", resolve_after_days=15, meeting=False,
    ),
]  # fmt: skip


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    fn: object = field(compare=False)
    args: tuple = field(compare=False, default=())


class ScreeningSeeder:
    def __init__(self, rng: random.Random, end: datetime, city: D.City, out) -> None:
        self.rng, self.end, self.city, self.out = rng, end, city, out
        self.first_day = (end - timedelta(days=HISTORY_DAYS)).date()
        self.queue: list[_Event] = []
        self.seq = itertools.count()
        self.next_fire: datetime | None = None
        self.last_report_id = 0
        self.units = {u.committee.pk: u for u in city.units}
        self.fates = Counter()
        self.findings_made = 0
        self.risk_ids: dict[str, int] = {}
        self.fired = 0
        self.cases_opened = 0
        self.answered: set[int] = set()
        self.with_scripted: set[int] = set()  # reports given a scripted finding

    # Accounts -------------------------------------------------------------------------------------------------
    def accounts(self) -> None:
        township = self.city.townships[D.DEMO_TOWNSHIP]
        name, _gender = GOV_OFFICER
        self.gov = User.objects.create_user(
            GOV_USERNAME,
            password=D.DEMO_PASSWORD,
            full_name=name,
            role=Role.GOVERNANCE_OFFICER,
            division=township,
            phone=D.phone(self.rng),
        )
        self.county = self.city.accounts["county"]
        self.city_admin = self.city.accounts["city"]
        self.sfs = self.city.accounts["sfs"]
        self.police = User.objects.filter(username=POLICE_USERNAME).first()
        self.demo_names = {u.pk for u in User.objects.filter(username__in=[*D.DEMO_ACCOUNTS, GOV_USERNAME, "police"])}

    # The queue ------------------------------------------------------------------------------------------------
    def at(self, moment: datetime, fn, *args) -> None:
        if moment < self.end:
            heapq.heappush(self.queue, _Event(moment, next(self.seq), fn, args))

    def run(self) -> None:
        while self.queue:
            event = heapq.heappop(self.queue)
            self.fire_until(event.at)
            event.fn(event.at, *event.args)
            if event.fn != self._file:  # a scan, a risk's step: new clocks may have started
                self.refresh_next_fire()
        self.fire_until(self.end - timedelta(seconds=1))

    def refresh_next_fire(self) -> None:
        live = Timer.objects.filter(kind__in=TIMER_KINDS, fired_at__isnull=True, cancelled_at__isnull=True)
        self.next_fire = live.aggregate(m=Min("fire_at"))["m"]

    def fire_until(self, moment: datetime) -> None:
        """Fire the screening timers due by `moment`, each at its own time (the handlers of the real clocks)."""
        while self.next_fire is not None and self.next_fire <= moment:
            due = Timer.objects.filter(
                kind__in=TIMER_KINDS, fired_at__isnull=True, cancelled_at__isnull=True, fire_at__lte=moment
            ).order_by("fire_at", "pk")
            for pk, fire_at in list(due.values_list("pk", "fire_at")):
                self.fired += timers.fire_one(pk, fire_at)
            self.refresh_next_fire()

    # Setting up -----------------------------------------------------------------------------------------------
    def setup(self) -> None:
        """Policies, the 春节 special periods and the campaigns, each set by the county bureau before it begins."""
        start = self.first_day
        set_at = working_time_on(start - timedelta(days=10), self.rng)
        # A policy is set for the levels below its division: the county's villages and townships by the county
        # bureau, the county-level units (of every county) by the city bureau.
        city = Division.objects.get(code=D.CITY_CODE)
        self.at(set_at, self._policy, self.city_admin, city, DivisionLevel.COUNTY, Cadence.MONTHLY, start)
        for code in SCREENING_COUNTIES:
            division = Division.objects.get(code=code)
            for level, cadence in [(DivisionLevel.VILLAGE, Cadence.WEEKLY), (DivisionLevel.TOWNSHIP, Cadence.TEN_DAYS)]:
                self.at(set_at, self._policy, self.county, division, level, cadence, start)
            for year, first in SPRING_FESTIVAL.items():
                s, e = first - timedelta(days=2), first + timedelta(days=6)
                if s > start + timedelta(days=14) and s < self.end.date():
                    announce = working_time_on(s - timedelta(days=15), self.rng)
                    self.at(announce, self._special, division, f"{year}年春节期间", s, e)
        towns = self._campaign_towns()
        for theme, description, s, e in self._campaigns():
            self.at(working_time_on(s - timedelta(days=7), self.rng), self._campaign, theme, description, towns, s, e)
        for day in self._scan_days():
            self.at(datetime.combine(day, time(0, 5), tzinfo=D.TZ), self._scan)

    def _campaign_towns(self) -> list[str]:
        others = sorted(c for c in self.city.townships if c.startswith(D.DEMO_COUNTY) and c != D.DEMO_TOWNSHIP)
        return [D.DEMO_TOWNSHIP, *random.Random(5).sample(others, min(len(others), CAMPAIGN_TOWNSHIPS - 1))]

    def _campaigns(self) -> list[tuple[str, str, date, date]]:
        """根治欠薪 in the first winter, 婚姻家庭 in the second spring (both inside the history, before today)."""
        y = self.first_day.year
        winter = date(y, 11, 15) if date(y, 11, 15) > self.first_day + timedelta(days=14) else date(y + 1, 11, 15)
        winter_end = date(winter.year + 1, 1, 20)
        spring = date(winter.year + 1, 5, 6)
        if spring + timedelta(days=60) > self.end.date():
            spring = date(winter.year, 5, 6)
        return [
            (
                "根治欠薪冬季专项行动矛盾纠纷专项排查",
                "聚焦建设工程领域拖欠农民工工资问题，逐村逐项目排查欠薪隐患，春节前动态清零。",
                winter,
                winter_end,
            ),
            (
                "婚姻家庭矛盾纠纷预防化解专项排查",
                "对辖区婚姻家庭矛盾纠纷开展拉网式排查，重点关注可能引发“民转刑”、自杀等极端事件的纠纷。",
                spring,
                spring + timedelta(days=55),
            ),
        ]

    def _scan_days(self) -> list[date]:
        """When the scan runs in this history: each Sunday (before the week's reports are filed that evening:
        every weekly, ten-day and monthly period contains a Sunday), the first day of the history, every day of a
        special period and the day after it, and a campaign's first and last days. (The product's scan runs
        every night; a weekly one here keeps the seed fast and makes the same rows.)"""
        # ... and the last day before --today, so that the periods begun by now have their open rows.
        days, day = {self.first_day, self.end.date() - timedelta(days=1)}, self.first_day
        while day < self.end.date():
            if day.weekday() == 6:
                days.add(day)
            day += timedelta(days=1)
        for _year, first in SPRING_FESTIVAL.items():
            for k in range(-2, 8):
                days.add(first + timedelta(days=k))
        for _t, _d, s, e in self._campaigns():
            days |= {s, e}
        return sorted(d for d in days if self.first_day <= d < self.end.date())

    def _policy(self, at: datetime, actor: User, division: Division, level: int, cadence: str, start: date) -> None:
        short = "咸安司发" if division.level == DivisionLevel.COUNTY else "咸司发"
        SA.do_set_policy(
            actor,
            division,
            unit_level=level,
            cadence=cadence,
            due_offset_workdays=1,
            due_time=time(18, 0),
            zero_report_required=True,
            include_industry=False,
            effective_from=start,
            document_no=f"{short}〔{start.year}〕{self.rng.randint(10, 40)}号",
            note="村（社区）每周、乡镇（街道）每旬、县（市、区）每月排查，实行零报告制度",
            at=at,
        )

    def _special(self, at: datetime, division: Division, name: str, start: date, end: date) -> None:
        SA.do_add_special_period(
            self.county,
            division,
            name=name,
            start=start,
            end=end,
            cadence=Cadence.DAILY,
            unit_levels=[DivisionLevel.VILLAGE],
            at=at,
        )

    def _campaign(self, at: datetime, theme: str, description: str, towns: list[str], s: date, e: date) -> None:
        SA.do_start_campaign(
            self.county,
            Division.objects.get(code=D.DEMO_COUNTY),
            theme=theme,
            description=description,
            area_codes=towns,
            start=s,
            end=e,
            cadence=Cadence.WEEKLY,
            at=at,
        )

    # Reports --------------------------------------------------------------------------------------------------
    def _scan(self, at: datetime) -> None:
        from screening.schedule import ensure_reports

        ensure_reports(at)
        new = list(
            ScreeningReport.objects.filter(pk__gt=self.last_report_id, version=1)
            .select_related("committee")
            .order_by("pk")
        )
        for report in new:
            self.last_report_id = max(self.last_report_id, report.pk)
            self._plan_report(report)
        self.refresh_next_fire()

    def _member(self, committee_id: int) -> User:
        unit = self.units[committee_id]
        return self.rng.choice(unit.mediators or [unit.director]) if self.rng.random() < 0.8 else unit.director

    def _plan_report(self, report: ScreeningReport) -> None:
        due = report.due_at.astimezone(D.TZ)
        if due >= self.end:
            return  # still open today: the unit's open report
        roll = self.rng.random()
        if roll < SHARE_MISSING:
            self.fates["missing"] += 1
            return  # never filed: the overdue clock marks it OVERDUE
        if roll < SHARE_MISSING + SHARE_LATE:
            moment = self._late_moment(due)
            fate = "late"
        else:
            moment = self._on_time_moment(report.period_end, due)
            fate = "on_time"
        if moment >= self.end:
            return
        findings = self.rng.random() < SHARE_FINDINGS
        self.fates[f"{fate}_{'findings' if findings else 'zero'}"] += 1
        self.at(moment, self._file, report, findings)

    def _on_time_moment(self, period_end: date, due: datetime) -> datetime:
        """Most on the period's last evening (the 网格员's one tap on a phone) or early on the due day; about one in
        six during the due day, after the 09:00 reminder."""
        roll = self.rng.random()
        evening = datetime.combine(period_end, time(19, 0), tzinfo=D.TZ)
        if roll < 0.6 and evening < due:
            return evening + timedelta(minutes=self.rng.randrange(180))
        morning = datetime.combine(due.date(), time(7, 30), tzinfo=D.TZ)
        if roll < 0.83 and morning + timedelta(minutes=90) < due:
            return morning + timedelta(minutes=self.rng.randrange(89))
        nine = datetime.combine(due.date(), time(9, 5), tzinfo=D.TZ)
        start = nine if nine < due - timedelta(minutes=15) else morning
        span = max(10, int((due - start).total_seconds() // 60) - 5)
        return start + timedelta(minutes=self.rng.randrange(span))

    def _late_moment(self, due: datetime) -> datetime:
        t = due + timedelta(hours=self.rng.uniform(1, 96))
        return working_moment(t, self.rng)

    def _file(self, at: datetime, report: ScreeningReport, with_findings: bool) -> None:
        """File the report (the action locks and re-reads the row): a zero report, or its findings."""
        actor = self._member(report.committee_id)
        participants = f"{actor.full_name}等{self.rng.randint(2, 5)}人"
        method = self.rng.choice(METHODS)
        if not with_findings and report.pk not in self.with_scripted:
            SA.do_submit_zero_report(
                actor, report, participants=participants, method=method, note=self.rng.choice(ZERO_NOTES), at=at
            )
            return
        findings = []
        for k in range((1 if self.rng.random() < 0.8 else 2) if with_findings else 0):
            findings.append(self._finding(actor, report, at - timedelta(minutes=10 - k)))
        SA.do_submit_report(actor, report, participants=participants, method=method, note="", at=at)
        for finding in findings:
            self._plan_finding(finding, actor, at)

    def _finding(self, actor: User, report: ScreeningReport, at: datetime, **kw) -> Finding:
        unit, rng = self.units[report.committee_id], self.rng
        dispute = kw.pop("dispute_type", None) or D.pick(rng, D.DISPUTE_MIX.get(unit.profile, D.DISPUTE_MIX["village"]))
        a, r = D.person_name(rng, rng.choice("MF")), D.person_name(rng, rng.choice("MF"))
        facts, _claims = (t.format(a=a, r=r, place=unit.place) for t in D.texts(rng, dispute))
        headcount = (
            kw.pop("headcount", None)
            or rng.choices(
                [2, 3, rng.randint(4, 9), rng.randint(10, 45), rng.randint(50, 100), rng.randint(101, 300)],
                weights=[60, 15, 13, 8, 3, 1],
            )[0]
        )
        span = (report.period_end - report.period_start).days
        found_on = report.period_start + timedelta(days=rng.randint(0, max(0, span)))
        if found_on > at.date():
            found_on = at.date()
        defaults = {
            "place": f"{unit.area}{rng.randint(1, 12)}组" if unit.profile == "village" else unit.area,
            "parties": f"{a}与{r}" if headcount <= 3 else f"{a}等{headcount}人",
            "headcount": headcount,
            "dispute_type": dispute,
            "facts": facts,
            "risk_signs": rng.choice(RISK_SIGNS),
            "measures": rng.choice(MEASURES),
            "found_on": found_on,
        }
        defaults.update(kw)
        self.findings_made += 1
        return SA.do_add_finding(actor, report, at=at, **defaults)

    def _plan_finding(self, finding: Finding, actor: User, at: datetime) -> None:
        roll = self.rng.random()
        if roll < 0.09:
            when = working_moment(at + timedelta(hours=self.rng.uniform(2, 48)), self.rng)
            self.at(when, self._open_case, finding.pk)
        elif roll < 0.65:
            when = working_moment(at + timedelta(days=self.rng.uniform(1, 12)), self.rng)
            self.at(when, self._resolve_finding, finding.pk)
        if roll < 0.03 or (roll > 0.9 and finding.headcount >= 10):
            when = working_moment(at + timedelta(minutes=self.rng.randint(20, 240)), self.rng)
            self.at(when, self._yellow, finding.pk)

    def _resolve_finding(self, at: datetime, finding_id: int) -> None:
        finding = Finding.objects.get(pk=finding_id)
        if finding.status != "WATCHING":
            return
        note = self.rng.choice(RESOLUTIONS)
        SA.do_resolve_finding(self._member(finding.committee_id), finding, note=note, at=at)
        for risk in finding.risks.filter(status="OPEN"):
            SA.do_resolve_risk(self._owner_or_director(risk), risk, note="纠纷已就地化解，风险解除", at=at)

    def _yellow(self, at: datetime, finding_id: int) -> None:
        finding = Finding.objects.get(pk=finding_id)
        unit = self.units[finding.committee_id]
        SA.do_assess_risk(
            unit.director,
            finding=finding,
            title=f"{finding.place[-8:]}{finding.get_dispute_type_display()}",
            flags=[RiskFlag.MASS_PARTIES] if finding.headcount >= 10 else [],
            level=RiskLevel.YELLOW,
            reasons="纠纷有激化苗头，需就地化解、持续关注",
            owner=unit.director,
            measures="调委会主任包案，定期回访",
            headcount=finding.headcount,
            at=at,
        )

    # Cases from findings --------------------------------------------------------------------------------------
    def _party(self, side: str, unit: D.Unit, name: str | None = None) -> CA.PartyData:
        rng = self.rng
        gender = rng.choice("MF")
        born = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
        return CA.PartyData(
            side=side,
            name=name or D.person_name(rng, gender),
            gender=gender,
            birth_date=born,
            ethnicity="汉族",
            occupation=rng.choice(D.OCCUPATIONS),
            phone=D.phone(rng),
            address=f"{unit.area}{rng.randint(1, 12)}组",
            id_number=make_valid_id_number(unit.county, born, seq),
        )

    def _open_case(self, at: datetime, finding_id: int, target: CaseStatus | None = None) -> None:
        finding = Finding.objects.get(pk=finding_id)
        if finding.status != "WATCHING":
            return
        unit = self.units[finding.committee_id]
        mediator = unit.mediators[0] if unit.mediators else unit.director
        parties = [self._party(PartySide.APPLICANT, unit), self._party(PartySide.RESPONDENT, unit)]
        claims = D.texts(self.rng, finding.dispute_type)[1].format(a=parties[0].name, r=parties[1].name, place="")
        data = CA.CaseData(
            CaseSource.PROACTIVE,
            finding.dispute_type,
            finding.facts,
            claims,
            parties,
            finding.amount or Decimal(0),
            finding.is_major,
            finding.found_on,
        )
        case = SA.do_open_case_from_finding(mediator, finding, data, at=at)
        self.cases_opened += 1
        age = (self.end - at).days
        if target is None:
            target = CaseStatus.CLOSED if age > 75 else CaseStatus.IN_MEDIATION if age > 20 else CaseStatus.ACCEPTED
            if age < 4:
                target = CaseStatus.INTAKE
        # The walk runs ahead of the screening clock (its case's own clocks are the worker's); it must end before
        # --today, else a shorter one.
        for candidate in [target, CaseStatus.IN_MEDIATION, CaseStatus.ACCEPTED, CaseStatus.INTAKE]:
            try:
                with transaction.atomic():
                    rng = random.Random(self.rng.random())
                    walker = Walker(case, Cast(unit.director, mediator), at, rng, oral_share=ORAL_SHARE)
                    walker.working_hours = True
                    for step in PATHS[candidate]:
                        walker.step(step)
                    if walker.at >= self.end:
                        raise _TooLate
                break
            except _TooLate:
                case.refresh_from_db()
                continue

    # Scripted risks -------------------------------------------------------------------------------------------
    def script(self) -> None:
        for s in SCRIPTED:
            day = (self.end - timedelta(days=s.days_ago)).date()
            while not is_working_day(day):
                day -= timedelta(days=1)
            moment = datetime.combine(day, time(9, 20), tzinfo=D.TZ) + timedelta(minutes=self.rng.randrange(300))
            self.at(moment, self._scripted, s)

    def _unit_for(self, s: Scripted) -> D.Unit:
        if s.unit == "village":
            return self.city.demo_unit
        if s.unit == "town":
            return self.city.demo_township_unit
        others = [
            u
            for u in self.city.units
            if u.committee.division_id.startswith(D.DEMO_COUNTY)
            and not u.committee.division_id.startswith(D.DEMO_TOWNSHIP)
            and u.committee.division.level == DivisionLevel.VILLAGE
            and u.profile == "resident"
        ]
        return others[0] if others else self.city.demo_township_unit

    def _scripted(self, at: datetime, s: Scripted) -> None:
        from screening.schedule import ensure_reports

        unit = self._unit_for(s)
        ensure_reports(at, division_code=str(unit.committee.division_id))  # this period's report row, if not yet
        report = (
            ScreeningReport.objects.filter(
                committee=unit.committee, campaign=None, period_start__lte=at.date(), period_end__gte=at.date()
            )
            .exclude(status__in=[ReportStatus.SUBMITTED, ReportStatus.SUPERSEDED])
            .order_by("period_start")
            .first()
        )
        if report is None:  # already filed (on its last evening): the finding goes into the next period's report
            report = (
                ScreeningReport.objects.filter(committee=unit.committee, campaign=None, status=ReportStatus.PENDING)
                .order_by("period_start")
                .first()
            )
        if report is None:
            return
        reporter = unit.mediators[0] if unit.mediators else unit.director
        self.with_scripted.add(report.pk)
        finding = self._finding(
            reporter,
            report,
            at - timedelta(minutes=20),
            dispute_type=s.dispute_type,
            headcount=s.headcount,
            parties=s.parties,
            facts=s.facts,
            risk_signs=s.risk_signs,
            measures="调解员已赶到现场劝导，稳定双方情绪",
            amount=Decimal(s.amount) if s.amount else None,
            found_on=max(report.period_start, min(at.date(), report.period_end)),
        )
        owner = unit.director
        risk = SA.do_assess_risk(
            reporter,
            finding=finding,
            title=s.title,
            flags=list(s.flags),
            level=s.level,
            reasons=f"{s.risk_signs}；涉及{s.headcount}人，存在激化风险",
            owner=owner,
            measures="包案领导牵头，调解员、网格员每日见面稳控，重点人员一人一策",
            review_on=at.date() + timedelta(days=3),
            headcount=s.headcount,
            amount=Decimal(s.amount) if s.amount else None,
            at=at,
        )
        self.risk_ids[s.key] = risk.pk
        self._answer_hops(risk.pk, at, s)
        if s.case:
            self.at(working_moment(at + timedelta(hours=3), self.rng), self._open_case, finding.pk)
        if s.meeting:
            self.at(self._next_meeting(at), self._meeting, risk.pk)
        if s.resolve_after_days is not None:
            when = working_moment(at + timedelta(days=s.resolve_after_days), self.rng)
            self.at(when, self._resolve_scripted, risk.pk)

    def _pick_recipient(self, hop: EscalationHop) -> User | None:
        ids = list(hop.recipient_ids or [])
        demo = [i for i in ids if i in self.demo_names]
        pk = (demo or ids or [None])[0]
        return User.objects.filter(pk=pk).first() if pk else None

    def _answer_hops(self, risk_id: int, at: datetime, s: Scripted) -> None:
        """Sign the pending hops a few minutes after each push, except the rungs meant to time out."""
        for hop in EscalationHop.objects.filter(risk_id=risk_id, status=HopStatus.PENDING):
            if hop.pk in self.answered:
                continue
            self.answered.add(hop.pk)
            if hop.step in s.timeout:
                self.at(hop.ack_due_at + timedelta(minutes=1), self._answer_hops_later, risk_id, s)
                continue
            limit = max(2, int((hop.ack_due_at - hop.pushed_at).total_seconds() // 60))
            when = max(at, hop.pushed_at) + timedelta(minutes=self.rng.randint(1, max(1, min(limit - 1, 12))))
            self.at(when, self._ack, hop.pk, risk_id, s)

    def _answer_hops_later(self, at: datetime, risk_id: int, s: Scripted) -> None:
        self._answer_hops(risk_id, at, s)

    def _ack(self, at: datetime, hop_id: int, risk_id: int, s: Scripted) -> None:
        hop = EscalationHop.objects.get(pk=hop_id)
        if hop.status != HopStatus.PENDING:
            return
        who = self._pick_recipient(hop)
        if who is None:
            return
        notes = {
            "COMMITTEE": "已收到，调委会主任已赶赴现场",
            "TOWNSHIP": "已签收，司法所已安排专人到场协助调处",
            "TOWNSHIP_GOV": "已签收，街道综治中心牵头，派出所、村委会联合稳控",
            "COUNTY": "已签收，请街道落实包案责任，每日报告进展",
            "POLICE": "已签收，派出所民警已出警到场",
        }
        SA.do_acknowledge(who, hop, note=notes.get(hop.step, "已签收"), at=at)
        self._answer_hops(risk_id, at, s)
        if hop.step == "COUNTY":
            SA.do_instruct(
                who,
                RiskAssessment.objects.get(pk=risk_id),
                text="请属地街道和包案领导靠前处置，防止矛盾激化，处置进展每日报区司法局",
                at=at + timedelta(minutes=5),
            )

    def _next_meeting(self, at: datetime) -> datetime:
        """The township's weekly 研判 meeting: the next Friday afternoon (or the next working day)."""
        day = at.date() + timedelta(days=(4 - at.weekday()) % 7 or 7)
        while not is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, time(15, 0), tzinfo=D.TZ)

    def _meeting(self, at: datetime, risk_id: int) -> None:
        risk = RiskAssessment.objects.get(pk=risk_id)
        open_risks = list(
            RiskAssessment.objects.filter(division_code__startswith=D.DEMO_TOWNSHIP, status="OPEN").order_by("pk")
        )
        risks = [risk, *[r for r in open_risks if r.pk != risk.pk][:3]]
        town = self.city.townships[D.DEMO_TOWNSHIP]
        SA.do_record_meeting(
            self.gov,
            town,
            held_on=at.date(),
            title=f"{town.name}矛盾纠纷排查研判例会（{at:%Y年%m月%d日}）",
            chair=f"{self.gov.full_name}（街道综治中心）",
            attendees=f"{self.sfs.full_name}（司法所）、{self.city.demo_unit.director.full_name}（肖桥村调委会）、温泉派出所民警",
            minutes=(
                f"会议逐件研判了“{risk.title}”等{len(risks)}件风险事项。明确包案领导和稳控责任人，"
                "落实一人一策；对涉稳重点人员每日见面；下周例会复核化解进展。"
            ),
            risks=risks,
            at=at,
        )

    def _owner_or_director(self, risk: RiskAssessment) -> User:
        return risk.owner or self.units[risk.committee_id].director

    def _resolve_scripted(self, at: datetime, risk_id: int) -> None:
        risk = RiskAssessment.objects.get(pk=risk_id)
        if risk.status != "OPEN":
            return
        SA.do_resolve_risk(
            self._owner_or_director(risk),
            risk,
            note="经多方联合调处，当事人达成和解，矛盾已化解，回访无反复",
            at=at,
        )

    # The screening form ---------------------------------------------------------------------------------------
    def form(self) -> None:
        today = self.end.date()
        q_start_month = (today.month - 1) // 3 * 3 + 1
        this_q = date(today.year, q_start_month, 1)
        last_q = (this_q - timedelta(days=1)).replace(day=1)
        last_q = last_q.replace(month=(last_q.month - 1) // 3 * 3 + 1)
        made = working_time_on(this_q + timedelta(days=4), self.rng)
        if made >= self.end - timedelta(hours=2):
            made = self.end - timedelta(hours=6)
        self.form_quarter = last_q
        self.at(made, self._form, last_q)

    def _form(self, at: datetime, quarter: date) -> None:
        division = Division.objects.get(code=D.DEMO_COUNTY)
        kw = {"signer": "周建军", "preparer": "李娜"}
        form = SA.do_create_form(
            self.county, division, period_kind=FormPeriod.QUARTER, period_start=quarter,
            reporting_unit="咸宁市咸安区司法局", at=at, **kw,
        )  # fmt: skip
        SA.do_submit_form(self.county, form, at=at + timedelta(minutes=20), **kw)

    # Summary --------------------------------------------------------------------------------------------------
    def summary(self, elapsed: float, cpu: float) -> dict:
        reports = ScreeningReport.objects.all()
        status = Counter(reports.values_list("status", flat=True))
        counts = {
            "reports": reports.count(),
            "submitted": status[ReportStatus.SUBMITTED],
            "zero": reports.filter(is_zero=True).count(),
            "late": reports.filter(is_late=True).count(),
            "overdue": status[ReportStatus.OVERDUE],
            "pending": status[ReportStatus.PENDING],
            "findings": Finding.objects.count(),
            "cases": Finding.objects.exclude(case=None).count(),
            "resolved": Finding.objects.filter(status="RESOLVED").count(),
            "risks": dict(Counter(RiskAssessment.objects.values_list("level", flat=True))),
            "hops": dict(Counter(EscalationHop.objects.values_list("status", flat=True))),
            "timers_fired": self.fired,
        }
        units = Committee.objects.filter(screening_reports__isnull=False).distinct().count()
        out = self.out.write
        out(
            f"\n排查预警：报送单位 {units} 个，排查报告 {counts['reports']} 份（已报送 {counts['submitted']}，"
            f"零报告 {counts['zero']}，逾期报送 {counts['late']}，逾期未报 {counts['overdue']}，待报送 "
            f"{counts['pending']}）；排查发现 {counts['findings']} 件（转为案件 {counts['cases']}，就地化解 "
            f"{counts['resolved']}）；风险 {counts['risks']}，预警上报 {counts['hops']}；"
            f"用时 {elapsed:.1f} 秒（CPU {cpu:.1f} 秒）"
        )
        for username in (GOV_USERNAME, POLICE_USERNAME):
            user = User.objects.filter(username=username).first()
            if user is not None:
                scope = user.division or user.institution
                out(f"  {username:<9} {user.get_role_display():<10} {user.full_name:<4}  {scope}")
        return counts


class _TooLate(Exception):
    pass


def seed_screening(rng: random.Random, now: datetime, *, city: D.City, stdout) -> dict:
    """Seed the demo's screening history (see the module docstring) up to `now` (midnight of --today); returns
    the counts printed."""
    started, cpu = clock.monotonic(), clock.process_time()
    seeder = ScreeningSeeder(rng, now, city, stdout)
    # One transaction for the whole history (each moment is a savepoint inside it): committing thousands of small
    # transactions would cost a disk sync each. The history happened in the past: its notices are there, but its SMS
    # are not sent now.
    with transaction.atomic(), no_sms_for_past_events():
        seeder.accounts()
        seeder.setup()
        seeder.script()
        seeder.form()
        seeder.run()
    return seeder.summary(clock.monotonic() - started, clock.process_time() - cpu)
