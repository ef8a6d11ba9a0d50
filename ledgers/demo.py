"""The demo's suggestions and proposals (issue 16): 咸宁市司法局's year shaped like the Xianning 2021 report — 10
items, 主办 2 (the 020 and 050 proposals of the report) and 会办 8, results A 2 and B 8, every reply on time, every
rating satisfied, every item published — with its departments, ledger roles and three demo accounts.

Called by the demo seeder (demo/management/commands/seed_demo.py) with the demo city; everything goes through
ledgers.actions.proposals, dated in the past, so each item has its whole change log. This module must not import
the demo app (product code never does, tests/test_one_door.py): the city is passed in, and the demo accounts get
the password of the city's demo account (its hash is copied)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from ledgers.actions import proposals as P
from ledgers.models import BureauDepartment, LedgerRole, LedgerRoleKind
from ledgers.models_proposals import HandlingRole, Proposal, ProposalKind
from notifications.services import no_sms_for_past_events

# username → (name, ledger role, department name, title)
ACCOUNTS = {
    "bureau_office": ("何丽娟", LedgerRoleKind.OFFICE, "办公室", "办公室主任"),
    "bureau_leader": ("黄志刚", LedgerRoleKind.LEADER, "", "党委委员、副局长"),
    "bureau_dept": ("陈红梅", LedgerRoleKind.DEPARTMENT, "人民参与和促进法治科", "科长"),
}
DEPARTMENTS = ["办公室", "人民参与和促进法治科", "公共法律服务管理科", "法治督察科"]


@dataclass(frozen=True)
class Item:
    kind: str
    number: str
    title: str
    proposers: str
    role: str
    klass: str
    lead_unit: str = ""
    face_to_face: bool = True
    basic: bool = False  # the result rated 基本满意 (still counted satisfied)
    solved: bool = False  # a B item followed until solved


CPPCC, NPC = ProposalKind.CPPCC_PROPOSAL, ProposalKind.NPC_SUGGESTION
LEAD, CO = HandlingRole.LEAD, HandlingRole.CO
ITEMS = [
    Item(CPPCC, "020", "充分发挥人民调解在我市基层治理中作用的建议", "王建国委员", LEAD, "A"),
    Item(CPPCC, "050", "关于加强人民调解委员会工作和调解员队伍建设的建议", "李秀英委员、张卫东委员", LEAD, "A"),
    Item(CPPCC, "012", "关于推进矛盾纠纷多元化解机制建设的建议", "刘德明委员", CO, "B", "市委政法委", solved=True),
    Item(CPPCC, "031", "关于加强农民工工资争议调解工作的建议", "周丽华委员", CO, "B", "市人社局", basic=True),
    Item(CPPCC, "044", "关于完善医疗纠纷人民调解机制的建议", "吴海燕委员", CO, "B", "市卫生健康委", face_to_face=False),
    Item(CPPCC, "063", "关于加强道路交通事故纠纷调处的建议", "程志强委员", CO, "B", "市公安局"),
    Item(NPC, "015", "关于加大基层法律服务经费保障的建议", "陈金华代表", CO, "B", "市财政局", solved=True),
    Item(NPC, "027", "关于推进诉调对接工作的建议", "熊晓峰代表", CO, "B", "市中级人民法院", basic=True),
    Item(NPC, "038", "关于加强信访矛盾源头化解的建议", "汪春燕代表", CO, "B", "市信访局", face_to_face=False),
    Item(NPC, "052", "关于加强婚姻家庭纠纷预防化解的建议", "余国平代表", CO, "B", "市妇联", solved=True),
]
REPLY_A = (
    "感谢您对人民调解工作的关心和支持。我局高度重视，局主要负责同志专题研究，分管领导牵头办理。"
    "一是推动市委市政府将人民调解中心建设纳入年度重点工作，县级人民调解中心已实现全覆盖；"
    "二是出台人民调解员选聘管理办法，加强调解员培训；三是落实人民调解经费保障。所提问题已经解决或基本解决。"
)
REPLY_B = (
    "我局作为会办单位，认真研究了提案（建议）内容，提出会办意见如下：一是依托各级人民调解中心做好相关纠纷的"
    "分流化解；二是加强与主办单位的工作衔接，建立联席会议机制；三是将相关工作列入下一步计划，逐步解决。"
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def demo_year(now: datetime) -> int:
    """The latest year whose items have all been handled by `now` (交办 in March, ratings by August)."""
    return (now.date() - timedelta(days=240)).year


def _accounts(city: Any) -> dict[str, User]:
    bureau = city.city
    departments = {}
    for order, name in enumerate(DEPARTMENTS):
        departments[name], _ = BureauDepartment.objects.get_or_create(
            bureau=bureau, name=name, defaults={"is_office": name == "办公室", "order": order}
        )
    password = city.accounts["city"].password  # the demo password's hash (see the module docstring)
    users = {}
    for username, (name, kind, department, title) in ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": name, "role": Role.CITY_ADMIN, "division": bureau, "password": password},
        )
        LedgerRole.objects.get_or_create(
            user=user,
            bureau=bureau,
            kind=kind,
            department=departments.get(department),
            ended_at=None,
            defaults={"title": title},
        )
        users[username] = user
    return users


def seed_proposals(city: Any, now: datetime, *, stdout: Any = None) -> dict[str, int]:
    """Seed 咸宁市司法局's departments, ledger roles, demo accounts and the year's 10 items (idempotent: nothing is
    added when the bureau already has items of that year). Returns the counts printed."""
    year = demo_year(now)
    with transaction.atomic(), no_sms_for_past_events():
        users = _accounts(city)
        office, leader, staff = users["bureau_office"], users["bureau_leader"], users["bureau_dept"]
        bureau = city.city
        department = BureauDepartment.objects.get(bureau=bureau, name="人民参与和促进法治科")
        if not Proposal.objects.filter(bureau=bureau, year=year).exists():
            for i, spec in enumerate(ITEMS):
                _item(bureau, spec, i, year, office, leader, staff, department)
    counts = {"items": Proposal.objects.filter(bureau=bureau, year=year).count(), "year": year}
    if stdout is not None:
        stdout.write(
            f"建议提案办理：{bureau.name}司法局{year}年{counts['items']}件（主办2件，会办8件）；"
            f"演示账号 {', '.join(ACCOUNTS)}（密码同上）"
        )
    return counts


def _item(bureau, spec: Item, i: int, year: int, office, leader, staff, department) -> Proposal:
    assigned = date(year, 3, 9) + timedelta(days=i % 3)  # the 交办会 of early March, items received over three days
    session = "市政协五届三次会议" if spec.kind == CPPCC else "市五届人大三次会议"
    data = P.ProposalData(
        kind=spec.kind,
        session=session,
        number=spec.number,
        title=spec.title,
        proposers=spec.proposers,
        content=f"{spec.title.removesuffix('的建议')}，建议进一步完善工作机制，加强部门协作和经费保障。",
        assigning_body="市政府督查室" if spec.kind == CPPCC else "市人大常委会代表工作委员会",
        assigned_on=assigned,
        handling_role=spec.role,
        lead_unit=spec.lead_unit,
        key_supervised=spec.number == "020",
    )
    item = P.do_register(bureau, office, data, at=_at(assigned, 9))
    item = P.do_assign(item, office, leader=leader, department=department, at=_at(assigned, 15))
    contact_day = assigned + timedelta(days=10 + i)
    mode = "FACE" if spec.face_to_face else "PHONE"
    P.do_record_contact(
        item,
        staff,
        on=contact_day,
        stage="BEFORE",
        mode=mode,
        participants=spec.proposers,
        note="办前面商，听取意见，商定办理方案",
        at=_at(contact_day, 16),
    )
    draft_day = assigned + timedelta(days=(35 if spec.role == CO else 60) + i)
    P.do_draft_reply(
        item, staff, body=REPLY_A if spec.klass == "A" else REPLY_B, result_class=spec.klass, at=_at(draft_day)
    )
    P.do_approve_reply(item, leader, at=_at(draft_day + timedelta(days=1)))
    sent = draft_day + timedelta(days=2)
    doc_no = f"咸司函〔{year}〕{10 + i}号"
    P.do_send_reply(item, office, doc_no=doc_no, sent_on=sent, at=_at(sent, 11))
    rated = sent + timedelta(days=14)
    P.do_record_feedback(
        item,
        office,
        received_on=rated,
        attitude="SATISFIED",
        result="BASIC" if spec.basic else "SATISFIED",
        at=_at(rated),
    )
    if spec.klass == "B":
        P.do_record_follow_up(
            item,
            staff,
            on=rated + timedelta(days=30),
            progress="已与主办单位建立联席会议机制，相关工作列入计划推进" if not spec.solved else "相关问题已经解决",
            solved=spec.solved,
            at=_at(rated + timedelta(days=30)),
        )
    P.do_publish(Proposal.objects.get(pk=item.pk), office, published=True, at=_at(rated + timedelta(days=31)))
    return item
