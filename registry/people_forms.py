"""Forms of the mediator and account administration pages (registry.views_people). Checks that need only the
input live here (phone, ID number checksum, dates); those that need the database are refusals of
registry.people_services."""

import re

from django import forms
from django.utils import timezone

from cases import identity
from registry.models import Division, Gender, Mediator, MediatorCategory, MediatorRole

# 手机 11 digits starting 1[3-9]; 固话 area code (0 + 2–3 digits), an optional hyphen, 7–8 digits, an optional
# extension.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,29}$")
EDUCATION_CHOICES = [
    ("", "—"),
    ("研究生", "研究生"),
    ("大学本科", "大学本科"),
    ("大学专科", "大学专科"),
    ("高中/中专", "高中/中专"),
    ("初中及以下", "初中及以下"),
]


def phone_error(value: str) -> str | None:
    v = (value or "").strip().replace(" ", "")
    if not v or _MOBILE.match(v) or _LANDLINE.match(v):
        return None
    return "请填写11位手机号，或带区号的固定电话（如0715-8123456）"


def _styled(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def mark_invalid(form: forms.BaseForm) -> None:
    """Bootstrap's red border on the fields with an error (after validation)."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MediatorForm(forms.ModelForm):
    id_number = forms.CharField(label="身份证号码", max_length=30, required=False)

    class Meta:
        model = Mediator
        fields = [
            "name",
            "gender",
            "category",
            "role",
            "term_start",
            "term_end",
            "phone",
            "id_number",
            "education",
            "specialties",
            "qualifications",
            "is_court_invited",
        ]
        widgets = {
            "term_start": DateInput(),
            "term_end": DateInput(),
            "education": forms.Select(choices=EDUCATION_CHOICES),
        }
        help_texts = {
            "specialties": "如：婚姻家庭、邻里纠纷、土地承包",
            "qualifications": "如：人民调解员岗位培训合格、法律职业资格",
            "is_court_invited": "列入人民法院特邀调解员名册",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("term_start", "term_end"):
            self.fields[name].required = True
        self.fields["gender"].choices = [("", "请选择"), *Gender.choices]
        self.fields["category"].choices = [("", "请选择"), *MediatorCategory.choices]
        self.fields["role"].choices = MediatorRole.choices
        self.fields["name"].error_messages["required"] = "请填写姓名"
        self.fields["gender"].error_messages["required"] = "请选择性别"
        self.fields["category"].error_messages["required"] = "请选择专职或兼职"
        self.fields["term_start"].error_messages["required"] = "请填写任期开始日期"
        self.fields["term_end"].error_messages["required"] = "请填写任期结束日期"
        masked = self.instance.id_number_masked if self.instance.pk else ""
        self.fields["id_number"].help_text = (
            f"已登记：{masked}。不修改请留空。" if masked else "18位居民身份证号码，系统校验校验位和出生日期。"
        )
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["phone"].help_text = "手机号或带区号的固定电话"
        _styled(self)

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip().replace(" ", "")
        error = phone_error(value)
        if error:
            raise forms.ValidationError(error)
        return value

    def clean_id_number(self) -> str:
        value = identity.normalise_id_number(self.cleaned_data.get("id_number") or "")
        if not value:
            return ""
        error = identity.id_number_error(value, timezone.localdate())
        if error:
            raise forms.ValidationError(error)
        return value

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", "任期结束日期应晚于开始日期")
        number, gender = data.get("id_number"), data.get("gender")
        if number and gender and identity.gender_from_id(number) != gender:
            self.add_error("gender", "性别与身份证号码不一致，请核对")
        return data

    def mediator_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("id_number", None)
        return data

    def _post_clean(self) -> None:
        # The model instance is changed by registry.people_services (with its history record), not by the form.
        pass


class LeaveForm(forms.Form):
    left_on = forms.DateField(label="离任日期", widget=DateInput(), error_messages={"required": "请填写离任日期"})
    left_reason = forms.CharField(
        label="离任原因",
        max_length=200,
        help_text="如：任期届满、辞职、调离、不再担任",
        error_messages={"required": "请填写离任原因"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("left_on", timezone.localdate())
        _styled(self)


class UsernameField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "用户名")
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "用于登录：字母开头，3至30位字母、数字或 _ . -")
        kwargs.setdefault("error_messages", {"required": "请填写用户名"})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not _USERNAME.match(value):
            raise forms.ValidationError("用户名须以字母开头，由3至30位字母、数字或 _ . - 组成")
        return value


class MediatorAccountForm(forms.Form):
    username = UsernameField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "none"})
        _styled(self)


class StaffAccountForm(forms.Form):
    division = forms.ModelChoiceField(
        label="管辖区划", queryset=Division.objects.none(), error_messages={"required": "请选择管辖区划"}
    )
    full_name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    username = UsernameField()
    phone = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args, divisions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if divisions is not None:
            self.fields["division"].queryset = divisions
        self.fields["division"].empty_label = "请选择"
        self.fields["division"].error_messages["invalid_choice"] = "请从列表中选择管辖区划"
        self.fields["username"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "none"})
        _styled(self)

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip().replace(" ", "")
        if value and not _MOBILE.match(value):
            raise forms.ValidationError("请填写11位手机号")
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="停用原因",
        max_length=200,
        help_text="如：调离、退休、离任",
        error_messages={"required": "请填写停用原因"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
