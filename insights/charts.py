"""ECharts option dicts, built in Python and handed to the page with json_script (static/js/insights.js draws
them). Each chart carries `links`: the case list behind each bar or point, opened on click."""

from collections.abc import Callable

from insights.metrics import AreaRow, Breakdown, Dashboard
from insights.slices import Slice

BLUE, GREEN, GREY = "#1f5aa6", "#2e8b57", "#9aa5b1"


def _base(title: str) -> dict:
    """The chart's title is the HTML heading above it (it wraps on a phone); `aria` describes it to screen readers."""
    return {
        "aria": {"enabled": True, "label": {"description": title}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
    }


def trend_chart(d: Dashboard, link: Callable[[Slice], str]) -> dict:
    this, last = f"{d.period.year}年", f"{d.period.year - 1}年同期"
    option = _base(f"月度调解案件趋势（{d.period.year}年与上年同期）")
    option["legend"] = {"top": 0, "data": [this, last, "调解成功"]}
    option["xAxis"] = {"type": "category", "data": d.trend_months}
    option["yAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [
        {"name": this, "type": "bar", "data": d.trend_this, "itemStyle": {"color": BLUE}},
        {"name": last, "type": "bar", "data": d.trend_last, "itemStyle": {"color": GREY}},
        {"name": "调解成功", "type": "line", "data": d.trend_success, "itemStyle": {"color": GREEN}},
    ]
    return {"option": option, "links": []}


def _accepted_vs_success(title: str, labels: list[str], cases: list[int], success: list[int], links: list[str]) -> dict:
    """A horizontal bar chart of counted (调解案件) and successful cases per label, each bar linking to its cases."""
    option = _base(title)
    option["legend"] = {"top": 0, "data": ["调解案件", "成功"]}
    option["yAxis"] = {
        "type": "category",
        "inverse": True,
        "data": labels,
        "axisLabel": {"width": 110, "overflow": "truncate"},
    }
    option["xAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [
        {"name": "调解案件", "type": "bar", "data": cases, "itemStyle": {"color": BLUE}},
        {"name": "成功", "type": "bar", "data": success, "itemStyle": {"color": GREEN}},
    ]
    return {"option": option, "links": links, "height": max(200, 50 + 34 * len(labels))}


def breakdown_chart(title: str, rows: list[Breakdown], d: Dashboard, link: Callable[[Slice], str]) -> dict:
    shown = [r for r in rows if r.cases]
    return _accepted_vs_success(
        title,
        [r.label for r in shown],
        [r.cases for r in shown],
        [r.success for r in shown],
        [link(d.slice("cases", **r.filters)) for r in shown],
    )


def area_chart(rows: list[AreaRow], d: Dashboard, link: Callable[[Slice], str]) -> dict:
    return _accepted_vs_success(
        f"按{d.area_level_label}",
        [f"{r.name}（本级）" if r.own_level else r.name for r in rows],
        [r.cases for r in rows],
        [r.success for r in rows],
        [link(Slice(r.code, d.period, "cases", r.committee_id)) for r in rows],
    )
