"""The role × jurisdiction matrix of every screening page and action (issue 12, "A role × jurisdiction matrix for
every new page and action"): every URL of screening/urls.py × every persona of `sworld.personas()` (and an
anonymous visitor) × an object inside village A (桂花村, 温泉街道, 咸安区) and one in village C (城关村, 鱼岳镇,
嘉鱼县, another county).

The expected outcome of each cell is written out BY HAND in the table below from TEAM.md's role gates and the
rules of screening/scoping.py and screening/permissions.py (the permission functions are never called here).
A POST cell is checked against the database too: "done" means the action's record changed, "refused" that nothing
changed. Each cell runs in its own savepoint, rolled back afterwards, so every cell starts from the same world.

Codes (two per persona: the village-A object, then the village-C one):
  2  200 (the page)                      3  a redirect that is not to the login page
  4  404 (outside jurisdiction or role not allowed; never 403), nothing changed
  D  done: the action's record changed (a redirect or a 200)
  R  refused: nothing changed, 200 / 302 / 400 with the reason shown (never 403, never 500)
  X  404 or refused (either is honest; nothing changed)
  L  anonymous: redirect to the login page, nothing changed
  -  not applicable (a page without an object or an area has no village-C column)

For pages without an object, the village-C column asks about 鱼岳镇 (?area=421221100); the village-A column is the
page without an area (the user's own).
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import actions as CA
from screening.enums import FormPeriod, FormStatus, ReportStatus
from screening.models import (
    EscalationHop,
    Finding,
    RiskAssessment,
    RiskEvent,
    RiskMeeting,
    ScreeningCampaign,
    ScreeningForm,
    ScreeningPolicy,
    ScreeningReport,
    SpecialPeriod,
)
from tests.screening.factories import make_finding, make_hop, make_report, make_risk
from tests.world import case_data, make_case

pytestmark = pytest.mark.django_db

# The personas, in the table's column order (the abbreviations are the table's header).
COLUMNS = [
    ("director_a", "dA"),
    ("mediator_a", "mA"),
    ("mediator_a2", "mA2"),
    ("mediator_b", "mB"),
    ("director_b", "dB"),
    ("director_t", "dT"),
    ("mediator_c", "mC"),
    ("director_c", "dC"),
    ("sfs_officer", "sfs"),
    ("county_admin", "cty"),
    ("other_county_admin", "octy"),
    ("city_admin", "city"),
    ("gov_officer", "gov"),
    ("other_gov_officer", "ogov"),
    ("police_liaison", "pol"),
    ("court_liaison", "crt"),
    ("party_user", "pty"),
    ("outsider", "out"),
    ("anonymous", "anon"),
]

# fmt: off
# Who is who: dA mA mA2 = 桂花村 (village A) committee; mB dB = 柏墩村 (same township, another village);
# dT = director of 温泉街道人民调解委员会 (the township's own committee, a TOWNSHIP-rung recipient);
# mC dC = 城关村 (village C, 嘉鱼县); sfs = 温泉司法所; cty = 咸安区司法局; octy = 嘉鱼县司法局; city = 咸宁市司法局;
# gov = 温泉街道综治中心; ogov = 鱼岳镇综治中心; pol = 温泉派出所 liaison (risk A has a POLICE hop to it);
# crt = court liaison; pty, out = parties.
# ?area= in the village-C column: committee members and the police have no area selector, so the board and the
# breakdown ignore it and show their own (200); the meetings list has no selector at all (the user's own area, 200).
#
#                       dA mA mA2 mB dB dT mC dC sfs cty octy city gov ogov pol crt pty out anon
TABLE = """
home                    2- 2- 2-  2- 2- 2- 2- 2- 3-  3-  3-   3-   4-  4-   4-  4-  4-  4-  L-
report                  24 24 24  44 44 44 42 42 24  24  42   22   24  42   44  44  44  44  LL
report_zero             D4 D4 D4  44 44 44 4D 4D 44  44  44   44   44  44   44  44  44  44  LL
report_submit           D4 D4 D4  44 44 44 4D 4D 44  44  44   44   44  44   44  44  44  44  LL
report_correct          D4 D4 D4  44 44 44 4D 4D 44  44  44   44   44  44   44  44  44  44  LL
finding_new             24 24 24  44 44 44 42 42 44  44  44   44   44  44   44  44  44  44  LL
finding_new_post        D4 D4 D4  44 44 44 4D 4D 44  44  44   44   44  44   44  44  44  44  LL
finding                 24 24 24  44 44 44 42 42 24  24  42   22   24  42   44  44  44  44  LL
finding_to_case         24 24 24  44 44 44 42 42 44  44  44   44   44  44   44  44  44  44  LL
finding_to_case_post    R4 R4 R4  44 44 44 4R 4R 44  44  44   44   44  44   44  44  44  44  LL
finding_resolve         D4 D4 D4  44 44 44 4D 4D 44  44  44   44   44  44   44  44  44  44  LL
policies                4- 4- 4-  4- 4- 4- 4- 4- 24  24  22   22   44  44   44  44  44  44  LL
policy_new              4- 4- 4-  4- 4- 4- 4- 4- 4-  2-  2-   2-   4-  4-   4-  4-  4-  4-  L-
policy_new_post         44 44 44  44 44 44 44 44 44  D4  4D   DD   44  44   44  44  44  44  LL
special_new             4- 4- 4-  4- 4- 4- 4- 4- 4-  2-  2-   2-   4-  4-   4-  4-  4-  4-  L-
special_new_post        44 44 44  44 44 44 44 44 44  D4  4D   DD   44  44   44  44  44  44  LL
special_cancel          44 44 44  44 44 44 44 44 44  D4  4D   DD   44  44   44  44  44  44  LL
campaigns               4- 4- 4-  4- 4- 4- 4- 4- 24  24  22   22   44  44   44  44  44  44  LL
campaign_new            4- 4- 4-  4- 4- 4- 4- 4- 4-  2-  2-   2-   4-  4-   4-  4-  4-  4-  L-
campaign_new_post       44 44 44  44 44 44 44 44 44  DR  RD   DD   44  44   44  44  44  44  LL
campaign                44 44 44  44 44 44 44 44 24  24  42   22   44  44   44  44  44  44  LL
campaign_close          44 44 44  44 44 44 44 44 44  D4  4D   DD   44  44   44  44  44  44  LL
compliance              4- 4- 4-  4- 4- 4- 4- 4- 24  24  22   22   44  44   44  44  44  44  LL
risk                    24 24 24  44 44 24 42 42 24  24  42   22   24  42   24  44  44  44  LL
risk_new_case           24 24 24  44 44 44 42 42 24  24  42   22   44  44   44  44  44  44  LL
risk_new_case_post      D4 D4 D4  44 44 44 4D 4D D4  D4  4D   DD   44  44   44  44  44  44  LL
risk_new_finding        24 24 24  44 44 44 42 42 24  24  42   22   44  44   44  44  44  44  LL
risk_new_finding_post   D4 D4 D4  44 44 44 4D 4D D4  D4  4D   DD   44  44   44  44  44  44  LL
risk_raise              D4 D4 D4  44 44 44 4D 4D D4  D4  4D   DD   D4  4D   44  44  44  44  LL
risk_lower              D4 R4 R4  44 44 44 4R 4D D4  D4  4D   DD   D4  4D   44  44  44  44  LL
risk_update             D4 44 44  44 44 44 44 4D D4  D4  4D   DD   D4  4D   44  44  44  44  LL
risk_instruct           D4 44 44  44 44 44 44 4D D4  D4  4D   DD   D4  4D   44  44  44  44  LL
risk_review             D4 44 44  44 44 44 44 4D D4  D4  4D   DD   D4  4D   44  44  44  44  LL
risk_resolve            D4 44 44  44 44 44 44 4D D4  D4  4D   DD   D4  4D   44  44  44  44  LL
hop_acknowledge         44 44 44  44 44 D4 44 44 D4  D4  4D   DD   44  44   44  44  44  44  LL
hop_acknowledge_police  44 44 44  44 44 44 44 44 44  44  44   44   44  44   D4  44  44  44  LL
risks                   22 22 22  22 22 22 22 22 24  24  22   22   24  22   22  44  44  44  LL
risk_areas              22 22 22  22 22 22 22 22 24  24  22   22   24  22   22  44  44  44  LL
meetings                44 44 44  44 44 44 44 44 22  22  22   22   22  22   44  44  44  44  LL
meeting_new             4- 4- 4-  4- 4- 4- 4- 4- 2-  2-  2-   2-   2-  2-   4-  4-  4-  4-  L-
meeting_new_post        44 44 44  44 44 44 44 44 DR  DR  RD   DD   DR  RD   44  44  44  44  LL
meeting                 44 44 44  44 44 44 44 44 24  24  42   22   24  42   44  44  44  44  LL
forms                   4- 4- 4-  4- 4- 4- 4- 4- 24  24  22   22   44  44   44  44  44  44  LL
form_new                4- 4- 4-  4- 4- 4- 4- 4- 2-  2-  2-   2-   4-  4-   4-  4-  4-  4-  L-
form_new_post           44 44 44  44 44 44 44 44 D4  D4  4D   DD   44  44   44  44  44  44  LL
form                    44 44 44  44 44 44 44 44 24  24  42   22   44  44   44  44  44  44  LL
form_submit             44 44 44  44 44 44 44 44 D4  D4  4D   DD   44  44   44  44  44  44  LL
form_correct            44 44 44  44 44 44 44 44 D4  D4  4D   DD   44  44   44  44  44  44  LL
form_xlsx               44 44 44  44 44 44 44 44 24  24  42   22   44  44   44  44  44  44  LL
form_pdf                44 44 44  44 44 44 44 44 24  24  42   22   44  44   44  44  44  44  LL
"""
# fmt: on

# Cells where TEAM.md and the code disagree (expected = what TEAM.md means; the lead decides). A mismatch here is
# reported, not failed; a cell that starts to match is reported too, so the note can go.
DISAGREE: dict[tuple[str, str, str], str] = {}
# Resolved while the pages were written: TEAM.md's TOWNSHIP rung reaches the directors of the township's own
# committee (dT), whom scoping.risks_visible_to does not let see the risk; views_risk lets a hop's recipients open
# the risk and acknowledge (dT: risk 200, hop D). The board still lists only dT's own committee's risks (TEAM.md).
# h-risk answers 404 (not a refusal) to anyone who may not take a risk action at all; a mediator may raise but
# not lower (the level form refuses it: R); a risk's 复核 is the owner's, the director's and the area roles'.


def parse_table() -> dict[str, dict[str, tuple[str, str]]]:
    rows: dict[str, dict[str, tuple[str, str]]] = {}
    for line in TABLE.strip().splitlines():
        name, *cells = line.split()
        assert len(cells) == len(COLUMNS), f"{name}: {len(cells)} cells for {len(COLUMNS)} personas"
        assert all(len(c) == 2 and set(c) <= set("234DRXL-") for c in cells), name
        rows[name] = {persona: (c[0], c[1]) for (persona, _), c in zip(COLUMNS, cells, strict=True)}
    return rows


EXPECTED = parse_table()

A_AREA, C_AREA = "421202001", "421221100"


# ---------------------------------------------------------------------------------------------------------------
# The world: one set of objects in village A and one in village C.


@dataclass
class Side:
    report: ScreeningReport  # open, no findings (zero report, new finding)
    report_f: ScreeningReport  # open, with a finding (submit)
    report_s: ScreeningReport  # submitted (correct)
    finding: Finding
    risk: RiskAssessment  # ORANGE, open, owner = the committee's director
    hop: EscalationHop  # TOWNSHIP rung, pending
    police_hop: EscalationHop  # POLICE rung, pending
    case: object
    meeting: RiskMeeting
    campaign: ScreeningCampaign
    special: SpecialPeriod
    form: ScreeningForm  # draft
    form_s: ScreeningForm  # submitted
    division_township: str
    division_county: str


@dataclass
class MWorld:
    s: object
    people: dict
    A: Side
    C: Side
    extra: dict = field(default_factory=dict)

    def side(self, name: str) -> Side:
        return self.A if name == "A" else self.C


def _build_side(sw, committee, director, mediator, township: str, county: str, police, tw_recipients) -> Side:
    from registry.models import Division

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    report = make_report(committee, monday, monday + timedelta(days=6))
    report_f = make_report(committee, monday - timedelta(days=7), monday - timedelta(days=1))
    report_s = make_report(
        committee,
        monday - timedelta(days=14),
        monday - timedelta(days=8),
        status=ReportStatus.SUBMITTED,
        submitted_by=mediator,
        is_zero=True,
        snapshot=[],
    )
    finding = make_finding(committee, by=mediator, report=report_f, found_on=monday - timedelta(days=5))
    now = timezone.now()
    risk = make_risk(committee, by=mediator, finding=finding, owner=director, created=now - timedelta(minutes=5))
    hop = make_hop(risk, recipients=tw_recipients, pushed=now - timedelta(minutes=5), minutes=60)
    police_hop = make_hop(
        risk,
        seq=2,
        step="POLICE",
        recipients=[sw.police_liaison] if police == sw.police else [],
        institution=police,
        pushed=now - timedelta(minutes=5),
        minutes=60,
    )
    if committee == sw.w.village_a:
        case = make_case(sw.w, at=now - timedelta(days=2))
    else:
        case = CA.do_register_case(mediator, committee, case_data(None), at=now - timedelta(days=2))
    county_user = sw.w.county_admin if county == "421202" else sw.w.other_county_admin
    meeting = RiskMeeting.objects.create(
        division=Division.objects.get(code=township),
        held_on=today - timedelta(days=1),
        title="第49周矛盾纠纷研判会",
        chair="张所长",
        attendees="司法所、派出所、综治中心",
        minutes="研判本周排查发现的纠纷，逐件明确包案领导和稳控措施。",
        created_by=county_user,
    )
    meeting.risks.add(risk)
    campaign = ScreeningCampaign.objects.create(
        division=Division.objects.get(code=county),
        theme="岁末年初矛盾纠纷专项排查",
        description="重点排查婚姻家庭、邻里、劳动争议纠纷。",
        area_codes=[],
        start=today - timedelta(days=3),
        end=today + timedelta(days=30),
        created_by=county_user,
    )
    special = SpecialPeriod.objects.create(
        division=Division.objects.get(code=county),
        name="元旦",
        start=today + timedelta(days=20),
        end=today + timedelta(days=25),
        unit_levels=[],
        created_by=county_user,
    )
    quarter_start = date(today.year, 1 + 3 * ((today.month - 1) // 3), 1)
    prev_q = date(quarter_start.year - (quarter_start.month == 1), (quarter_start.month - 4) % 12 + 1, 1)
    form = ScreeningForm.objects.create(
        division=Division.objects.get(code=township),
        period_kind=FormPeriod.QUARTER,
        period_start=quarter_start,
        period_end=date(quarter_start.year + (quarter_start.month == 10), (quarter_start.month + 2) % 12 + 1, 1)
        - timedelta(days=1),
        reporting_unit="司法所",
        created_by=county_user,
    )
    form_s = ScreeningForm.objects.create(
        division=Division.objects.get(code=township),
        period_kind=FormPeriod.QUARTER,
        period_start=prev_q,
        period_end=quarter_start - timedelta(days=1),
        reporting_unit="司法所",
        status=FormStatus.SUBMITTED,
        signer="张所长",
        preparer="李干事",
        data={},
        submitted_at=now - timedelta(days=3),
        submitted_by=county_user,
        created_by=county_user,
    )
    return Side(
        report=report,
        report_f=report_f,
        report_s=report_s,
        finding=finding,
        risk=risk,
        hop=hop,
        police_hop=police_hop,
        case=case,
        meeting=meeting,
        campaign=campaign,
        special=special,
        form=form,
        form_s=form_s,
        division_township=township,
        division_county=county,
    )


@pytest.fixture
def mworld(sworld) -> MWorld:
    from referrals.enums import Channel
    from referrals.models import Institution
    from registry.models import Division

    w = sworld.w
    other_police = Institution.objects.create(
        kind=Channel.POLICE,
        name="嘉鱼县公安局鱼岳派出所",
        code="police-yuyue",
        division=Division.objects.get(code=C_AREA),
    )
    a = _build_side(
        sworld,
        w.village_a,
        w.director_a,
        w.mediator_a,
        A_AREA,
        "421202",
        sworld.police,
        [w.sfs_officer, sworld.director_t],
    )
    c = _build_side(sworld, w.village_c, w.director_c, w.mediator_c, C_AREA, "421221", other_police, [])
    return MWorld(s=sworld, people=sworld.personas(), A=a, C=c)


# ---------------------------------------------------------------------------------------------------------------
# The URLs: how to reach each cell, what to post, and what "changed" means.


@dataclass
class Target:
    url: str  # the URL name in screening/urls.py
    method: str = "GET"
    obj: str | None = None  # the Side attribute whose pk is the URL's argument
    area: bool = False  # a page without an object that takes ?area=
    data: Callable[[MWorld, str], dict] | None = None
    probe: Callable[[MWorld, str], object] | None = None  # the state a POST changes


def _r(m, side):
    return m.side(side)


def _report_state(attr: str):
    def probe(m: MWorld, side: str):
        r = ScreeningReport.objects.get(pk=getattr(_r(m, side), attr).pk)
        return (r.status, r.is_zero, ScreeningReport.objects.filter(committee=r.committee).count())

    return probe


def _finding_state(m: MWorld, side: str):
    f = Finding.objects.get(pk=_r(m, side).finding.pk)
    return (f.status, f.case_id, f.resolution_note)


def _risk_state(m: MWorld, side: str):
    r = RiskAssessment.objects.get(pk=_r(m, side).risk.pk)
    return (r.level, r.status, r.measures, r.review_on, RiskEvent.objects.filter(risk=r).count())


def _hop_state(attr: str):
    def probe(m: MWorld, side: str):
        h = EscalationHop.objects.get(pk=getattr(_r(m, side), attr).pk)
        return (h.status, h.acknowledged_by_id)

    return probe


def _count(model, **filters):
    def probe(m: MWorld, side: str):
        return model.objects.filter(**filters).count()

    return probe


def _risk_count(m: MWorld, side: str):
    return RiskAssessment.objects.count()


def _form_state(attr: str):
    def probe(m: MWorld, side: str):
        f = ScreeningForm.objects.get(pk=getattr(_r(m, side), attr).pk)
        return (f.status, ScreeningForm.objects.count())

    return probe


def _campaign_state(m, side):
    return ScreeningCampaign.objects.get(pk=_r(m, side).campaign.pk).closed_at


def _special_state(m, side):
    s = SpecialPeriod.objects.get(pk=_r(m, side).special.pk)
    return (s.cancelled_at, s.end)


def _day(d: int) -> str:
    return (timezone.localdate() + timedelta(days=d)).isoformat()


FINDING_DATA = {
    "place": "桂花村三组张家门前",
    "parties": "张某与李某两户",
    "headcount": "4",
    "dispute_type": "NEIGHBOR",
    "facts": "两户因排水沟堵塞发生争执，双方情绪激动。",
    "risk_signs": "一方扬言报复",
    "measures": "调解员已上门劝导",
    "found_on": "",  # today, set per cell
}


def _area_for(side: str, m: MWorld, level: str = "county") -> str:
    s = m.side(side)
    return s.division_county if level == "county" else s.division_township


TARGETS = {
    "home": Target("home"),
    "report": Target("report", obj="report"),
    "report_zero": Target("report_zero", "POST", "report", data=lambda m, s: {}, probe=_report_state("report")),
    "report_submit": Target(
        "report_submit",
        "POST",
        "report_f",
        data=lambda m, s: {"participants": "王主任、李调解", "method": "走访入户", "note": "本期发现纠纷一件"},
        probe=_report_state("report_f"),
    ),
    "report_correct": Target(
        "report_correct",
        "POST",
        "report_s",
        data=lambda m, s: {"reason": "漏报一件邻里纠纷，予以更正"},
        probe=_report_state("report_s"),
    ),
    "finding_new": Target("finding_new", obj="report"),
    "finding_new_post": Target(
        "finding_new",
        "POST",
        "report",
        data=lambda m, s: {**FINDING_DATA, "found_on": _day(0)},
        probe=lambda m, s: Finding.objects.filter(report=_r(m, s).report).count(),
    ),
    "finding": Target("finding", obj="finding"),
    "finding_to_case": Target("finding_to_case", obj="finding"),
    # An empty case form: the finding's unit gets the form back with the errors (the full registration is
    # tests/screening/test_findings.py's); everyone else a 404.
    "finding_to_case_post": Target("finding_to_case", "POST", "finding", data=lambda m, s: {}, probe=_finding_state),
    "finding_resolve": Target(
        "finding_resolve",
        "POST",
        "finding",
        data=lambda m, s: {"note": "经调解员上门劝导，双方已握手言和。"},
        probe=_finding_state,
    ),
    "policies": Target("policies", area=True),
    "policy_new": Target("policy_new"),
    "policy_new_post": Target(
        "policy_new",
        "POST",
        data=lambda m, s: {
            "area": _area_for(s, m),
            "unit_level": "5",
            "cadence": "WEEKLY",
            "due_offset_workdays": "1",
            "due_time": "18:00",
            "zero_report_required": "on",
            "effective_from": _day(10),
        },
        probe=_count(ScreeningPolicy),
    ),
    "special_new": Target("special_new"),
    "special_new_post": Target(
        "special_new",
        "POST",
        data=lambda m, s: {
            "area": _area_for(s, m),
            "name": "春节",
            "start": _day(60),
            "end": _day(66),
            "cadence": "DAILY",
        },
        probe=_count(SpecialPeriod),
    ),
    "special_cancel": Target("special_cancel", "POST", "special", data=lambda m, s: {}, probe=_special_state),
    "campaigns": Target("campaigns", area=True),
    "campaign_new": Target("campaign_new"),
    "campaign_new_post": Target(
        "campaign_new",
        "POST",
        data=lambda m, s: {
            "theme": "农村土地承包纠纷专项排查",
            "description": "全面排查土地承包、宅基地纠纷。",
            "area_codes": _area_for(s, m, "township"),
            "start": _day(1),
            "end": _day(30),
            "cadence": "WEEKLY",
        },
        probe=_count(ScreeningCampaign),
    ),
    "campaign": Target("campaign", obj="campaign"),
    "campaign_close": Target("campaign_close", "POST", "campaign", data=lambda m, s: {}, probe=_campaign_state),
    "compliance": Target("compliance", area=True),
    "risk": Target("risk", obj="risk"),
    "risk_new_case": Target("risk_new_case", obj="case"),
    "risk_new_case_post": Target(
        "risk_new_case",
        "POST",
        "case",
        data=lambda m, s: {
            "title": "排水沟纠纷可能激化",
            "flags": "CIVIL_TO_CRIMINAL",
            "level": "YELLOW",
            "reasons": "双方多次发生口角。",
            "headcount": "2",
        },
        probe=_risk_count,
    ),
    "risk_new_finding": Target("risk_new_finding", obj="finding"),
    "risk_new_finding_post": Target(
        "risk_new_finding",
        "POST",
        "finding",
        data=lambda m, s: {
            "title": "邻里纠纷可能激化",
            "flags": "CIVIL_TO_CRIMINAL",
            "level": "YELLOW",
            "reasons": "双方多次发生口角。",
            "headcount": "4",
        },
        probe=_risk_count,
    ),
    "risk_raise": Target(
        "risk_level",
        "POST",
        "risk",
        data=lambda m, s: {"level": "RED", "reason": "一方扬言持刀报复"},
        probe=_risk_state,
    ),
    "risk_lower": Target(
        "risk_level",
        "POST",
        "risk",
        data=lambda m, s: {"level": "YELLOW", "reason": "双方已达成谅解"},
        probe=_risk_state,
    ),
    "risk_update": Target(
        "risk_update",
        "POST",
        "risk",
        data=lambda m, s: {"measures": "每日上门走访，专人盯守", "reason": "加强稳控措施", "review_on": _day(3)},
        probe=_risk_state,
    ),
    "risk_instruct": Target(
        "risk_instruct", "POST", "risk", data=lambda m, s: {"text": "请包案领导今日到场处置。"}, probe=_risk_state
    ),
    "risk_review": Target(
        "risk_review",
        "POST",
        "risk",
        data=lambda m, s: {"note": "双方情绪平稳，继续关注。", "next_review_on": _day(7)},
        probe=_risk_state,
    ),
    "risk_resolve": Target(
        "risk_resolve",
        "POST",
        "risk",
        data=lambda m, s: {"outcome": "RESOLVED", "note": "双方达成和解协议。"},
        probe=_risk_state,
    ),
    "hop_acknowledge": Target(
        "hop_acknowledge", "POST", "hop", data=lambda m, s: {"note": "已收到，马上到场"}, probe=_hop_state("hop")
    ),
    "hop_acknowledge_police": Target(
        "hop_acknowledge",
        "POST",
        "police_hop",
        data=lambda m, s: {"note": "已派民警到场"},
        probe=_hop_state("police_hop"),
    ),
    "risks": Target("risks", area=True),
    "risk_areas": Target("risk_areas", area=True),
    "meetings": Target("meetings", area=True),
    "meeting_new": Target("meeting_new"),
    "meeting_new_post": Target(
        "meeting_new",
        "POST",
        data=lambda m, s: {
            "held_on": _day(0),
            "title": "第50周研判会",
            "chair": "张所长",
            "attendees": "司法所、派出所",
            "minutes": "逐件研判本周风险。",
            "risks": str(_r(m, s).risk.pk),
        },
        probe=_count(RiskMeeting),
    ),
    "meeting": Target("meeting", obj="meeting"),
    "forms": Target("forms", area=True),
    "form_new": Target("form_new"),
    "form_new_post": Target(
        "form_new",
        "POST",
        data=lambda m, s: {
            "area": _area_for(s, m, "township"),
            "period_kind": "MONTH",
            "period_year": str(timezone.localdate().year),
            "period_month": str(timezone.localdate().month),
            "reporting_unit": "司法所",
            "signer": "张所长",
            "preparer": "李干事",
        },
        probe=_count(ScreeningForm),
    ),
    "form": Target("form", obj="form"),
    "form_submit": Target(
        "form_submit",
        "POST",
        "form",
        data=lambda m, s: {"signer": "张所长", "preparer": "李干事"},
        probe=_form_state("form"),
    ),
    "form_correct": Target(
        "form_correct",
        "POST",
        "form_s",
        data=lambda m, s: {"reason": "补录一件排查发现的纠纷"},
        probe=_form_state("form_s"),
    ),
    "form_xlsx": Target("form_xlsx", obj="form"),
    "form_pdf": Target("form_pdf", obj="form"),
}


def test_table_covers_every_url():
    """Every URL name of screening/urls.py has at least one row, every row a target."""
    from screening.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    assert set(EXPECTED) == set(TARGETS)
    assert {t.url for t in TARGETS.values()} == names


# ---------------------------------------------------------------------------------------------------------------
# Running one cell.


def _url(m: MWorld, t: Target, side: str) -> str | None:
    if t.obj:
        return reverse(f"screening:{t.url}", args=[getattr(m.side(side), t.obj).pk])
    if t.method == "POST":  # a creation: the side is in the posted data
        return reverse(f"screening:{t.url}")
    if side == "C":
        return reverse(f"screening:{t.url}") + f"?area={C_AREA}" if t.area else None
    return reverse(f"screening:{t.url}")


def _outcome(code: str, resp, changed: bool | None) -> str | None:
    """None when the response matches the code, else what happened."""
    status = resp.status_code
    location = resp.get("Location", "") if status in (301, 302, 303) else ""
    to_login = "/accounts/login/" in location
    shown = f"{status}{' → ' + location if location else ''}{' (changed)' if changed else ''}"
    if status in (403, 500):
        return shown
    if code == "L":
        return None if to_login and not changed else shown
    if to_login:
        return shown
    if code == "2":
        return None if status == 200 and not changed else shown
    if code == "3":
        return None if status in (301, 302, 303) else shown
    if code == "4":
        return None if status == 404 and not changed else shown
    if code == "D":
        return None if changed and status in (200, 302, 303) else shown
    if code == "R":
        return None if not changed and status in (200, 302, 303, 400) else shown
    if code == "X":
        return None if not changed and status in (200, 302, 303, 400, 404) else shown
    raise AssertionError(code)


def _actual(resp, changed: bool | None, method: str) -> str:
    """The code a cell got (to write the table from what a page does: MATRIX_ACTUAL=<file>)."""
    status = resp.status_code
    if status in (301, 302, 303) and "/accounts/login/" in resp.get("Location", ""):
        return "L"
    if changed:
        return "D"
    if status == 404:
        return "4"
    if method == "POST" and status in (200, 302, 303, 400):
        return "R"
    return {200: "2", 301: "3", 302: "3", 303: "3"}.get(status, "?")


def run_row(mworld: MWorld, row: str) -> tuple[int, list[str], list[str]]:
    t = TARGETS[row]
    cells, failures, known = 0, [], []
    actual: list[str] = []
    for persona, _abbr in COLUMNS:
        got = ""
        for i, side in enumerate(("A", "C")):
            code = EXPECTED[row][persona][i]
            if code == "-":
                got += "-"
                continue
            url = _url(mworld, t, side)
            assert url is not None, (row, side)
            cells += 1
            with transaction.atomic():
                before = t.probe(mworld, side) if t.probe else None
                client = Client(raise_request_exception=True)
                if persona != "anonymous":
                    client.force_login(mworld.people[persona])
                data = t.data(mworld, side) if t.data else {}
                try:
                    resp = client.post(url, data) if t.method == "POST" else client.get(url)
                    changed = (t.probe(mworld, side) != before) if t.probe else None
                    problem = _outcome(code, resp, changed)
                    got += _actual(resp, changed, t.method)
                except Exception as exc:  # noqa: BLE001  (a crash is a cell's failure, reported with the others)
                    problem = f"exception {type(exc).__name__}: {exc}"
                    got += "!"
                transaction.set_rollback(True)
            key = (row, persona, side)
            if key in DISAGREE:
                known.append(
                    f"{row} {persona} {side}: expected {code}, " + (problem or "matches now") + f" [{DISAGREE[key]}]"
                )
            elif problem:
                failures.append(f"{row} {persona} {side} ({url}): expected {code}, got {problem}")
        actual.append(got)
    if os.environ.get("MATRIX_ACTUAL"):
        with open(os.environ["MATRIX_ACTUAL"], "a") as out:
            out.write(f"{row:<24}" + " ".join(actual) + "\n")
    return cells, failures, known


@pytest.mark.parametrize("row", list(TARGETS))
def test_matrix(mworld, row, record_property):
    cells, failures, known = run_row(mworld, row)
    record_property("cells", cells)
    for line in known:
        print("KNOWN", line)
    assert not failures, f"{len(failures)} of {cells} cells differ:\n" + "\n".join(failures)
