"""The area-and-period picker of the statistics pages."""

from django import forms
from django.utils import timezone

from insights.base import make_period, period_key
from registry.models import Division, DivisionLevel

YEARS_BACK = 5


def period_choices(today=None) -> list:
    """Grouped choices: per year (newest first) the year, its quarters and its months up to today."""
    today = today or timezone.localdate()
    groups = []
    for year in range(today.year, today.year - YEARS_BACK, -1):
        last_month = today.month if year == today.year else 12
        items = [(period_key(make_period(year, "year")), f"{year}年全年")]
        items += [
            (period_key(make_period(year, "quarter", q)), f"{year}年第{q}季度")
            for q in range(1, (last_month - 1) // 3 + 2)
        ]
        items += [(period_key(make_period(year, "month", m)), f"{year}年{m}月") for m in range(last_month, 0, -1)]
        groups.append((f"{year}年", items))
    return groups


def area_choices(root: Division) -> list[tuple[str, str]]:
    """The user's own division and every division under it down to township level (乡镇/街道)."""
    rows = Division.objects.filter(code__startswith=root.code, level__lte=DivisionLevel.TOWNSHIP).order_by("code")
    out = []
    for d in rows:
        depth = d.level - root.level
        out.append((d.code, "　" * depth + d.name))
    return out


class ScopeForm(forms.Form):
    area = forms.ChoiceField(label="地区", required=False)
    period = forms.ChoiceField(label="统计期间", required=False)

    def __init__(self, *args, root: Division, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(root)
        self.fields["period"].choices = period_choices()
        self.fields["area"].error_messages["invalid_choice"] = "请选择本辖区内的地区"
        self.fields["period"].error_messages["invalid_choice"] = "统计期间无效，请重新选择"
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select"
