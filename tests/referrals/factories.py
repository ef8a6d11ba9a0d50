"""A small world for the referral tests (issue 11), shared READ-ONLY by every helper's tests in tests/referrals:
import `rworld` (a pytest fixture) or call `build_referral_world()`, and `make_referral(...)` /
`referral_data(...)` to send a referral through referrals.services.receive_referral.

Its own divisions (Jiangxi, so it never collides with tests/world.py's Hubei world; both may be used together):

江西省 36 › 新余市 3605 › 渝水区 360502 › 城南街道 360502001 › 抱石社区 360502001001
                                      › 水北镇 360502100   › 水北村 360502100001
                       › 分宜县 360521 (another county of the same city: other_county_admin)
        › 鹰潭市 3606 › 月湖区 360602 (another city: other_city_committee, other_court)

Committees: hub (渝水区矛调中心, is_hub, at the county), township (城南街道调委会), township2 (水北镇调委会),
village (抱石社区调委会, under 城南), village2 (水北村调委会), industry (渝水区医疗纠纷调委会, an industry committee at
the county), other_city_committee. Each has a director (`<name>_director`); hub, township, village and industry
also a mediator (`<name>_mediator`).
Supervisors: sfs_officer (城南街道司法所), sfs_officer2 (水北镇司法所), county_admin (渝水区), other_county_admin
(分宜县), city_admin (新余市).
Institutions (default receiver: the hub): court (渝水区人民法院, registry.Court + Institution kind COURT) with
court_liaison; police (城南派出所) with police_liaison; petition (渝水区信访局) with petition_liaison; hotline (新余市
12345) with hotline_liaison; other_court (月湖区人民法院, another city, default receiver other_city_committee) with
other_court_liaison.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from cases.enums import PartySide
from cases.identity import make_valid_id_number
from referrals.enums import Channel
from referrals.models import Institution, Referral
from registry.models import (
    Committee,
    CommitteeKind,
    CommitteeType,
    Court,
    Division,
    Industry,
    Mediator,
    MediatorCategory,
    MediatorRole,
)

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "pass-for-tests-1"


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    """A local (Asia/Shanghai) time."""
    return datetime(y, m, d, h, mi, tzinfo=TZ)


@dataclass
class ReferralWorld:
    # divisions
    province: Division
    city: Division
    county: Division
    township_div: Division
    township2_div: Division
    village_div: Division
    village2_div: Division
    other_county: Division
    other_city: Division
    # committees
    hub: Committee
    township: Committee
    township2: Committee
    village: Committee
    village2: Committee
    industry: Committee
    other_city_committee: Committee
    # committee people
    hub_director: User
    hub_mediator: User
    township_director: User
    township_mediator: User
    township2_director: User
    village_director: User
    village_mediator: User
    village2_director: User
    industry_director: User
    industry_mediator: User
    other_city_director: User
    # supervisors
    sfs_officer: User
    sfs_officer2: User
    county_admin: User
    other_county_admin: User
    city_admin: User
    # institutions and their liaisons
    court_registry: Court
    court: Institution
    court_liaison: User
    police: Institution
    police_liaison: User
    petition: Institution
    petition_liaison: User
    hotline: Institution
    hotline_liaison: User
    other_court_registry: Court
    other_court: Institution
    other_court_liaison: User
    party_user: User

    def liaison_of(self, institution: Institution) -> User:
        return {
            self.court.pk: self.court_liaison,
            self.police.pk: self.police_liaison,
            self.petition.pk: self.petition_liaison,
            self.hotline.pk: self.hotline_liaison,
            self.other_court.pk: self.other_court_liaison,
        }[institution.pk]

    def committees(self) -> dict[str, Committee]:
        names = ("hub", "township", "township2", "village", "village2", "industry", "other_city_committee")
        return {n: getattr(self, n) for n in names}


def _div(code: str, name: str, level: int, parent: Division | None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent=parent)


def _user(username: str, role: str, full_name: str, **kw) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, full_name=full_name, **kw)


def _member(username: str, committee: Committee, name: str, role: str, phone: str) -> User:
    user = _user(username, role, name, committee=committee, phone=phone)
    Mediator.objects.create(
        committee=committee,
        user=user,
        name=name,
        gender="F",
        role=MediatorRole.DIRECTOR if role == Role.DIRECTOR else MediatorRole.MEMBER,
        category=MediatorCategory.PART_TIME,
        phone=phone,
    )
    return user


def build_referral_world() -> ReferralWorld:
    province = _div("36", "江西省", 1, None)
    city = _div("3605", "新余市", 2, province)
    county = _div("360502", "渝水区", 3, city)
    other_county = _div("360521", "分宜县", 3, city)
    township_div = _div("360502001", "城南街道", 4, county)
    township2_div = _div("360502100", "水北镇", 4, county)
    village_div = _div("360502001001", "抱石社区", 5, township_div)
    village2_div = _div("360502100001", "水北村", 5, township2_div)
    other_city = _div("3606", "鹰潭市", 2, province)
    other_city_county = _div("360602", "月湖区", 3, other_city)

    def committee(name: str, short: str, ctype: str, div: Division, **kw) -> Committee:
        return Committee.objects.create(name=name, short_name=short, committee_type=ctype, division=div, **kw)

    hub = committee("渝水区社会矛盾纠纷调处化解中心", "渝水矛调", CommitteeType.SOCIAL_ORG_OTHER, county, is_hub=True)
    township = committee("城南街道人民调解委员会", "城南", CommitteeType.SUBDISTRICT, township_div)
    township2 = committee("水北镇人民调解委员会", "水北", CommitteeType.TOWNSHIP, township2_div)
    village = committee("抱石社区人民调解委员会", "抱石", CommitteeType.RESIDENT, village_div)
    village2 = committee("水北村人民调解委员会", "水北村", CommitteeType.VILLAGE, village2_div)
    industry = committee(
        "渝水区医疗纠纷人民调解委员会",
        "渝水医调",
        CommitteeType.SOCIAL_ORG_OTHER,
        county,
        kind=CommitteeKind.INDUSTRY,
        industry=Industry.MEDICAL,
    )
    other_city_committee = committee("月湖区人民调解委员会", "月湖", CommitteeType.SOCIAL_ORG_OTHER, other_city_county)

    court_registry = Court.objects.create(name="新余市渝水区人民法院", division=county)
    other_court_registry = Court.objects.create(name="鹰潭市月湖区人民法院", division=other_city_county)

    def institution(kind: str, name: str, code: str, div: Division, receiver: Committee, **kw) -> Institution:
        return Institution.objects.create(
            kind=kind, name=name, code=code, division=div, default_receiver=receiver, contact_phone="07906000000", **kw
        )

    court = institution(Channel.COURT, "新余市渝水区人民法院", "court-yushui", county, hub, court=court_registry)
    police = institution(Channel.POLICE, "新余市公安局渝水分局城南派出所", "police-chengnan", township_div, hub)
    petition = institution(Channel.PETITION, "渝水区信访局", "petition-yushui", county, hub)
    hotline = institution(Channel.HOTLINE, "新余市12345政务服务便民热线", "hotline-xinyu", city, hub)
    other_court = institution(
        Channel.COURT,
        "鹰潭市月湖区人民法院",
        "court-yuehu",
        other_city_county,
        other_city_committee,
        court=other_court_registry,
    )

    return ReferralWorld(
        province=province,
        city=city,
        county=county,
        township_div=township_div,
        township2_div=township2_div,
        village_div=village_div,
        village2_div=village2_div,
        other_county=other_county,
        other_city=other_city,
        hub=hub,
        township=township,
        township2=township2,
        village=village,
        village2=village2,
        industry=industry,
        other_city_committee=other_city_committee,
        hub_director=_member("r_hub_director", hub, "矛调主任", Role.DIRECTOR, "13700000001"),
        hub_mediator=_member("r_hub_mediator", hub, "矛调调解员", Role.MEDIATOR, "13700000002"),
        township_director=_member("r_township_director", township, "城南主任", Role.DIRECTOR, "13700000003"),
        township_mediator=_member("r_township_mediator", township, "城南调解员", Role.MEDIATOR, "13700000004"),
        township2_director=_member("r_township2_director", township2, "水北主任", Role.DIRECTOR, "13700000005"),
        village_director=_member("r_village_director", village, "抱石主任", Role.DIRECTOR, "13700000006"),
        village_mediator=_member("r_village_mediator", village, "抱石调解员", Role.MEDIATOR, "13700000007"),
        village2_director=_member("r_village2_director", village2, "水北村主任", Role.DIRECTOR, "13700000008"),
        industry_director=_member("r_industry_director", industry, "医调主任", Role.DIRECTOR, "13700000009"),
        industry_mediator=_member("r_industry_mediator", industry, "医调调解员", Role.MEDIATOR, "13700000010"),
        other_city_director=_member(
            "r_other_city_director", other_city_committee, "月湖主任", Role.DIRECTOR, "13700000011"
        ),
        sfs_officer=_user("r_sfs_officer", Role.SFS_OFFICER, "城南司法所", division=township_div),
        sfs_officer2=_user("r_sfs_officer2", Role.SFS_OFFICER, "水北司法所", division=township2_div),
        county_admin=_user("r_county_admin", Role.COUNTY_ADMIN, "渝水区司法局", division=county),
        other_county_admin=_user("r_other_county_admin", Role.COUNTY_ADMIN, "分宜县司法局", division=other_county),
        city_admin=_user("r_city_admin", Role.CITY_ADMIN, "新余市司法局", division=city),
        court_registry=court_registry,
        court=court,
        court_liaison=_user(
            "r_court_liaison", Role.COURT_LIAISON, "渝水法院联络员", court=court_registry, institution=court
        ),
        police=police,
        police_liaison=_user("r_police_liaison", Role.INSTITUTION_LIAISON, "城南派出所民警", institution=police),
        petition=petition,
        petition_liaison=_user("r_petition_liaison", Role.INSTITUTION_LIAISON, "信访局经办人", institution=petition),
        hotline=hotline,
        hotline_liaison=_user("r_hotline_liaison", Role.INSTITUTION_LIAISON, "12345话务员", institution=hotline),
        other_court_registry=other_court_registry,
        other_court=other_court,
        other_court_liaison=_user(
            "r_other_court_liaison",
            Role.COURT_LIAISON,
            "月湖法院联络员",
            court=other_court_registry,
            institution=other_court,
        ),
        party_user=_user("r_party_user", Role.PARTY, "刘一", phone="13900001001"),
    )


@pytest.fixture
def rworld(db) -> ReferralWorld:
    """The referral world, with the statutory holidays loaded (the working-day clocks depend on them)."""
    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    yield build_referral_world()
    calendar.clear_cache()


def party_id(n: int) -> str:
    return make_valid_id_number("360502", date(1982, 3, 14), n)


def party_data(side: str = PartySide.APPLICANT, n: int = 1, **overrides):
    from referrals.services import ReferralPartyData

    names = {1: "刘一", 2: "陈二", 3: "张三", 4: "李四"}
    data = ReferralPartyData(
        side=side,
        name=names.get(n, f"当事人{n}"),
        phone=f"139000010{n:02d}",
        service_address=f"party{n}@example.cn",
        address="渝水区城南街道抱石社区",
        id_number=party_id(n),
        consented=True,
        consent_how="书面同意",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


_NO = iter(range(1, 1_000_000))


def referral_data(institution: Institution | None = None, **overrides):
    """A valid payload for `institution`'s channel (a court: 委派 with its 诉前调 number), overridden key by key."""
    from referrals.services import ReferralData

    kind = institution.kind if institution is not None else Channel.COURT
    n = next(_NO)
    external_no = {
        Channel.COURT: f"（2026）赣0502民诉前调{n}号",
        Channel.POLICE: f"J360502202600{n:04d}",
        Channel.PETITION: f"XF2026-{n:05d}",
        Channel.HOTLINE: f"12345-2026-{n:06d}",
    }.get(kind, f"DEPT-{n:05d}")
    data = ReferralData(
        external_no=external_no,
        brief_facts="双方因房屋漏水造成楼下住户财产损失发生纠纷，协商未果。",
        claims="请求对方赔偿装修损失人民币8000元",
        parties=[party_data(PartySide.APPLICANT, 1), party_data(PartySide.RESPONDENT, 2)],
        referral_type="WEIPAI" if kind == Channel.COURT else "",
        handler_name="经办人王某",
        handler_phone="07906000001",
        dispute_type="NEIGHBOR",
        cause="财产损害赔偿纠纷",
        place="渝水区城南街道抱石社区",
        amount_involved=Decimal("8000"),
        consent_note="双方当事人均同意调解",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def make_referral(institution: Institution, *, user: User | None = None, client=None, at=None, **overrides) -> Referral:
    """Send a referral from `institution` through referrals.services.receive_referral (as its first liaison unless
    `user` or `client` is given). `overrides` patch the payload (referral_data)."""
    from referrals import services

    if user is None and client is None:
        user = User.objects.filter(institution=institution).order_by("pk").first()
    data = overrides.pop("data", None) or referral_data(institution, **overrides)
    return services.receive_referral(data, institution=institution, user=user, client=client, at=at)


# --- driving a referral through its life (for the service, clock and feedback tests) -------------------------


def scan(moment: datetime) -> int:
    """One run of the periodic timer scan at `moment`, with the clock frozen there."""
    import time_machine

    from cases.timers import fire_due

    with time_machine.travel(moment, tick=False):
        return fire_due(moment)


def send(institution: Institution, moment: datetime, **overrides) -> Referral:
    """make_referral with the clock frozen at `moment`."""
    import time_machine

    with time_machine.travel(moment, tick=False):
        return make_referral(institution, at=moment, **overrides)


def accept(referral: Referral, user: User, moment: datetime, **kw):
    """services.accept_referral with the clock frozen at `moment`; returns the case."""
    import time_machine

    from referrals import services

    with time_machine.travel(moment, tick=False):
        return services.accept_referral(referral, user, at=moment, **kw)


def assign(case, director: User, mediator: User, moment: datetime):
    """The director assigns `mediator` to preside (rights notified, identities checked)."""
    import time_machine

    from cases import actions as A

    with time_machine.travel(moment, tick=False):
        return A.do_assign_mediators(
            case, director, presiding=mediator.mediator, rights_notified=True, identities_checked=True, at=moment
        )


def webhook_types(referral: Referral) -> list[str]:
    """The webhook events written for the referral, in order."""
    from api.models import WebhookEvent

    return list(WebhookEvent.objects.filter(referral=referral).order_by("id").values_list("event_type", flat=True))


def referral_events(referral: Referral) -> list[str]:
    return list(referral.events.order_by("id").values_list("kind", flat=True))
