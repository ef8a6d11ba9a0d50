"""Template filters for registry history records (templates/registry/_history.html)."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def change_value(value: Any) -> str:
    """A recorded field value as a reader expects it: 是/否 for flags, （空） for nothing."""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "（空）"
    return str(value)
