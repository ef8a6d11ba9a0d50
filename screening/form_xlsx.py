"""The 矛盾纠纷排查情况表 as an .xlsx (openpyxl), in the form's own layout: the title, the 填报单位 and period, the
merged 项目 header over the two stub columns, each row group's merged stub cell, the same figures as the screen
and the PDF, and the 签发人 / 制表人 / 填报日期 footer. A draft says 草稿 in its title and status line. House
style of insights/xlsx.py (宋体, thin borders, a grey header)."""

from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from insights.xlsx import BORDER, CJK_FONT, HEAD_FILL
from screening.models import ScreeningForm

FIRST_DATA_COLUMN = 3  # A: group, B: label, C…G: 县市区, 乡镇街道, 村居, 小计, 年度累计
HEADER_ROW = 4


def footer_text(f: ScreeningForm) -> str:
    filed = timezone.localtime(f.submitted_at).strftime("%Y年%m月%d日") if f.submitted_at else "（未上报）"
    return f"签发人：{f.signer or '　　　　'}　　　制表人：{f.preparer or '　　　　'}　　　填报日期：{filed}"


def form_workbook(f: ScreeningForm, ctx: dict) -> bytes:
    """The workbook of a form; `ctx` is the page context (views_forms._context): rows with their spans."""
    wb = Workbook()
    ws = wb.active
    ws.title = "矛盾纠纷排查情况表"
    columns = ctx["columns"]
    keys = ctx["col_keys"]
    width = 2 + len(columns)
    draft = ctx["is_draft"]
    title = ctx["data"]["title"] + ("（草稿）" if draft else "")
    colour = "B00000" if draft else None
    ws.cell(row=1, column=1, value=title).font = Font(name=CJK_FONT, size=16, bold=True, color=colour)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28
    status = "已编制（草稿，未上报，不作正式报表使用）" if draft else f.get_status_display()
    sub = (
        f"填报单位（盖章）：{f.reporting_unit}　　统计期间：{ctx['period_label']}"
        f"（{f.period_start:%Y年%m月%d日}至{f.period_end:%Y年%m月%d日}）　　第{f.version}版　　状态：{status}"
    )
    ws.cell(row=2, column=1, value=sub).font = Font(name=CJK_FONT, size=10)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)

    def head(r: int, c: int, text: str) -> None:
        cell = ws.cell(row=r, column=c, value=text)
        cell.font = Font(name=CJK_FONT, size=10, bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER

    r = HEADER_ROW
    head(r, 1, "项目")
    ws.cell(row=r, column=2).border = BORDER
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    for i, col in enumerate(columns):
        head(r, FIRST_DATA_COLUMN + i, col["label"])
    r += 1
    for row in ctx["rows"]:
        label_font = Font(name=CJK_FONT, size=10)
        if row["solo"]:
            cell = ws.cell(row=r, column=1, value=row["label"])
            cell.font, cell.border = label_font, BORDER
            ws.cell(row=r, column=2).border = BORDER
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        else:
            if row["span"]:
                cell = ws.cell(row=r, column=1, value=row["group"])
                cell.font = label_font
                cell.alignment = Alignment(vertical="center", wrap_text=True)
                for k in range(row["span"]):
                    ws.cell(row=r + k, column=1).border = BORDER
                if row["span"] > 1:
                    ws.merge_cells(start_row=r, start_column=1, end_row=r + row["span"] - 1, end_column=1)
            cell = ws.cell(row=r, column=2, value=row["label"])
            cell.font, cell.border = label_font, BORDER
        for i, key in enumerate(keys):
            v = row["values"][key]
            cell = ws.cell(row=r, column=FIRST_DATA_COLUMN + i)
            if row["kind"] == "pct":
                if v == "—":
                    cell.value = "—"
                else:
                    cell.value = float(Decimal(v))
                    cell.number_format = "0.0"
            else:
                cell.value = int(v)
                cell.number_format = "#,##0"
            cell.font = Font(name=CJK_FONT, size=10)
            cell.alignment = Alignment(horizontal="right", vertical="center")
            cell.border = BORDER
        r += 1
    r += 1
    ws.cell(row=r, column=1, value=footer_text(f)).font = Font(name=CJK_FONT, size=10)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    r += 1
    note = "说明：本表数据由平台依排查发现、案件和专项排查记录自动生成"
    if f.data and not draft:
        note += "，上报时已固定"
    note += "；调处率、成功率为占排查数的百分比，排查数为0时记“—”。"
    ws.cell(row=r, column=1, value=note).font = Font(name=CJK_FONT, size=9, color="555555")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    for c in "CDEFG":
        ws.column_dimensions[c].width = 12
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
