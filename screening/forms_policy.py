"""Forms of the policy, special period, campaign and compliance pages. Owner: h-policy. Every message in Chinese;
the actions check again (the forms only parse)."""

from datetime import date, time, timedelta

from django import forms
from django.utils import timezone

from accounts.models import User
from cases.bounds import bound_dates
from registry.models import Division, DivisionLevel
from screening.enums import Cadence
from screening.models import UNIT_LEVELS

REQUIRED = {"required": "此项为必填项", "invalid": "请填写正确的日期", "invalid_choice": "请选择有效的选项"}


def policy_areas(user: User) -> list[tuple[str, str]]:
    """The divisions whose policy the user may set: their own and, for a city, its counties."""
    own = user.division
    if own is None:
        return []
    rows = [(own.code, own.name)]
    below = Division.objects.filter(code__startswith=own.code, level__gt=own.level, level__lte=DivisionLevel.COUNTY)
    rows += [(d.code, "\u3000" * (d.level - own.level) + d.name) for d in below.order_by("code")]
    return rows


def campaign_area_choices(division: Division) -> list[tuple[str, str]]:
    """The areas a campaign of `division` may cover: the counties and townships inside it."""
    below = Division.objects.filter(
        code__startswith=division.code, level__gt=division.level, level__lte=DivisionLevel.TOWNSHIP
    ).order_by("code")
    return [(d.code, "\u3000" * (d.level - division.level - 1) + d.name) for d in below]


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        for f in self.fields.values():
            f.error_messages["required"] = REQUIRED["required"]
            if isinstance(f, (forms.DateField, forms.TimeField)) and not isinstance(f, forms.DateTimeField):
                f.error_messages["invalid"] = (
                    "请填写正确的日期" if isinstance(f, forms.DateField) else "请填写正确的时刻，如 18:00"
                )
            if isinstance(f, forms.ChoiceField):
                f.error_messages["invalid_choice"] = REQUIRED["invalid_choice"]
            w = f.widget
            if isinstance(w, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                w.attrs.setdefault("class", "form-check-input")
                continue
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class PolicyForm(_Styled):
    area = forms.ChoiceField(label="制定区划")
    unit_level = forms.TypedChoiceField(label="报送单位层级", choices=UNIT_LEVELS, coerce=int)
    cadence = forms.ChoiceField(label="排查周期", choices=[c for c in Cadence.choices if c[0] != Cadence.DAILY])
    due_offset_workdays = forms.IntegerField(
        label="报送期限（期末后第几个工作日）",
        min_value=0,
        max_value=30,
        initial=1,
        help_text="0 表示期末当日；节假日和调休按国务院公布的安排计算。",
        error_messages={"min_value": "不能小于0", "max_value": "不能超过30个工作日", "invalid": "请填写整数"},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    due_time = forms.TimeField(
        label="截止时刻",
        initial=time(18, 0),
        error_messages={"invalid": "请填写正确的时刻，如 18:00"},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    zero_report_required = forms.BooleanField(label="实行零报告（无矛盾纠纷也须报送）", required=False, initial=True)
    include_industry = forms.BooleanField(label="行业性专业性调委会也须报送", required=False)
    effective_from = _date("生效日期")
    document_no = forms.CharField(label="依据文件文号", required=False, max_length=60)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = policy_areas(user)
        self.fields["area"].error_messages["invalid_choice"] = "请选择本辖区内的区划"
        self.fields["document_no"].error_messages["max_length"] = "文号不能超过60个字"
        self.fields["note"].error_messages["max_length"] = "说明不能超过200个字"


class SpecialPeriodForm(_Styled):
    area = forms.ChoiceField(label="制定区划")
    name = forms.CharField(label="名称", max_length=60, help_text="如：春节、全国两会期间")
    start = _date("开始日期")
    end = _date("结束日期")
    cadence = forms.ChoiceField(label="特殊时期排查周期", choices=Cadence.choices, initial=Cadence.DAILY)
    unit_levels = forms.TypedMultipleChoiceField(
        label="适用层级（不选为全部层级）",
        choices=UNIT_LEVELS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = policy_areas(user)
        self.fields["area"].error_messages["invalid_choice"] = "请选择本辖区内的区划"
        self.fields["name"].error_messages["max_length"] = "名称不能超过60个字"


class CampaignForm(_Styled):
    theme = forms.CharField(label="专项排查主题", max_length=100)
    description = forms.CharField(label="工作要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    area_codes = forms.MultipleChoiceField(
        label="排查区域（不选为全辖区）", required=False, widget=forms.CheckboxSelectMultiple
    )
    start = _date("开始日期")
    end = _date("结束日期")
    cadence = forms.ChoiceField(label="报送周期", choices=Cadence.choices, initial=Cadence.WEEKLY)

    def __init__(self, *args, division: Division, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_codes"].choices = campaign_area_choices(division)
        self.fields["area_codes"].error_messages["invalid_choice"] = "所选排查区域不在本辖区内"
        self.fields["theme"].error_messages["max_length"] = "主题不能超过100个字"


def default_range(today: date | None = None) -> tuple[date, date]:
    """The compliance page's default: the last four weeks up to today."""
    today = today or timezone.localdate()
    return today - timedelta(days=27), today


class RangeForm(_Styled):
    start = _date("期末日期自")
    end = _date("至")

    def clean(self):
        data = super().clean()
        s, e = data.get("start"), data.get("end")
        if s and e:
            if e < s:
                self.add_error("end", "结束日期不能早于开始日期")
            elif (e - s).days > 366:
                self.add_error("end", "查询期间不能超过一年")
        return data
