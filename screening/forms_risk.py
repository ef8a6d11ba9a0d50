"""Forms of the risk pages (研判, level, update, instruction, review, resolution, acknowledgement). Owner: h-risk.
The forms check shapes; the actions (screening.actions) check the rules and say why in Chinese."""

from django import forms
from django.db.models import Q

from accounts.models import Role, User
from screening.enums import LEVEL_RANK, RiskFlag, RiskLevel

AREA_ROLES = (Role.SFS_OFFICER, Role.GOVERNANCE_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN)
LEVEL_HELP = "红色：立即报告，逐级上报至县司法局；橙色：当日处置，报至乡镇（街道）；黄色：就地化解，不上报。"


def owner_choices(committee_id: int, division_code: str):
    """Who may be the 包案领导: the committee's members and the area roles covering the place."""
    prefixes = [division_code[:n] for n in (2, 4, 6, 9, 12) if len(division_code) >= n]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=[Role.MEDIATOR, Role.DIRECTOR], committee_id=committee_id)
            | Q(role__in=AREA_ROLES, division_id__in=prefixes)
        )
        .order_by("role", "pk")
    )


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.username}（{obj.get_role_display()}）"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class Styled(forms.Form):
    """Bootstrap classes on every widget (the house forms set them per form)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


def _flag_field(label: str = "风险标识") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=RiskFlag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class NewRiskForm(Styled):
    title = forms.CharField(label="风险事项", max_length=120, error_messages={"required": "请填写风险事项"})
    level = forms.ChoiceField(
        label="风险等级",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        help_text=LEVEL_HELP,
        error_messages={"required": "请选择风险等级", "invalid_choice": "请选择风险等级"},
    )
    flags = _flag_field()
    reasons = forms.CharField(
        label="研判理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=4,
        error_messages={"required": "请写明研判理由", "min_length": "研判理由至少4个字"},
    )
    headcount = forms.IntegerField(
        label="涉及人数",
        min_value=0,
        max_value=1000000,
        initial=0,
        error_messages={
            "required": "请填写涉及人数",
            "invalid": "涉及人数须为整数",
            "min_value": "涉及人数不能为负数",
            "max_value": "涉及人数过大",
        },
    )
    amount = forms.DecimalField(
        label="涉及金额（元）",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": "涉及金额须为数字",
            "min_value": "涉及金额不能为负数",
            "max_digits": "涉及金额过大",
            "max_decimal_places": "金额最多保留两位小数",
            "max_whole_digits": "涉及金额过大",
        },
    )
    owner = OwnerField(
        label="包案领导",
        queryset=User.objects.none(),
        required=False,
        empty_label="暂不确定",
        error_messages={"invalid_choice": "包案领导须为本调委会人员或辖区主管人员"},
    )
    measures = forms.CharField(label="稳控措施", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_on = forms.DateField(
        label="复核日期", required=False, widget=DateInput(), error_messages={"invalid": "请填写正确的日期"}
    )

    def __init__(self, *args, committee_id: int, division_code: str, **kw):
        super().__init__(*args, **kw)
        self.fields["owner"].queryset = owner_choices(committee_id, division_code)


class LevelForm(Styled):
    level = forms.ChoiceField(
        label="调整为",
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": "请选择新的风险等级", "invalid_choice": "请选择新的风险等级"},
    )
    reason = forms.CharField(
        label="调整理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=4,
        error_messages={"required": "请写明调整等级的理由", "min_length": "调整理由至少4个字"},
    )

    def __init__(self, *args, current: str, may_raise: bool, may_lower: bool, **kw):
        super().__init__(*args, **kw)
        rank = LEVEL_RANK[current]
        offered = [
            (value, label)
            for value, label in RiskLevel.choices
            if (may_raise and LEVEL_RANK[value] > rank) or (may_lower and LEVEL_RANK[value] < rank)
        ]
        self.fields["level"].choices = offered


class UpdateForm(Styled):
    flags = _flag_field()
    owner = OwnerField(
        label="包案领导",
        queryset=User.objects.none(),
        required=False,
        empty_label="暂不确定",
        error_messages={"invalid_choice": "包案领导须为本调委会人员或辖区主管人员"},
    )
    measures = forms.CharField(label="稳控措施", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_on = forms.DateField(
        label="复核日期", required=False, widget=DateInput(), error_messages={"invalid": "请填写正确的日期"}
    )
    reason = forms.CharField(
        label="变更理由",
        min_length=4,
        error_messages={"required": "请写明变更理由", "min_length": "变更理由至少4个字"},
    )

    def __init__(self, *args, committee_id: int, division_code: str, **kw):
        super().__init__(*args, **kw)
        self.fields["owner"].queryset = owner_choices(committee_id, division_code)


class InstructForm(Styled):
    text = forms.CharField(
        label="批示或指令",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "请填写批示或指令内容", "max_length": "批示内容不超过1000字"},
    )


class ReviewForm(Styled):
    note = forms.CharField(
        label="复核情况",
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=4,
        error_messages={"required": "请写明复核情况", "min_length": "复核情况至少4个字"},
    )
    next_review_on = forms.DateField(
        label="下次复核日期", required=False, widget=DateInput(), error_messages={"invalid": "请填写正确的日期"}
    )


class ResolveForm(Styled):
    outcome = forms.ChoiceField(
        label="办结方式",
        choices=[("RESOLVED", "已化解"), ("HANDED_OVER", "已移交有关部门处置")],
        widget=forms.RadioSelect,
        initial="RESOLVED",
        error_messages={"required": "请选择办结方式", "invalid_choice": "请选择办结方式"},
    )
    note = forms.CharField(
        label="化解或移交情况",
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=4,
        error_messages={"required": "请写明化解或移交情况", "min_length": "至少4个字"},
    )


class AcknowledgeForm(Styled):
    note = forms.CharField(
        label="签收意见（可不填）",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "如：已安排人员赶赴现场"}),
        error_messages={"max_length": "签收意见不超过500字"},
    )
