"""An inspection's problem list from Excel: the template to download, reading an uploaded file and checking every
row. The upload passes the project's checks first (cases.uploads.check_upload for the kind and the ZIP's sizes,
imports.bounds.check_workbook for rows, columns and cells) before openpyxl reads it. Every problem of every row is
reported; the list is imported whole (ledgers.rectification.actions.do_import_items) or not at all."""

import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from accounts.models import User
from imports.parsing import ParseError, cell_json, parse_date, text
from ledgers.models import LedgerRoleKind
from ledgers.rectification.actions import ItemData, check_item_data
from ledgers.rectification.models import Inspection
from ledgers.scoping import departments_of, role_users


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str


COLUMNS = [
    Column("number", "序号", False, "整数；不填则按顺序编号"),
    Column("problem", "问题描述", True, "巡察（审计、督察）反馈的问题"),
    Column("leader", "责任领导", True, "本局领导的姓名（须已在系统中设为局领导）"),
    Column("department", "责任部门", True, "本局科室名称，与系统中的科室名称一致"),
    Column("measures", "整改措施", True, "逐条写明整改措施"),
    Column("milestones", "阶段目标", False, "每行一个：日期 内容，如“2024-03-31 完成制度修订”"),
    Column("deadline", "整改时限", True, "日期，如 2024-06-30、2024/6/30、2024年6月30日"),
    Column("reviewer", "验收人", True, "验收人的姓名（须已在系统中设为验收人）"),
    Column("long_term", "长期整改", False, "是/否，不填为否"),
]
HEADERS = {c.header: c.key for c in COLUMNS}
TITLE = "整改问题清单"
_MILESTONE_RE = re.compile(r"^(\S+)\s+(.+)$")


@dataclass
class RowResult:
    number: int  # the spreadsheet's row number
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    data: ItemData | None = None


def template_workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    ws.append([f"{c.header}*" if c.required else c.header for c in COLUMNS])
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="9C0006" if c.required else "000000")
        cell.fill = PatternFill("solid", fgColor="FDE9D9" if c.required else "EEEEEE")
        cell.alignment = Alignment(horizontal="center")
        wide = c.key in ("problem", "measures", "milestones")
        ws.column_dimensions[get_column_letter(i)].width = 40 if wide else 14
    ws.freeze_panes = "A2"
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    letter = get_column_letter(len(COLUMNS))
    dv.add(f"{letter}2:{letter}1001")
    ws.add_data_validation(dv)
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    for c in COLUMNS:
        notes.append([c.header, "必填" if c.required else "", c.help])
    notes.append([])
    notes.append(
        ["从第2行起每行一个问题；请勿修改第1行表头。任何一行有错误时整个文件都不会导入，请按提示修改后重新上传。"]
    )
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["C"].width = 60
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _header_key(value: object) -> str | None:
    v = text(value).rstrip("*＊").strip()
    return HEADERS.get(v)


def read_rows(f: IO[bytes], max_cell_chars: int = 2000) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """(missing required headers, rows): the header row is found among the first ten (a title row above it is
    allowed) and columns may be in any order. Cells are JSON-safe (imports.parsing.cell_json)."""
    from openpyxl import load_workbook

    wb = load_workbook(f, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        it = ws.iter_rows(values_only=True, max_col=len(COLUMNS) * 3)
        header_row, keys = 0, {}
        for number, values in enumerate(it, start=1):
            found = {i: k for i, v in enumerate(values) if (k := _header_key(v))}
            if len(found) > len(keys):
                header_row, keys = number, found
            if len(found) >= len([c for c in COLUMNS if c.required]) or number >= 10:
                break
        missing = [c.header for c in COLUMNS if c.required and c.key not in set(keys.values())]
        rows: list[tuple[int, dict[str, Any]]] = []
        if missing:
            return missing, rows
        for number, values in enumerate(it, start=header_row + 1):
            rec = {}
            for i, key in keys.items():
                v = cell_json(values[i]) if i < len(values) else ""
                if v != "":
                    rec[key] = v[:max_cell_chars] if isinstance(v, str) else v
            if rec:
                rows.append((number, rec))
        return missing, rows
    finally:
        wb.close()


def _people(bureau_id: str, kind: str) -> dict[str, list[User]]:
    by_name: dict[str, list[User]] = {}
    for user in role_users(bureau_id, kind):
        by_name.setdefault(text(user.full_name), []).append(user)
    return by_name


def _person(rec: dict, key: str, label: str, people: dict[str, list[User]], errors: list[str]) -> User | None:
    name = text(rec.get(key))
    if not name:
        errors.append(f"缺少{label}")
        return None
    found = people.get(name, [])
    if not found:
        errors.append(f"{label}“{name}”不在本局的{label}名单中")
        return None
    if len(found) > 1:
        errors.append(f"{label}“{name}”有重名，请在系统中核对后再导入")
        return None
    return found[0]


def _milestones(value: object, errors: list[str]) -> list[tuple[str, Any]]:
    out = []
    for line in re.split(r"[\n；;]+", text(value)):
        line = line.strip()
        if not line:
            continue
        m = _MILESTONE_RE.match(line)
        try:
            due = parse_date(m.group(1)) if m else None
        except ParseError:
            due = None
        if m is None or due is None:
            errors.append(f"阶段目标“{line[:20]}”应写作“日期 内容”，如“2024-03-31 完成制度修订”")
            continue
        out.append((m.group(2).strip(), due))
    return out


def check_rows(inspection: Inspection, rows: list[tuple[int, dict[str, Any]]]) -> list[RowResult]:
    """Every row checked against the bureau (its departments, leaders, reviewers) and the rules of an item."""
    bureau = inspection.bureau_id
    departments = {text(d.name): d for d in departments_of(bureau)}
    leaders = _people(bureau, LedgerRoleKind.LEADER)
    reviewers = _people(bureau, LedgerRoleKind.REVIEWER)
    used = set(inspection.items.values_list("number", flat=True))
    seen: dict[int, int] = {}
    results = []
    for row_number, rec in rows:
        errors: list[str] = []
        number = None
        if text(rec.get("number")):
            raw = text(rec.get("number"))
            if not raw.isdigit() or not 0 < int(raw) < 10000:
                errors.append(f"序号“{raw}”应为正整数")
            else:
                number = int(raw)
                if number in used:
                    errors.append(f"序号{number}已在本次检查的台账中")
                elif number in seen:
                    errors.append(f"序号{number}与第{seen[number]}行重复")
                seen.setdefault(number, row_number)
        for key, label in (("problem", "问题描述"), ("measures", "整改措施")):
            if not text(rec.get(key)):
                errors.append(f"缺少{label}")
        leader = _person(rec, "leader", "责任领导", leaders, errors)
        reviewer = _person(rec, "reviewer", "验收人", reviewers, errors)
        department = None
        dept_name = text(rec.get("department"))
        if not dept_name:
            errors.append("缺少责任部门")
        elif (department := departments.get(dept_name)) is None:
            errors.append(f"责任部门“{dept_name}”不是本局在用的科室（可用：{'、'.join(departments) or '无'}）")
        deadline = None
        try:
            deadline = parse_date(rec.get("deadline"))
            if deadline is None:
                errors.append("缺少整改时限")
            elif deadline < inspection.feedback_on:
                errors.append(f"整改时限不能早于反馈日期（{inspection.feedback_on:%Y年%-m月%-d日}）")
        except ParseError as exc:
            errors.append(f"整改时限：{exc}")
        flag = text(rec.get("long_term"))
        if flag not in ("", "是", "否"):
            errors.append(f"长期整改应填“是”或“否”，不能是“{flag}”")
        milestones = _milestones(rec.get("milestones"), errors)
        result = RowResult(row_number, rec, errors)
        if not errors and leader and reviewer and department and deadline:
            data = ItemData(
                problem=text(rec["problem"]),
                leader=leader,
                department=department,
                reviewer=reviewer,
                measures=text(rec["measures"]),
                deadline=deadline,
                long_term=flag == "是",
                milestones=milestones,
                number=number,
            )
            result.errors += [message for _field, message in check_item_data(inspection, data)]
            if not result.errors:
                result.data = data
        results.append(result)
    return results
