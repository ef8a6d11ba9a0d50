"""The screening tests' world (issue 12), shared READ-ONLY by every helper: the `sworld` fixture is tests/world.py's
Hubei world plus what screening needs, and the `make_*` factories write rows straight through the ORM (no actions),
so a page's tests do not depend on another slice's actions. Tests of an action call the action itself.

Extras over tests/world.py (湖北省 › 咸宁市 4212 › 咸安区 421202 › 温泉街道 421202001 › 桂花村 …001 (village_a),
柏墩村 …002 (village_b); 嘉鱼县 421221 › 鱼岳镇 › 城关村 (village_c)):
- director_t: director of 温泉街道人民调解委员会 (world.township, the township's own committee);
- gov_officer: GOVERNANCE_OFFICER of 温泉街道 (党委政府、综治中心); other_gov_officer: of 鱼岳镇 (another county);
- police: 咸宁市公安局咸安分局温泉派出所 (Institution kind POLICE at 温泉街道) and police_liaison;
- the statutory holidays of 2026 loaded (working-day due dates).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role, User
from cases.enums import DisputeType
from referrals.enums import Channel
from referrals.models import Institution
from registry.models import Committee, Division, DivisionLevel, Mediator, MediatorCategory, MediatorRole
from screening.enums import Cadence, FindingStatus, HopStatus, ReportStatus, RiskLevel, RiskStatus
from screening.models import (
    EscalationHop,
    Finding,
    RiskAssessment,
    ScreeningCampaign,
    ScreeningPolicy,
    ScreeningReport,
)
from tests.world import PASSWORD, World

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class SWorld:
    w: World
    director_t: User
    gov_officer: User
    other_gov_officer: User
    police: Institution
    police_liaison: User

    # Every persona of the role × jurisdiction matrices of screening, by name.
    def personas(self) -> dict[str, User]:
        people = self.w.personas()
        people.update(
            director_t=self.director_t,
            director_b=self.w.director_b,
            director_c=self.w.director_c,
            gov_officer=self.gov_officer,
            other_gov_officer=self.other_gov_officer,
            police_liaison=self.police_liaison,
        )
        return people


def _user(username: str, role: str, full_name: str, **kw) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, full_name=full_name, **kw)


def build_sworld(w: World) -> SWorld:
    director_t = _user("director_t", Role.DIRECTOR, "温主任", committee=w.township, phone="13900000071")
    Mediator.objects.create(
        committee=w.township,
        user=director_t,
        name="温主任",
        gender="M",
        role=MediatorRole.DIRECTOR,
        category=MediatorCategory.FULL_TIME,
    )
    wenquan = Division.objects.get(code="421202001")
    yuyue = Division.objects.get(code="421221100")
    police = Institution.objects.create(
        kind=Channel.POLICE, name="咸宁市公安局咸安分局温泉派出所", code="police-wenquan", division=wenquan
    )
    return SWorld(
        w=w,
        director_t=director_t,
        gov_officer=_user(
            "gov_officer", Role.GOVERNANCE_OFFICER, "温泉街道综治中心", division=wenquan, phone="13900000072"
        ),
        other_gov_officer=_user("other_gov_officer", Role.GOVERNANCE_OFFICER, "鱼岳镇综治中心", division=yuyue),
        police=police,
        police_liaison=_user(
            "police_liaison", Role.INSTITUTION_LIAISON, "温泉派出所值班民警", institution=police, phone="13900000073"
        ),
    )


@pytest.fixture
def sworld(world: World):
    from django.core.management import call_command

    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    yield build_sworld(world)
    calendar.clear_cache()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def make_policy(
    division: Division,
    unit_level: int = DivisionLevel.VILLAGE,
    cadence: str = Cadence.WEEKLY,
    *,
    effective_from: date = date(2026, 1, 1),
    offset: int = 1,
    by: User | None = None,
    **kw,
) -> ScreeningPolicy:
    by = by or User.objects.filter(role=Role.COUNTY_ADMIN).first()
    return ScreeningPolicy.objects.create(
        division=division,
        unit_level=unit_level,
        cadence=cadence,
        due_offset_workdays=offset,
        due_time=kw.pop("due_time", time(18, 0)),
        effective_from=effective_from,
        created_by=by,
        **kw,
    )


def make_report(
    committee: Committee,
    start: date,
    end: date,
    *,
    due: datetime | None = None,
    status: str = ReportStatus.PENDING,
    cadence: str = Cadence.WEEKLY,
    is_zero: bool = False,
    submitted_by: User | None = None,
    campaign: ScreeningCampaign | None = None,
    **kw,
) -> ScreeningReport:
    due = due or datetime.combine(end + timedelta(days=1), time(18, 0), tzinfo=TZ)
    submitted = status == ReportStatus.SUBMITTED
    return ScreeningReport.objects.create(
        committee=committee,
        division_code=committee.division_id,
        unit_level=Division.objects.get(code=committee.division_id).level,
        cadence=cadence,
        period_start=start,
        period_end=end,
        due_at=due,
        status=status,
        is_zero=is_zero,
        submitted_at=kw.pop("submitted_at", due - timedelta(hours=2) if submitted else None),
        submitted_by=submitted_by,
        campaign=campaign,
        **kw,
    )


def make_finding(
    committee: Committee,
    *,
    by: User,
    report: ScreeningReport | None = None,
    found_on: date = date(2026, 3, 3),
    headcount: int = 2,
    dispute_type: str = DisputeType.NEIGHBOR,
    status: str = FindingStatus.WATCHING,
    division_code: str | None = None,
    **kw,
) -> Finding:
    return Finding.objects.create(
        report=report,
        committee=committee,
        division_code=division_code or committee.division_id,
        found_on=found_on,
        place=kw.pop("place", "桂花村三组"),
        parties=kw.pop("parties", "张某与李某两户"),
        headcount=headcount,
        dispute_type=dispute_type,
        facts=kw.pop("facts", "两户因宅基地边界发生争执，双方情绪激动。"),
        status=status,
        created_by=by,
        **kw,
    )


def make_risk(
    committee: Committee,
    *,
    by: User,
    case=None,
    finding: Finding | None = None,
    level: str = RiskLevel.ORANGE,
    flags: list[str] | None = None,
    owner: User | None = None,
    created: datetime | None = None,
    status: str = RiskStatus.OPEN,
    **kw,
) -> RiskAssessment:
    if case is None and finding is None:
        finding = make_finding(committee, by=by)
    created = created or at(2026, 3, 3, 10)
    return RiskAssessment.objects.create(
        case=case,
        finding=finding,
        committee=committee,
        division_code=kw.pop("division_code", (case.division_code if case else finding.division_code)),
        title=kw.pop("title", "宅基地边界纠纷可能激化"),
        flags=flags or [],
        level=level,
        reasons=kw.pop("reasons", "双方多次发生口角，一方扬言报复。"),
        owner=owner,
        status=status,
        created_by=by,
        created_at=created,
        updated_at=created,
        headcount=kw.pop("headcount", 2),
        amount=kw.pop("amount", None),
        **kw,
    )


def make_hop(
    risk: RiskAssessment,
    *,
    seq: int = 1,
    step: str = "TOWNSHIP",
    recipients: list[User] = (),
    pushed: datetime | None = None,
    minutes: int = 15,
    status: str = HopStatus.PENDING,
    division_code: str | None = None,
    institution: Institution | None = None,
) -> EscalationHop:
    pushed = pushed or risk.created_at
    return EscalationHop.objects.create(
        risk=risk,
        seq=seq,
        step=step,
        label=kw_label(step),
        level=risk.level,
        division_code=division_code or risk.division_code[:9],
        institution=institution,
        recipient_ids=[u.pk for u in recipients],
        reason="逐级上报",
        pushed_at=pushed,
        ack_due_at=pushed + timedelta(minutes=minutes),
        status=status,
    )


def kw_label(step: str) -> str:
    return {
        "COMMITTEE": "桂花村人民调解委员会",
        "TOWNSHIP": "温泉街道调委会和司法所",
        "TOWNSHIP_GOV": "温泉街道党委政府（综治中心）",
        "COUNTY": "咸安区司法局",
        "POLICE": "咸宁市公安局咸安分局温泉派出所",
    }[step]
