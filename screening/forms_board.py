"""Forms of the risk board, the area breakdown and the 研判 meetings. Owner: h-board."""

from datetime import date

from django import forms

from screening.board import ALL_STATUSES, BoardFilters
from screening.enums import RiskFlag, RiskLevel, RiskStatus
from screening.models import RiskAssessment

SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


class BoardFilterForm(forms.Form):
    """GET filters of screening:risks. Invalid input is reported next to the field and ignored (the board still
    shows, with that filter off)."""

    level = forms.ChoiceField(
        label="风险等级", required=False, choices=[("", "全部等级"), *RiskLevel.choices], widget=forms.Select(SELECT)
    )
    flag = forms.ChoiceField(
        label="风险类型", required=False, choices=[("", "全部类型"), *RiskFlag.choices], widget=forms.Select(SELECT)
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[
            (RiskStatus.OPEN, "稳控中"),
            (RiskStatus.RESOLVED, "已化解"),
            (RiskStatus.HANDED_OVER, "已移交处置"),
            (ALL_STATUSES, "全部状态"),
        ],
        widget=forms.Select(SELECT),
    )
    owner = forms.TypedChoiceField(
        label="包案领导", required=False, coerce=int, empty_value=None, widget=forms.Select(SELECT)
    )
    age = forms.IntegerField(
        label="已持续天数≥",
        required=False,
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput({**INPUT, "inputmode": "numeric", "placeholder": "天"}),
        error_messages={
            "invalid": "请输入整数天数",
            "min_value": "天数不能小于0",
            "max_value": "天数不能超过3650",
        },
    )
    overdue = forms.BooleanField(
        label="只看逾期未签收", required=False, widget=forms.CheckboxInput({"class": "form-check-input"})
    )

    def __init__(self, data, *, owners: list[tuple[int, str]], areas: list[tuple[str, str]] | None = None):
        super().__init__(data)
        self.fields["owner"].choices = [("", "全部")] + [(str(pk), name) for pk, name in owners]
        self.fields["owner"].error_messages["invalid_choice"] = "请从列表中选择包案领导"
        for name in ("level", "flag", "status"):
            self.fields[name].error_messages["invalid_choice"] = "请从列表中选择"
        if areas is not None:
            self.fields["area"] = forms.ChoiceField(
                label="地区", required=False, choices=[("", "本辖区全部"), *areas], widget=forms.Select(SELECT)
            )
            self.fields["area"].error_messages["invalid_choice"] = "请从列表中选择地区"
            self.order_fields(["area", "level", "flag", "status", "owner", "age", "overdue"])

    def filters(self, area_code: str) -> BoardFilters:
        """The filters, each valid field applied (an invalid one is dropped and its error shown)."""
        self.is_valid()
        clean = getattr(self, "cleaned_data", {})

        def value(name: str, default=None):
            return default if name in self.errors else clean.get(name, default)

        return BoardFilters(
            level=value("level", "") or "",
            flag=value("flag", "") or "",
            area=area_code,
            owner_id=value("owner"),
            status=value("status", "") or RiskStatus.OPEN,
            min_age_days=value("age"),
            overdue_only=bool(value("overdue", False)),
        )


class PeriodForm(forms.Form):
    """The period of the area breakdown's 期内化解 column."""

    start = forms.DateField(
        label="化解统计起",
        required=False,
        widget=forms.DateInput({**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入有效日期"},
    )
    end = forms.DateField(
        label="化解统计止",
        required=False,
        widget=forms.DateInput({**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入有效日期"},
    )

    def bounds(self, default: tuple[date, date]) -> tuple[date, date]:
        self.is_valid()
        clean = getattr(self, "cleaned_data", {})
        start = clean.get("start") or default[0]
        end = clean.get("end") or default[1]
        if start.year < 2000 or end.year > 2100:
            self.add_error("start", "请输入2000年至2100年之间的日期")
            return default
        if end < start:
            self.add_error("end", "截止日期不能早于起始日期")
            return default
        if (end - start).days > 3660:
            self.add_error("start", "统计期间不能超过十年")
            return default
        return start, end


class RiskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: RiskAssessment) -> str:
        return f"{obj.get_level_display()[:2]} · {obj.title}（{obj.committee.name}）"


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label="会议日期",
        widget=forms.DateInput({"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写会议日期", "invalid": "请输入有效日期"},
    )
    title = forms.CharField(
        label="会议名称",
        max_length=120,
        widget=forms.TextInput({"class": "form-control", "placeholder": "例如：温泉街道第49周矛盾纠纷研判会"}),
        error_messages={"required": "请填写会议名称", "max_length": "会议名称不能超过120字"},
    )
    chair = forms.CharField(
        label="主持人",
        max_length=50,
        widget=forms.TextInput({"class": "form-control"}),
        error_messages={"required": "请填写主持人", "max_length": "主持人不能超过50字"},
    )
    attendees = forms.CharField(
        label="参会人员",
        max_length=300,
        widget=forms.TextInput({"class": "form-control"}),
        error_messages={"required": "请填写参会人员", "max_length": "参会人员不能超过300字"},
    )
    minutes = forms.CharField(
        label="会议纪要",
        widget=forms.Textarea({"class": "form-control", "rows": 6}),
        error_messages={"required": "请填写会议纪要"},
    )
    risks = RiskChoiceField(
        label="研判事项",
        queryset=RiskAssessment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple({"class": "form-check-input"}),
        error_messages={"invalid_choice": "所选风险事项不存在或已化解", "invalid_pk_value": "所选风险事项不存在"},
    )

    def __init__(self, *args, risks, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["risks"].queryset = risks

    def clean_held_on(self) -> date:
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise forms.ValidationError("会议日期不能晚于今天")
        if held_on.year < 2000:
            raise forms.ValidationError("请输入有效日期")
        return held_on

    def clean_minutes(self) -> str:
        text = self.cleaned_data["minutes"].strip()
        if len(text) < 4:
            raise forms.ValidationError("会议纪要至少4个字")
        return text

    def clean_risks(self):
        risks = self.cleaned_data["risks"]
        if not risks:
            raise forms.ValidationError("请至少选择一项研判的风险事项")
        return risks
