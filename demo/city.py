"""The demo city, 湖北省咸宁市: name tables, dispute texts, and its mediation organisations on the real divisions.

Used only by `manage.py seed_demo`. Every choice is drawn from the `random.Random` passed in, so one seed always
builds the same city. Committees, mediators and their accounts are bulk-created (they are registry data, not case
state); every case is then made through `cases.actions`.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from cases.enums import CaseSource
from cases.enums import DisputeType as DT
from registry.models import (
    Committee,
    CommitteeKind,
    CommitteeType,
    Court,
    Division,
    DivisionLevel,
    Industry,
    Mediator,
    MediatorCategory,
    MediatorRole,
)

TZ = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "tiaojie-demo-2026"  # noqa: S105 -- development demo accounts only
CITY_CODE = "4212"
COUNTY_CODES = ["421202", "421221", "421222", "421223", "421224", "421281"]
DEMO_COUNTY = "421202"  # 咸安区
DEMO_TOWNSHIP = "421202001"  # 咸安区温泉街道
DEMO_VILLAGE = "421202001204"  # 温泉街道肖桥村 (falls back to the first 村 of the township)
TERM_YEARS = 3  # 人民调解委员会委员每届任期三年 (PML 9); hired and member mediators follow the committee's term
TERMS_ENDING_SOON = 0.03  # share of mediators whose term ends within 60 days (so the terms page has its warnings)


def term_of(key: str, today: date) -> tuple[date, date]:
    """A three-year term of office: most end one to three years after `today`, about 3% within the next 60 days.
    Drawn from a Random of its own (seeded by `key`), so the terms do not shift the city's other draws."""
    r = random.Random(f"term-{key}")
    if r.random() < TERMS_ENDING_SOON:
        end = today + timedelta(days=r.randint(5, 58))
    else:
        end = today + timedelta(days=r.randint(120, 365 * TERM_YEARS))
    try:
        start = end.replace(year=end.year - TERM_YEARS) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - TERM_YEARS, day=28) + timedelta(days=1)
    return start, end


# username → (name, gender, role); the demo mediator and director belong to the demo village committee.
DEMO_ACCOUNTS = {
    "party": ("张建华", "M", Role.PARTY),
    "mediator": ("刘芳", "F", Role.MEDIATOR),
    "director": ("陈志强", "M", Role.DIRECTOR),
    "sfs": ("王静", "F", Role.SFS_OFFICER),
    "county": ("周建军", "M", Role.COUNTY_ADMIN),
    "city": ("胡晓明", "M", Role.CITY_ADMIN),
    "court": ("吴敏", "F", Role.COURT_LIAISON),
}
PARTY_PHONE = "13871500001"

# Names ---------------------------------------------------------------------------------------------------------
SURNAMES = "陈王李张刘胡周黄吴徐程余熊汪邓杨朱彭何郭肖曹魏方谢罗高袁梁田董万夏雷潘钱邹丁孙冯沈姚叶蔡龚童柯聂江涂"
SURNAME_WEIGHTS = [max(2, 30 - i) for i in range(len(SURNAMES))]
MALE_1 = "建志俊国明文德永金家少海光小春新正立学长世兴卫定先宏"
MALE_2 = "国强华军平明伟勇刚斌涛辉林峰波杰东成荣生龙山清祥"
FEMALE_1, FEMALE_2 = "秀桂玉丽春美金小月红淑慧晓雪海静爱凤翠燕", "英兰芳华珍梅琴霞萍玲娟红燕敏丽娥莲芬云凤"
MALE_SINGLE, FEMALE_SINGLE = "伟勇军磊涛斌明华平刚强杰浩鹏超波辉峰", "芳丽敏静霞娟燕艳玲琴颖婷洁"
OCCUPATIONS = ["农民"] * 6 + ["务工人员"] * 3 + ["个体工商户", "教师", "退休职工", "自由职业", "公司职员", "无业"]
BRANDS = ["鑫源", "恒达", "楚天", "金桂", "瑞丰", "华宇", "兴隆", "宏发", "香城", "九宫", "陆水", "隽水", "淦河"]
SPECIALTIES = (
    "婚姻家庭 邻里纠纷 宅基地纠纷 山林土地 合同纠纷 损害赔偿 劳动争议 交通事故 医疗纠纷 物业纠纷 征地拆迁".split()
)

# Disputes ------------------------------------------------------------------------------------------------------
# type: (weight at village / community / township committees — roughly the national statistics, where family,
# neighbour, damage, housing and contract disputes lead; median amount in yuan, log-normal; share without a money
# claim; share whose respondent is an organisation with a 统一社会信用代码; the lines of business of such companies)
DISPUTES = {
    DT.MARRIAGE_FAMILY: (18, 18, 18, 20000, 0.4, 0, ""),
    DT.NEIGHBOR: (24, 26, 22, 3000, 0.35, 0, ""),
    DT.HOUSING_HOMESTEAD: (13, 5, 10, 30000, 0.3, 0, ""),
    DT.CONTRACT: (7, 9, 9, 40000, 0, 0.3, "商贸 农业开发 建材"),
    DT.PRODUCTION_OPERATION: (4, 2, 4, 50000, 0.1, 0.2, "农业开发 养殖"),
    DT.DAMAGE_COMPENSATION: (11, 11, 11, 8000, 0, 0.1, "商贸"),
    DT.FOREST_LAND: (8, 0, 5, 15000, 0.2, 0, ""),
    DT.LAND_ACQ_DEMOLITION: (2.5, 1, 2.5, 60000, 0, 0.5, "城市建设投资"),
    DT.ENV_POLLUTION: (1.5, 1.5, 1.5, 20000, 0.2, 0.4, "生态养殖 石材"),
    DT.LABOR_MIGRANT_WAGES: (3, 3, 3, 25000, 0, 0.7, "建筑劳务 建设工程 装饰工程"),
    DT.LABOR_OTHER: (1, 2, 2, 30000, 0, 0.9, "纺织 茶业 食品 机械"),
    DT.CONSUMER_TOURISM: (0.3, 0.5, 0.5, 3000, 0, 1.0, "旅行社"),
    DT.CONSUMER_ECOMMERCE: (0.5, 1.5, 1, 2500, 0, 0.9, "电子商务"),
    DT.CONSUMER_OTHER: (1, 2, 1.5, 4000, 0, 0.7, "商贸 电器 健身服务"),
    DT.MEDICAL: (0, 0.5, 1, 120000, 0, 1.0, ""),
    DT.ROAD_TRAFFIC: (2, 3, 3, 45000, 0, 0.15, "运输 物流"),
    DT.PROPERTY_MGMT: (0, 9, 2, 5000, 0.1, 0.9, "物业服务"),
    DT.OTHER: (3, 3, 3, 5000, 0.5, 0, ""),
}
DISPUTE_MIX: dict[str, dict[str, float]] = {
    **{profile: {t: row[i] for t, row in DISPUTES.items()} for i, profile in enumerate(["village", "resident"])},
    "township": {t: row[2] for t, row in DISPUTES.items()},
    "medical": {DT.MEDICAL: 1},
    "traffic": {DT.ROAD_TRAFFIC: 1},
    "labor": {DT.LABOR_MIGRANT_WAGES: 55, DT.LABOR_OTHER: 45},
    "enterprise": {DT.LABOR_OTHER: 50, DT.LABOR_MIGRANT_WAGES: 15, DT.CONTRACT: 15, DT.DAMAGE_COMPENSATION: 20},
}
# Case sources by organisation: mostly on application or proactive; courts refer mainly to centres and townships.
_SOURCES = ["ON_APPLICATION", "PROACTIVE", "REFERRED_COURT", "REFERRED_POLICE", "REFERRED_PETITION"]
_SOURCES += ["REFERRED_OTHER_DEPT", "REFERRED_PROCURATORATE"]
SOURCE_MIX = {
    profile: dict(zip(_SOURCES, row, strict=True))
    for profile, row in {
        "village": (45, 47, 1, 3, 2, 2, 0),
        "resident": (45, 45, 2, 3, 2, 3, 0),
        "township": (48, 30, 8, 6, 4, 3, 1),
        "centre": (40, 10, 30, 8, 7, 4, 1),
        "medical": (80, 0, 10, 0, 0, 10, 0),
        "traffic": (30, 0, 15, 55, 0, 0, 0),
        "labor": (60, 0, 10, 0, 5, 25, 0),
        "enterprise": (50, 50, 0, 0, 0, 0, 0),
    }.items()
}
REFERRAL_BODY = {
    CaseSource.REFERRED_POLICE: "{county}公安局{town}派出所",
    CaseSource.REFERRED_PETITION: "{county}信访局",
    CaseSource.REFERRED_PROCURATORATE: "{county}人民检察院",
    CaseSource.REFERRED_OTHER_DEPT: "{county}{dept}",
}
# Where a committee sends a dispute outside its remit, by dispute type prefix.
TRANSFER_TO = {"LABOR": "人力资源和社会保障局", "FOREST": "自然资源和规划局", "ROAD": "公安局交通警察大队"}
TRANSFER_TO |= {"CONSUMER": "市场监督管理局", "ENV": "生态环境分局"}

# Brief facts and claims, alternating; {a} applicant, {r} respondent, {place} the committee's place.
TEXTS: dict[str, list[str]] = {
    DT.MARRIAGE_FAMILY: [
        "{a}与{r}系夫妻，婚后因家庭琐事经常争吵，{r}长期在外务工不顾家庭，双方感情出现裂痕。",
        "请求调解离婚事宜，分割夫妻共同财产，明确子女抚养",
        "{a}年事已高，与儿子{r}就赡养问题发生矛盾，{r}以经济困难为由拒绝承担赡养费用。",
        "请求{r}按月支付赡养费并分担医疗费用",
        "{a}与{r}系兄弟，因父母遗留房屋的继承分配问题发生争执，多次协商未果。",
        "请求合理分配父母遗留房产",
    ],
    DT.NEIGHBOR: [
        "{a}与{r}系{place}邻居，{r}在屋后修建围墙占用公共通道，影响{a}家出行，双方多次发生口角。",
        "请求{r}拆除占道围墙，恢复通行",
        "{r}家屋檐滴水及生活污水排入{a}家院内，双方因此多次发生争吵。",
        "请求{r}改建排水设施并赔偿损失",
        "{a}被{r}家饲养的狗咬伤，花去医药费若干，双方就赔偿问题发生纠纷。",
        "请求{r}赔偿医药费、误工费",
    ],
    DT.HOUSING_HOMESTEAD: [
        "{a}与{r}宅基地相邻，{r}建房时地基越过原有界线约半米，{a}认为侵占其宅基地。",
        "请求确认宅基地界线，{r}停止侵占",
        "{a}将房屋出租给{r}，租期届满后{r}拒不搬离，且拖欠房租三个月。",
        "请求{r}腾退房屋并支付拖欠租金",
    ],
    DT.CONTRACT: [
        "{a}向{r}出售农产品一批，{r}收货后以资金周转困难为由拖欠货款至今未付。",
        "请求{r}支付拖欠货款",
        "{r}向{a}借款用于经营，约定一年内归还，到期后{a}多次催要，{r}以各种理由推脱。",
        "请求{r}归还借款本金及利息",
        "{a}与{r}签订房屋装修合同，{a}认为施工质量不合格且延误工期，双方就尾款支付发生争议。",
        "请求{r}返工整改并减少工程款",
    ],
    DT.PRODUCTION_OPERATION: [
        "{a}与{r}合伙经营养殖场，因经营亏损后账目不清、投资分担问题发生纠纷。",
        "请求清算合伙账目，合理分担亏损",
        "{r}在{a}承包的鱼塘上游开办加工作坊，{a}认为影响鱼塘经营，双方发生争执。",
        "请求{r}采取措施并赔偿经营损失",
    ],
    DT.DAMAGE_COMPENSATION: [
        "{r}驾驶农用车倒车时撞坏{a}家院墙和门楼，双方就赔偿数额协商不成。",
        "请求{r}赔偿院墙、门楼修复费用",
        "{a}在{r}经营的店铺门前因地面湿滑摔伤住院，双方就责任承担发生争议。",
        "请求{r}赔偿医疗费、护理费、误工费",
        "{a}与{r}因琐事发生口角后互相推搡，{a}受轻微伤，双方就赔偿未能达成一致。",
        "请求{r}赔偿医药费并赔礼道歉",
    ],
    DT.FOREST_LAND: [
        "{a}与{r}承包的山林相邻，因林地界址不清，{r}砍伐的杉木中有部分位于{a}承包范围内。",
        "请求确认山林界址，{r}赔偿林木损失",
        "{a}将责任田流转给{r}种植油茶，{r}未按约定支付流转费用。",
        "请求{r}支付土地流转费",
    ],
    DT.LAND_ACQ_DEMOLITION: [
        "{place}道路拓宽工程征收{a}部分承包地，{a}认为地上附着物补偿偏低，与{r}发生争议。",
        "请求{r}足额补偿青苗及地上附着物",
        "{a}与{r}就征地补偿款在家庭成员之间的分配比例发生纠纷。",
        "请求合理分配征地补偿款",
    ],
    DT.ENV_POLLUTION: [
        "{r}经营的养猪场粪污未经处理直接排放，臭味及污水影响{a}等周边村民生活。",
        "请求{r}整改排污设施并赔偿损失",
        "{r}开办的石材加工厂夜间作业噪音扰民，{a}多次交涉无果。",
        "请求{r}夜间停止作业并采取降噪措施",
    ],
    DT.LABOR_MIGRANT_WAGES: [
        "{a}等人在{r}承包的建筑工地务工，工程完工后{r}拖欠工资至今未结清。",
        "请求{r}支付拖欠的劳务工资",
        "{a}受雇于{r}从事装修工作，{r}以工程款未到位为由拖欠{a}工资。",
        "请求{r}结清工资",
    ],
    DT.LABOR_OTHER: [
        "{a}在{r}工作三年，{r}未与其签订书面劳动合同，也未缴纳社会保险，现{a}被辞退。",
        "请求{r}支付经济补偿金",
        "{a}在{r}工作期间因工受伤，双方就工伤待遇的计算发生争议。",
        "请求{r}支付停工留薪期工资及伤残补助",
    ],
    DT.CONSUMER_TOURISM: [
        "{a}参加{r}组织的九宫山旅游团，{r}擅自变更行程并减少游览景点，{a}要求退还部分团费。",
        "请求{r}退还部分团费并赔偿损失",
    ],
    DT.CONSUMER_ECOMMERCE: [
        "{a}通过网络平台在{r}的网店购买家电，收货后发现存在质量问题，{r}拒绝退货。",
        "请求{r}退货退款",
    ],
    DT.CONSUMER_OTHER: [
        "{a}在{r}处购买的电动车使用不足一个月即出现电池故障，{r}拒绝按三包规定更换。",
        "请求{r}更换电池或退货",
        "{a}在{r}办理的预付卡因{r}停业无法继续使用，{r}拒绝退还余款。",
        "请求{r}退还预付卡余额",
    ],
    DT.MEDICAL: [
        "{a}的父亲在{r}住院治疗期间病情恶化去世，{a}认为{r}在诊疗过程中存在过错。",
        "请求{r}承担医疗损害赔偿责任",
        "{a}在{r}接受手术后出现并发症需二次手术，{a}认为{r}术前告知不充分。",
        "请求{r}赔偿医疗费、误工费等损失",
    ],
    DT.ROAD_TRAFFIC: [
        "{r}驾驶小型轿车与{a}驾驶的电动自行车相撞，致{a}受伤、车辆受损，交警认定{r}负主要责任。",
        "请求{r}赔偿医疗费、误工费、车辆维修费",
        "{a}驾驶的货车在国道上与{r}的车辆发生追尾，双方就车辆损失赔偿协商不成。",
        "请求{r}赔偿车辆维修费及停运损失",
    ],
    DT.PROPERTY_MGMT: [
        "{a}所住小区因{r}管理不善，地下车库多次积水，导致{a}车辆受损。",
        "请求{r}赔偿车辆维修费用",
        "{r}以{a}拖欠物业费为由停止为其提供门禁服务，{a}认为{r}服务不到位。",
        "请求{r}恢复服务，协商物业费缴纳",
    ],
    DT.OTHER: [
        "{a}与{r}因村民小组集体收益分配问题发生争执，{a}认为分配方案不公。",
        "请求重新核定收益分配",
        "{a}与{r}因祖坟迁移问题发生矛盾，双方情绪激动，可能激化。",
        "请求协商解决迁坟事宜",
    ],
}


def pick(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def texts(rng: random.Random, dispute_type: str) -> tuple[str, str]:
    lines = TEXTS[dispute_type]
    i = rng.randrange(len(lines) // 2) * 2
    return lines[i], lines[i + 1]


def person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    if rng.random() < 0.25:
        return surname + rng.choice(MALE_SINGLE if gender == "M" else FEMALE_SINGLE)
    first, second = (MALE_1, MALE_2) if gender == "M" else (FEMALE_1, FEMALE_2)
    return surname + rng.choice(first) + rng.choice(second)


def phone(rng: random.Random) -> str:
    return (
        rng.choice(["133", "135", "138", "139", "150", "152", "158", "177", "180", "189"])
        + f"{rng.randrange(10**8):08d}"
    )


def company_name(rng: random.Random, dispute_type: str, county_name: str) -> str:
    business = rng.choice(DISPUTES[dispute_type][6].split() or ["商贸"])
    return f"咸宁市{county_name[:2]}{rng.choice(BRANDS)}{business}有限公司"


# The organisations ----------------------------------------------------------------------------------------------
@dataclass
class Unit:
    """One committee with the accounts that act in its cases."""

    committee: Committee
    profile: str  # key of DISPUTE_MIX / SOURCE_MIX
    county: str  # 6-digit county code, or CITY_CODE for city-level committees
    place: str  # the village, community or township name used in texts
    area: str  # where its parties live, e.g. 咸安区温泉街道肖桥村
    weight: float  # relative case load
    director: User | None = None
    mediators: list[User] = field(default_factory=list)  # accounts that preside over cases


@dataclass
class City:
    city: Division
    counties: dict[str, Division]
    townships: dict[str, Division]
    courts: dict[str, Court]
    units: list[Unit]
    demo_unit: Unit  # the demo mediator's and director's village committee
    demo_township_unit: Unit
    demo_centre_unit: Unit
    accounts: dict[str, User]


def township_type(name: str) -> str | None:
    if name.endswith("街道"):
        return CommitteeType.SUBDISTRICT
    if name.endswith(("镇", "乡")):
        return CommitteeType.TOWNSHIP
    return None  # farms, forest parks, development zones: no township committee


def village_base(name: str) -> tuple[str, str] | None:
    """'花山村村委会' → ('花山村', VILLAGE); '樱花社区居委会' → ('樱花社区', RESIDENT); virtual 生活区 → None."""
    if name.endswith("生活区"):
        return None
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix):
            body = name[: -len(suffix)]
            return (body if body.endswith("村") else body + "村"), CommitteeType.VILLAGE
    body = re.sub(r"(居民委员会|居委会)$", "", name)
    if body.endswith("村"):
        return body, CommitteeType.VILLAGE
    return (body if body.endswith("社区") else body + "社区"), CommitteeType.RESIDENT


def _strip(name: str, *suffixes: str) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


class _Builder:
    """Collects committees with unique short names (they appear in case numbers) before one bulk insert."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.units, self.taken = rng, [], set()

    def claim(self, *candidates: str) -> str:
        for c in candidates:
            if c and len(c) <= 20 and c not in self.taken:
                self.taken.add(c)
                return c
        raise ValueError(f"no free short name among {candidates}")

    def add(self, name, shorts, ctype, division, profile, place, weight, office="", **kw) -> Unit:
        """A committee `name` at `division`; `weight` is its relative case load, `office` ends its address."""
        area = "".join(d.name for d in [*division.ancestors()[2:], division]) if division.level > 2 else ""
        if division.level == DivisionLevel.VILLAGE:
            area = area[: -len(division.name)] + place
        county = division.code[:6] if division.level > 2 else CITY_CODE
        established = date(self.rng.randint(2010, 2021), self.rng.randint(1, 12), 1)
        committee = Committee(
            name=name,
            short_name=self.claim(*shorts),
            committee_type=ctype,
            division=division,
            address=f"湖北省咸宁市{area}{office}",
            phone=f"0715-{self.rng.randrange(10**7):07d}",
            established_on=established,
            **kw,
        )
        self.units.append(Unit(committee, profile, county, place, area or "咸宁市", weight))
        return self.units[-1]


def build_city(rng: random.Random, today: date | None = None) -> City:
    city = Division.objects.get(code=CITY_CODE)
    counties = {d.code: d for d in Division.objects.filter(code__in=COUNTY_CODES).order_by("code")}
    towns = Division.objects.filter(parent_id__in=COUNTY_CODES, level=DivisionLevel.TOWNSHIP).order_by("code")
    townships = {d.code: d for d in towns if township_type(d.name)}
    villages: dict[str, list[Division]] = {}
    for v in Division.objects.filter(parent_id__in=list(townships), level=DivisionLevel.VILLAGE).order_by("code"):
        villages.setdefault(v.parent_id, []).append(v)
    courts = {
        code: Court.objects.create(name=("咸宁市" if d.name.endswith("区") else "") + f"{d.name}人民法院", division=d)
        for code, d in counties.items()
    }
    b, social = _Builder(rng), CommitteeType.SOCIAL_ORG_OTHER
    industry = {"kind": CommitteeKind.INDUSTRY, "court_invited": True}
    police = "咸宁市公安局交通警察支队"
    name, medical = "咸宁市医疗纠纷人民调解委员会", {"industry": Industry.MEDICAL, **industry}
    b.add(name, ("咸宁医调",), social, city, "medical", "咸宁市", 10, "卫生健康委员会一楼", **medical)
    name, traffic = "咸宁市道路交通事故纠纷人民调解委员会", {"industry": Industry.TRAFFIC, "stationed_at": police}
    b.add(
        name, ("咸宁交调",), social, city, "traffic", "咸宁市", 12, police[3:], is_stationed=True, **traffic, **industry
    )
    centre = {"kind": CommitteeKind.CENTRE, "is_regional": True, "court_invited": True, "office": "社会治理中心"}
    labor = {"kind": CommitteeKind.INDUSTRY, "industry": Industry.LABOR, "is_stationed": True}
    centres = {}
    for code, county in counties.items():
        short, name = _strip(county.name, "区", "县", "市"), county.name
        centres[code] = b.add(f"{name}人民调解中心", (f"{short}调解中心",), social, county, "centre", name, 8, **centre)
        labor |= {"office": "劳动人事争议仲裁院", "stationed_at": f"{name}劳动人事争议仲裁院"}
        b.add(f"{name}劳动争议人民调解委员会", (f"{short}劳调",), social, county, "labor", name, 4, **labor)
    township_units, demo_unit = {}, None
    for code, town in townships.items():
        county, ttype = counties[town.parent_id], township_type(town.name)
        tshort = _strip(town.name, "街道", "镇", "乡")
        name, shorts = f"{county.name}{town.name}人民调解委员会", (tshort, town.name)
        township_units[code] = b.add(
            name, shorts, ttype, town, "township", town.name, 5, "综治中心", court_invited=rng.random() < 0.3
        )
        candidates = [(v, vb) for v in villages.get(code, []) if (vb := village_base(v.name))]
        sample = rng.sample(candidates, min(len(candidates), rng.randint(3, 5)))
        forced = []
        if code == DEMO_TOWNSHIP:
            forced = [c for c in candidates if c[0].code == DEMO_VILLAGE]
            forced = forced or [c for c in candidates if c[1][1] == CommitteeType.VILLAGE]
            if forced and forced[0] not in sample:
                sample = [forced[0], *sample[:-1]] if sample else [forced[0]]
        for v, (base, vtype) in sorted(sample, key=lambda c: c[0].code):
            is_village = vtype == CommitteeType.VILLAGE
            vshort = _strip(base, "村") if is_village else base
            name = f"{town.name}{base}人民调解委员会"
            shorts = (vshort, base, f"{tshort}{vshort}", f"{town.name}{vshort}")
            profile, office = ("village", "村委会") if is_village else ("resident", "居委会")
            unit = b.add(name, shorts, vtype, v, profile, base, 1.4, office)
            if forced and v.code == forced[0][0].code:
                demo_unit = unit
    for code in rng.sample(sorted(townships), 5):  # personal studios, named after their founder
        town, founder = townships[code], person_name(rng, rng.choice("MF"))
        name, shorts, ttype = f"{town.name}{founder}人民调解工作室", (f"{founder}工作室",), township_type(town.name)
        b.add(name, shorts, ttype, town, "village", town.name, 2, f"{founder}调解工作室", kind=CommitteeKind.STUDIO)
    name, ttype = "咸宁楚天纺织有限公司人民调解委员会", CommitteeType.ENTERPRISE_INSTITUTION
    b.add(name, ("楚天纺织",), ttype, counties["421281"], "enterprise", "厂区", 1.5, "楚天纺织有限公司")
    if demo_unit is None:
        raise ValueError(f"no village committee could be made in township {DEMO_TOWNSHIP}")
    Committee.objects.bulk_create([u.committee for u in b.units])
    accounts = _staff(rng, b.units, demo_unit, today)
    scope = {"party": {"phone": PARTY_PHONE}, "sfs": {"division": townships[DEMO_TOWNSHIP]}}
    scope |= {"county": {"division": counties[DEMO_COUNTY]}, "city": {"division": city}}
    for username, extra in [*scope.items(), ("court", {"court": courts[DEMO_COUNTY]})]:
        name, _gender, role = DEMO_ACCOUNTS[username]
        accounts[username] = User.objects.create_user(
            username, password=DEMO_PASSWORD, full_name=name, role=role, **extra
        )
    demo_township, demo_centre = township_units[DEMO_TOWNSHIP], centres[DEMO_COUNTY]
    return City(city, counties, townships, courts, b.units, demo_unit, demo_township, demo_centre, accounts)


def _staff(rng: random.Random, units: list[Unit], demo_unit: Unit, today: date | None = None) -> dict[str, User]:
    """3–7 mediators per committee, at least one woman; the director and the presiding mediators get accounts
    (unusable passwords, except the demo mediator and director). Bulk-created."""
    users, mediators, demo = [], [], {}
    today = today or date.today()
    for i, unit in enumerate(units, start=1):
        c = unit.committee
        professional = c.kind in (CommitteeKind.CENTRE, CommitteeKind.INDUSTRY)
        size = rng.randint(4, 7) if professional else rng.randint(3, 6)
        genders = [rng.choice("MMF") for _ in range(size)]
        if "F" not in genders:
            genders[rng.randrange(1, size)] = "F"
        n_accounts = {"village": 1, "resident": 1, "township": 2, "enterprise": 1}.get(unit.profile, 3)
        for k, gender in enumerate(genders):
            role = MediatorRole.HIRED if professional and rng.random() < 0.5 else MediatorRole.MEMBER
            role = MediatorRole.DIRECTOR if k == 0 else MediatorRole.DEPUTY if k == 1 and size > 4 else role
            name, username = person_name(rng, gender), f"c{i:03d}{'d' if k == 0 else f'm{k}'}"
            if unit is demo_unit and k <= 1:
                username = "director" if k == 0 else "mediator"
                name, genders[k], _role = DEMO_ACCOUNTS[username]
            user = None
            if k <= n_accounts:
                user_role = Role.DIRECTOR if k == 0 else Role.MEDIATOR
                user = User(username=username, full_name=name, phone=phone(rng), committee=c, role=user_role)
                if username in DEMO_ACCOUNTS:
                    user.password = make_password(DEMO_PASSWORD)
                    demo[username] = user
                else:
                    user.set_unusable_password()
                users.append(user)
                if k:
                    unit.mediators.append(user)
                else:
                    unit.director = user
            full_time = rng.random() < (0.7 if professional else 0.2) or (k == 0 and professional)
            category = MediatorCategory.FULL_TIME if full_time else MediatorCategory.PART_TIME
            specialties = "、".join(rng.sample(SPECIALTIES, rng.randint(1, 3)))
            invited = c.court_invited and rng.random() < 0.5
            mediators.append(
                Mediator(
                    committee=c,
                    user=user,
                    name=name,
                    gender=genders[k],
                    phone=phone(rng),
                    role=role,
                    category=category,
                    term_start=term_of(f"{i}-{k}", today)[0],
                    term_end=term_of(f"{i}-{k}", today)[1],
                    is_court_invited=invited,
                    specialties=specialties,
                )
            )
    User.objects.bulk_create(users, batch_size=500)
    for m in mediators:
        m.user_id = m.user.pk if m.user else None
    Mediator.objects.bulk_create(mediators, batch_size=500)
    return demo
