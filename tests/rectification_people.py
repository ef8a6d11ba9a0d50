"""The rectification ledger's personas (issue 16 §4–5), on top of tests.world: the 咸安区 bureau's office, a
leader, the named reviewer and another reviewer, the staff of two departments; the city bureau's office; the
嘉鱼县 bureau's office; and, from tests.world, a county administrator without a ledger role and an outsider."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import Role, User
from ledgers.models import BureauDepartment, LedgerRole, LedgerRoleKind
from ledgers.rectification import actions as A
from ledgers.rectification.models import Inspection, RectificationItem
from registry.models import Division
from tests.world import World, _user

TZ = ZoneInfo("Asia/Shanghai")
FEEDBACK = date(2026, 1, 22)
DEADLINE = date(2026, 4, 30)


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TZ)


@dataclass
class Rect:
    bureau: Division
    office_dept: BureauDepartment
    dept: BureauDepartment
    other_dept: BureauDepartment
    office: User
    leader: User
    reviewer: User
    other_reviewer: User
    staff: User
    other_staff: User
    city_office: User
    other_county_office: User
    county_admin: User
    outsider: User

    def persona(self, name: str) -> User:
        return getattr(self, name)


PERSONAS = (
    "office",
    "leader",
    "reviewer",
    "other_reviewer",
    "staff",
    "other_staff",
    "city_office",
    "other_county_office",
    "county_admin",
    "outsider",
)


def _role(user: User, bureau: Division, kind: str, department: BureauDepartment | None = None) -> User:
    LedgerRole.objects.create(user=user, bureau=bureau, kind=kind, department=department)
    return user


def build(world: World) -> Rect:
    county = world.county_admin.division
    city = world.city_admin.division
    jiayu = world.other_county_admin.division
    office_dept = BureauDepartment.objects.create(bureau=county, name="办公室", is_office=True)
    dept = BureauDepartment.objects.create(bureau=county, name="人民参与和促进法治科")
    other_dept = BureauDepartment.objects.create(bureau=county, name="公共法律服务科")
    city_office = BureauDepartment.objects.create(bureau=city, name="办公室", is_office=True)
    jiayu_office = BureauDepartment.objects.create(bureau=jiayu, name="办公室", is_office=True)

    def u(username: str, name: str, division: Division) -> User:
        role = Role.CITY_ADMIN if division.code == city.code else Role.COUNTY_ADMIN
        return _user(username, role, name, division=division)

    return Rect(
        bureau=county,
        office_dept=office_dept,
        dept=dept,
        other_dept=other_dept,
        office=_role(u("r_office", "孙办公", county), county, LedgerRoleKind.OFFICE, office_dept),
        leader=_role(u("r_leader", "周局长", county), county, LedgerRoleKind.LEADER),
        reviewer=_role(u("r_reviewer", "冯验收", county), county, LedgerRoleKind.REVIEWER),
        other_reviewer=_role(u("r_reviewer2", "钱验收", county), county, LedgerRoleKind.REVIEWER),
        staff=_role(u("r_staff", "罗科长", county), county, LedgerRoleKind.DEPARTMENT, dept),
        other_staff=_role(u("r_other", "马科长", county), county, LedgerRoleKind.DEPARTMENT, other_dept),
        city_office=_role(u("r_city", "市办公室", city), city, LedgerRoleKind.OFFICE, city_office),
        other_county_office=_role(u("r_jiayu", "嘉鱼办公室", jiayu), jiayu, LedgerRoleKind.OFFICE, jiayu_office),
        county_admin=world.county_admin,
        outsider=world.outsider,
    )


def inspection(r: Rect, **kw) -> Inspection:
    return A.do_create_inspection(
        r.office,
        r.bureau,
        kind=kw.pop("kind", "XUNCHA"),
        name=kw.pop("name", "区委第二巡察组常规巡察"),
        body=kw.pop("body", "区委第二巡察组"),
        feedback_on=kw.pop("feedback_on", FEEDBACK),
        issuer="中共咸安区司法局党组",
        at=at(2026, 1, 23),
    )


def item_data(r: Rect, **kw) -> A.ItemData:
    values = {
        "problem": "落实第一议题制度不到位",
        "leader": r.leader,
        "department": r.dept,
        "reviewer": r.reviewer,
        "measures": "严格执行第一议题制度，纳入党组会议议程。",
        "deadline": DEADLINE,
        "milestones": [("制定学习计划", date(2026, 2, 28))],
    }
    values.update(kw)
    return A.ItemData(**values)


def listed_item(r: Rect, insp: Inspection | None = None, **kw) -> RectificationItem:
    insp = insp or inspection(r)
    return A.do_add_item(r.office, insp, item_data(r, **kw), at=at(2026, 1, 26))
