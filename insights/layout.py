"""The report form's layout is configuration (data/report_forms/<key>.json); this turns it into a grid of cells
with row and column spans that both the screen table and the .xlsx are drawn from.

A section has a column tree and a row tree. Column groups become merged header cells; leaves are numbered
(栏号 1, 2, …). Row groups become a merged stub cell on the left. A cell's figure is `FormResult.value(measure,
filter)` with the measure of its column (or of its row, for rows that carry `measures`) and the union of the
row's and the column's filters.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from insights.slices import DIMENSIONS

FORMS_DIR = Path(settings.BASE_DIR) / "data" / "report_forms"
CASE_MEASURES = {
    "accepted",
    "cases",
    "success",
    "terminated",
    "open",
    "difficult",
    "parties",
    "amount",
    "amount_wan",
    "success_rate",
    "closed",
    *[
        f"{k}_{x}"
        for k in ("prevented_suicide", "prevented_criminal", "prevented_group_petition", "prevented_group_fight")
        for x in ("cases", "persons")
    ],
}
ORG_MEASURES = {"committees": {"committee_type"}, "mediators": {"category"}}
# A section whose "rows" is "areas" has a row per lower area (and one 本级 row for the committees at the area's own
# level) under a 合计 row: the measures each such row has (insights.metrics.AreaFigures).
AREA_MEASURES = {"cases", "success", "terminated", "open", "difficult", "amount_wan", "success_rate"}
# A section by area with "area_rows": "screening" lists the screening indicators (insights.metrics
# .screening_rows: 排查次数, 排查发现纠纷数, 预防纠纷数) by the same lower areas; only those measures.
SCREENING_MEASURES = {"screening_rounds", "screening_findings", "screening_prevented"}
FORMATS = {"int", "wan", "pct"}


class LayoutError(ValueError):
    pass


@lru_cache(maxsize=8)
def load_form(key: str = "moj_monthly") -> dict:
    """The layout of a report form, validated (an error names the bad node, so a typo fails loudly at once)."""
    path = FORMS_DIR / f"{key}.json"
    layout = json.loads(path.read_text(encoding="utf-8"))
    for section in layout["sections"]:
        leaves = _leaves(section["columns"])
        for col in leaves:
            if col.get("format", "int") not in FORMATS:
                raise LayoutError(f"{section['key']}: unknown format in column {col['label']}")
        if section["rows"] == "areas":
            allowed = SCREENING_MEASURES if section.get("area_rows") == "screening" else AREA_MEASURES
            for col in leaves:
                if col.get("measure") not in allowed or col.get("filter"):
                    raise LayoutError(f"{section['key']}/{col['label']}: not a measure of the rows by area")
            continue
        for row in _leaves(section["rows"]):
            for col in leaves:
                measure = (row.get("measures") or {}).get(col.get("key")) or col.get("measure")
                flt = {**row.get("filter", {}), **col.get("filter", {})}
                _check(section["key"], row["label"], col["label"], measure, flt)
    return layout


def _check(section: str, row: str, col: str, measure: str | None, flt: dict) -> None:
    where = f"{section}/{row}/{col}"
    if measure in ORG_MEASURES:
        allowed = ORG_MEASURES[measure]
        if set(flt) - allowed:
            raise LayoutError(f"{where}: filter {set(flt) - allowed} does not apply to {measure}")
        return
    if measure not in CASE_MEASURES:
        raise LayoutError(f"{where}: unknown measure {measure!r}")
    for dim, values in flt.items():
        if dim not in DIMENSIONS:
            raise LayoutError(f"{where}: unknown dimension {dim!r}")
        bad = set(values) - DIMENSIONS[dim][0]
        if bad:
            raise LayoutError(f"{where}: unknown {dim} codes {sorted(bad)}")


def _leaves(nodes: list[dict]) -> list[dict]:
    out: list[dict] = []
    for node in nodes:
        out.extend(_leaves(node["children"]) if node.get("children") else [node])
    return out


def _depth(nodes: list[dict]) -> int:
    return max((1 + _depth(n["children"]) if n.get("children") else 1) for n in nodes)


@dataclass
class Cell:
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    kind: str = "value"  # head | number | stub | value
    value: int | Decimal | None = None
    fmt: str = "int"
    link: str = ""
    indent: bool = False

    @property
    def display(self) -> str:
        if self.kind != "value":
            return self.text
        if self.value is None:
            return "—"
        if self.fmt == "wan":
            return f"{Decimal(self.value):,.2f}"
        if self.fmt == "pct":
            return f"{Decimal(self.value):.1f}"
        return f"{int(self.value):,}"


@dataclass
class Grid:
    key: str
    title: str
    width: int
    header: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)


def build_grids(layout: dict, result, link=None) -> list[Grid]:
    """Grids of every section for a FormResult. `link(slice) -> str` makes the URL of a figure's case list."""
    return [_grid(section, result, link) for section in layout["sections"]]


def _grid(section: dict, result, link) -> Grid:
    columns = section["columns"]
    rows = section["rows"]
    if rows == "areas":  # 合计, then a row per lower area and 本级, each with its own figures
        areas = result.screening_areas if section.get("area_rows") == "screening" else result.areas
        rows = [{"label": "合计", "filter": {}}]
        rows += [{"label": a.label, "filter": {}, "figures": a, "indent": 1} for a in areas]
    stub = 2 if any(r.get("children") for r in rows) else 1
    depth = _depth(columns)
    leaves = _leaves(columns)
    grid = Grid(section["key"], section["title"], stub + len(leaves))
    header: list[list[Cell]] = [[] for _ in range(depth)]
    header[0].append(Cell(section.get("stub_header", "项目"), rowspan=depth, colspan=stub, kind="head"))

    def place(nodes: list[dict], level: int) -> None:
        for node in nodes:
            if node.get("children"):
                header[level].append(Cell(node["label"], colspan=len(_leaves(node["children"])), kind="head"))
                place(node["children"], level + 1)
            else:
                header[level].append(Cell(node["label"], rowspan=depth - level, kind="head"))

    place(columns, 0)
    numbers = [Cell("甲", colspan=stub, kind="number")]
    numbers += [Cell(str(i), kind="number") for i in range(1, len(leaves) + 1)]
    grid.header = [*header, numbers]

    area_label = result.area_name or "全部"
    for top in rows:
        members = top.get("children") or [top]
        for i, row in enumerate(members):
            cells: list[Cell] = []
            if top.get("children"):
                if i == 0:
                    cells.append(Cell(top["label"], rowspan=len(members), kind="stub"))
                cells.append(Cell(row["label"], kind="stub", indent=bool(row.get("indent"))))
            else:
                label = row["label"].replace("{area}", area_label)
                cells.append(Cell(label, colspan=stub, kind="stub", indent=bool(row.get("indent"))))
            figures = row.get("figures") or result
            for col in leaves:
                measure = (row.get("measures") or {}).get(col.get("key")) or col["measure"]
                flt = {**row.get("filter", {}), **col.get("filter", {})}
                value = figures.value(measure, flt)
                url = ""
                if link is not None:
                    piece = figures.slice_for(measure, flt)
                    url = link(piece) if piece is not None else ""
                cells.append(Cell(value=value, fmt=col.get("format", "int"), link=url))
            grid.body.append(cells)
    return grid
