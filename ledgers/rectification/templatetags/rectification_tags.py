"""Filters of the rectification pages and notice."""

from datetime import date

from django import template

register = template.Library()


@register.filter
def cn_date(value: str | date | None) -> str:
    """An ISO date (as kept in a notice's snapshot) written the Chinese way: 2026年1月22日."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"
