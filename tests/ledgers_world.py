"""A bureau with its departments and ledger roles, on top of tests.world, for the ledgers' tests.

咸安区司法局 (the county of world.county_admin): 办公室 (office), a leader, 人民参与和促进法治科 (dept) and
公共法律服务科 (other_dept); 嘉鱼县司法局 (world.other_county_admin's county) with a department of its own
(foreign_dept). world.city_admin (咸宁市) holds no role: summaries only."""

from dataclasses import dataclass
from datetime import date, datetime

from accounts.models import Role, User
from ledgers.actions import proposals as P
from ledgers.models import BureauDepartment, LedgerRole, LedgerRoleKind
from ledgers.models_proposals import HandlingRole, Proposal, ProposalKind
from registry.models import Division
from tests.world import TZ, World, _user


@dataclass
class Bureau:
    world: World
    county: Division
    other_county: Division
    office_dept: BureauDepartment
    dept: BureauDepartment
    other_dept: BureauDepartment
    foreign: BureauDepartment
    office: User
    leader: User
    staff: User
    other_staff: User
    foreign_staff: User

    def personas(self) -> dict[str, User]:
        return {
            "office": self.office,
            "leader": self.leader,
            "department": self.staff,
            "other_department": self.other_staff,
            "foreign_department": self.foreign_staff,
            "other_county_admin": self.world.other_county_admin,
            "city_admin": self.world.city_admin,
            "county_admin": self.world.county_admin,
        }


def build_bureau(world: World) -> Bureau:
    county, other = world.county_admin.division, world.other_county_admin.division
    office_dept = BureauDepartment.objects.create(bureau=county, name="办公室", is_office=True)
    dept = BureauDepartment.objects.create(bureau=county, name="人民参与和促进法治科", order=1)
    other_dept = BureauDepartment.objects.create(bureau=county, name="公共法律服务科", order=2)
    foreign = BureauDepartment.objects.create(bureau=other, name="人民参与和促进法治科")
    office = _user("lg_office", Role.COUNTY_ADMIN, "周敏", division=county)
    leader = _user("lg_leader", Role.COUNTY_ADMIN, "陈刚", division=county)
    staff = _user("lg_dept", Role.COUNTY_ADMIN, "刘洋", division=county)
    other_staff = _user("lg_other", Role.COUNTY_ADMIN, "吴婷", division=county)
    foreign_staff = _user("lg_foreign", Role.COUNTY_ADMIN, "江涛", division=other)
    LedgerRole.objects.create(user=office, bureau=county, kind=LedgerRoleKind.OFFICE, department=office_dept)
    LedgerRole.objects.create(user=leader, bureau=county, kind=LedgerRoleKind.LEADER, title="副局长")
    LedgerRole.objects.create(user=staff, bureau=county, kind=LedgerRoleKind.DEPARTMENT, department=dept)
    LedgerRole.objects.create(user=other_staff, bureau=county, kind=LedgerRoleKind.DEPARTMENT, department=other_dept)
    LedgerRole.objects.create(user=foreign_staff, bureau=other, kind=LedgerRoleKind.DEPARTMENT, department=foreign)
    return Bureau(
        world, county, other, office_dept, dept, other_dept, foreign, office, leader, staff, other_staff, foreign_staff
    )


def moment(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def register(
    b: Bureau,
    number: str,
    *,
    assigned_on: date,
    role: str = HandlingRole.LEAD,
    kind: str = ProposalKind.CPPCC_PROPOSAL,
    at: datetime | None = None,
    assign: bool = True,
) -> Proposal:
    data = P.ProposalData(
        kind=kind,
        session="区政协九届四次会议",
        number=number,
        title=f"关于加强人民调解工作的建议（{number}）",
        proposers="张某某委员",
        content="建议进一步健全人民调解组织网络，加强调解员队伍建设和经费保障。",
        assigning_body="区政府督查室",
        assigned_on=assigned_on,
        handling_role=role,
        lead_unit="" if role == HandlingRole.LEAD else "区民政局",
    )
    at = at or moment(assigned_on)
    item = P.do_register(b.county, b.office, data, at=at)
    if assign:
        item = P.do_assign(item, b.office, leader=b.leader, department=b.dept, at=at)
    return item


BODY = "经认真研究，我局已会同有关部门推进人民调解中心规范化建设，并将调解员补贴纳入财政预算，现答复如下。"


def reply(
    b: Bureau, item: Proposal, *, on: date, klass: str = "A", doc_no: str = "咸安司函〔2021〕1号", at=None
) -> Proposal:
    """Draft, approve and send a reply on `on` (at 10:00 that day unless `at` is given)."""
    at = at or moment(on)
    P.do_draft_reply(item, b.staff, body=BODY, result_class=klass, at=at)
    P.do_approve_reply(item, b.leader, at=at)
    P.do_send_reply(item, b.office, doc_no=doc_no, sent_on=on, at=at)
    return Proposal.objects.get(pk=item.pk)


def rate(b: Bureau, item: Proposal, *, on: date, attitude: str = "SATISFIED", result: str = "SATISFIED", comments=""):
    P.do_record_feedback(
        item, b.staff, received_on=on, attitude=attitude, result=result, comments=comments, at=moment(on)
    )
    return Proposal.objects.get(pk=item.pk)
