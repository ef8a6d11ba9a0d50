from django import template

register = template.Library()


@register.simple_tag
def row_flags(row, rules) -> dict[str, bool]:
    """Which of a notice row's figures the bureau points out (drop, late, numbers, short, written)."""
    return row.flags(rules)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, key)
