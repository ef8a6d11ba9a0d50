"""A small fixed dataset for the statistics tests, built through the actions (make_case / Walker with `at=`).

March 2026 (hand-computed expectations in EXPECTED_MARCH_CITY); committees: A = 桂花村 VILLAGE 421202001001,
C = 城关村 VILLAGE 421221100001 (嘉鱼县), T = 温泉街道 SUBDISTRICT 421202001. Amounts in 元.

c1  A registered 03-02, CLOSED, NEIGHBOR, ON_APPLICATION, 3000, 2 parties: success, written, rated 5
c2  A 03-03 TERMINATED, LABOR_MIGRANT_WAGES, PROACTIVE, 12000: difficult; prevented 民转刑 for 3 persons
c3  A 03-04 PERFORMING, CONSUMER_ECOMMERCE, REFERRED_COURT, 500.50: success, written
c4  A 03-05 NOT_ACCEPTED (received only);  c5 A 03-06 INTAKE (received only)
c6  A registered 02-27, accepted 03-01, ACCEPTED, OTHER, 0: received in February; overdue by 04-15
c7  A 03-07 PERFORMED, HOUSING_HOMESTEAD, 800: success, oral agreement
c8  A 01-05 CLOSED (January; rated 3 in April);  c9 A 03-09 TRANSFERRED_OUT (counted nowhere)
c10 C 03-02 AGREEMENT_REACHED, ROAD_TRAFFIC, REFERRED_POLICE, 20000, 3 parties: success; 械斗 prevented, 12 persons
c11 C 03-03 IN_MEDIATION, MARRIAGE_FAMILY, 0: prevented 民转刑 for 2 persons; overdue by 04-15
c12 T 03-03 CLOSED, DAMAGE_COMPENSATION, 5000: success, written, rated 4, difficult
c13 A 2025-03-10 CLOSED, NEIGHBOR: last year's March
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from accounts.models import Role
from cases import actions as A
from cases.enums import CaseSource, CaseStatus, CourtReferralType, DisputeType, PartySide
from cases.models import Case
from demo.scenarios import Cast, Walker
from registry.models import Mediator, MediatorCategory, MediatorRole
from tests.world import TZ, World, _mediator_user, applicant_id, case_data

TODAY = date(2026, 4, 15)


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=TZ)


@dataclass
class Dataset:
    world: World
    cases: dict[str, Case]


def _case(world, committee, cast: Cast, status, when, *, seed=0, oral=0.0, **overrides) -> Case:
    party_user = overrides.pop("party_user", world.party_user)
    case = A.do_register_case(cast.mediator, committee, case_data(party_user, **overrides), at=when)
    return Walker(case, cast, when, random.Random(seed), oral_share=oral).walk(status)


def build_dataset(world: World) -> Dataset:
    town_director = _mediator_user("director_t", world.township, "街主任", Role.DIRECTOR, MediatorRole.DIRECTOR, "M")
    Mediator.objects.filter(user=town_director).update(category=MediatorCategory.FULL_TIME)
    a = world.cast_a()
    c = Cast(director=world.director_c, mediator=world.mediator_c)
    t = Cast(director=town_director, mediator=town_director)
    S = CaseStatus
    cases: dict[str, Case] = {}
    cases["c1"] = _case(world, world.village_a, a, S.CLOSED, at(2026, 3, 2), seed=1, amount_involved=Decimal("3000"))
    cases["c2"] = _case(
        world,
        world.village_a,
        a,
        S.TERMINATED,
        at(2026, 3, 3),
        seed=2,
        amount_involved=Decimal("12000"),
        dispute_type=DisputeType.LABOR_MIGRANT_WAGES,
        source=CaseSource.PROACTIVE,
        is_difficult=True,
    )
    cases["c3"] = _case(
        world,
        world.village_a,
        a,
        S.PERFORMING,
        at(2026, 3, 4),
        seed=3,
        amount_involved=Decimal("500.50"),
        dispute_type=DisputeType.CONSUMER_ECOMMERCE,
        source=CaseSource.REFERRED_COURT,
        court=world.court,
        court_mode=CourtReferralType.WEIPAI,
    )
    cases["c4"] = _case(world, world.village_a, a, S.NOT_ACCEPTED, at(2026, 3, 5), seed=4)
    cases["c5"] = _case(world, world.village_a, a, S.INTAKE, at(2026, 3, 6), seed=5)
    c6 = _case(
        world,
        world.village_a,
        a,
        S.INTAKE,
        at(2026, 2, 27),
        seed=6,
        amount_involved=Decimal("0"),
        dispute_type=DisputeType.OTHER,
    )
    cases["c6"] = A.do_accept_case(c6, world.director_a, at=at(2026, 3, 1, 10))
    cases["c7"] = _case(
        world,
        world.village_a,
        a,
        S.PERFORMED,
        at(2026, 3, 7),
        seed=7,
        oral=1.0,
        amount_involved=Decimal("800"),
        dispute_type=DisputeType.HOUSING_HOMESTEAD,
    )
    cases["c8"] = _case(world, world.village_a, a, S.CLOSED, at(2026, 1, 5), seed=8)
    cases["c9"] = _case(world, world.village_a, a, S.TRANSFERRED_OUT, at(2026, 3, 9), seed=9)
    three = case_data(world.party_user).parties + [
        A.PartyData(side=PartySide.RESPONDENT, name="王五", id_number=applicant_id(3), phone="13900000003")
    ]
    cases["c10"] = _case(
        world,
        world.village_c,
        c,
        S.AGREEMENT_REACHED,
        at(2026, 3, 2),
        seed=10,
        amount_involved=Decimal("20000"),
        dispute_type=DisputeType.ROAD_TRAFFIC,
        source=CaseSource.REFERRED_POLICE,
        referral_body="嘉鱼县公安局",
        parties=three,
    )
    cases["c11"] = _case(
        world,
        world.village_c,
        c,
        S.IN_MEDIATION,
        at(2026, 3, 3),
        seed=11,
        amount_involved=Decimal("0"),
        dispute_type=DisputeType.MARRIAGE_FAMILY,
    )
    cases["c12"] = _case(
        world,
        world.township,
        t,
        S.CLOSED,
        at(2026, 3, 3),
        seed=12,
        amount_involved=Decimal("5000"),
        dispute_type=DisputeType.DAMAGE_COMPENSATION,
        is_difficult=True,
    )
    cases["c13"] = _case(world, world.village_a, a, S.CLOSED, at(2025, 3, 10), seed=13)
    # No action records the prevention indicators yet (the case owner's form will): the fixture sets the fields.
    Case.objects.filter(pk=cases["c2"].pk).update(prevented_criminal_persons=3)
    Case.objects.filter(pk=cases["c11"].pk).update(prevented_criminal_persons=2)
    Case.objects.filter(pk=cases["c10"].pk).update(prevented_group_fight_persons=12)
    for key, score, when in (("c1", 5, None), ("c12", 4, None), ("c8", 3, at(2026, 4, 2))):
        case = Case.objects.get(pk=cases[key].pk)
        party = case.parties.get(user=world.party_user)
        A.do_rate_service(
            case, world.party_user, party=party, score=score, at=when or case.closed_at + timedelta(hours=1)
        )
    for key, case in cases.items():
        cases[key] = Case.objects.get(pk=case.pk)
    return Dataset(world, cases)


# Hand-computed figures of March 2026 for the whole city (4212), by the definitions of
# data/statistics_definitions.json (issue 9 §4): a case counts in the month its mediation ended (agreement effective
# or termination); cases still being mediated at the month's end are 在办, apart.
EXPECTED_MARCH_CITY = {
    "received": 9,  # c1 c2 c3 c4 c5 c7 c10 c11 c12
    "accepted": 8,  # c1 c2 c3 c6 c7 c10 c11 c12
    "cases": 6,  # ended in March: c1 c2 c3 c7 c10 c12
    "success": 5,  # c1 c3 c7 c10 c12
    "terminated": 1,  # c2
    "open": 2,  # c6 c11: accepted in March, still being mediated
    "difficult": 2,  # c2 c12
    "parties": 13,  # 5 cases × 2 + c10 × 3
    "amount": Decimal("41300.50"),  # c6 and c11 have no amount
    "rate": Decimal("83.3"),  # 5 ÷ (5 + 1)
    "overdue": 2,  # c6 c11 (clock running, due early April; today 04-15)
}
