"""`manage.py seed_demo --seed N [--cases 2000] [--if-empty]`: the demo city 湖北省咸宁市 with two years of cases.

Committees, mediators and accounts come from `demo.city`; every case is registered with `do_register_case`
and driven to its status through `demo.scenarios.Walker` and the other `cases.actions` (DESIGN.md rule 1), each
case in its own transaction. All randomness comes from `random.Random(seed)` and every timestamp lies before
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
from cases.enums import AgreementForm, CaseSource, CaseStatus, FollowUpOutcome, JCStatus, PartySide, PartyType, Route
from cases.enums import CourtReferralType as CR
from cases.enums import Satisfaction as SAT
from cases.identity import make_valid_credit_code, make_valid_id_number
from cases.models import Case, JudicialConfirmation
from cases.permissions import current_agreement
from demo import city as D
from demo.referrals_seed import seed_referrals
from demo.scenarios import PATHS, Cast, Walker, working_moment, working_time_on
from demo.screening_seed import seed_screening
from ledgers.demo import seed_proposals
from ledgers.rectification.demo import seed_rectification
from notifications.services import no_sms_for_past_events
from portal.services.accounts import party_account
from registry.models import Committee, Court, Division, DivisionLevel
from search import index as search_index
from workdays.calendar import is_working_day, next_working_day
from workdays.models import CalendarOverride

S, J = CaseStatus, JCStatus
TERMINAL = [S.ARCHIVED, S.CLOSED, S.NOT_ACCEPTED, S.TRANSFERRED_OUT]
# status: (share of cases in %, each ≥ 1.5; for open statuses the mean age in days they favour — younger first).
# Registrations are uniform over 24 months, so most cases are old and closed or archived, as in real life.
MIX = {
    S.ARCHIVED: (42, None),
    S.CLOSED: (30, None),
    S.NOT_ACCEPTED: (4, None),
    S.TRANSFERRED_OUT: (3, None),
    S.INTAKE: (1.5, 4),
    S.ACCEPTED: (1.5, 6),
    S.AGREEMENT_REACHED: (1.5, 12),
    S.IN_MEDIATION: (4, 20),
    S.PERFORMED: (2, 25),
    S.TERMINATED: (2, 40),
    S.PAUSED: (1.5, 45),
    S.REMEDIATION: (1.5, 45),
    S.PERFORMING: (3.5, 50),
    S.NON_PERFORMANCE: (2, 100),
}
# Upper bound (hours) of how far each step moves the clock, read off the tick ranges of demo.scenarios.Walker and
# DemoWalker below: a case only gets a path whose bound fits between its registration and the end.
_HOURS = """refuse:30 transfer:30 accept:30 assign:24 investigate:72 session:120 pause:48 terminate:48 perform:2
    written_now:31 written_deferred:31 agreement:31 non_performance:504 remediate:48 close:288 archive:240
    refuse_by_party:30 party_refusal:48 close_failed:48 resume:240 deferred_done:744 urge:120
    jc_apply:240 jc_accept:240 jc_decide:360"""
STEP_HOURS = {step: int(hours) for step, hours in (item.split(":") for item in _HOURS.split())}
# When a path does not fit, the target moves back along these chains.
FALLBACK = {}
for _chain in [
    "ARCHIVED CLOSED PERFORMED AGREEMENT_REACHED IN_MEDIATION ACCEPTED INTAKE",
    "REMEDIATION PERFORMING IN_MEDIATION",
    "NON_PERFORMANCE PERFORMING",
    "TERMINATED IN_MEDIATION",
    "PAUSED IN_MEDIATION",
    "NOT_ACCEPTED INTAKE",
    "TRANSFERRED_OUT INTAKE",
]:
    _names = _chain.split()
    FALLBACK |= {S(a): S(b) for a, b in zip(_names, _names[1:], strict=False)}
JC_DEPTH = {J.APPLIED: 1, J.ACCEPTED: 2, J.NOT_ACCEPTED: 2, J.CONFIRMED_VALID: 3, J.REJECTED: 3}
VARIANTS = {  # target: {variant: weight}; "" is the plain path of demo.scenarios.PATHS
    S.CLOSED: {"": 77, "fail": 3, "deferred": 20},
    S.ARCHIVED: {"": 77, "fail": 3, "deferred": 20},
    S.PERFORMED: {"": 60, "deferred": 40},
    S.TERMINATED: {"": 75, "refusal": 25},
    S.NOT_ACCEPTED: {"": 75, "refusal": 25},
    S.IN_MEDIATION: {"": 75, "pause_resume": 10, "extend": 15},
    S.PERFORMING: {"": 85, "urged": 15},
}
# Outcomes like the bureaus' reports (seeds: 咸宁 2021 97%, 平顶山 99%, 绍兴 99.4%): about 95% of the mediations
# that end succeed, and no county's quarter on the MoJ form falls below 90% — failures are capped per county and
# quarter of their (estimated) end (Command._cap_failures).
MAX_FAILURE_SHARE = 0.06
SPILL_DAYS = 21


def _days_to_quarter_end(end: datetime) -> int:
    """Days from `end` to the first day of the next quarter."""
    month = (end.month - 1) // 3 * 3 + 4
    first = date(end.year + 1, 1, 1) if month > 12 else date(end.year, month, 1)
    return (first - end.date()).days


FAILING_STEPS = ("terminate", "party_refusal")
ENDING_STEPS = ("written_now", "written_deferred", "agreement", *FAILING_STEPS)
# A step pushed out of office hours waits for the next working morning (demo.scenarios.working_moment): Plan.fit
# follows the calendar step by step (each of a step's ticks may wait a night) to be sure a walk ends before --today.
TICKS = {"written_now": 6, "written_deferred": 6, "agreement": 6, "non_performance": 2, "close": 2, "deferred_done": 2}
TICKS |= {"jc_apply": 1, "perform": 1}
WAIT_SPREAD = timedelta(minutes=150)  # working_moment's spread after 08:30

# Only the plain agreement step may be oral (deferred, failed and JC paths are written or have none), so the
# walker's oral share is set above 30% for about 30% of the successfully performed cases to end orally.
ORAL_SHARE = 0.38

# The court liaison's queue (console/court_queue.py) in the demo: requests filed with the demo court in the last
# weeks that wait for it — (unit: "town"/"centre"/"village", target status, court referral mode or "", status,
# working days before --today of the application, working days from application to acceptance or None). The
# court decides on acceptance within 3 days of the application and rules within 15 days of acceptance
# (data/judicial_confirmation.json): the 7-working-days-old application without acceptance is overdue.
# A random case older than this (days since registration) no longer waits for the court: its request was ruled on.
WAITING_JC_MAX_AGE = 30
COURT_QUEUE = [
    ("centre", S.PERFORMING, CR.WEIPAI, J.APPLIED, 1, None),
    ("town", S.AGREEMENT_REACHED, CR.WEIPAI, J.APPLIED, 2, None),
    ("village", S.PERFORMING, "", J.APPLIED, 1, None),
    ("centre", S.PERFORMING, CR.WEITUO, J.APPLIED, 7, None),  # overdue: not accepted within 3 days
    ("centre", S.PERFORMING, CR.WEIPAI, J.ACCEPTED, 9, 2),
    ("town", S.PERFORMING, "", J.ACCEPTED, 5, 1),
    ("village", S.PERFORMING, "", J.ACCEPTED, 10, 1),  # its ruling is due within days
    ("centre", S.AGREEMENT_REACHED, CR.WEITUO, J.ACCEPTED, 4, 2),
]


@dataclass
class Plan:
    unit: D.Unit
    target: CaseStatus
    registered_at: datetime
    variant: str = ""  # a key of VARIANTS[target]
    jc: str = ""  # the judicial confirmation state to reach, "" for none
    party_user: bool = False
    source: str = ""
    court_mode: str = ""
    # A request waiting for the court now (the court liaison's queue): (J.APPLIED or J.ACCEPTED, the moment the
    # parties apply, the moment the court accepts or None). Made after the walk (Command._queue_request).
    queue: tuple[str, datetime, datetime | None] | None = None

    def steps(self) -> list[str]:
        t, v = self.target, self.variant
        if v == "refusal":
            return ["refuse_by_party"] if t == S.NOT_ACCEPTED else ["accept", "assign", "session", "party_refusal"]
        if v == "fail":
            archive = ["archive"] if t == S.ARCHIVED else []
            return ["accept", "assign", "session", "terminate", "close_failed", *archive]
        steps = list(PATHS[t])
        if v == "deferred":
            steps = ["accept", "assign", "investigate", "session", "written_deferred", "deferred_done", *steps[5:]]
        elif v == "pause_resume":
            steps = ["accept", "assign", "investigate", "pause", "resume"]
        elif v == "urged":
            steps = ["accept", "assign", "session", "written_deferred", "non_performance", "urge"]
        for i, name in enumerate(steps):
            if self.jc and name in ("written_now", "written_deferred", "agreement"):
                return [*steps[: i + 1], *["jc_apply", "jc_accept", "jc_decide"][: JC_DEPTH[self.jc]], *steps[i + 1 :]]
        return steps

    def hours(self) -> float:
        """A rough length of the walk (for the quotas' ages); `fit` uses the calendar-aware `latest_end`."""
        steps = self.steps()
        return sum(STEP_HOURS[s] for s in steps) + 6 + 12 * len(steps)

    def latest_end(self) -> datetime:
        """The latest moment the walk can end: each step's longest tick, each tick pushed to the next working
        morning (weekends and holidays from the workdays calendar) with the longest spread."""
        t = self.registered_at
        for name in self.steps():
            for k in range(TICKS.get(name, 1)):
                t = working_moment(t + timedelta(hours=STEP_HOURS[name] if k == 0 else 2)) + WAIT_SPREAD
        return t + timedelta(hours=6)

    def fails(self) -> bool:
        """The mediation ends without agreement (termination or a party's refusal after acceptance)."""
        return any(s in FAILING_STEPS for s in self.steps())

    def expected_end(self) -> datetime | None:
        """About when the mediation ends (half of each step's bound up to the ending step); None if it does not."""
        steps = self.steps()
        for i, name in enumerate(steps):
            if name in ENDING_STEPS:
                hours = sum(STEP_HOURS[s] for s in steps[: i + 1]) / 2
                return self.registered_at + timedelta(hours=hours)
        return None

    def fit(self, end: datetime) -> "Plan":
        """Shorten the plan until its walk surely ends before `end` (no timestamp in the future)."""
        while self.target != S.INTAKE and self.latest_end() > end:
            if self.jc:
                self.jc = ""
            elif self.variant:
                self.variant = ""
            else:
                self.target = FALLBACK[self.target]
        return self


def _quotas(n: int) -> dict[CaseStatus, int]:
    """Split n into whole counts proportional to the MIX shares (largest remainder)."""
    total = sum(share for share, _age in MIX.values())
    exact = {s: n * share / total for s, (share, _age) in MIX.items()}
    counts = {s: int(v) for s, v in exact.items()}
    for s in sorted(exact, key=lambda s: counts[s] - exact[s])[: n - sum(counts.values())]:
        counts[s] += 1
    return counts


class DemoWalker(Walker):
    """The scenarios Walker plus the variations a real city shows; every step is one or more `cases.actions`."""

    def __init__(self, *args, plan: Plan, court: Court, liaison=None, **kw) -> None:
        super().__init__(*args, court=court, **kw)
        self.plan, self.liaison = plan, liaison

    def prevention(self) -> dict[str, int]:
        """About 4% of closed cases prevented an escalation (the MoJ form's 件/人 prevention indicators)."""
        roll = self.rng.random()
        if roll < 0.025:
            return {"prevented_criminal_persons": self.rng.randint(1, 4)}
        if roll < 0.033:
            return {"prevented_group_petition_persons": self.rng.randint(5, 30)}
        if roll < 0.037:
            return {"prevented_suicide_persons": 1}
        if roll < 0.04:
            return {"prevented_group_fight_persons": self.rng.randint(6, 20)}
        return {}

    def _transfer(self) -> None:
        dept = next((v for k, v in D.TRANSFER_TO.items() if self.case.dispute_type.startswith(k)), "人民法院")
        reason, to = "纠纷不属于本调委会调解范围，移交有关部门依法处理", f"{self.plan.unit.area[:3]}{dept}"
        A.do_transfer_case(self.case, self.cast.director, reason=reason, to_authority=to, at=self.tick(1, 30))

    def _refuse_by_party(self) -> None:
        party, statement = self.case.parties.all()[1], "不同意调解，表示将直接向法院起诉"
        kw = {"party": party, "statement": statement, "routes": [Route.LITIGATION], "at": self.tick(1, 30)}
        # At intake no mediator is assigned yet: the director records it (issue 8).
        A.do_record_party_refusal(self.case, self.cast.director, **kw)

    def _party_refusal(self) -> None:
        party, statement = self.case.parties.all()[1], "对调解方案不满意，拒绝继续调解"
        kw = {"party": party, "statement": statement, "routes": [Route.LITIGATION], "at": self.tick(2, 48)}
        A.do_record_party_refusal(self.case, self.cast.mediator, **kw)

    def _close_failed(self) -> None:
        summary = "调解未成功，已告知当事人可通过诉讼等途径解决"
        A.do_close_case(self.case, self.cast.mediator, summary=summary, at=self.tick(1, 48))

    def _resume(self) -> None:
        A.do_resume_mediation(self.case, self.cast.mediator, note="鉴定结论已出，恢复调解", at=self.tick(24, 240))

    def _urge(self) -> None:
        A.do_urge_performance(self.case, self.cast.mediator, note="上门督促义务人履行", at=self.tick(24, 120))

    def _deferred_done(self) -> None:
        at, party = self.tick(240, 720), self.case.parties.first()
        kw = {"outcome": FollowUpOutcome.PERFORMED, "satisfaction": SAT.SATISFIED, "notes": "义务人已按协议付清款项"}
        A.do_record_follow_up(self.case, self.cast.mediator, party=party, visited_on=at.date(), at=at, **kw)
        A.do_confirm_performed(self.case, self.cast.mediator, at=self.tick(0, 24))

    def _jc_apply(self) -> None:
        agreement = current_agreement(self.case)
        if agreement is None or agreement.form != AgreementForm.WRITTEN:
            self.plan.jc = ""  # an oral agreement cannot be confirmed: the remaining JC steps are skipped
            return
        applicant, consenting = list(self.case.parties.all())[:2]
        at, kw = self.tick(24, 240), {"applicant": applicant, "consenting": consenting, "court": self.court}
        A.do_apply_judicial_confirmation(self.case, self.cast.mediator, applied_on=at.date(), at=at, **kw)

    def _court_actor(self):
        return self.liaison or self.cast.mediator  # the mediator records the court's notice where no liaison exists

    def _jc_accept(self) -> None:
        if not self.plan.jc:
            return
        at = self.tick(48, 240)
        if self.plan.jc == J.NOT_ACCEPTED:
            reason = "申请确认的协议涉及不动产物权确权，不属于司法确认受理范围"
            A.do_record_court_acceptance(
                self.case, self._court_actor(), accepted=False, on=at.date(), reason=reason, at=at
            )
            return
        seq = JudicialConfirmation.objects.filter(court=self.court, accepted_on__year=at.year).count() + 1
        number = f"（{at.year}）鄂{self.court.division_id[2:]}民特{seq}号"
        A.do_record_court_acceptance(
            self.case, self._court_actor(), accepted=True, on=at.date(), court_case_no=number, at=at
        )

    def _jc_decide(self) -> None:
        if self.plan.jc not in (J.CONFIRMED_VALID, J.REJECTED):
            return
        valid, at = self.plan.jc == J.CONFIRMED_VALID, self.tick(72, 360)
        reason = "" if valid else "协议部分内容损害案外人合法权益"
        A.do_record_court_decision(self.case, self._court_actor(), valid=valid, on=at.date(), reason=reason, at=at)


class Command(BaseCommand):
    help = "Seed the demo city 湖北省咸宁市 (committees, mediators, accounts, ~2 years of cases). DEV ONLY."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, required=True, help="random seed; the same seed gives the same data")
        parser.add_argument("--cases", type=int, default=2000, help="number of cases to register (default 2000)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database already has data")
        parser.add_argument("--today", type=date.fromisoformat, help="pretend today is YYYY-MM-DD (not later)")
        parser.add_argument(
            "--no-screening", action="store_true", help="leave out the two years of screening history (issue 12)"
        )

    def handle(
        self, *args, seed: int, cases: int, if_empty: bool, today: date | None, no_screening: bool = False, **options
    ):
        started = time.monotonic()
        if Case.objects.exists() or Committee.objects.exists():
            if if_empty:
                self.stdout.write("数据库中已有调委会或案件，跳过演示数据生成 (demo data present, nothing to do).")
                return
            raise CommandError(
                "数据库中已有调委会或案件，seed_demo 只能在空库上运行：请删除 var/tiaojie.sqlite3（或 SQLITE_PATH "
                "指向的文件）后重新 migrate。The database is not empty."
            )
        if today and today > timezone.localdate():
            raise CommandError("--today 不能晚于今天")
        self.end = datetime.combine(today or timezone.localdate(), datetime.min.time(), tzinfo=D.TZ)
        self._reference_data()
        self.seed, self.rng, self.court_no = seed, random.Random(seed), Counter()
        with transaction.atomic():
            self.city = D.build_city(self.rng, today=self.end.date())
        self.stdout.write(f"调委会 {len(self.city.units)} 个及调解员、账号已建立（{time.monotonic() - started:.1f}s）")
        plans = self.plan(cases)
        failures: list[str] = []
        for i, plan in enumerate(plans):
            try:
                # The demo's history happened in the past: its notices are there, but its SMS are not sent now.
                with transaction.atomic(), no_sms_for_past_events():
                    self._make_case(plan, i)
            except Exception as exc:  # counted, reported, and fatal above 1%
                failures.append(f"{plan.unit.committee.short_name} {plan.target} {plan.steps()}: {exc!r}")
                if len(failures) <= 3:
                    self.stderr.write(traceback.format_exc())
            if (i + 1) % 500 == 0:
                self.stdout.write(f"  {i + 1}/{len(plans)} 件（{time.monotonic() - started:.0f}s）")
        self._summary(len(plans), failures, time.monotonic() - started)
        seed_referrals(self.city, self.end, seed=seed, stdout=self.stdout)  # issue 11: hubs, institutions, referrals
        if not no_screening:  # issue 12: two years of screening, findings, risks and their escalation (own stream)
            seed_screening(random.Random(seed * 9_973 + 12), self.end, city=self.city, stdout=self.stdout)
        seed_proposals(self.city, self.end, stdout=self.stdout)  # issue 16: the year's suggestions and proposals
        seed_rectification(self.city, self.end, stdout=self.stdout)  # issue 16: an inspection's 30 rectification items
        search_index.reindex()  # issue 13: the whole city in the search index (bulk-made rows bypass the signals)
        if len(failures) > len(plans) / 100:
            raise CommandError(f"{len(failures)} of {len(plans)} cases failed (more than 1%)")

    def _reference_data(self) -> None:
        villages = Division.objects.filter(code__startswith=D.CITY_CODE, level=DivisionLevel.VILLAGE)
        if not villages.exists():
            call_command("load_divisions", stdout=self.stdout)
        if not villages.exists():
            raise CommandError("load_divisions did not load the villages of 咸宁市 (4212)")
        if not CalendarOverride.objects.exists():
            call_command("load_holidays", stdout=self.stdout)

    # Planning ------------------------------------------------------------------------------------------------
    def plan(self, cases: int) -> list[Plan]:
        """Every case to make, in registration order: the fixed ones of the demo accounts and `cases` in all, with
        the failures capped per county and quarter (tests/test_demo_outcomes.py checks the form's rates)."""
        plans = self._fixed_plans()
        plans = sorted(plans + self._random_plans(max(0, cases - len(plans))), key=lambda p: p.registered_at)
        self._cap_failures(plans)
        return sorted(plans, key=lambda p: p.registered_at)

    def _at_age(self, days: float) -> datetime:
        """A moment in working hours about `days` before the end: on that day, or the working day before it."""
        day = (self.end - timedelta(days=max(days, 0.01))).date()
        while not is_working_day(day):
            day -= timedelta(days=1)
        return working_time_on(day, self.rng)

    def _cap_failures(self, plans: list[Plan]) -> None:
        """At most MAX_FAILURE_SHARE of the mediations ending in each county (the city's own committees apart) and
        quarter end without agreement: the excess failing random plans end with an agreement instead. The demo
        accounts' fixed plans keep their failures (the demo village shows every status); one that would alone
        exceed its quarter's share (a quarter just begun) is moved a month back at a time."""
        groups: dict[tuple[str, int, int], list[Plan]] = {}

        def cell(p: Plan) -> tuple[str, int, int] | None:
            end = p.expected_end()
            return None if end is None else (p.unit.county, end.year, (end.month - 1) // 3)

        for p in plans:
            if (key := cell(p)) is not None:
                groups.setdefault(key, []).append(p)
        fixed = set(map(id, self._fixed))

        def allowed(key: tuple[str, int, int]) -> int:
            return math.floor(MAX_FAILURE_SHARE * len(groups[key]))

        for p in [p for p in self._fixed if p.fails() and cell(p) is not None]:
            for _ in range(12):
                key = cell(p)
                fixed_failing = sum(1 for q in groups[key] if id(q) in fixed and q.fails())
                if fixed_failing <= allowed(key):
                    break
                groups[key].remove(p)
                p.registered_at = self._at_age((self.end - p.registered_at).days + 30)
                groups.setdefault(cell(p), []).append(p)
        for key, members in groups.items():
            failing = [p for p in members if p.fails() and id(p) not in fixed]
            fixed_failing = sum(1 for p in members if p.fails() and id(p) in fixed)
            # A walk's real end can slip past its estimate by a holiday (国庆 after a late-September estimate),
            # into the next quarter, whose share it was never counted in: random plans estimated to end in the
            # last SPILL_DAYS of a quarter end with an agreement.
            spill = [p for p in failing if _days_to_quarter_end(p.expected_end()) < SPILL_DAYS]
            spilled = set(map(id, spill))
            keep = [p for p in failing if id(p) not in spilled]
            excess = max(0, len(keep) + fixed_failing - allowed(key))
            for p in spill + keep[:excess]:
                if p.target == S.TERMINATED:
                    p.target, p.variant = S.PERFORMED, ""
                else:  # the "fail" variant of a closed or archived case
                    p.variant = ""
                p.fit(self.end)

    def _fixed_plans(self) -> list[Plan]:
        """What the demo accounts must see: every status in the demo village, the party's cases, court cases."""
        c, end = self.city, self.end
        # Not MERGED: a merged case is a second registration of a dispute another case carries, so its walk makes
        # a twin case (the --cases count would not hold); the demo's duplicates come with its referrals.
        plans = [Plan(c.demo_unit, s, end) for s in CaseStatus if s not in (S.DISPOSED, S.MERGED)]
        self._fixed = plans
        party = {"party_user": True}
        plans += [Plan(c.demo_unit, S.IN_MEDIATION, end, **party), Plan(c.demo_unit, S.PERFORMING, end, **party)]
        plans.append(Plan(c.demo_unit, S.ARCHIVED, end, "deferred", J.CONFIRMED_VALID, **party))
        court = {"source": CaseSource.REFERRED_COURT, "court_mode": CR.WEIPAI}
        town, centre = c.demo_township_unit, c.demo_centre_unit
        for unit, status, variant, jc in [
            (town, S.IN_MEDIATION, "", ""),
            (town, S.AGREEMENT_REACHED, "", ""),  # requests waiting for the court: COURT_QUEUE (_queue_plans)
            (centre, S.PERFORMING, "", ""),
            (centre, S.PERFORMING, "", ""),
            (centre, S.CLOSED, "deferred", J.CONFIRMED_VALID),
            (town, S.ARCHIVED, "deferred", J.REJECTED),
            (centre, S.TERMINATED, "", ""),
        ]:
            plans.append(Plan(unit, status, end, variant, jc, **court))
        for p in plans:  # open cases just old enough for their walk, closed ones anywhere in the two years
            days = p.hours() / 24 + self.rng.uniform(1, 10)
            p.registered_at = self._at_age(self.rng.uniform(max(days, 60), 700) if p.target in TERMINAL else days)
            while p.latest_end() > end:  # old enough for its walk in office hours: the demo accounts see every status
                days += 1
                p.registered_at = self._at_age(days)
            p.fit(end)
        return plans + self._queue_plans()

    def _working_day_before(self, days: int) -> date:
        """The working day `days` working days before --today (1: the last working day before it)."""
        day = self.end.date()
        for _ in range(days):
            day -= timedelta(days=1)
            while not is_working_day(day):
                day -= timedelta(days=1)
        return day

    def _queue_plans(self) -> list[Plan]:
        """The requests that wait for the demo court now (COURT_QUEUE), with a random stream of their own (the other
        plans draw as before). Each case is registered just early enough for its walk to end before the
        application, in office hours."""
        rng, c = random.Random(self.seed * 104_729 + 9), self.city
        units = {"centre": c.demo_centre_unit, "town": c.demo_township_unit, "village": c.demo_unit}
        plans = []
        for unit, target, mode, status, ago, after in COURT_QUEUE:
            applied_day = self._working_day_before(ago)
            apply_at = working_time_on(applied_day, rng)
            accept_at = None
            if after is not None:
                day = applied_day
                for _ in range(after):
                    day += timedelta(days=1)
                    while not is_working_day(day):
                        day += timedelta(days=1)
                accept_at = max(working_time_on(day, rng), apply_at + timedelta(minutes=30))
            court = {"source": CaseSource.REFERRED_COURT, "court_mode": mode} if mode else {}
            plan = Plan(units[unit], target, apply_at, queue=(status, apply_at, accept_at), **court)
            days = plan.hours() / 24 + rng.uniform(1, 5)
            while True:  # registered early enough for the walk to end before the application
                day = (apply_at - timedelta(days=days)).date()
                while not is_working_day(day):
                    day -= timedelta(days=1)
                plan.registered_at = working_time_on(day, rng)
                if plan.latest_end() < apply_at:
                    break
                days += 1
            plans.append(plan)
        return plans

    def _random_plans(self, n: int) -> list[Plan]:
        rng, end = self.rng, self.end
        times = []
        while len(times) < n:  # uniform over the 24 months, fewer registrations at weekends
            at = self._at_age(rng.uniform(0, 730))
            if at < end and (at.weekday() < 5 or rng.random() < 0.35):
                times.append(at)
        age = [(end - t).total_seconds() / 86400 for t in times]
        quotas, status, free = _quotas(n), {}, list(range(n))

        def take(s: CaseStatus, key) -> None:
            """Give status s to its quota of the free cases old enough for its walk, in the order of `key`."""
            need = Plan(self.city.demo_unit, s, end).hours() / 24
            for i in sorted((i for i in free if age[i] >= need), key=key)[: quotas[s]]:
                status[i] = s
            free[:] = [i for i in free if i not in status]

        def gumbel() -> float:
            return math.log(max(rng.expovariate(1), 1e-300))

        for s in sorted((s for s in MIX if MIX[s][1]), key=lambda s: MIX[s][1]):  # favour young cases
            take(s, lambda i, mean=MIX[s][1]: gumbel() + age[i] / mean)
        take(S.NOT_ACCEPTED, lambda i: rng.random())
        take(S.TRANSFERRED_OUT, lambda i: rng.random())
        take(S.ARCHIVED, lambda i: gumbel() - age[i] / 365)  # archiving lags closing
        status |= {i: S.CLOSED for i in free}
        units = self.city.units
        weights, plans = [u.weight for u in units], []
        for i in range(n):
            plan = Plan(rng.choices(units, weights=weights)[0], status[i], times[i])
            plan.variant = D.pick(rng, VARIANTS[plan.target]) if plan.target in VARIANTS else ""
            jc_share = 0.15 if plan.unit.county in (D.DEMO_COUNTY, D.CITY_CODE) else 0.06
            if plan.target != S.REMEDIATION and plan.variant != "fail" and rng.random() < jc_share:
                weights_jc = {J.CONFIRMED_VALID: 70, J.REJECTED: 4, J.NOT_ACCEPTED: 4, J.ACCEPTED: 10, J.APPLIED: 12}
                plan.jc = D.pick(rng, weights_jc)
                if plan.jc in (J.APPLIED, J.ACCEPTED) and (end - plan.registered_at).days > WAITING_JC_MAX_AGE:
                    plan.jc = J.CONFIRMED_VALID  # long since ruled on: the court queue holds recent requests
            plans.append(plan.fit(end))
        return plans

    # Making one case ---------------------------------------------------------------------------------------
    def _make_case(self, plan: Plan, index: int) -> None:
        rng, unit = random.Random(self.seed * 1_000_003 + index), plan.unit
        actor = rng.choice(unit.mediators or [unit.director])
        data, entered = self._case_data(plan, rng), self._entered_at(plan.registered_at, rng)
        case = A.do_register_case(actor, unit.committee, data, at=plan.registered_at, entered_at=entered)
        # About a third of the applicants of closed cases rate the service in the portal: they sign in with their
        # number when the case is registered (a draw of its own, so the walk's draws stay as they were).
        rates = plan.target in (S.CLOSED, S.ARCHIVED) and random.Random(self.seed * 7_919 + index).random() < 0.35
        if rates:
            self._sign_in_applicant(case, plan.registered_at)
        court = self.city.courts.get(unit.county, self.city.courts[D.DEMO_COUNTY])
        liaison = self.city.accounts["court"] if court.division_id == D.DEMO_COUNTY else None
        cast = Cast(director=unit.director, mediator=actor)
        walker = DemoWalker(
            case,
            cast,
            plan.registered_at,
            rng,
            oral_share=ORAL_SHARE,
            court=court,
            plan=plan,
            liaison=liaison,
            working_hours=True,
        )
        for step in plan.steps():
            walker.step(step)
        if plan.variant == "extend":
            self._extend(walker, rng)
        if walker.case.status != plan.target or walker.at > self.end:
            raise RuntimeError(f"walk ended in {walker.case.status} at {walker.at:%Y-%m-%d %H:%M}")
        if plan.queue:
            self._queue_request(walker, plan)
        if rates and walker.case.status in (S.CLOSED, S.ARCHIVED):
            self._rate(walker, rng)

    def _queue_request(self, walker: DemoWalker, plan: Plan) -> None:
        """The parties apply for judicial confirmation of the written agreement with the demo court (recorded by
        the mediator), and the court's liaison records the acceptance where the plan says so."""
        status, apply_at, accept_at = plan.queue
        case, agreement = walker.case, current_agreement(walker.case)
        if agreement is None or agreement.form != AgreementForm.WRITTEN:  # an oral agreement cannot be confirmed
            raise RuntimeError("a court-queue case needs a written agreement")
        if walker.at >= apply_at:
            raise RuntimeError(f"walk ended at {walker.at:%Y-%m-%d %H:%M}, after the application")
        applicant, consenting = list(case.parties.all())[:2]
        A.do_apply_judicial_confirmation(
            case, walker.cast.mediator, applicant=applicant, consenting=consenting, court=walker.court,
            applied_on=apply_at.date(), at=apply_at,
        )  # fmt: skip
        if status == J.ACCEPTED:
            year = accept_at.year
            seq = JudicialConfirmation.objects.filter(court=walker.court, accepted_on__year=year).count() + 1
            number = f"（{year}）鄂{walker.court.division_id[2:]}民特{seq}号"
            A.do_record_court_acceptance(
                case, walker._court_actor(), accepted=True, on=accept_at.date(), court_case_no=number, at=accept_at
            )
        walker.at = accept_at or apply_at

    def _sign_in_applicant(self, case: Case, at: datetime) -> None:
        """The applicant signs in to the portal with their phone number (the portal's own party account of that
        number) and their account joins the case through do_join_case, as an invited party's would."""
        applicant = case.parties.filter(side=PartySide.APPLICANT).order_by("order", "id").first()
        if applicant is None or not applicant.phone or applicant.user_id is not None:
            return
        user = party_account(applicant.phone, applicant.name)
        if user is None or case.parties.filter(user=user).exists():
            return
        A.do_join_case(case, user, party=applicant, at=at, note="以本人手机号登录调解平台，关联本案")

    def _rate(self, walker: DemoWalker, rng: random.Random) -> None:
        """The applicant rates the service in the portal (满意度), from the account that joined the case."""
        applicant = walker.case.parties.filter(side=PartySide.APPLICANT).first()
        if applicant is None or applicant.user is None:
            return
        user = applicant.user
        score = rng.choices([5, 4, 3, 2, 1], weights=[70, 22, 6, 1.5, 0.5])[0]
        comments = ["", "", "调解员很耐心，问题解决了", "办事效率高", "希望回访更及时"] if score >= 3 else ["处理太慢"]
        comment = rng.choice(comments)
        at = working_moment(walker.at + timedelta(days=rng.randint(1, 20)), rng)
        if at >= self.end:
            at = working_moment(walker.at + timedelta(minutes=rng.randint(10, 90)), rng)
        if at >= self.end:
            return  # closed on the last afternoon: no rating yet
        A.do_rate_service(walker.case, user, party=applicant, score=score, comment=comment, at=at)

    def _extend(self, walker: DemoWalker, rng: random.Random) -> None:
        """Extend the mediation period near its end, with every party's consent, if that moment has passed."""
        due = walker.case.time_limit_due
        at = datetime(due.year, due.month, due.day, 10, tzinfo=D.TZ) - timedelta(days=rng.randint(0, 5))
        while not is_working_day(at.date()):  # the working day before
            at -= timedelta(days=1)
        if at.date() < due - timedelta(days=7):  # a holiday before the limit: the first working day after it
            at = datetime.combine(next_working_day(due - timedelta(days=7)), at.timetz())
        if walker.at < at < self.end:
            consent = {
                "consent_record": "经征询，双方当事人均同意延长",
                "consenting_parties": list(walker.case.parties.all()),
            }
            new_due, reason = due + timedelta(days=rng.randint(15, 30)), "案情复杂，需进一步调查核实"
            A.do_extend_time_limit(walker.case, walker.cast.mediator, new_due=new_due, reason=reason, at=at, **consent)
            walker.at = at

    def _entered_at(self, registered: datetime, rng: random.Random) -> datetime:
        """Most cases are typed in within hours or days; ~5% only more than a week into the following month."""
        r = rng.random()
        if r < 0.05:
            first = (registered.replace(day=1) + timedelta(days=32)).replace(day=1)
            late = working_time_on((first + timedelta(days=rng.randint(8, 20))).date(), rng)
            if late < self.end:
                return late
        delta = timedelta(minutes=rng.randint(5, 120)) if r < 0.6 else timedelta(hours=rng.uniform(2, 96))
        entered = working_moment(registered + delta, rng)
        return entered if entered < self.end else registered

    def _case_data(self, plan: Plan, rng: random.Random) -> A.CaseData:
        unit, when = plan.unit, plan.registered_at
        dispute = D.pick(rng, D.DISPUTE_MIX.get(unit.profile, D.DISPUTE_MIX["township"]))
        source = plan.source or D.pick(rng, D.SOURCE_MIX[unit.profile])
        county = unit.county if unit.county != D.CITY_CODE else rng.choice(D.COUNTY_CODES)
        county_name = self.city.counties[county].name
        applicant = self._person(rng, PartySide.APPLICANT, county, unit)
        if plan.party_user:
            number = make_valid_id_number(D.DEMO_COUNTY, date(1978, 3, 15), 123)
            user, name = self.city.accounts["party"], D.DEMO_ACCOUNTS["party"][0]
            kw = {"id_number": number, "phone": D.PARTY_PHONE, "address": f"{unit.area}3组", "user": user}
            applicant = A.PartyData(side=PartySide.APPLICANT, name=name, occupation="个体工商户", **kw)
        _v, _r, _t, median, no_money, org_share, _business = D.DISPUTES[dispute]
        if rng.random() < org_share:
            respondent = self._organisation(rng, dispute, county, county_name)
        else:
            respondent = self._person(rng, PartySide.RESPONDENT, county, unit)
        parties = [applicant, respondent]
        if rng.random() < 0.08:
            parties.append(self._person(rng, PartySide.THIRD_PARTY, county, unit))
        names = {"a": applicant.name, "r": respondent.name, "place": unit.place}
        facts, claims = (text.format(**names) for text in D.texts(rng, dispute))
        amount = Decimal(0)
        if rng.random() >= no_money:
            amount = Decimal(max(100, round(median * math.exp(rng.gauss(0, 1.0)), -2))).quantize(Decimal("0.01"))
        occurred = (when - timedelta(days=min(365, int(rng.expovariate(1 / 30))))).date()
        data = A.CaseData(source, dispute, facts, claims, parties, amount, rng.random() < 0.1, occurred)
        if source == CaseSource.REFERRED_COURT:
            court = self.city.courts[county if unit.county != D.CITY_CODE else D.DEMO_COUNTY]
            mode = plan.court_mode or D.pick(rng, {CR.WEIPAI: 80, CR.WEITUO: 20})
            self.court_no[court.pk, when.year, mode] += 1
            kind, seq = "民诉前调" if mode == CR.WEIPAI else "民初", self.court_no[court.pk, when.year, mode]
            data.court, data.court_mode, data.referral_body = court, mode, court.name
            data.court_case_no = f"（{when.year}）鄂{court.division_id[2:]}{kind}{seq}号"
        elif source in D.REFERRAL_BODY:
            town, dept = (unit.area[3:] or "城关")[:2], rng.choice(["综治中心", "妇联", "人社局"])
            data.referral_body = D.REFERRAL_BODY[source].format(county=county_name, town=town, dept=dept)
        return data

    def _person(self, rng: random.Random, side: str, county: str, unit: D.Unit) -> A.PartyData:
        gender = rng.choice("MF")
        born = date(rng.randint(1948, 2002), rng.randint(1, 12), rng.randint(1, 28))
        seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)  # the ID's 17th digit is odd for men
        address = (
            f"{unit.area}{rng.randint(1, 12)}组" if unit.profile == "village" else f"{unit.area}{rng.randint(1, 88)}号"
        )
        ethnicity = "汉族" if rng.random() < 0.97 else rng.choice(["土家族", "苗族", "瑶族"])
        person = {"name": D.person_name(rng, gender), "gender": gender, "birth_date": born, "ethnicity": ethnicity}
        contact = {"occupation": rng.choice(D.OCCUPATIONS), "phone": D.phone(rng), "address": address}
        return A.PartyData(side=side, id_number=make_valid_id_number(county, born, seq), **person, **contact)

    def _organisation(self, rng: random.Random, dispute: str, county: str, county_name: str) -> A.PartyData:
        if dispute == "MEDICAL":
            town = rng.choice([t for t in self.city.townships.values() if t.parent_id == county])
            name, kind = f"{county_name}{town.name}卫生院", "12"  # 12…: public institution, 91…: company
        else:
            name, kind = D.company_name(rng, dispute, county_name), "91"
        code = make_valid_credit_code(kind + county + "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=9)))
        kw = {
            "legal_representative": D.person_name(rng, "M"),
            "phone": D.phone(rng),
            "address": f"湖北省咸宁市{county_name}",
        }
        return A.PartyData(
            side=PartySide.RESPONDENT, name=name, party_type=PartyType.LEGAL_PERSON, credit_code=code, **kw
        )

    # Report -------------------------------------------------------------------------------------------------
    def _summary(self, planned: int, failures: list[str], elapsed: float) -> None:
        out, total = self.stdout.write, Case.objects.count()
        out(f"\n生成案件 {total} 件（计划 {planned} 件，失败 {len(failures)} 件），用时 {elapsed:.1f} 秒")
        for f in failures[:10]:
            out(f"  失败: {f}")
        out("按状态 / by status:")
        by_status = Counter(Case.objects.values_list("status", flat=True))
        for s in CaseStatus:
            if by_status[s]:
                out(f"  {s.label:<10} {s.value:<18} {by_status[s]:>5}  {by_status[s] / total:6.1%}")
        names = {c: d.name for c, d in self.city.counties.items()}
        codes = Case.objects.values_list("division_code", flat=True)
        by_county = Counter(names.get(code[:6], "市直") for code in codes)
        out("按县市区 / by county: " + "，".join(f"{k} {v}" for k, v in sorted(by_county.items())))
        jc = Counter(JudicialConfirmation.objects.values_list("status", flat=True))
        out("司法确认 / judicial confirmation: " + "，".join(f"{J(k).label} {v}" for k, v in sorted(jc.items())))
        out(f"\n演示账号（仅限开发环境，密码均为 {D.DEMO_PASSWORD}，见 docs/demo-accounts.md）:")
        for username, user in self.city.accounts.items():
            scope = user.committee or user.court or user.division or "本人案件"
            out(f"  {username:<9} {user.get_role_display():<10} {user.full_name:<4}  {scope}")
