"""Tags of the shared case table (cases/_case_table.html): days over the time limit, sortable headers."""

from datetime import date

from django import template
from django.utils.html import format_html

from cases.enums import CLOCK_STATES

register = template.Library()


@register.filter
def days_overdue(case, today: date) -> int:
    """Calendar days past the mediation time limit on `today`, as the 超期督办 page counts them (cases.listing.
    overdue_q: a case on the clock whose time limit is before today); 0 for any other case."""
    due = getattr(case, "time_limit_due", None)
    if not due or not today or case.status not in CLOCK_STATES or due >= today:
        return 0
    return (today - due).days


@register.simple_tag
def sort_header(links, key: str, label: str) -> str:
    """The <th> of a column that sorts the list by `key` (click again for the other direction); a plain <th> when
    the page offers no sorting (the statistics drill-down)."""
    link = (links or {}).get(key)
    if not link:
        return format_html("<th>{}</th>", label)
    if link["current"]:
        down = link["descending"]
        return format_html(
            '<th aria-sort="{}"><a class="sort-link active" href="?{}" title="{}">{} <i class="bi {}" '
            'aria-hidden="true"></i></a></th>',
            "descending" if down else "ascending",
            link["query"],
            "降序，点击改为升序" if down else "升序，点击改为降序",
            label,
            "bi-caret-down-fill" if down else "bi-caret-up-fill",
        )
    return format_html(
        '<th><a class="sort-link" href="?{}" title="按{}排序">{} <i class="bi bi-chevron-expand" aria-hidden="true">'
        "</i></a></th>",
        link["query"],
        label,
        label,
    )
