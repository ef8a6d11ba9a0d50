"""Drive a registered case through the real actions to a target status.

Used by the demo seeder and by the tests, so that both build their data the way users do (through
cases.actions) and the lifecycle is walked in one place.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import User
from cases import actions as A
from cases.actions.base import local_date
from cases.enums import (
    CaseStatus,
    FollowUpOutcome,
    RecordKind,
    RetentionClass,
    Route,
    Satisfaction,
    SignatureMethod,
    TerminationReason,
)
from cases.models import Case
from registry.models import Court
from workdays.calendar import is_working_day, next_working_day

TZ = ZoneInfo("Asia/Shanghai")
# Office hours of a committee or a 司法所 (China time): every demo event falls on a working day inside them.
WORK_START, WORK_END = time(8, 30), time(17, 30)


def in_working_hours(at: datetime) -> bool:
    local = at.astimezone(TZ)
    return is_working_day(local.date()) and WORK_START <= local.time().replace(tzinfo=None) < WORK_END


def working_moment(at: datetime, rng: random.Random | None = None, spread_minutes: float = 150) -> datetime:
    """`at` itself if it falls in working hours on a working day (workdays calendar: weekends, holidays and makeup
    days), otherwise a moment early on the next working morning (08:30 plus up to `spread_minutes`, drawn from
    `rng`; exactly 08:30 without one). Never earlier than `at`."""
    if in_working_hours(at):
        return at
    local = at.astimezone(TZ)
    day = local.date()
    if not (is_working_day(day) and local.time().replace(tzinfo=None) < WORK_START):
        day = next_working_day(day + timedelta(days=1))
    minutes = rng.uniform(0, spread_minutes) if rng is not None else 0
    return datetime.combine(day, WORK_START, tzinfo=TZ) + timedelta(minutes=minutes)


def working_time_on(day: date, rng: random.Random) -> datetime:
    """A moment in working hours on `day`, or on the first working day after it."""
    day = next_working_day(day)
    span = (WORK_END.hour * 60 + WORK_END.minute) - (WORK_START.hour * 60 + WORK_START.minute)
    return datetime.combine(day, WORK_START, tzinfo=TZ) + timedelta(minutes=rng.randrange(span - 1))


# The path to each reachable status, as a list of steps; each step is applied in order.
PATHS: dict[CaseStatus, list[str]] = {
    CaseStatus.INTAKE: [],
    CaseStatus.NOT_ACCEPTED: ["refuse"],
    CaseStatus.TRANSFERRED_OUT: ["transfer"],
    CaseStatus.ACCEPTED: ["accept"],
    CaseStatus.IN_MEDIATION: ["accept", "assign", "investigate"],
    CaseStatus.PAUSED: ["accept", "assign", "investigate", "pause"],
    CaseStatus.TERMINATED: ["accept", "assign", "session", "terminate"],
    CaseStatus.AGREEMENT_REACHED: ["accept", "assign", "session", "written_now"],
    CaseStatus.PERFORMING: ["accept", "assign", "session", "written_deferred"],
    CaseStatus.NON_PERFORMANCE: ["accept", "assign", "session", "written_deferred", "non_performance"],
    CaseStatus.PERFORMED: ["accept", "assign", "session", "agreement", "perform"],
    CaseStatus.REMEDIATION: ["accept", "assign", "session", "written_deferred", "remediate"],
    CaseStatus.CLOSED: ["accept", "assign", "session", "agreement", "perform", "close"],
    CaseStatus.ARCHIVED: ["accept", "assign", "session", "agreement", "perform", "close", "archive"],
    # issue 11 §5: registered a second time for a dispute an accepted case already carries, merged into it
    CaseStatus.MERGED: ["merge"],
}


def same_dispute(case: Case) -> A.CaseData:
    """The registration data of `case` again (its parties without their portal accounts): the demo's and the
    tests' second registration of one dispute."""
    parties = [
        A.PartyData(
            side=p.side,
            name=p.name,
            party_type=p.party_type,
            gender=p.gender,
            birth_date=p.birth_date,
            phone=p.phone,
            address=p.address,
            id_number=p.full_id_number() if p.id_number_encrypted else "",
            credit_code=p.credit_code,
            legal_representative=p.legal_representative,
            guardian_name=p.guardian_name,
            capacity=p.capacity,
        )
        for p in case.parties.all()
    ]
    return A.CaseData(
        source=case.source,
        dispute_type=case.dispute_type,
        brief_facts=case.brief_facts,
        claims=case.claims,
        parties=parties,
        amount_involved=case.amount_involved,
        occurred_on=case.occurred_on,
        referral_body=case.referral_body,
        court=case.court,
        court_mode=case.court_mode,
        court_case_no=case.court_case_no,
    )


@dataclass
class Cast:
    director: User
    mediator: User  # must have a registry.Mediator profile in the case's committee


class Walker:
    def __init__(
        self,
        case: Case,
        cast: Cast,
        at: datetime,
        rng: random.Random | None = None,
        oral_share: float = 0.0,
        court: Court | None = None,
        working_hours: bool = False,
    ) -> None:
        self.case, self.cast, self.at = case, cast, at
        self.rng = rng or random.Random(0)
        self.oral_share, self.court = oral_share, court
        # The demo keeps every step in office hours (working_moment); the tests' walks keep their plain clock.
        self.working_hours = working_hours

    def tick(self, hours_min: float = 2, hours_max: float = 48) -> datetime:
        self.at += timedelta(hours=self.rng.uniform(hours_min, hours_max))
        if self.working_hours:
            self.at = working_moment(self.at, self.rng)
        return self.at

    def step(self, name: str) -> None:
        getattr(self, f"_{name}")()
        self.case.refresh_from_db()

    def walk(self, target: CaseStatus) -> Case:
        for name in PATHS[target]:
            self.step(name)
        return self.case

    # Steps -------------------------------------------------------------------------------------------------
    def _refuse(self) -> None:
        A.do_refuse_case(
            self.case,
            self.cast.director,
            reason="纠纷已由法院立案受理，不属于人民调解范围",
            routes=[Route.LITIGATION],
            at=self.tick(1, 30),
        )

    def _transfer(self) -> None:
        A.do_transfer_case(
            self.case,
            self.cast.director,
            reason="涉及跨区域纠纷，移交有关部门处理",
            to_authority="县人力资源和社会保障局",
            at=self.tick(1, 30),
        )

    def _accept(self) -> None:
        A.do_accept_case(self.case, self.cast.director, at=self.tick(0.5, 30))

    def _assign(self) -> None:
        A.do_assign_mediators(
            self.case,
            self.cast.director,
            presiding=self.cast.mediator.mediator,
            rights_notified=True,
            identities_checked=True,
            at=self.tick(0.5, 24),
        )

    def _investigate(self) -> None:
        held = self.tick(2, 72)
        A.do_record_mediation(
            self.case,
            self.cast.mediator,
            kind=RecordKind.INVESTIGATION,
            held_at=held,
            place="村委会调解室",
            subject=self.case.parties.first().name,
            content="向当事人了解纠纷经过，核实相关证据材料，听取双方诉求。",
            at=held,
        )

    def _session(self) -> None:
        held = self.tick(2, 120)
        A.do_record_mediation(
            self.case,
            self.cast.mediator,
            kind=RecordKind.SESSION,
            held_at=held,
            place="调解室",
            subject="双方当事人",
            content="告知当事人权利义务，双方陈述事实，调解员释法说理，提出调解方案。",
            result="双方同意协商解决",
            at=held,
        )

    def _pause(self) -> None:
        A.do_pause_mediation(self.case, self.cast.mediator, reason="等待伤情鉴定结论", at=self.tick())

    def _terminate(self) -> None:
        A.do_terminate_mediation(
            self.case,
            self.cast.mediator,
            reason=TerminationReason.NO_PROSPECT,
            note="双方分歧较大，经多次调解无法达成一致",
            routes=[Route.LITIGATION, Route.ARBITRATION],
            at=self.tick(),
        )

    def _terms(self, deferred: bool) -> list[A.TermData]:
        parties = list(self.case.parties.all())
        obligee, obligor = parties[0], parties[1]
        amount = (self.case.amount_involved or Decimal("0")) or Decimal(self.rng.choice([500, 1200, 3000, 8000]))
        deadline = local_date(self.at + timedelta(days=self.rng.randint(20, 90))) if deferred else local_date(self.at)
        instalments = []
        if deferred and self.rng.random() < 0.5:
            half = (amount / 2).quantize(Decimal("0.01"))
            instalments = [(local_date(self.at + timedelta(days=10)), half), (deadline, amount - half)]
        return [
            A.TermData(
                obligor=obligor,
                obligee=obligee,
                content=f"{obligor.name}向{obligee.name}支付补偿款",
                amount=amount,
                manner="银行转账",
                place="调委会",
                deadline=deadline,
                instalments=instalments,
            )
        ]

    def _written(self, deferred: bool) -> None:
        # Tick before building the terms: an immediate deadline is "today" at the moment of the action.
        actor, at = self.cast.mediator, self.tick(1, 24)
        A.do_draft_agreement(
            self.case,
            actor,
            facts=self.case.brief_facts,
            responsibilities="双方各自承担相应责任",
            terms=self._terms(deferred),
            at=at,
        )
        for party in self.case.parties.all():
            A.do_sign_agreement(self.case, actor, party=party, method=SignatureMethod.FINGERPRINT, at=self.tick(0, 1))
        A.do_sign_agreement(self.case, actor, party=None, method=SignatureMethod.HANDWRITTEN, at=self.tick(0, 1))
        A.do_seal_agreement(self.case, self.cast.director, at=self.tick(0, 2))

    def _written_now(self) -> None:
        self._written(deferred=False)

    def _written_deferred(self) -> None:
        self._written(deferred=True)

    def _agreement(self) -> None:
        if self.rng.random() < self.oral_share:
            at = self.tick(1, 24)
            A.do_record_oral_agreement(
                self.case,
                self.cast.mediator,
                facts=self.case.brief_facts,
                terms=self._terms(False),
                oral_reason="双方当场履行，认为无需书面协议",
                at=at,
            )
        else:
            self._written_now()

    def _perform(self) -> None:
        self.case.refresh_from_db()
        if self.case.status == CaseStatus.AGREEMENT_REACHED:
            A.do_record_immediate_performance(
                self.case, self.cast.mediator, on=self.at.date(), note="当场支付，收条附卷", at=self.tick(0, 2)
            )

    def _non_performance(self) -> None:
        A.do_record_follow_up(
            self.case,
            self.cast.mediator,
            party=self.case.parties.first(),
            visited_on=self.tick(240, 480).date(),
            outcome=FollowUpOutcome.NOT_PERFORMED,
            satisfaction=Satisfaction.NEUTRAL,
            notes="义务人未按期支付",
            at=self.at,
        )
        A.do_report_non_performance(
            self.case, self.cast.mediator, partial=False, note="到期未支付补偿款", at=self.tick(1, 24)
        )

    def _remediate(self) -> None:
        A.do_start_remediation(
            self.case,
            self.cast.mediator,
            reason="双方对协议履行方式产生新争议",
            revoke=False,
            consenting_parties=list(self.case.parties.all()),
            at=self.tick(),
        )

    def _close(self) -> None:
        A.do_record_follow_up(
            self.case,
            self.cast.mediator,
            party=self.case.parties.first(),
            visited_on=self.tick(24, 240).date(),
            outcome=FollowUpOutcome.PERFORMED,
            satisfaction=self.rng.choice([Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED]),
            notes="协议已履行，当事人关系缓和",
            at=self.at,
        )
        summary, prevention = "协议已履行完毕，结案", self.prevention()
        A.do_close_case(self.case, self.cast.mediator, summary=summary, prevention=prevention, at=self.tick(1, 48))

    def _merge(self) -> None:
        """The same dispute registered again (a 110 hand-over after the walk-in): the earlier registration, already
        accepted, goes on; this one is merged into it (cases.actions.joint.do_merge_case)."""
        from cases.actions.joint import do_merge_case

        twin = A.do_register_case(
            self.cast.mediator,
            self.case.committee,
            same_dispute(self.case),
            at=(twin_at := self.case.registered_at - timedelta(days=self.rng.randint(1, 3))),
            entered_at=twin_at,
        )
        A.do_accept_case(twin, self.cast.director, at=self.tick(0.5, 4))
        do_merge_case(self.case, twin, self.cast.director, reason="同一纠纷重复登记", at=self.tick(0.5, 8))

    def prevention(self) -> dict[str, int]:
        """The MoJ prevention indicators recorded at closing (none by default; the demo city varies them)."""
        return {}

    def _archive(self) -> None:
        A.do_archive_case(
            self.case,
            self.cast.mediator,
            retention_class=RetentionClass.Y10,
            pages=self.rng.randint(8, 30),
            at=self.tick(24, 240),
        )
