"""How much of a workbook the import pages will read: rows, columns, characters per cell.

openpyxl (even read-only) loads the whole shared-string table and materialises every cell of a row, padded to the
widest cell or to what the sheet's <dimension> claims. So before openpyxl opens a file uploaded through the pages,
`check_workbook` streams through the first worksheet and the shared strings with expat (constant memory: text is
counted, never kept) and refuses, with a Chinese reason, a sheet with more rows with content, more columns, more
cells or longer cells than configured (settings.TIAOJIE IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS, IMPORT_MAX_CELLS,
IMPORT_MAX_CELL_CHARS). The ZIP's declared sizes are checked first (cases.filechecks.check_zip_bounds), so no part
inflates past its bound. Refusing is the whole answer: a ledger larger than the caps is split by its owner.
"""

import posixpath
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from django.conf import settings

from cases.filechecks import Refused, check_zip_bounds

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Bounds:
    rows: int  # rows with content in the first worksheet (title and header rows included)
    columns: int  # the rightmost column any cell (with content or formatting) may be in
    cell_chars: int  # characters in one cell or one shared string
    cells: int  # cell elements in the sheet (with content or only a format) and shared strings

    @classmethod
    def configured(cls) -> "Bounds":
        t = settings.TIAOJIE
        return cls(
            rows=int(t.get("IMPORT_MAX_ROWS", 2000)),
            columns=int(t.get("IMPORT_MAX_COLUMNS", 100)),
            cell_chars=int(t.get("IMPORT_MAX_CELL_CHARS", 2000)),
            cells=int(t.get("IMPORT_MAX_CELLS", 80_000)),
        )

    @property
    def row_elements(self) -> int:
        return self.rows * 10  # rows without content (formatting only) are allowed, within reason


def column_index(ref: str) -> int:
    """1 for A, 27 for AA, from a cell reference such as "AB12"; 0 if there is none."""
    n = 0
    for ch in ref[:4]:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n


def _local(name: str) -> str:
    return name.rpartition(":")[2]  # "x:c" -> "c" (no namespace processing: it costs, and names suffice here)


def _parse(z: zipfile.ZipFile, member: str, handler: "_Attributes | _SharedStrings | _Sheet") -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = False
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    with z.open(member) as src:
        while chunk := src.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


class _Attributes:
    """The first <sheet> of workbook.xml (its relationship id) or the targets of the workbook's relationships."""

    def __init__(self) -> None:
        self.first_sheet_rid = ""
        self.targets: dict[str, tuple[str, str]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet" and not self.first_sheet_rid:
            self.first_sheet_rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
        elif local == "Relationship":
            self.targets[attrs.get("Id", "")] = (attrs.get("Target", ""), attrs.get("Type", ""))

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class _SharedStrings:
    def __init__(self, bounds: Bounds) -> None:
        self.bounds, self.count, self.chars, self.depth = bounds, 0, 0, 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "si":
            self.count += 1
            self.chars = 0
            if self.count > self.bounds.cells:
                raise Refused(f"表格中的文字单元格过多（超过 {self.bounds.cells} 个），请拆分为几个文件再上传")

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.bounds.cell_chars:
            raise Refused(f"表格中有单元格超过 {self.bounds.cell_chars} 个字，请精简后再上传")


class _Sheet:
    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.rows = self.row_elements = self.cells = 0
        self.row_number = 0
        self.next_column = 1
        self.column = 0
        self.in_cell = self.row_has_content = self.cell_has_content = False
        self.chars = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        b = self.bounds
        if local == "row":
            self.row_elements += 1
            if self.row_elements > b.row_elements:
                raise Refused(self._too_many())
            r = attrs.get("r", "")
            self.row_number = int(r) if r.isdigit() else self.row_number + 1
            self.row_has_content, self.next_column = False, 1
        elif local == "c":
            self.cells += 1
            if self.cells > b.cells:
                raise Refused(self._too_many())
            self.column = column_index(attrs.get("r", "")) or self.next_column
            self.next_column = self.column + 1
            if self.column > b.columns:
                raise Refused(
                    f"表格超过 {b.columns} 列（第{self.row_number}行第{self.column}列还有内容或格式），"
                    f"一次最多读取 {b.columns} 列。请删除多余的列后另存，再上传"
                )
            self.in_cell, self.cell_has_content, self.chars = True, False, 0

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "c":
            self.in_cell = False
            self.row_has_content |= self.cell_has_content
        elif local == "row" and self.row_has_content:
            self.rows += 1
            if self.rows > self.bounds.rows:
                n = self.bounds.rows
                raise Refused(
                    f"表格超过 {n} 行，一次最多导入 {n} 行。请把台账拆分为几个文件（每个不超过 {n} 行，"
                    "都保留表头）分别导入"
                )

    def text(self, data: str) -> None:
        if not self.in_cell:
            return
        self.chars += len(data)
        if data.strip():
            self.cell_has_content = True
        if self.chars > self.bounds.cell_chars:
            raise Refused(
                f"表格第{self.row_number}行第{self.column}列超过 {self.bounds.cell_chars} 个字，请精简后再上传"
            )

    def _too_many(self) -> str:
        return (
            f"表格中的行或单元格过多（含空白但设置了格式的单元格，一次最多 {self.bounds.cells} 个）。"
            "请删除多余的空行、空列后另存，或拆分为几个文件再上传"
        )


def first_sheet_member(z: zipfile.ZipFile) -> str:
    """The ZIP member of the first worksheet, as openpyxl finds it (workbook.xml order, through its relationships)."""
    names = set(z.namelist())
    book = _Attributes()
    _parse(z, "xl/workbook.xml", book)
    rels = _Attributes()
    if "xl/_rels/workbook.xml.rels" in names:
        _parse(z, "xl/_rels/workbook.xml.rels", rels)
    target, _type = rels.targets.get(book.first_sheet_rid, ("", ""))
    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if member not in names:
        raise ValueError("first worksheet not found")
    return member


def check_workbook(f: IO[bytes], bounds: Bounds | None = None) -> None:
    """Raise Refused (Chinese reason) unless the workbook is within `bounds` (default: the configured ones);
    ValueError or zipfile/expat errors for a file that is not a readable workbook. Leaves `f` at the start."""
    bounds = bounds or Bounds.configured()
    f.seek(0)
    try:
        with check_zip_bounds(f) as z:
            for name in z.namelist():
                if name.lower().endswith("sharedstrings.xml"):
                    _parse(z, name, _SharedStrings(bounds))
            _parse(z, first_sheet_member(z), _Sheet(bounds))
    finally:
        f.seek(0)
