"""The two lists a bureau loads from Excel (调解组织名册, 调解员名册): their columns, the labels their cells may use,
the template to fill in (generated with openpyxl) and reading a filled-in file. Checking and loading the rows is
registry.roster_import."""

import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from imports.parsing import cell_json
from registry.models import CommitteeKind, CommitteeType, Gender, Industry, MediatorCategory, MediatorRole

COMMITTEES, MEDIATORS = "committees", "mediators"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""


COMMITTEE_COLUMNS = (
    Column("name", "名称", True, "调解组织全称，如“温泉街道桂花村人民调解委员会”；不能与已有的重名"),
    Column("short_name", "简称", True, "用于案号，不超过20字，不能与已有的重复"),
    Column(
        "committee_type",
        "类型",
        True,
        "村调委会、居（社区）调委会、乡镇调委会、街道调委会、企事业单位调委会、社会团体和其他组织调委会",
    ),
    Column("kind", "组织形式", False, "调解委员会（默认）、行业性专业性调委会、调解中心、个人调解工作室"),
    Column("industry", "行业领域", False, "行业性专业性调委会必填：医疗、交通事故、劳动争议、物业、消费、婚姻家庭等"),
    Column("division", "所在区划", True, "区划名称（如“温泉街道桂花村”）或12位统计用区划代码；须在本单位管辖范围内"),
    Column("address", "地址"),
    Column("phone", "电话"),
    Column("established_on", "成立日期", False, "如 2020-03-01"),
    Column("is_regional", "区域性", False, "是/否"),
    Column("is_stationed", "派驻", False, "是/否"),
    Column("stationed_at", "派驻单位", False, "派驻的必填，如法院、派出所、信访局"),
    Column("court_invited", "特邀调解组织", False, "是/否"),
    Column("studio_person", "工作室领衔调解员", False, "个人调解工作室必填"),
    Column("host_unit", "设立单位", False, "企事业单位调委会的设立单位"),
    Column("employee_count", "职工人数", False, "企事业单位调委会填写，整数"),
    Column("filing_date", "备案日期"),
    Column("filing_number", "备案编号"),
    Column("filing_authority", "备案机关"),
)
MEDIATOR_COLUMNS = (
    Column("name", "姓名", True),
    Column("gender", "性别", False, "男/女；不填时按身份证号码确定"),
    Column("committee", "所在调委会", True, "调委会名称或简称；须是本单位管辖范围内在用的调委会"),
    Column("category", "专兼职", True, "专职/兼职"),
    Column("role", "职务", False, "主任、副主任、委员（默认）、聘任调解员；每个调委会只有一名主任"),
    Column("phone", "电话", False, "手机号或固定电话"),
    Column("id_number", "身份证号码", False, "18位居民身份证号码，系统加密保存"),
    Column("term_start", "任期开始", False, "如 2024-01-01"),
    Column("term_end", "任期结束", False, "如 2026-12-31"),
    Column("specialties", "擅长领域"),
    Column("qualifications", "资质与培训"),
    Column("education", "学历"),
    Column("is_court_invited", "特邀调解员", False, "是/否"),
)
COLUMNS = {COMMITTEES: COMMITTEE_COLUMNS, MEDIATORS: MEDIATOR_COLUMNS}
TITLES = {COMMITTEES: "调解组织名册", MEDIATORS: "调解员名册"}
# The columns the preview table shows for each list.
PREVIEW_KEYS = {
    COMMITTEES: ("name", "short_name", "committee_type", "division"),
    MEDIATORS: ("name", "committee", "category", "id_number"),
}


def norm(value: object) -> str:
    """Cell text for comparison: NFKC (full-width brackets and digits become ASCII), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if value is None else str(value)))


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _labels(choices: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {norm(label): value for value, label in choices.choices if value}
    table |= {norm(value): value for value, _label in choices.choices if value}
    table |= {norm(k): v for k, v in (extra or {}).items()}
    return table


TYPE_LABELS = _labels(
    CommitteeType,
    {
        "村": "VILLAGE",
        "村调解委员会": "VILLAGE",
        "居委会": "RESIDENT",
        "社区": "RESIDENT",
        "社区调委会": "RESIDENT",
        "居调委会": "RESIDENT",
        "乡镇": "TOWNSHIP",
        "乡": "TOWNSHIP",
        "镇": "TOWNSHIP",
        "街道": "SUBDISTRICT",
        "企事业单位": "ENTERPRISE_INSTITUTION",
        "企业": "ENTERPRISE_INSTITUTION",
        "社会团体": "SOCIAL_ORG_OTHER",
        "其他组织": "SOCIAL_ORG_OTHER",
    },
)
KIND_LABELS = _labels(
    CommitteeKind,
    {"行业性专业性": "INDUSTRY", "行业性": "INDUSTRY", "专业性": "INDUSTRY", "中心": "CENTRE", "工作室": "STUDIO"},
)
INDUSTRY_LABELS = _labels(Industry, {"交通": "TRAFFIC", "劳动": "LABOR", "医患": "MEDICAL", "婚姻": "MARRIAGE"})
CATEGORY_LABELS = _labels(MediatorCategory)
ROLE_LABELS = _labels(MediatorRole, {"聘任": "HIRED", "调解员": "MEMBER"})
GENDER_LABELS = _labels(Gender, {"男性": "M", "女性": "F"})
YES = {"是", "y", "yes", "√", "✓", "1", "true"}
NO = {"否", "n", "no", "×", "0", "false", ""}


# ----------------------------------------------------------------------------------------------- the template


def template_workbook(kind: str) -> bytes:
    """The empty list to fill in: the header row (required columns marked *), drop-down lists where the values
    are fixed, and a second sheet that explains each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = TITLES[kind]
    ws.append([f"{c.header}*" if c.required else c.header for c in columns])
    for i, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="9C0006" if c.required else "000000")
        cell.fill = PatternFill("solid", fgColor="FDE9D9" if c.required else "EEEEEE")
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c.header) * 2 + 6)
    ws.freeze_panes = "A2"
    lists = {
        "committee_type": [str(label) for v, label in CommitteeType.choices],
        "kind": [str(label) for v, label in CommitteeKind.choices],
        "industry": [str(label) for v, label in Industry.choices if v],
        "category": [str(label) for v, label in MediatorCategory.choices],
        "role": [str(label) for v, label in MediatorRole.choices],
        "gender": [str(label) for v, label in Gender.choices],
    }
    for i, c in enumerate(columns, start=1):
        values = lists.get(c.key) or (["是", "否"] if c.help == "是/否" else None)
        if values:
            letter = get_column_letter(i)
            dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
            dv.add(f"{letter}2:{letter}2001")
            ws.add_data_validation(dv)
        if c.key in ("id_number", "phone", "short_name"):
            for row in range(2, 2002):
                ws.cell(row=row, column=i).number_format = "@"  # typed as text: an ID number keeps its digits
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    for c in columns:
        notes.append([c.header, "必填" if c.required else "", c.help])
    notes.append([])
    notes.append(["从第2行起每行一条；请勿修改第1行表头。带*的列必填。日期可写作 2025-03-01、2025/3/1、2025年3月1日。"])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ reading


@dataclass
class Roster:
    kind: str
    header_row: int
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required headers not found


def _header_key(value: object, columns: tuple[Column, ...]) -> str | None:
    h = norm(value).rstrip("*").replace("(必填)", "")
    return next((c.key for c in columns if norm(c.header) == h), None)


def read_roster(f: IO[bytes], kind: str, max_cell_chars: int = 2000) -> Roster:
    """The first worksheet's rows under the template's headers (found among the first ten rows, so a title row
    above them is allowed; columns may be in any order). Cells are JSON-safe (imports.parsing.cell_json)."""
    from openpyxl import load_workbook

    columns = COLUMNS[kind]
    wb = load_workbook(f, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True, max_col=len(columns) * 3)
        header_row, keys = 0, {}
        for number, values in enumerate(rows, start=1):
            found = {i: k for i, v in enumerate(values) if (k := _header_key(v, columns))}
            if len(found) > len(keys):
                header_row, keys = number, found
            if len(found) >= len([c for c in columns if c.required]) or number >= 10:
                break
        present = set(keys.values())
        roster = Roster(kind, header_row, missing=[c.header for c in columns if c.required and c.key not in present])
        if roster.missing:
            return roster
        for number, values in enumerate(rows, start=header_row + 1):
            rec = {}
            for i, key in keys.items():
                v = cell_json(values[i]) if i < len(values) else ""
                if v != "":  # empty cells are left out: the preview is kept in the session, smaller is better
                    rec[key] = v[:max_cell_chars] if isinstance(v, str) else v
            if rec:
                roster.rows.append((number, rec))
        return roster
    finally:
        wb.close()
