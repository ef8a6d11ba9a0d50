"""The named test personas and their jurisdictions (STYLE.md): built through the real models and actions.

湖北省 42 › 咸宁市 4212 › 咸安区 421202 › 温泉街道 421202001 › 村 A 421202001001, 村 B 421202001002
                      › 嘉鱼县 421221 › 鱼岳镇 421221100 › 村 C 421221100001
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import Role, User
from cases import actions as A
from cases.enums import CaseSource, CaseStatus, DisputeType, PartySide
from cases.identity import make_valid_id_number
from cases.models import Case
from demo.scenarios import Cast, Walker
from registry.models import Committee, CommitteeType, Court, Division, Mediator, MediatorCategory, MediatorRole

TZ = ZoneInfo("Asia/Shanghai")
# The named personas of every role × jurisdiction matrix, in a stable order.
PERSONAS = (
    "director_a",
    "mediator_a",
    "mediator_a2",
    "mediator_b",
    "mediator_c",
    "sfs_officer",
    "county_admin",
    "other_county_admin",
    "city_admin",
    "court_liaison",
    "party_user",
    "outsider",
)
PASSWORD = "pass-for-tests-1"


def _div(code: str, name: str, level: int, parent: Division | None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent=parent)


@dataclass
class World:
    village_a: Committee
    village_b: Committee
    township: Committee
    village_c: Committee
    court: Court
    director_a: User
    mediator_a: User
    mediator_a2: User
    mediator_b: User
    mediator_c: User
    director_b: User
    director_c: User
    sfs_officer: User
    county_admin: User
    other_county_admin: User
    city_admin: User
    court_liaison: User
    party_user: User
    outsider: User

    def cast_a(self) -> Cast:
        return Cast(director=self.director_a, mediator=self.mediator_a)

    def personas(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in PERSONAS}


def _user(username: str, role: str, full_name: str, **kw) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, full_name=full_name, **kw)
    return user


def _mediator_user(
    username: str,
    committee: Committee,
    name: str,
    role: str = Role.MEDIATOR,
    mrole: str = MediatorRole.MEMBER,
    gender: str = "F",
) -> User:
    user = _user(username, role, name, committee=committee)
    Mediator.objects.create(
        committee=committee,
        user=user,
        name=name,
        gender=gender,
        role=mrole,
        category=MediatorCategory.PART_TIME,
        phone="13800000000",
    )
    return user


def build_world() -> World:
    hubei = _div("42", "湖北省", 1, None)
    city = _div("4212", "咸宁市", 2, hubei)
    xianan = _div("421202", "咸安区", 3, city)
    jiayu = _div("421221", "嘉鱼县", 3, city)
    wenquan = _div("421202001", "温泉街道", 4, xianan)
    yuyue = _div("421221100", "鱼岳镇", 4, jiayu)
    va = _div("421202001001", "桂花村", 5, wenquan)
    vb = _div("421202001002", "柏墩村", 5, wenquan)
    vc = _div("421221100001", "城关村", 5, yuyue)

    def committee(name: str, short: str, ctype: str, div: Division) -> Committee:
        return Committee.objects.create(name=name, short_name=short, committee_type=ctype, division=div)

    village_a = committee("桂花村人民调解委员会", "桂花", CommitteeType.VILLAGE, va)
    village_b = committee("柏墩村人民调解委员会", "柏墩", CommitteeType.VILLAGE, vb)
    township = committee("温泉街道人民调解委员会", "温泉", CommitteeType.SUBDISTRICT, wenquan)
    village_c = committee("城关村人民调解委员会", "城关", CommitteeType.VILLAGE, vc)
    court = Court.objects.create(name="咸宁市咸安区人民法院", division=xianan)
    return World(
        village_a=village_a,
        village_b=village_b,
        township=township,
        village_c=village_c,
        court=court,
        director_a=_mediator_user("director_a", village_a, "王主任", Role.DIRECTOR, MediatorRole.DIRECTOR, "M"),
        mediator_a=_mediator_user("mediator_a", village_a, "李调解"),
        mediator_a2=_mediator_user("mediator_a2", village_a, "赵调解", gender="M"),
        mediator_b=_mediator_user("mediator_b", village_b, "陈调解"),
        mediator_c=_mediator_user("mediator_c", village_c, "周调解"),
        director_b=_mediator_user("director_b", village_b, "柏主任", Role.DIRECTOR, MediatorRole.DIRECTOR, "M"),
        director_c=_mediator_user("director_c", village_c, "城主任", Role.DIRECTOR, MediatorRole.DIRECTOR, "M"),
        sfs_officer=_user("sfs_officer", Role.SFS_OFFICER, "温泉司法所", division=wenquan),
        county_admin=_user("county_admin", Role.COUNTY_ADMIN, "咸安区司法局", division=xianan),
        other_county_admin=_user("other_county_admin", Role.COUNTY_ADMIN, "嘉鱼县司法局", division=jiayu),
        city_admin=_user("city_admin", Role.CITY_ADMIN, "咸宁市司法局", division=city),
        court_liaison=_user("court_liaison", Role.COURT_LIAISON, "法院联络员", court=court),
        party_user=_user("party_user", Role.PARTY, "张三", phone="13900000001"),
        outsider=_user("outsider", Role.PARTY, "路人", phone="13900000009"),
    )


def applicant_id(n: int = 1) -> str:
    return make_valid_id_number("421202", datetime(1980, 5, 17).date(), n)


def case_data(party_user: User | None = None, **overrides) -> A.CaseData:
    data = A.CaseData(
        source=CaseSource.ON_APPLICATION,
        dispute_type=DisputeType.NEIGHBOR,
        brief_facts="双方因宅前排水沟堵塞问题发生争执，申请人房屋受雨水浸泡。",
        claims="请求被申请人疏通排水沟并赔偿损失",
        amount_involved=Decimal("3000"),
        parties=[
            A.PartyData(
                side=PartySide.APPLICANT,
                name="张三",
                id_number=applicant_id(1),
                phone="13900000001",
                address="桂花村3组",
                user=party_user,
            ),
            A.PartyData(
                side=PartySide.RESPONDENT,
                name="李四",
                id_number=applicant_id(2),
                phone="13900000002",
                address="桂花村3组",
            ),
        ],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def make_case(
    world: World, status: CaseStatus = CaseStatus.INTAKE, *, at: datetime | None = None, seed: int = 0, **overrides
) -> Case:
    """Register a case at village A (with `party_user` as the applicant) and walk it to `status`."""
    at = at or datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    overrides.setdefault("party_user", world.party_user)
    party_user = overrides.pop("party_user")
    case = A.do_register_case(world.mediator_a, world.village_a, case_data(party_user, **overrides), at=at)
    import random

    return Walker(case, world.cast_a(), at, random.Random(seed)).walk(status)
