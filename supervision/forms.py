"""Forms of the supervision pages: period pickers, a new spot check, a case's scores, a correction."""

from datetime import date

from django import forms
from django.utils import timezone

from accounts.models import User
from cases.bounds import bound_dates
from registry.models import Division, DivisionLevel
from supervision.config import ChecklistItem
from supervision.spotcheck import MAX_SAMPLE

KIND_CHOICES = [("month", "月度"), ("quarter", "季度"), ("year", "年度")]


def last_month(today: date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def area_choices(user: User) -> list[tuple[str, str]]:
    """The user's own division and the levels below it down to townships, indented."""
    own = user.division
    if own is None:
        return []
    below = Division.objects.filter(code__startswith=own.code, level__gt=own.level, level__lte=DivisionLevel.TOWNSHIP)
    rows = [(own.code, own.name)]
    rows += [(d.code, "\u3000" * (d.level - own.level) + d.name) for d in below.order_by("code")]
    return rows


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "年度须为四位数字",
            "min_value": "年度不能早于2000年",
            "max_value": "年度不能晚于2100年",
            "required": "请填写年度",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )


class AreaForm(forms.Form):
    """A form whose first field picks an area inside the user's jurisdiction."""

    area = forms.ChoiceField(label="地区", widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        self.fields["area"].choices = area_choices(user)
        self.fields["area"].error_messages["invalid_choice"] = "请选择本辖区内的地区"


class NoticeForm(AreaForm):
    year = _year_field()
    month = forms.TypedChoiceField(
        label="月份",
        coerce=int,
        choices=[(m, f"{m}月") for m in range(1, 13)],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "请选择月份"},
    )

    def clean(self):
        data = super().clean()
        year, month = data.get("year"), data.get("month")
        if year and month and date(year, month, 1) > timezone.localdate():
            self.add_error("month", "不能选择未来的月份")
        return data


class ReconciliationForm(AreaForm):
    year = _year_field()
    kind = forms.ChoiceField(label="期间", choices=KIND_CHOICES, widget=forms.Select(attrs={"class": "form-select"}))
    index = forms.TypedChoiceField(
        label="月/季",
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 13)],
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="月度填1–12，季度填1–4，年度不需要",
        error_messages={"invalid_choice": "请选择月份或季度"},
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "quarter" and data.get("index", 1) > 4:
            self.add_error("index", "季度应为1–4")
        return data


class SpotCheckForm(AreaForm):
    field_order = ["title", "area"]

    title = forms.CharField(
        label="评查名称",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：2026年第一季度卷宗评查"}),
        error_messages={"required": "请填写评查名称"},
    )
    area = forms.ChoiceField(label="抽查范围", widget=forms.Select(attrs={"class": "form-select"}))
    start = forms.DateField(
        label="结案日期自",
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
        error_messages={"required": "请填写开始日期", "invalid": "日期格式应为 年-月-日"},
    )
    end = forms.DateField(
        label="结案日期至",
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
        error_messages={"required": "请填写结束日期", "invalid": "日期格式应为 年-月-日"},
    )
    size = forms.IntegerField(
        label="抽取件数",
        min_value=1,
        max_value=MAX_SAMPLE,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": "请填写抽取件数",
            "invalid": "请填写整数",
            "min_value": "至少抽取1件",
            "max_value": f"一次最多抽取{MAX_SAMPLE}件",
        },
    )
    seed = forms.IntegerField(
        label="随机种子（可不填）",
        required=False,
        min_value=0,
        max_value=2**62,
        help_text="不填则由系统随机生成；填写以前评查记录的种子，可在相同范围内重现同一抽样结果",
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"invalid": "请填写非负整数", "min_value": "请填写非负整数", "max_value": "数字过大"},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期")
        if end and end > timezone.localdate():
            self.add_error("end", "结束日期不能晚于今天")
        return data


class ScoreForm(forms.Form):
    """One points field and one note per checklist item, plus the overall findings."""

    findings = forms.CharField(
        label="评查意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )

    def __init__(self, *args, items: list[ChecklistItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            maximum = item.max_points
            self.fields[f"points_{item.key}"] = forms.DecimalField(
                label=f"{item.label}（满分{maximum.normalize()}）",
                min_value=0,
                max_value=maximum,
                decimal_places=1,
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control",
                        "step": "0.5",
                        "min": "0",
                        "max": str(maximum),
                        "inputmode": "decimal",
                    }
                ),
                error_messages={
                    "required": "请评分",
                    "invalid": "请填写数字",
                    "min_value": "得分不能为负数",
                    "max_value": f"得分不能超过{maximum.normalize()}分",
                    "max_decimal_places": "最多保留一位小数",
                },
            )
            self.fields[f"note_{item.key}"] = forms.CharField(
                label="说明",
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "扣分须写明理由"}),
            )

    def clean(self):
        data = super().clean()
        for item in self.items:
            points = data.get(f"points_{item.key}")
            if points is not None and points != (points * 2).to_integral_value() / 2:
                self.add_error(f"points_{item.key}", "得分以0.5分为单位")
            elif points is not None and points < item.max_points and not data.get(f"note_{item.key}", "").strip():
                self.add_error(f"note_{item.key}", "扣分须写明理由")
        return data

    def rows(self):
        """(item, points field, note field) per checklist item, for the template."""
        return [(item, self[f"points_{item.key}"], self[f"note_{item.key}"]) for item in self.items]


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label="更正理由",
        min_length=4,
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        error_messages={"required": "请写明更正理由", "min_length": "请写明更正理由（至少4个字）"},
    )
