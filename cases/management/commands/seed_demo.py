"""`manage.py seed_demo --seed N [--cases 2000] [--if-empty]`: the demo city 湖北省咸宁市 with two years of cases.

Committees, mediators and accounts come from `cases.demo_city`; every case is registered with `do_register_case`
and driven to its status through `cases.scenarios.Walker` and the other `cases.actions` (DESIGN.md rule 1), each
case in its own transaction. All randomness comes from `random.Random(seed)`, and every timestamp lies before
midnight of `--today`, so the same seed on an empty database and the same day gives the same data.
"""

import math
import random
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases import actions as A
from cases import demo_city as D
from cases.enums import AgreementForm, CaseSource, CaseStatus, FollowUpOutcome, JCStatus, PartySide, PartyType, Route
from cases.enums import CourtReferralType as CR
from cases.enums import Satisfaction as SAT
from cases.identity import make_valid_credit_code, make_valid_id_number
from cases.models import Case, JudicialConfirmation
from cases.permissions import current_agreement
from cases.scenarios import PATHS, Cast, Walker
from registry.models import Committee, Court, Division
from workdays.models import CalendarOverride

S = CaseStatus
TERMINAL = [S.ARCHIVED, S.CLOSED, S.NOT_ACCEPTED, S.TRANSFERRED_OUT]
# Overall mix (each ≥ 1.5%), and for open statuses the mean age in days they prefer (younger first).
WEIGHTS = {
    S.ARCHIVED: 42, S.CLOSED: 30, S.NOT_ACCEPTED: 4, S.TRANSFERRED_OUT: 3, S.INTAKE: 1.5, S.ACCEPTED: 1.5,
    S.IN_MEDIATION: 4, S.PAUSED: 1.5, S.AGREEMENT_REACHED: 1.5, S.TERMINATED: 2, S.PERFORMING: 3.5,
    S.NON_PERFORMANCE: 2, S.PERFORMED: 2, S.REMEDIATION: 1.5,
}
OPEN_MEAN_AGE = {
    S.INTAKE: 4, S.ACCEPTED: 6, S.AGREEMENT_REACHED: 12, S.IN_MEDIATION: 20, S.PERFORMED: 25, S.TERMINATED: 40,
    S.PAUSED: 45, S.REMEDIATION: 45, S.PERFORMING: 50, S.NON_PERFORMANCE: 100,
}
# Upper bound (hours) of the time each step moves the clock, read off the tick ranges in cases.scenarios.Walker
# and DemoWalker below: a case is only given a path whose bound fits between its registration and the end.
STEP_HOURS = {
    "refuse": 30, "transfer": 30, "accept": 30, "assign": 24, "investigate": 72, "session": 120, "pause": 48,
    "terminate": 48, "written_now": 31, "written_deferred": 31, "agreement": 31, "perform": 2,
    "non_performance": 504, "remediate": 48, "close": 288, "archive": 240, "refuse_by_party": 30,
    "party_refusal": 48, "close_failed": 48, "resume": 240, "deferred_done": 744, "urge": 120, "jc_apply": 240,
    "jc_accept": 240, "jc_decide": 360,
}
FALLBACK = {
    S.ARCHIVED: S.CLOSED, S.CLOSED: S.PERFORMED, S.PERFORMED: S.AGREEMENT_REACHED, S.NON_PERFORMANCE: S.PERFORMING,
    S.PERFORMING: S.IN_MEDIATION, S.REMEDIATION: S.PERFORMING, S.AGREEMENT_REACHED: S.IN_MEDIATION,
    S.TERMINATED: S.IN_MEDIATION, S.PAUSED: S.IN_MEDIATION, S.IN_MEDIATION: S.ACCEPTED, S.ACCEPTED: S.INTAKE,
    S.NOT_ACCEPTED: S.INTAKE, S.TRANSFERRED_OUT: S.INTAKE,
}
JC_STEPS = {
    "": [], JCStatus.APPLIED: ["jc_apply"], JCStatus.ACCEPTED: ["jc_apply", "jc_accept"],
    JCStatus.NOT_ACCEPTED: ["jc_apply", "jc_accept"], JCStatus.CONFIRMED_VALID: ["jc_apply", "jc_accept", "jc_decide"],
    JCStatus.REJECTED: ["jc_apply", "jc_accept", "jc_decide"],
}
REFERRAL_BODY = {
    CaseSource.REFERRED_POLICE: "{county}公安局{town}派出所", CaseSource.REFERRED_PETITION: "{county}信访局",
    CaseSource.REFERRED_PROCURATORATE: "{county}人民检察院", CaseSource.REFERRED_OTHER_DEPT: "{county}{dept}",
}
TRANSFER_TO = {"LABOR": "人力资源和社会保障局", "FOREST_LAND": "自然资源和规划局", "ROAD_TRAFFIC": "公安局交通警察大队",
               "CONSUMER": "市场监督管理局", "ENV_POLLUTION": "生态环境分局"}


@dataclass
class Plan:
    unit: D.Unit
    target: CaseStatus
    registered_at: datetime
    variant: str = ""  # fail | deferred | refusal | pause_resume | urged | extend
    jc: str = ""  # the judicial confirmation state to reach, "" for none
    party_user: bool = False
    source: str = ""
    court_mode: str = ""

    def steps(self) -> list[str]:
        t, v = self.target, self.variant
        if v == "refusal" and t == S.NOT_ACCEPTED:
            return ["refuse_by_party"]
        if v == "refusal" and t == S.TERMINATED:
            return ["accept", "assign", "session", "party_refusal"]
        if v == "fail" and t in (S.CLOSED, S.ARCHIVED):
            steps = ["accept", "assign", "session", "terminate", "close_failed"]
            return steps + (["archive"] if t == S.ARCHIVED else [])
        if v == "deferred" and t in (S.PERFORMED, S.CLOSED, S.ARCHIVED):
            steps = ["accept", "assign", "investigate", "session", "written_deferred", "deferred_done"]
            steps += PATHS[t][PATHS[t].index("perform") + 1:]
        elif v == "pause_resume" and t == S.IN_MEDIATION:
            steps = ["accept", "assign", "investigate", "pause", "resume"]
        elif v == "urged" and t == S.PERFORMING:
            steps = ["accept", "assign", "session", "written_deferred", "non_performance", "urge"]
        else:
            steps = list(PATHS[t])
        for i, name in enumerate(steps):
            if name in ("written_now", "written_deferred", "agreement") and self.jc:
                return [*steps[: i + 1], *JC_STEPS[self.jc], *steps[i + 1:]]
        return steps

    def hours(self) -> float:
        return sum(STEP_HOURS[s] for s in self.steps()) + 6

    def fit(self, end: datetime) -> None:
        """Shorten the plan until its walk surely ends before `end` (no timestamp in the future)."""
        while self.registered_at + timedelta(hours=self.hours()) > end:
            if self.jc:
                self.jc = ""
            elif self.variant:
                self.variant = ""
            else:
                self.target = FALLBACK[self.target]


def _largest_remainder(weights: dict, n: int) -> dict:
    """Split n into integer counts proportional to the weights (Hamilton's method)."""
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


class DemoWalker(Walker):
    """The scenarios Walker plus the variations a real city shows; every step is one or more `cases.actions`."""

    def __init__(self, *args, plan: Plan, court: Court, liaison=None, **kw) -> None:
        super().__init__(*args, court=court, **kw)
        self.plan, self.jc_court, self.liaison = plan, court, liaison

    def _transfer(self) -> None:
        dt = self.case.dispute_type
        dept = next((v for k, v in TRANSFER_TO.items() if dt.startswith(k)), "人民法院诉讼服务中心")
        A.do_transfer_case(self.case, self.cast.director, reason="纠纷不属于本调委会调解范围，移交有关部门依法处理",
                           to_authority=f"{self.plan.unit.area[:3]}{dept}", at=self.tick(1, 30))

    def _refuse_by_party(self) -> None:
        A.do_record_party_refusal(self.case, self.cast.mediator, party=self.case.parties.all()[1],
                                  statement="不同意调解，表示将直接向法院起诉", routes=[Route.LITIGATION],
                                  at=self.tick(1, 30))

    def _party_refusal(self) -> None:
        A.do_record_party_refusal(self.case, self.cast.mediator, party=self.case.parties.all()[1],
                                  statement="对调解方案不满意，拒绝继续调解", routes=[Route.LITIGATION],
                                  at=self.tick(2, 48))

    def _close_failed(self) -> None:
        A.do_close_case(self.case, self.cast.mediator, summary="调解未成功，已告知当事人可通过诉讼等途径解决",
                        at=self.tick(1, 48))

    def _resume(self) -> None:
        A.do_resume_mediation(self.case, self.cast.mediator, note="鉴定结论已出，恢复调解", at=self.tick(24, 240))

    def _urge(self) -> None:
        A.do_urge_performance(self.case, self.cast.mediator, note="上门督促义务人履行，义务人承诺近期支付",
                              at=self.tick(24, 120))

    def _deferred_done(self) -> None:
        visited = self.tick(240, 720)
        A.do_record_follow_up(self.case, self.cast.mediator, party=self.case.parties.first(), visited_on=visited.date(),
                              outcome=FollowUpOutcome.PERFORMED, satisfaction=SAT.SATISFIED,
                              notes="义务人已按协议付清款项", at=visited)
        A.do_confirm_performed(self.case, self.cast.mediator, at=self.tick(0, 24))

    def _court_actor(self):
        return self.liaison if self.liaison is not None else self.cast.mediator

    def _jc_apply(self) -> None:
        agreement = current_agreement(self.case)
        if agreement is None or agreement.form != AgreementForm.WRITTEN:
            self.plan.jc = ""  # an oral agreement cannot be confirmed: the remaining JC steps are skipped
            return
        applicant, consenting = list(self.case.parties.all())[:2]
        at = self.tick(24, 240)
        A.do_apply_judicial_confirmation(self.case, self.cast.mediator, applicant=applicant, consenting=consenting,
                                         court=self.jc_court, applied_on=at.date(), at=at)

    def _jc_accept(self) -> None:
        if not self.plan.jc:
            return
        at = self.tick(48, 240)
        if self.plan.jc == JCStatus.NOT_ACCEPTED:
            A.do_record_court_acceptance(self.case, self._court_actor(), accepted=False, on=at.date(),
                                         reason="申请确认的协议涉及不动产物权确权，不属于司法确认受理范围", at=at)
            return
        seq = JudicialConfirmation.objects.filter(court=self.jc_court, accepted_on__year=at.year).count() + 1
        number = f"（{at.year}）鄂{self.jc_court.division_id[2:]}民特{seq}号"
        A.do_record_court_acceptance(self.case, self._court_actor(), accepted=True, on=at.date(),
                                     court_case_no=number, at=at)

    def _jc_decide(self) -> None:
        if self.plan.jc not in (JCStatus.CONFIRMED_VALID, JCStatus.REJECTED):
            return
        valid, at = self.plan.jc == JCStatus.CONFIRMED_VALID, self.tick(72, 360)
        A.do_record_court_decision(self.case, self._court_actor(), valid=valid, on=at.date(),
                                   reason="" if valid else "协议部分内容损害案外人合法权益", at=at)


class Command(BaseCommand):
    help = "Seed the demo city 湖北省咸宁市 (committees, mediators, accounts, ~2 years of cases). DEV ONLY."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, required=True, help="random seed; same seed → same data")
        parser.add_argument("--cases", type=int, default=2000, help="number of cases to register (default 2000)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database already has data")
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="pretend today is this date (YYYY-MM-DD, not in the future); default: today")

    def handle(self, *args, seed: int, cases: int, if_empty: bool, today: date | None, **options):
        started = time.monotonic()
        if Case.objects.exists() or Committee.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有调委会或案件，跳过演示数据生成 (demo data present, nothing to do).")
                return
            raise CommandError("数据库中已有调委会或案件，seed_demo 只能在空库上运行。请删除 var/tiaojie.sqlite3（或 "
                               "SQLITE_PATH 指向的文件）后重新 migrate。 The database is not empty.")
        real_today = timezone.localdate()
        today = today or real_today
        if today > real_today:
            raise CommandError("--today 不能晚于今天")
        self.end = datetime.combine(today, datetime.min.time(), tzinfo=D.TZ)
        self._reference_data()
        self.seed, self.rng = seed, random.Random(seed)
        with transaction.atomic():
            self.city = D.build_city(self.rng)
        self.stdout.write(f"调委会 {len(self.city.units)} 个，调解员账号已建立（{time.monotonic() - started:.1f}s）")
        self.court_no: Counter = Counter()
        plans = self._fixed_plans()
        plans += self._random_plans(max(0, cases - len(plans)))
        plans.sort(key=lambda p: p.registered_at)
        failures: list[str] = []
        for i, plan in enumerate(plans):
            try:
                with transaction.atomic():
                    self._make_case(plan, i)
            except Exception as exc:  # noqa: BLE001 -- counted, reported, and fatal above 1%
                failures.append(f"{plan.unit.committee.short_name} {plan.target} {plan.steps()}: {exc!r}")
                if len(failures) <= 3:
                    self.stderr.write(traceback.format_exc())
            if (i + 1) % 500 == 0:
                self.stdout.write(f"  {i + 1}/{len(plans)} 件 ({time.monotonic() - started:.0f}s)")
        self._summary(len(plans), failures, time.monotonic() - started)
        if len(failures) > len(plans) / 100:
            raise CommandError(f"{len(failures)} of {len(plans)} cases failed (more than 1%)")

    def _reference_data(self) -> None:
        if not Division.objects.filter(code__startswith=D.CITY_CODE, level=5).exists():
            call_command("load_divisions", stdout=self.stdout)
        if not Division.objects.filter(code__startswith=D.CITY_CODE, level=5).exists():
            raise CommandError("load_divisions did not load the villages of 咸宁市 (4212)")
        if not CalendarOverride.objects.exists():
            call_command("load_holidays", stdout=self.stdout)

    # Planning ------------------------------------------------------------------------------------------------
    def _at_age(self, days: float) -> datetime:
        """A working-hours moment about `days` before the end."""
        day = (self.end - timedelta(days=days)).date()
        return datetime(day.year, day.month, day.day, self.rng.randint(8, 17), self.rng.randrange(60), tzinfo=D.TZ)

    def _fixed_plans(self) -> list[Plan]:
        """What the demo accounts must see: every status in the demo village, the party's cases, court cases."""
        c = self.city
        plans = []
        for status in [s for s in CaseStatus if s != S.DISPOSED]:
            plans.append(Plan(c.demo_unit, status, self.end))
        plans += [
            Plan(c.demo_unit, S.IN_MEDIATION, self.end, party_user=True),
            Plan(c.demo_unit, S.PERFORMING, self.end, party_user=True),
            Plan(c.demo_unit, S.ARCHIVED, self.end, "deferred", JCStatus.CONFIRMED_VALID, party_user=True),
        ]
        court = dict(source=CaseSource.REFERRED_COURT, court_mode=CR.WEIPAI)
        for unit, status, variant, jc in [
            (c.demo_township_unit, S.IN_MEDIATION, "", ""),
            (c.demo_township_unit, S.AGREEMENT_REACHED, "", JCStatus.APPLIED),
            (c.demo_centre_unit, S.PERFORMING, "", JCStatus.ACCEPTED),
            (c.demo_centre_unit, S.PERFORMING, "", JCStatus.APPLIED),
            (c.demo_centre_unit, S.CLOSED, "deferred", JCStatus.CONFIRMED_VALID),
            (c.demo_township_unit, S.ARCHIVED, "deferred", JCStatus.REJECTED),
            (c.demo_centre_unit, S.TERMINATED, "", ""),
        ]:
            plans.append(Plan(unit, status, self.end, variant, jc, **court))
        for p in plans:  # open cases just old enough for their walk, closed ones anywhere in the two years
            days = p.hours() / 24 + self.rng.uniform(1, 10)
            p.registered_at = self._at_age(self.rng.uniform(max(days, 60), 700) if p.target in TERMINAL else days)
            p.fit(self.end)
        return plans

    def _random_plans(self, n: int) -> list[Plan]:
        rng, end = self.rng, self.end
        times = []
        while len(times) < n:  # uniform over the 24 months, fewer registrations at weekends
            at = self._at_age(rng.uniform(0, 730))
            if at < end and (at.weekday() < 5 or rng.random() < 0.35):
                times.append(at)
        age = [(end - t).total_seconds() / 86400 for t in times]
        quotas = _largest_remainder(WEIGHTS, n)
        status: dict[int, CaseStatus] = {}
        free = list(range(n))

        def take(s: CaseStatus, key) -> None:
            need = Plan(self.city.demo_unit, s, end).hours() / 24
            ranked = sorted((i for i in free if age[i] >= need), key=key)[: quotas[s]]
            for i in ranked:
                status[i] = s
            free[:] = [i for i in free if i not in status]

        for s in sorted(OPEN_MEAN_AGE, key=OPEN_MEAN_AGE.get):  # weighted sampling favouring young cases
            take(s, lambda i, m=OPEN_MEAN_AGE[s]: math.log(max(rng.expovariate(1), 1e-300)) + age[i] / m)
        take(S.NOT_ACCEPTED, lambda i: rng.random())
        take(S.TRANSFERRED_OUT, lambda i: rng.random())
        take(S.ARCHIVED, lambda i: math.log(max(rng.expovariate(1), 1e-300)) - age[i] / 365)  # archiving lags
        for i in free:
            status[i] = S.CLOSED
        units = self.city.units
        weights = [u.weight for u in units]
        plans = []
        for i in range(n):
            plan = Plan(rng.choices(units, weights=weights)[0], status[i], times[i])
            plan.variant = self._variant(plan.target)
            if plan.target not in (S.REMEDIATION,) and plan.variant != "fail":
                jc_share = 0.15 if plan.unit.county in ("421202", D.CITY_CODE) else 0.06
                if rng.random() < jc_share:
                    plan.jc = D.pick(rng, {JCStatus.CONFIRMED_VALID: 70, JCStatus.REJECTED: 4, JCStatus.NOT_ACCEPTED: 4,
                                           JCStatus.ACCEPTED: 10, JCStatus.APPLIED: 12})
            plan.fit(end)
            plans.append(plan)
        return plans

    def _variant(self, target: CaseStatus) -> str:
        options = {
            S.CLOSED: {"": 74, "fail": 6, "deferred": 20}, S.ARCHIVED: {"": 74, "fail": 6, "deferred": 20},
            S.PERFORMED: {"": 60, "deferred": 40}, S.TERMINATED: {"": 75, "refusal": 25},
            S.NOT_ACCEPTED: {"": 75, "refusal": 25}, S.IN_MEDIATION: {"": 75, "pause_resume": 10, "extend": 15},
            S.PERFORMING: {"": 85, "urged": 15},
        }.get(target)
        return D.pick(self.rng, options) if options else ""

    # Making one case ---------------------------------------------------------------------------------------
    def _make_case(self, plan: Plan, index: int) -> None:
        rng = random.Random(self.seed * 1_000_003 + index)
        unit = plan.unit
        actor = rng.choice(unit.mediators or [unit.director])
        data = self._case_data(plan, rng)
        entered = self._entered_at(plan.registered_at, rng)
        case = A.do_register_case(actor, unit.committee, data, at=plan.registered_at, entered_at=entered)
        court = self.city.courts.get(unit.county, self.city.courts["421202"])
        walker = DemoWalker(case, Cast(director=unit.director, mediator=actor), plan.registered_at, rng,
                            oral_share=0.3, court=court, plan=plan,
                            liaison=self.city.accounts["court"] if court.division_id == "421202" else None)
        for step in plan.steps():
            walker.step(step)
        if plan.variant == "extend":
            self._extend(walker, rng)
        if walker.case.status != plan.target or walker.at > self.end:
            raise RuntimeError(f"walk ended in {walker.case.status} at {walker.at:%Y-%m-%d %H:%M}")

    def _extend(self, walker: DemoWalker, rng: random.Random) -> None:
        due = walker.case.time_limit_due
        at = datetime(due.year, due.month, due.day, 10, tzinfo=D.TZ) - timedelta(days=rng.randint(0, 5))
        if walker.at < at < self.end:
            A.do_extend_time_limit(walker.case, walker.cast.mediator, new_due=due + timedelta(days=rng.randint(15, 30)),
                                   reason="案情复杂，需进一步调查核实", consent_record="经征询，双方当事人均同意延长",
                                   consenting_parties=list(walker.case.parties.all()), at=at)
            walker.at = at

    def _entered_at(self, registered: datetime, rng: random.Random) -> datetime:
        """Most cases are typed in within hours or days; ~5% only more than a week into the following month."""
        r = rng.random()
        if r < 0.05:
            first = (registered.replace(day=1) + timedelta(days=32)).replace(day=1, hour=rng.randint(8, 17))
            late = first + timedelta(days=rng.randint(8, 20))
            if late < self.end:
                return late
        delta = timedelta(minutes=rng.randint(5, 120)) if r < 0.6 else timedelta(hours=rng.uniform(2, 96))
        return max(registered, min(registered + delta, self.end - timedelta(minutes=1)))

    def _case_data(self, plan: Plan, rng: random.Random) -> A.CaseData:
        unit, when = plan.unit, plan.registered_at
        dispute = D.pick(rng, D.DISPUTE_MIX.get(unit.profile, D.DISPUTE_MIX["township"]))
        source = plan.source or D.pick(rng, D.SOURCE_MIX.get(unit.profile, D.SOURCE_MIX["village"]))
        county = unit.county if unit.county != D.CITY_CODE else rng.choice(D.COUNTY_CODES)
        county_name = self.city.counties[county].name
        applicant = self._person(rng, PartySide.APPLICANT, county, unit, when)
        if plan.party_user:
            applicant = A.PartyData(side=PartySide.APPLICANT, name=D.DEMO_ACCOUNTS["party"][0], phone="13871500001",
                                    id_number=make_valid_id_number("421202", date(1978, 3, 15), 123),
                                    occupation="个体工商户", address=f"{unit.area}3组",
                                    user=self.city.accounts["party"])
        if rng.random() < D.ORG_RESPONDENT.get(dispute, 0):
            respondent = self._organisation(rng, dispute, county, county_name)
        else:
            respondent = self._person(rng, PartySide.RESPONDENT, county, unit, when)
        parties = [applicant, respondent]
        if rng.random() < 0.08:
            parties.append(self._person(rng, PartySide.THIRD_PARTY, county, unit, when))
        facts, claims = rng.choice(D.TEXTS[dispute])
        names = {"a": applicant.name, "r": respondent.name, "place": unit.place}
        median, no_money = D.AMOUNTS[dispute]
        amount = Decimal(0)
        if rng.random() >= no_money:
            amount = Decimal(max(100, round(median * math.exp(rng.gauss(0, 1.0)), -2))).quantize(Decimal("0.01"))
        data = A.CaseData(source=source, dispute_type=dispute, brief_facts=facts.format(**names),
                          claims=claims.format(**names), parties=parties, amount_involved=amount,
                          is_difficult=rng.random() < 0.1,
                          occurred_on=(when - timedelta(days=min(365, int(rng.expovariate(1 / 30))))).date())
        if source == CaseSource.REFERRED_COURT:
            court = self.city.courts[county if unit.county != D.CITY_CODE else "421202"]
            mode = plan.court_mode or D.pick(rng, {CR.WEIPAI: 80, CR.WEITUO: 20})
            key = (court.pk, when.year, mode)
            self.court_no[key] += 1
            kind = "民诉前调" if mode == CR.WEIPAI else "民初"
            data.court, data.court_mode = court, mode
            data.court_case_no = f"（{when.year}）鄂{court.division_id[2:]}{kind}{self.court_no[key]}号"
            data.referral_body = court.name
        elif source in REFERRAL_BODY:
            town = unit.area[3:] if len(unit.area) > 3 else "城关"
            data.referral_body = REFERRAL_BODY[source].format(county=county_name, town=town[:2],
                                                              dept=rng.choice(["综治中心", "妇联", "人社局"]))
        return data

    def _person(self, rng: random.Random, side: str, county: str, unit: D.Unit, when: datetime) -> A.PartyData:
        gender = rng.choice("MF")
        born = date(rng.randint(1948, 2002), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
        village = unit.profile == "village"
        address = f"{unit.area}{rng.randint(1, 12)}组" if village else f"{unit.area}{rng.randint(1, 88)}号"
        return A.PartyData(side=side, name=D.person_name(rng, gender), gender=gender, birth_date=born,
                           ethnicity="汉族" if rng.random() < 0.97 else rng.choice(["土家族", "苗族", "瑶族"]),
                           occupation=rng.choice(D.OCCUPATIONS), phone=D.phone(rng), address=address,
                           id_number=make_valid_id_number(county, born, seq))

    def _organisation(self, rng: random.Random, dispute: str, county: str, county_name: str) -> A.PartyData:
        if dispute == "MEDICAL":
            town = rng.choice([t for t in self.city.townships.values() if t.parent_id == county])
            name, kind = f"{county_name}{town.name}卫生院", "12"
        else:
            name, kind = D.company_name(rng, dispute, county_name), "91"
        body = kind + county + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return A.PartyData(side=PartySide.RESPONDENT, name=name, party_type=PartyType.LEGAL_PERSON,
                           credit_code=make_valid_credit_code(body), legal_representative=D.person_name(rng, "M"),
                           phone=D.phone(rng), address=f"湖北省咸宁市{county_name}")

    # Report -------------------------------------------------------------------------------------------------
    def _summary(self, planned: int, failures: list[str], elapsed: float) -> None:
        out = self.stdout.write
        total = Case.objects.count()
        out(f"\n生成案件 {total} 件（计划 {planned} 件，失败 {len(failures)} 件），用时 {elapsed:.1f} 秒")
        for f in failures[:10]:
            out(f"  失败: {f}")
        by_status = Counter(Case.objects.values_list("status", flat=True))
        out("按状态 / by status:")
        for s in CaseStatus:
            if by_status[s]:
                out(f"  {s.label:<10} {s.value:<18} {by_status[s]:>5}  {by_status[s] / total:6.1%}")
        county_names = {c: d.name for c, d in self.city.counties.items()}
        by_county = Counter(county_names.get(code[:6], "市直") for code in Case.objects.values_list("division_code",
                                                                                                     flat=True))
        out("按县市区 / by county: " + "，".join(f"{k} {v}" for k, v in sorted(by_county.items())))
        jc = Counter(JudicialConfirmation.objects.values_list("status", flat=True))
        out("司法确认 / judicial confirmation: " + "，".join(f"{JCStatus(k).label} {v}" for k, v in sorted(jc.items())))
        out(f"\n演示账号（仅限开发环境，密码均为 {D.DEMO_PASSWORD}）:")
        for username, user in self.city.accounts.items():
            scope = user.committee or user.court or user.division or "当事人"
            out(f"  {username:<9} {user.get_role_display():<10} {user.full_name:<4}  {scope}")
