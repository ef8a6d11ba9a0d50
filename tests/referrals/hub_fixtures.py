"""A small world for the 矛调中心 tests (h-hub), on top of tests/world.py:

咸安区 421202: 咸安区矛调中心 (county hub), 咸安区医疗纠纷调委会 (industry, county level), 咸安区人民法院 (institution),
    咸安区人社局 (a department)
温泉街道 421202001: 温泉街道矛调中心 (township hub), 温泉街道人民调解委员会 (world.township), 温泉派出所
桂花村 / 柏墩村: village_a / village_b; 嘉鱼县 (another county): village_c, 嘉鱼县矛调中心.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from accounts.models import Role, User
from cases import actions as A
from cases.enums import DisputeType, PartySide
from cases.models import Case
from referrals.enums import Channel
from referrals.models import Institution, Referral, ReferralParty
from registry.models import Committee, CommitteeKind, CommitteeType, Division, Industry, MediatorRole
from tests.world import TZ, World, _mediator_user, _user, applicant_id, case_data


@dataclass
class HubWorld:
    w: World
    county_hub: Committee
    township_hub: Committee
    medical: Committee
    other_hub: Committee
    court: Institution
    police: Institution
    labour: Institution
    other_police: Institution
    county_hub_director: User
    county_hub_mediator: User
    township_hub_director: User
    township_hub_mediator: User
    township_director: User
    medical_mediator: User
    other_hub_mediator: User
    police_liaison: User
    labour_liaison: User


def _committee(name: str, short: str, ctype: str, code: str, **kw) -> Committee:
    return Committee.objects.create(
        name=name, short_name=short, committee_type=ctype, division=Division.objects.get(code=code), **kw
    )


def build_hub_world(w: World) -> HubWorld:
    county_hub = _committee("咸安区社会矛盾纠纷调处化解中心", "咸安矛调", CommitteeType.SOCIAL_ORG_OTHER, "421202")
    county_hub.kind, county_hub.is_hub = CommitteeKind.CENTRE, True
    county_hub.save()
    township_hub = _committee(
        "温泉街道矛盾纠纷调处中心", "温泉矛调", CommitteeType.SUBDISTRICT, "421202001", is_hub=True
    )
    medical = _committee(
        "咸安区医疗纠纷人民调解委员会",
        "咸安医调",
        CommitteeType.SOCIAL_ORG_OTHER,
        "421202",
        kind=CommitteeKind.INDUSTRY,
        industry=Industry.MEDICAL,
    )
    other_hub = _committee(
        "嘉鱼县社会矛盾纠纷调处化解中心", "嘉鱼矛调", CommitteeType.SOCIAL_ORG_OTHER, "421221", is_hub=True
    )

    def inst(kind: str, name: str, code: str, div: str, **kw) -> Institution:
        return Institution.objects.create(kind=kind, name=name, code=code, division_id=div, **kw)

    court = inst(Channel.COURT, "咸宁市咸安区人民法院", "C421202", "421202", court=w.court, default_receiver=county_hub)
    police = inst(Channel.POLICE, "咸安区公安分局温泉派出所", "P421202001", "421202001", default_receiver=township_hub)
    labour = inst(Channel.OTHER_DEPT, "咸安区人力资源和社会保障局", "D421202", "421202")
    other_police = inst(Channel.POLICE, "嘉鱼县公安局鱼岳派出所", "P421221100", "421221100")
    D, MR = Role.DIRECTOR, MediatorRole.DIRECTOR
    return HubWorld(
        w=w,
        county_hub=county_hub,
        township_hub=township_hub,
        medical=medical,
        other_hub=other_hub,
        court=court,
        police=police,
        labour=labour,
        other_police=other_police,
        county_hub_director=_mediator_user("county_hub_director", county_hub, "区中心主任", D, MR, "M"),
        county_hub_mediator=_mediator_user("county_hub_mediator", county_hub, "区中心调解员"),
        township_hub_director=_mediator_user("township_hub_director", township_hub, "街道中心主任", D, MR, "M"),
        township_hub_mediator=_mediator_user("township_hub_mediator", township_hub, "街道中心调解员"),
        township_director=_mediator_user("township_director", w.township, "街道调委会主任", D, MR, "M"),
        medical_mediator=_mediator_user("medical_mediator", medical, "医调调解员"),
        other_hub_mediator=_mediator_user("other_hub_mediator", other_hub, "嘉鱼中心调解员"),
        police_liaison=_user("police_liaison", Role.INSTITUTION_LIAISON, "派出所联络员", institution=police),
        labour_liaison=_user("labour_liaison", Role.INSTITUTION_LIAISON, "人社局联络员", institution=labour),
    )


def walk_in(hw: HubWorld, hub: Committee, registrar: User, *, at: datetime | None = None, n: int = 0) -> Case:
    """A dispute registered at the hub's window (INTAKE, no case number)."""
    at = at or datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    data = case_data(None)
    data.parties[0].id_number = applicant_id(60 + n)
    data.parties[1].id_number = applicant_id(80 + n)
    return A.do_register_case(registrar, hub, data, at=at)


def portal_application(hw: HubWorld, hub: Committee, *, at: datetime | None = None) -> Case:
    """An application a party made on the portal, addressed to the hub."""
    at = at or datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    return A.do_register_case(hw.w.party_user, hub, case_data(hw.w.party_user), at=at)


def referral(
    hw: HubWorld, institution: Institution, receiver: Committee, *, at: datetime | None = None, no: str = "1"
) -> Referral:
    """A referral pending at `receiver`, created with the ORM (referrals.services.receive_referral is h-core's)."""
    at = at or datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
    r = Referral.objects.create(
        institution=institution,
        channel=institution.kind,
        external_no=f"（2026）鄂1202诉前调{no}号",
        brief_facts="双方因房屋租赁押金退还问题发生纠纷，经派出所调处未果。",
        claims="请求退还押金3000元",
        receiver=receiver,
        division_code=receiver.division_id,
        sent_at=at,
        received_at=at,
        accept_by=(at + timedelta(days=5)).date() if isinstance(at, datetime) else date(2026, 3, 5),
        dispute_type=DisputeType.CONTRACT,
    )
    for i, (side, name) in enumerate([(PartySide.APPLICANT, "王五"), (PartySide.RESPONDENT, "赵六")], start=1):
        party = ReferralParty(referral=r, side=side, name=name, phone=f"1390000010{i}", order=i, consented=True)
        party.set_id_number(applicant_id(100 + 2 * int(no) + i))
        party.save()
    return r
