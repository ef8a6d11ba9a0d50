"""The MoJ form as an .xlsx in the form's own layout (merged headers, Chinese labels), drawn from the same grids
as the screen table."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from insights.layout import Grid

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E9EEF5")
NUMBER_FORMATS = {"int": "#,##0", "wan": "#,##0.00", "pct": "0.0"}
CJK_FONT = "宋体"


def form_workbook(
    title: str, subtitle: str, grids: list[Grid], footer: str = "", notes: list[tuple[str, str]] | None = None
) -> bytes:
    """The form's sheet: the title and the reporting unit/period on top, each section below with its merged header;
    with `notes`, a second sheet 统计口径 that prints the definitions the figures were counted by."""
    wb = Workbook()
    ws = wb.active
    ws.title = "人民调解工作统计表"
    width = max(g.width for g in grids)
    ws.cell(row=1, column=1, value=title).font = Font(name=CJK_FONT, size=16, bold=True)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28
    ws.cell(row=2, column=1, value=subtitle).font = Font(name=CJK_FONT, size=10)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    row = 4
    for grid in grids:
        ws.cell(row=row, column=1, value=grid.title).font = Font(name=CJK_FONT, size=12, bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=grid.width)
        row += 1
        row = _write_block(ws, row, grid.header + grid.body)
        row += 1
    if footer:
        ws.cell(row=row, column=1, value=footer).font = Font(name=CJK_FONT, size=9, color="555555")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 26
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 13
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    if notes:
        _notes_sheet(wb, title, notes)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_block(ws, top: int, lines: list) -> int:
    """Write rows of Cells with spans from row `top`; returns the next free row."""
    taken: set[tuple[int, int]] = set()
    r = top
    for line in lines:
        c = 1
        for cell in line:
            while (r, c) in taken:
                c += 1
            target = ws.cell(row=r, column=c)
            if cell.kind == "value":
                target.value = cell.value if cell.value is not None else None
                target.number_format = NUMBER_FORMATS.get(cell.fmt, "General")
                target.alignment = Alignment(horizontal="right", vertical="center")
                target.font = Font(name=CJK_FONT, size=10)
            else:
                target.value = cell.text
                bold = cell.kind == "head"
                target.font = Font(name=CJK_FONT, size=10, bold=bold)
                horizontal = "left" if cell.kind == "stub" else "center"
                target.alignment = Alignment(
                    horizontal=horizontal, vertical="center", wrap_text=True, indent=2 if cell.indent else 0
                )
                if cell.kind in ("head", "number"):
                    target.fill = HEAD_FILL
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
                    ws.cell(row=r + dr, column=c + dc).border = BORDER
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(
                    start_row=r, start_column=c, end_row=r + cell.rowspan - 1, end_column=c + cell.colspan - 1
                )
            c += cell.colspan
        r += 1
    return r


def _notes_sheet(wb: Workbook, title: str, notes: list[tuple[str, str]]) -> None:
    ws = wb.create_sheet("统计口径")
    ws.cell(row=1, column=1, value=f"{title} · 统计口径").font = Font(name=CJK_FONT, size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    for c, head in enumerate(("指标", "口径说明"), start=1):
        cell = ws.cell(row=2, column=c, value=head)
        cell.font, cell.fill, cell.border = Font(name=CJK_FONT, size=10, bold=True), HEAD_FILL, BORDER
    for r, (label, text) in enumerate(notes, start=3):
        for c, value in enumerate((label, text), start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.font, cell.border = Font(name=CJK_FONT, size=10), BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.row_dimensions[r].height = 15 * (1 + len(text) // 45)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
