"""The demo's rectification ledger (issue 16 §4): the city bureau's 30 problems from an inspection, shaped like
Pingdingshan's 2024 report (市委巡察组 feedback, each problem with 责任领导, 责任部门 and 整改时限, a monthly review
meeting, progress published), driven through ledgers.rectification's actions in time order, and a small county
audit so that the city sees the counties' summary.

Stages at the end of the demo (`now`): 17 销号 (one after a returned closure), 2 accepted and waiting for 销号,
2 waiting for acceptance, 6 in progress (4 of them long-term tasks; 2 past their deadline), 3 listed and not
started (1 past its deadline). Four monthly meetings; the reminder and 督办 timers fire at their own moments
(cases.timers.fire_one); one progress notice issued today and published.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role, User
from cases import timers
from cases.models import Timer
from cases.uploads import check_upload
from ledgers.models import BureauDepartment, LedgerRole, LedgerRoleKind
from ledgers.rectification import actions as A
from ledgers.rectification import clock
from ledgers.rectification.meetings import do_record_meeting
from ledgers.rectification.models import OPEN, Inspection
from ledgers.rectification.notice import do_issue_notice
from ledgers.scoping import forget_access
from notifications.services import no_sms_for_past_events

DEPARTMENTS = [
    ("办公室", True),
    ("政治部", False),
    ("机关党委", False),
    ("法治督察科", False),
    ("行政执法协调监督科", False),
    ("普法与依法治理科", False),
    ("人民参与和促进法治科", False),
    ("公共法律服务管理科", False),
    ("律师工作管理科", False),
    ("法律援助中心", False),
]
# username: (name, ledger kind, department or None, title)
PEOPLE = {
    "zg_office": ("孙晓梅", LedgerRoleKind.OFFICE, "办公室", "办公室主任"),
    "zg_leader1": ("周建国", LedgerRoleKind.LEADER, None, "党委书记、局长"),
    "zg_leader2": ("吴海涛", LedgerRoleKind.LEADER, None, "党委委员、副局长"),
    "zg_leader3": ("郑丽华", LedgerRoleKind.LEADER, None, "党委委员、副局长"),
    "zg_reviewer": ("冯志强", LedgerRoleKind.REVIEWER, None, "机关纪委书记"),
    "zg_zzb": ("陈立新", LedgerRoleKind.DEPARTMENT, "政治部", "干事"),
    "zg_jgdw": ("刘芳", LedgerRoleKind.DEPARTMENT, "机关党委", "专职副书记"),
    "zg_fzdc": ("杨帆", LedgerRoleKind.DEPARTMENT, "法治督察科", "科长"),
    "zg_zfjd": ("黄磊", LedgerRoleKind.DEPARTMENT, "行政执法协调监督科", "科长"),
    "zg_pf": ("何静", LedgerRoleKind.DEPARTMENT, "普法与依法治理科", "科长"),
    "zg_rmcy": ("罗军", LedgerRoleKind.DEPARTMENT, "人民参与和促进法治科", "科长"),
    "zg_ggfl": ("马丽", LedgerRoleKind.DEPARTMENT, "公共法律服务管理科", "科长"),
    "zg_ls": ("高峰", LedgerRoleKind.DEPARTMENT, "律师工作管理科", "科长"),
    "zg_fy": ("林雪", LedgerRoleKind.DEPARTMENT, "法律援助中心", "主任"),
}
STAFF_OF = {dept: u for u, (_n, kind, dept, _t) in PEOPLE.items() if kind == LedgerRoleKind.DEPARTMENT}
# (problem, department, leader): the first 25 are the problems Pingdingshan's report names.
PROBLEMS = [
    ("落实第一议题制度不到位", "机关党委", "zg_leader1"),
    ("工作开展连续性不强", "政治部", "zg_leader1"),
    ("政治轮训不严不实", "政治部", "zg_leader1"),
    ("为民服务理念树得不牢", "普法与依法治理科", "zg_leader2"),
    ("以案促改不深不实", "机关党委", "zg_leader1"),
    ("日常管理宽松软", "政治部", "zg_leader1"),
    ("项目建设管理不规范", "法治督察科", "zg_leader3"),
    ("常态化排查整治抓而不实", "法治督察科", "zg_leader3"),
    ("行业突出问题边改边犯", "律师工作管理科", "zg_leader2"),
    ("指导安置帮教力度较弱", "人民参与和促进法治科", "zg_leader2"),
    ("思想教育未能入脑入心", "机关党委", "zg_leader1"),
    ("履行行政合法性审查职责有短板", "行政执法协调监督科", "zg_leader3"),
    ("指导普法宣传教育不扎实", "普法与依法治理科", "zg_leader2"),
    ("推行行政执法三项制度有差距", "行政执法协调监督科", "zg_leader3"),
    ("落实行政执法过错责任追究机制不严格", "行政执法协调监督科", "zg_leader3"),
    ("行政执法事前监管和过程管控不够有力", "行政执法协调监督科", "zg_leader3"),
    ("法律援助工作质效有待提升", "法律援助中心", "zg_leader2"),
    ("村（居）法律顾问工作仍需加强", "公共法律服务管理科", "zg_leader2"),
    ("指导行业性专业性调解不到位", "人民参与和促进法治科", "zg_leader2"),
    ("推进行政调解工作迟滞", "人民参与和促进法治科", "zg_leader2"),
    ("落实巡察整改四个融入有差距", "法治督察科", "zg_leader3"),
    ("暖警爱警措施有待提升", "政治部", "zg_leader1"),
    ("发挥统筹行政立法作用不充分", "法治督察科", "zg_leader3"),
    ("公共法律服务平台建设不够坚实", "公共法律服务管理科", "zg_leader2"),
    ("人民调解工作开展不扎实", "人民参与和促进法治科", "zg_leader2"),
    ("意识形态工作责任制落实不够有力", "机关党委", "zg_leader1"),
    ("干部教育培训针对性不强", "政治部", "zg_leader1"),
    ("公证质量监管存在薄弱环节", "律师工作管理科", "zg_leader2"),
    ("政务信息公开不够及时", "办公室", "zg_leader3"),
    ("矛盾纠纷排查化解台账不规范", "人民参与和促进法治科", "zg_leader2"),
]
# The stage each problem ends in (index -> stage); long-term tasks (长期整改任务) as in the report's 第三部分.
CLOSED, ACCEPTED, REQUESTED, IN_PROGRESS, LISTED = "closed", "accepted", "requested", "in_progress", "listed"
STAGES = [CLOSED] * 17 + [ACCEPTED] * 2 + [REQUESTED] * 2 + [IN_PROGRESS] * 6 + [LISTED] * 3
LONG_TERM = {21, 22, 23, 24}  # 暖警爱警, 统筹行政立法, 公共法律服务平台, 人民调解 (in progress, long-term)
OVERDUE = {25, 26, 29}  # two in progress and one listed, past their deadline at `now`
RETURNED_ONCE = 4  # 以案促改不深不实: its first closure was returned

PROGRESS = [
    "已召开专题会议研究部署，制定整改方案，明确责任人和完成时限。",
    "已完成问题排查，梳理出需整改的具体事项，正在逐项推进。",
    "已修订完善相关工作制度，并组织全体人员学习。",
    "已开展专项检查，对发现的问题当场反馈、限期整改。",
    "已建立工作台账，实行动态管理，每月汇总报送进展。",
    "已组织业务培训，参训人员覆盖相关岗位全体人员。",
]
FINISHED = "整改措施已全部落实：制度已印发执行，专项检查已完成并通报，建立了长效机制，相关佐证材料已上传。"


def _png(label: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (320, 200), (236, 240, 244))
    draw = ImageDraw.Draw(im)
    draw.rectangle([10, 10, 310, 190], outline=(120, 28, 28), width=3)
    draw.text((24, 90), f"No.{label}", fill=(60, 60, 60))
    out = BytesIO()
    im.save(out, "PNG")
    return SimpleUploadedFile(f"整改佐证{label}.png", out.getvalue(), content_type="image/png")


def _evidence(label: int) -> list[tuple]:
    f = _png(label)
    return [(f, check_upload(f))]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _people(
    bureau, departments: dict[str, BureauDepartment], people: dict, existing: dict[str, User] | None = None
) -> dict[str, User]:
    """The ledger's people with their roles. Their accounts have unusable passwords, as every demo account but the
    named ones (demo.city.DEMO_ACCOUNTS): `existing` maps a key to such an account to use instead (the city's
    office is the demo account `city`)."""
    users = {}
    for username, (name, kind, dept, title) in people.items():
        user = (existing or {}).get(username)
        user = (
            user
            or User.objects.filter(username=username).first()
            or User.objects.create_user(
                username,
                password=None,
                full_name=name,
                role=Role.CITY_ADMIN if bureau.level == 2 else Role.COUNTY_ADMIN,
                division=bureau,
            )
        )
        department = departments.get(dept) if dept else None
        LedgerRole.objects.get_or_create(
            user=user,
            bureau=bureau,
            kind=kind,
            department=department,
            ended_at=None,
            defaults={"title": title},
        )
        forget_access(user)
        users[username] = user
    return users


def _departments(bureau, names) -> dict[str, BureauDepartment]:
    out = {}
    for order, (name, is_office) in enumerate(names):
        out[name], _ = BureauDepartment.objects.get_or_create(
            bureau=bureau, name=name, defaults={"is_office": is_office, "order": order}
        )
    return out


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    run: Callable[[], Any]


def _fire_clocks(until: datetime) -> int:
    """Fire the rectification timers that came due before `until`, each at its own moment."""
    n = 0
    while True:
        t = (
            Timer.objects.filter(kind__in=clock.KINDS, fired_at__isnull=True, cancelled_at__isnull=True)
            .filter(fire_at__lte=until)
            .order_by("fire_at", "pk")
            .first()
        )
        if t is None:
            return n
        timers.fire_one(t.pk, t.fire_at)
        n += 1


def seed_rectification(city: Any, now: datetime, *, seed: int = 16, stdout: Any = None) -> dict[str, int]:
    """The city bureau's inspection with its 30 items and their history, and a county audit. Returns the notice's
    figures."""
    rng = random.Random(seed)
    bureau = city.city
    departments = _departments(bureau, DEPARTMENTS)
    accounts = getattr(city, "accounts", None) or {}
    users = _people(bureau, departments, PEOPLE, {"zg_office": accounts["city"]} if "city" in accounts else None)
    today = timezone.localtime(now).date()
    feedback = today - timedelta(days=140)
    office, reviewer = users["zg_office"], users["zg_reviewer"]
    steps: list[Step] = []
    seq = iter(range(1_000_000))

    def later(at: datetime, fn: Callable[[], Any]) -> None:
        steps.append(Step(min(at, now - timedelta(minutes=5)), next(seq), fn))

    with no_sms_for_past_events():
        inspection = A.do_create_inspection(
            office,
            bureau,
            kind="XUNCHA",
            name="市委第六巡察组巩固政法队伍教育整顿成果专项巡察",
            body="市委第六巡察组",
            feedback_on=feedback,
            issuer=f"中共{bureau.name}司法局党委",
            at=_at(feedback, 16),
        )
        rows = []
        deadlines = []
        for i, (problem, dept, leader) in enumerate(PROBLEMS):
            stage = STAGES[i]
            if i in LONG_TERM:
                deadline = today + timedelta(days=rng.randint(150, 220))
            elif i in OVERDUE:
                deadline = today - timedelta(days=rng.randint(8, 30))
            elif stage == CLOSED:
                deadline = feedback + timedelta(days=rng.randint(45, 110))
            else:
                deadline = today + timedelta(days=rng.randint(10, 60))
            deadlines.append(deadline)
            rows.append(
                A.ItemData(
                    problem=problem,
                    leader=users[leader],
                    department=departments[dept],
                    reviewer=reviewer,
                    measures=f"针对“{problem}”问题，{dept}牵头制定整改方案，逐项明确整改措施、责任人和完成时限，"
                    "建立健全长效机制，确保件件有着落、事事有回音。",
                    deadline=deadline,
                    long_term=i in LONG_TERM,
                    milestones=[("制定整改方案", min(deadline, feedback + timedelta(days=20)))],
                    number=i + 1,
                )
            )
        items = A.do_import_items(
            office, inspection, rows, file_name="巡察反馈问题整改清单.xlsx", at=_at(feedback + timedelta(days=5), 15)
        )

        for i, item in enumerate(items):
            stage, deadline = STAGES[i], deadlines[i]
            staff_key = STAFF_OF.get(item.department.name)
            staff = users[staff_key] if staff_key else None
            if staff is None or stage == LISTED:
                continue
            first = _at(feedback + timedelta(days=rng.randint(8, 20)), 10)
            milestone = item.milestones.first()
            later(first, _bind(A.do_report_progress, staff, item, PROGRESS[i % len(PROGRESS)], milestone, i + 1))
            second = first + timedelta(days=rng.randint(20, 40))
            later(second, _bind(A.do_report_progress, staff, item, PROGRESS[(i + 2) % len(PROGRESS)], None, None))
            if stage == IN_PROGRESS:  # this month's report, shown on the next meeting's page
                recent = _at(today - timedelta(days=rng.randint(3, 12)), 16)
                text = PROGRESS[(i + 4) % len(PROGRESS)]
                later(recent, _bind(A.do_report_progress, staff, item, text, None, 300 + i))
            if stage in (CLOSED, ACCEPTED, REQUESTED):
                if stage == CLOSED:
                    ask = _at(min(deadline, today - timedelta(days=10)) - timedelta(days=rng.randint(2, 8)), 11)
                    ask = max(ask, second + timedelta(hours=2))
                else:
                    ask = _at(today - timedelta(days=rng.randint(2, 6)), 11)
                if i == RETURNED_ONCE:
                    later(ask, _closure(staff, item, "已召开警示教育大会，整改基本完成。请予销号。"))
                    later(ask + timedelta(days=2), _return(reviewer, item))
                    later(
                        ask + timedelta(days=5),
                        _bind(
                            A.do_report_progress,
                            staff,
                            item,
                            "已补充廉政风险点排查台账和防控措施清单，组织局直各单位召开专题组织生活会。",
                            None,
                            100 + i,
                        ),
                    )
                    ask = ask + timedelta(days=6)
                later(ask, _closure(staff, item, FINISHED))
                if stage in (CLOSED, ACCEPTED):
                    accept = ask + timedelta(days=rng.randint(1, 3), hours=2)
                    later(accept, _accept(reviewer, item))
                    if stage == CLOSED:
                        later(accept + timedelta(days=1), lambda it=item: A.do_close_item(office, it, at=STEP_AT[0]))

        for k in range(1, 5):  # the monthly review meetings
            held = feedback + timedelta(days=30 * k)
            if held >= today:
                break
            later(_at(held, 15), _meeting(users["zg_leader1"], inspection, held, k, rng))

        steps.sort()
        for step in steps:
            _fire_clocks(step.at)
            STEP_AT[0] = step.at
            step.run()
        _fire_clocks(now)
        notice = do_issue_notice(
            office,
            inspection,
            intro="根据巡察反馈意见，局党委逐一明确责任领导、责任部门和整改时限，采取动态管理、台账推进、挂账销号的办法，"
            "完成一项销号一项。现将整改进展情况通报如下：",
            at=now - timedelta(minutes=1),
        )
        _county_audit(city, now, rng)
    f = notice.snapshot["figures"]
    if stdout is not None:
        stdout.write(
            f"整改台账：{inspection.name}，问题{f['total']}个：已销号{f['done']}，正在整改{f['under_way']}，"
            f"尚未启动{f['not_started']}，逾期{f['overdue']}；调度会{inspection.meetings.count()}次，通报已公布"
        )
    return {k: v for k, v in f.items() if isinstance(v, int)}


# The moment of the step being run: the actions built as closures read it, so that each acts at its own time.
STEP_AT: list[datetime] = [timezone.now()]


def _bind(fn, who, item, text, milestone, label):
    def run():
        files = _evidence(label) if label is not None else []
        fn(who, item, text=text, files=files, milestone=milestone, at=STEP_AT[0])

    return run


def _closure(who, item, summary):
    return lambda: A.do_request_closure(who, item, summary=summary, at=STEP_AT[0])


def _return(who, item):
    reasons = "佐证材料不足：缺少廉政风险点排查台账和专题组织生活会记录，请补充后重新申请。"
    return lambda: A.do_return_closure(who, item, reasons=reasons, at=STEP_AT[0])


def _accept(who, item):
    return lambda: A.do_accept_closure(who, item, opinion="经核查佐证材料，整改到位，同意销号。", at=STEP_AT[0])


def _meeting(chair: User, inspection: Inspection, held: date, k: int, rng: random.Random):
    def run():
        open_items = list(inspection.items.filter(status__in=OPEN).order_by("number"))
        picked = rng.sample(open_items, min(3, len(open_items)))
        do_record_meeting(
            chair,
            inspection,
            held_on=held,
            title=f"{held:%Y年%-m月}巡察整改推进会（第{k}次）",
            chair=chair.full_name,
            attendees="局党委班子成员，各责任科室负责同志",
            decisions="听取各责任科室整改进展汇报；对进度滞后的事项现场研究、当场解决；下月会议前报送本月进展。",
            item_decisions={it.pk: "进度滞后，责任科室本月内拿出具体措施并报送进展。" for it in picked},
            at=STEP_AT[0],
        )

    return run


def _county_audit(city: Any, now: datetime, rng: random.Random) -> None:
    """A county bureau's audit with six items, so that the city's page has a county summary."""
    county = sorted(city.counties.values(), key=lambda d: d.code)[0]
    departments = _departments(county, [("办公室", True), ("财务装备科", False), ("基层工作科", False)])
    people = {
        "zg_c_office": ("田雨", LedgerRoleKind.OFFICE, "办公室", "办公室主任"),
        "zg_c_leader": ("邓刚", LedgerRoleKind.LEADER, None, "副局长"),
        "zg_c_reviewer": ("谢敏", LedgerRoleKind.REVIEWER, None, "纪检组长"),
        "zg_c_cw": ("韩冰", LedgerRoleKind.DEPARTMENT, "财务装备科", "科长"),
    }
    users = _people(county, departments, people)
    today = timezone.localtime(now).date()
    feedback = today - timedelta(days=60)
    office = users["zg_c_office"]
    insp = A.do_create_inspection(
        office,
        county,
        kind="SHENJI",
        name="2025年度财务收支审计",
        body="县审计局",
        feedback_on=feedback,
        at=_at(feedback, 10),
    )
    for n, problem in enumerate(
        [
            "专项经费使用审批不规范",
            "固定资产台账不完整",
            "公务接待费用报销凭证不全",
            "政府采购程序执行不严",
            "往来款项长期未清理",
            "人民调解以奖代补资金发放滞后",
        ],
        start=1,
    ):
        due = feedback + timedelta(days=30 + 10 * n)
        item = A.do_add_item(
            office,
            insp,
            A.ItemData(
                problem=problem,
                leader=users["zg_c_leader"],
                department=departments["财务装备科"],
                reviewer=users["zg_c_reviewer"],
                measures="逐笔核查，补齐手续，修订内控制度并组织学习。",
                deadline=due,
                number=n,
            ),
            at=_at(feedback + timedelta(days=2)),
        )
        if n <= 3:
            A.do_report_progress(
                users["zg_c_cw"],
                item,
                text="已逐笔核查并补齐手续。",
                files=_evidence(200 + n),
                at=_at(feedback + timedelta(days=10 + n)),
            )
        if n <= 2:
            A.do_request_closure(
                users["zg_c_cw"],
                item,
                summary="已全部整改到位，内控制度已修订印发。",
                at=_at(feedback + timedelta(days=20 + n)),
            )
            A.do_accept_closure(users["zg_c_reviewer"], item, at=_at(feedback + timedelta(days=22 + n)))
            A.do_close_item(office, item, at=_at(feedback + timedelta(days=23 + n)))
    _fire_clocks(now)
