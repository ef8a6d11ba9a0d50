"""Builds legacy ledgers (.xlsx) the way bureaus keep them: a title row, Chinese headers, mixed date notations."""

import io
from datetime import date

from openpyxl import Workbook

from cases.identity import make_valid_id_number

HEADERS = [
    "序号",
    "调委会",
    "登记日期",
    "受理日期",
    "纠纷类型",
    "案件来源",
    "申请人",
    "身份证号",
    "联系电话",
    "被申请人",
    "纠纷简要情况",
    "调解结果",
    "协议形式",
    "协议金额",
    "调解员",
    "结案日期",
]
FACTS = "双方因宅基地边界问题发生争执，多次协商未果，申请调解。"


def pid(n: int, born: date = date(1975, 3, 8)) -> str:
    return make_valid_id_number("421202", born, n)


def row(n: int, **kw) -> list:
    """One good ledger row (village A, agreement reached, written, 2025)."""
    values = {
        "序号": n,
        "调委会": "桂花村人民调解委员会",
        "登记日期": "2025年3月1日",
        "受理日期": "2025.3.2",
        "纠纷类型": "邻里纠纷",
        "案件来源": "当事人申请",
        "申请人": f"申请人{n}",
        "身份证号": pid(n),
        "联系电话": "13900000000",
        "被申请人": f"被申请人{n}",
        "纠纷简要情况": FACTS + f"（第{n}件）",
        "调解结果": "调解成功",
        "协议形式": "书面协议",
        "协议金额": "3000元",
        "调解员": "李调解",
        "结案日期": "2025-03-20",
    }
    values.update(kw)
    return [values[h] for h in HEADERS]


def workbook(rows: list[list], title: str = "桂花村人民调解案件登记台账（2025年）") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([title])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
