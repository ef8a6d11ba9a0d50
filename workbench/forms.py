"""Registration of a dispute by a mediator (walk-in, proactive or referred)."""

from decimal import Decimal

from django import forms
from django.forms import formset_factory

from cases import identity
from cases.actions import CaseData, PartyData
from cases.bounds import bound_dates
from cases.enums import (
    CaseSource,
    CivilCapacity,
    CourtReferralType,
    DisputeType,
    Exclusion,
    Gender,
    PartySide,
    PartyType,
)
from registry.models import Court


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxInput):
            f.widget.attrs["class"] = "form-check-input"
        elif isinstance(f.widget, forms.Select):
            f.widget.attrs["class"] = "form-select"
        else:
            f.widget.attrs["class"] = "form-control"


class RegisterCaseForm(forms.Form):
    dispute_type = forms.ChoiceField(label="纠纷类型", choices=[("", "请选择"), *DisputeType.choices])
    source = forms.ChoiceField(label="案件来源", choices=[("", "请选择"), *CaseSource.choices])
    referral_body = forms.CharField(label="移送单位（移送案件填写）", max_length=100, required=False)
    court = forms.ModelChoiceField(
        label="委派/委托法院", queryset=Court.objects.all(), required=False, empty_label="（非法院移送）"
    )
    court_mode = forms.ChoiceField(label="诉调对接方式", choices=CourtReferralType.choices, required=False)
    court_case_no = forms.CharField(label="法院案号", max_length=60, required=False)
    occurred_on = forms.DateField(
        label="纠纷发生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    brief_facts = forms.CharField(
        label="纠纷简要情况",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        min_length=10,
        error_messages={"min_length": "纠纷简要情况至少写10个字"},
    )
    claims = forms.CharField(label="申请事项", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    amount_involved = forms.DecimalField(
        label="涉及金额（元）", min_value=0, max_digits=14, decimal_places=2, initial=Decimal("0"), required=False
    )
    is_difficult = forms.BooleanField(label="疑难复杂纠纷", required=False)
    exclusion = forms.ChoiceField(
        label="是否已由法院、仲裁机构或行政机关受理或处理，或依法只能由专门机关处理",
        choices=[("", "请选择"), *Exclusion.choices],
        help_text="《人民调解工作若干规定》第二十二条：此类纠纷调委会不予受理，受理时由调委会主任确认",
        error_messages={"required": "请选择是否存在不得受理的情形"},
    )
    exclusion_note = forms.CharField(label="情况说明（如受理机关、案号）", max_length=200, required=False)

    def __init__(self, *args, committee=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        if committee is not None:
            self.fields["court"].queryset = Court.objects.filter(division__code__startswith=committee.division_id[:4])
        _style(self)

    def clean(self) -> dict:
        d = super().clean()
        if d.get("source") == CaseSource.REFERRED_COURT and not d.get("court"):
            self.add_error("court", "法院委托移送的案件须选择法院")
        if d.get("source", "").startswith("REFERRED_") and d.get("source") != CaseSource.REFERRED_COURT:
            if not d.get("referral_body"):
                self.add_error("referral_body", "移送案件须填写移送单位")
        return d


class PartyForm(forms.Form):
    side = forms.ChoiceField(label="地位", choices=PartySide.choices)
    party_type = forms.ChoiceField(label="类型", choices=PartyType.choices)
    name = forms.CharField(label="姓名/名称", max_length=100)
    id_number = forms.CharField(label="身份证号码（申请人必填）", max_length=18, required=False)
    gender = forms.ChoiceField(label="性别", choices=[("", "—"), *Gender.choices], required=False)
    credit_code = forms.CharField(label="统一社会信用代码（申请单位必填）", max_length=18, required=False)
    legal_representative = forms.CharField(label="法定代表人/负责人", max_length=50, required=False)
    capacity = forms.ChoiceField(
        label="民事行为能力（成年人）",
        choices=CivilCapacity.choices,
        initial=CivilCapacity.FULL,
        required=False,
        help_text="未满18周岁的由身份证号码自动判定",
    )
    guardian_name = forms.CharField(
        label="法定代理人（未成年人或无、限制民事行为能力人）", max_length=50, required=False
    )
    phone = forms.RegexField(
        label="联系电话",
        regex=r"^[0-9\-+ ]{7,20}$",
        required=False,
        max_length=20,
        error_messages={"invalid": "请填写正确的电话号码"},
    )
    address = forms.CharField(label="住所或单位", max_length=200, required=False)
    occupation = forms.CharField(label="职业或职务", max_length=50, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        _style(self)

    def clean_id_number(self) -> str:
        value = identity.normalise_id_number(self.cleaned_data["id_number"])
        if value:
            error = identity.id_number_error(value)
            if error:
                raise forms.ValidationError(error)
        return value

    def clean_credit_code(self) -> str:
        value = self.cleaned_data["credit_code"].strip().upper()
        if value:
            error = identity.credit_code_error(value)
            if error:
                raise forms.ValidationError(error)
        return value

    def clean(self) -> dict:
        d = super().clean()
        person = d.get("party_type") == PartyType.NATURAL_PERSON
        applicant = d.get("side") == PartySide.APPLICANT
        if person and applicant and not d.get("id_number") and "id_number" not in self.errors:
            self.add_error("id_number", "申请人须填写身份证号码")
        if not person and applicant and not d.get("credit_code") and "credit_code" not in self.errors:
            self.add_error("credit_code", "申请单位须填写统一社会信用代码")
        return d

    def to_data(self) -> PartyData:
        d = self.cleaned_data
        return PartyData(
            side=d["side"],
            party_type=d["party_type"],
            name=d["name"],
            gender=d["gender"],
            id_number=d["id_number"],
            credit_code=d["credit_code"],
            legal_representative=d["legal_representative"],
            guardian_name=d["guardian_name"],
            capacity=d.get("capacity") or CivilCapacity.FULL,
            phone=d["phone"],
            address=d["address"],
            occupation=d["occupation"],
        )


PartyFormSet = formset_factory(
    PartyForm, extra=0, min_num=2, validate_min=True, max_num=30, validate_max=True, absolute_max=30
)
PARTY_INITIAL = [{"side": PartySide.APPLICANT}, {"side": PartySide.RESPONDENT}]


def case_data(form: RegisterCaseForm, parties) -> CaseData:
    d = form.cleaned_data
    return CaseData(
        source=d["source"],
        dispute_type=d["dispute_type"],
        brief_facts=d["brief_facts"],
        claims=d["claims"],
        amount_involved=d["amount_involved"] or Decimal("0"),
        is_difficult=d["is_difficult"],
        occurred_on=d["occurred_on"],
        referral_body=d["referral_body"],
        court=d["court"],
        court_mode=d["court_mode"] or "",
        court_case_no=d["court_case_no"],
        exclusion=d["exclusion"],
        exclusion_note=d["exclusion_note"],
        parties=[f.to_data() for f in parties.forms if f.cleaned_data],
    )
