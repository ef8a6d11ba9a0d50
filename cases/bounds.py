"""What a form field may hold before its value reaches the database or date arithmetic (issue 10 point 4).

Python holds 0001-01-01 and 9999-12-31, but a day after the one, or the other in UTC, does not exist, and an id
beyond a 64-bit integer overflows in the database. No date of a people's-mediation case lies before the People's
Republic or after this century, so dates outside are refused with a message instead of failing later."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError

DATE_MIN, DATE_MAX = date(1949, 10, 1), date(2099, 12, 31)
DATE_RANGE_ERROR = "日期超出范围，请填写1949年10月1日至2099年12月31日之间的日期"
# The largest primary key (BigAutoField).
MAX_ID = 2**63 - 1


def validate_date_range(value: date | datetime | None) -> None:
    """Refuse a date (or the local date of a datetime, compared without any time-zone conversion) out of range."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(DATE_RANGE_ERROR, code="date_out_of_range")


def bound_dates(form: forms.BaseForm) -> None:
    """Give every date and datetime field of `form` the range check, and the date pickers the same limits."""
    for field in form.fields.values():
        if isinstance(field, (forms.DateField, forms.DateTimeField)):
            if validate_date_range not in field.validators:
                field.validators.append(validate_date_range)
            if isinstance(field, forms.DateTimeField):
                field.widget.attrs.setdefault("min", f"{DATE_MIN.isoformat()}T00:00")
                field.widget.attrs.setdefault("max", f"{DATE_MAX.isoformat()}T23:59")
            else:
                field.widget.attrs.setdefault("min", DATE_MIN.isoformat())
                field.widget.attrs.setdefault("max", DATE_MAX.isoformat())
