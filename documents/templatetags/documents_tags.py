"""Filters for the printed forms: dates as 2026年11月23日, amounts with their upper-case RMB form, and the
documents panel of the case page."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone

register = template.Library()

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_GROUPS = ["", "万", "亿", "兆"]


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def cn_date(value: date | datetime | None, blank: str = "　　年　　月　　日") -> str:
    """2026年11月23日 (no leading zeros, as on the paper forms); a blank to fill in by hand when unknown."""
    if not value:
        return blank
    d = _as_date(value)
    return f"{d.year}年{d.month}月{d.day}日"


@register.filter
def cn_datetime(value: datetime | None) -> str:
    """2026年11月23日 9时05分."""
    if not value:
        return "　　年　　月　　日　　时　　分"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}时{local.minute:02d}分"


@register.filter
def yuan(value: Decimal | None) -> str:
    """3,000.00 (the amount in figures, two decimals)."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def rmb_upper(value: Decimal) -> str:
    """The amount in capital numerals (大写), as written on agreements and receipts: 叁仟元整, 壹万零伍拾元伍角."""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        return "负" + rmb_upper(-value)
    yuan_part, cents = divmod(int(value * 100), 100)
    jiao, fen = divmod(cents, 10)
    text = _integer_upper(yuan_part) + "元" if yuan_part else ""
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan_part:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def _integer_upper(n: int) -> str:
    groups: list[int] = []
    while n:
        n, rest = divmod(n, 10000)
        groups.append(rest)
    out = ""
    zero_pending = False
    for gi in range(len(groups) - 1, -1, -1):
        group = groups[gi]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        zero_pending = False
        digits = f"{group:04d}"
        chunk, gap = "", False
        for i, ch in enumerate(digits):
            d = int(ch)
            if d == 0:
                gap = bool(chunk)
                continue
            if gap:
                chunk += "零"
                gap = False
            chunk += _DIGITS[d] + _UNITS[3 - i]
        out += chunk + _GROUPS[gi]
    return out


register.filter("rmb_upper", lambda v: rmb_upper(v) if v is not None else "")


@register.simple_tag
def case_documents(case, user) -> list:
    """The (kind, label, url) list of the documents panel, for this user."""
    from documents.catalogue import available_documents

    return available_documents(case, user)


@register.simple_tag
def dossier_url(case, user) -> str:
    """The whole-dossier download link, or '' when this user may not have it."""
    from documents.catalogue import dossier_available

    if not dossier_available(case, user):
        return ""
    from django.urls import reverse

    return reverse("documents:dossier", kwargs={"pk": case.pk})
