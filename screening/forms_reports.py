"""Forms of a unit's screening report and its findings (phone first). Owner: h-reports.

The forms check what a form can (required, lengths, numbers); the actions (screening.actions.reports) decide the
rest and their refusals are put next to the field (tiaojie.forms.add_refusal)."""

from decimal import Decimal

from django import forms

from cases.actions import CaseData
from cases.bounds import bound_dates
from cases.enums import CaseSource, DisputeType
from registry.models import Division
from screening.models import Finding, ScreeningReport
from workbench.forms import RegisterCaseForm, _style


class SubmitReportForm(forms.Form):
    participants = forms.CharField(
        label="排查人员",
        max_length=200,
        error_messages={"required": "请填写参加排查的人员"},
        widget=forms.TextInput(attrs={"placeholder": "如：李调解、王主任", "autocomplete": "off"}),
    )
    method = forms.CharField(
        label="排查方式",
        max_length=100,
        error_messages={"required": "请填写排查方式"},
        widget=forms.TextInput(attrs={"placeholder": "如：入户走访、网格巡查、座谈会", "list": "method-options"}),
    )
    note = forms.CharField(
        label="情况说明（可不填）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ZeroReportForm(forms.Form):
    """The one tap: nothing else is required. The optional fields are offered on the report page only."""

    participants = forms.CharField(label="排查人员（可不填）", max_length=200, required=False)
    method = forms.CharField(label="排查方式（可不填）", max_length=100, required=False)
    note = forms.CharField(label="情况说明（可不填）", max_length=2000, required=False)
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["method"].widget.attrs["list"] = "method-options"


class CorrectReportForm(forms.Form):
    reason = forms.CharField(
        label="更正原因",
        max_length=200,
        min_length=4,
        error_messages={"required": "请写明更正原因", "min_length": "请写明更正原因（至少4个字）"},
        widget=forms.TextInput(attrs={"placeholder": "如：漏报一起邻里纠纷"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class FindingForm(forms.Form):
    place = forms.CharField(
        label="发生地点",
        max_length=200,
        error_messages={"required": "请填写发生地点"},
        widget=forms.TextInput(attrs={"placeholder": "如：桂花村三组"}),
    )
    parties = forms.CharField(
        label="涉及当事人或群体",
        max_length=300,
        error_messages={"required": "请填写涉及的当事人或群体"},
        widget=forms.TextInput(attrs={"placeholder": "如：张某与李某两户；某工地二十余名工人"}),
    )
    headcount = forms.IntegerField(
        label="涉及人数",
        min_value=1,
        max_value=1_000_000,
        initial=2,
        error_messages={
            "required": "请填写涉及人数",
            "invalid": "涉及人数须为整数",
            "min_value": "涉及人数至少为1人",
            "max_value": "涉及人数过多，请核对",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    dispute_type = forms.ChoiceField(
        label="纠纷类型",
        choices=[("", "请选择"), *DisputeType.choices],
        error_messages={"required": "请选择纠纷类型", "invalid_choice": "请选择纠纷类型"},
    )
    amount = forms.DecimalField(
        label="涉及金额（元，可不填）",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": "涉及金额须为数字",
            "min_value": "涉及金额不能为负数",
            "max_digits": "涉及金额过大，请核对",
            "max_decimal_places": "涉及金额最多保留两位小数",
            "max_whole_digits": "涉及金额过大，请核对",
        },
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    found_on = forms.DateField(
        label="发现日期",
        required=False,  # blank: today, within the report's period
        help_text="不填为今天",
        error_messages={"invalid": "请填写正确的日期"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    division_code = forms.ChoiceField(label="发生地（村、社区）", required=False)
    facts = forms.CharField(
        label="基本情况",
        max_length=5000,
        error_messages={"required": "请简要写明纠纷的基本情况"},
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "起因、经过、目前状况"}),
    )
    risk_signs = forms.CharField(
        label="风险苗头（可不填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：一方扬言报复；多人准备集体上访"}),
    )
    measures = forms.CharField(
        label="已采取措施（可不填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：已上门劝解，约定明日再次协商"}),
    )

    def __init__(self, *args, report: ScreeningReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        code = str(report.committee.division_id)
        areas = list(Division.objects.filter(code__startswith=code).order_by("code").values_list("code", "name"))
        if len(areas) > 1:
            self.fields["division_code"].choices = areas
            self.fields["division_code"].initial = code
        else:
            del self.fields["division_code"]
        bound_dates(self)
        self.fields["found_on"].widget.attrs.update(
            min=report.period_start.isoformat(), max=report.period_end.isoformat()
        )
        _style(self)

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "place": d["place"],
            "parties": d["parties"],
            "headcount": d["headcount"],
            "dispute_type": d["dispute_type"],
            "amount": d.get("amount"),
            "found_on": d.get("found_on"),
            "division_code": d.get("division_code") or None,
            "facts": d["facts"],
            "risk_signs": d.get("risk_signs", ""),
            "measures": d.get("measures", ""),
        }


class ResolveFindingForm(forms.Form):
    note = forms.CharField(
        label="化解情况",
        max_length=2000,
        min_length=4,
        error_messages={"required": "请写明化解情况", "min_length": "请写明化解情况（至少4个字）"},
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：经现场劝解，双方重新确认边界，握手言和"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


# The registration form's fields a screening finding does not need: its source is PROACTIVE (排查发现).
_NOT_FOR_FINDINGS = ("source", "referral_body", "court", "court_mode", "court_case_no")


class FindingCaseForm(RegisterCaseForm):
    """The case registration form (workbench), for a finding: the source is fixed to 主动调解 (排查发现) and the
    dispute's facts, type, amount and date come from the finding; the parties are entered as for any case."""

    def __init__(self, *args, finding: Finding, **kwargs) -> None:
        kwargs.setdefault("committee", finding.committee)
        if not args or args[0] is None:
            facts = finding.facts
            if finding.risk_signs:
                facts = f"{facts}\n风险苗头：{finding.risk_signs}"
            kwargs.setdefault(
                "initial",
                {
                    "dispute_type": finding.dispute_type,
                    "brief_facts": f"（排查发现：{finding.place}）{facts}",
                    "amount_involved": finding.amount or Decimal("0"),
                    "occurred_on": finding.found_on,
                },
            )
        super().__init__(*args, **kwargs)
        for name in _NOT_FOR_FINDINGS:
            del self.fields[name]

    def clean(self) -> dict:
        return forms.Form.clean(self)

    def case_data(self, parties) -> CaseData:
        d = self.cleaned_data
        return CaseData(
            source=CaseSource.PROACTIVE,
            dispute_type=d["dispute_type"],
            brief_facts=d["brief_facts"],
            claims=d["claims"],
            amount_involved=d["amount_involved"] or Decimal("0"),
            is_difficult=d["is_difficult"],
            occurred_on=d["occurred_on"],
            exclusion=d["exclusion"],
            exclusion_note=d["exclusion_note"],
            parties=[f.to_data() for f in parties.forms if f.cleaned_data],
        )
