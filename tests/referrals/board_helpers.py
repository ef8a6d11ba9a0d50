"""Shared by the board tests (h-board): the test world plus a township 矛调中心 (温泉街道) with its director and a
member, a court and a police station of 咸安区, and referrals made with the ORM in any state (the services are
h-core's; these tests check the table, the timers and the pages, not the handshake)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role, User
from cases.enums import DisputeType
from referrals.enums import Channel, DispatchStatus, ReferralStatus
from referrals.limits import time_limits
from referrals.models import Dispatch, Institution, Referral
from registry.models import Committee, CommitteeType, Division
from tests.world import PASSWORD, World
from workdays import calendar

TZ = ZoneInfo("Asia/Shanghai")


def dt(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture(autouse=True)
def fresh_tables():
    calendar.clear_cache()
    time_limits.cache_clear()
    yield
    calendar.clear_cache()
    time_limits.cache_clear()


class Board:
    """The test world with a hub, institutions and a few extra people."""

    def __init__(self, world: World) -> None:
        self.world = world
        wenquan = Division.objects.get(code="421202001")
        self.hub = Committee.objects.create(
            name="温泉街道矛盾纠纷调处化解中心",
            short_name="温泉矛调",
            committee_type=CommitteeType.SUBDISTRICT,
            division=wenquan,
            is_hub=True,
        )
        self.hub_director = User.objects.create_user(
            username="hub_director", password=PASSWORD, role=Role.DIRECTOR, full_name="矛调主任", committee=self.hub
        )
        self.hub_member = User.objects.create_user(
            username="hub_member", password=PASSWORD, role=Role.MEDIATOR, full_name="矛调坐班", committee=self.hub
        )
        xianan = Division.objects.get(code="421202")
        jiayu = Division.objects.get(code="421221")
        self.court = Institution.objects.create(
            kind=Channel.COURT,
            name="咸安区人民法院",
            code="C421202",
            division=xianan,
            court=world.court,
            default_receiver=self.hub,
        )
        self.police = Institution.objects.create(
            kind=Channel.POLICE,
            name="咸安公安分局温泉派出所",
            code="P421202",
            division=xianan,
            default_receiver=self.hub,
        )
        self.hotline = Institution.objects.create(
            kind=Channel.HOTLINE, name="咸宁市12345热线", code="H4212", division=xianan, default_receiver=self.hub
        )
        self.jiayu_police = Institution.objects.create(
            kind=Channel.POLICE, name="嘉鱼县公安局鱼岳派出所", code="P421221", division=jiayu
        )
        self.liaison = User.objects.create_user(
            username="police_liaison",
            password=PASSWORD,
            role=Role.INSTITUTION_LIAISON,
            full_name="派出所联络员",
            institution=self.police,
        )
        self._n = 0

    def referral(
        self,
        *,
        institution: Institution | None = None,
        receiver: Committee | None = None,
        received_at: datetime | None = None,
        status: str = ReferralStatus.PENDING,
        dispute_type: str = DisputeType.NEIGHBOR,
        **fields,
    ) -> Referral:
        self._n += 1
        institution = institution or self.court
        receiver = receiver or self.hub
        received_at = received_at or dt(2026, 3, 2, 9)
        fields.setdefault("accept_by", calendar.add_working_days(received_at.date(), 3))
        return Referral.objects.create(
            institution=institution,
            channel=institution.kind,
            external_no=f"（2026）鄂1202民诉前{self._n:03d}号",
            brief_facts="双方因宅基地边界发生争执。",
            claims="请求确认边界",
            dispute_type=dispute_type,
            receiver=receiver,
            division_code=receiver.division_id,
            status=status,
            sent_at=received_at,
            received_at=received_at,
            **fields,
        )

    def dispatch(self, referral: Referral, to: Committee, at: datetime, *, accepted: bool = True) -> Dispatch:
        """A dispatch from the hub as referrals.hub writes it: waiting for the receiver's answer (the referral stays
        with the hub), or accepted (the referral moved to the receiver)."""
        d = Dispatch.objects.create(
            referral=referral,
            from_committee=self.hub,
            to_committee=to,
            division_code=to.division_id,
            deadline=at + timedelta(days=1),
            created_at=at,
            status=DispatchStatus.ACCEPTED if accepted else DispatchStatus.PENDING,
            answered_at=at + timedelta(minutes=30) if accepted else None,
        )
        if accepted:
            Referral.objects.filter(pk=referral.pk).update(receiver=to, division_code=to.division_id)
        referral.refresh_from_db()
        return d


def day(y: int, m: int, d: int) -> date:
    return date(y, m, d)
