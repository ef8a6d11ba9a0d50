"""Filtering of case lists (workbench and console share it). Always applied to a scoped queryset."""

from datetime import timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.enums import CLOCK_STATES, CaseSource, CaseStatus, DisputeType
from cases.models import Case
from registry.models import Committee, CommitteeType


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="案号/当事人", required=False, max_length=50)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *CaseStatus.choices])
    dispute_type = forms.ChoiceField(
        label="纠纷类型", required=False, choices=[("", "全部纠纷类型"), *DisputeType.choices]
    )
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *CaseSource.choices])
    committee_type = forms.ChoiceField(
        label="调委会类型", required=False, choices=[("", "全部调委会类型"), *CommitteeType.choices]
    )
    committee = forms.ModelChoiceField(
        label="调委会", required=False, queryset=Committee.objects.none(), empty_label="全部调委会"
    )
    area = forms.CharField(label="区划代码（如 421202）", required=False, max_length=12)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    date_from = forms.DateField(
        label="登记日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, committees: QuerySet[Committee] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees if committees is not None else Committee.objects.none()
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs["class"] = "form-check-input"
            elif isinstance(f.widget, forms.Select):
                f.widget.attrs["class"] = "form-select"
            else:
                f.widget.attrs["class"] = "form-control"
            f.widget.attrs.setdefault("aria-label", f.label)


def filter_cases(qs: QuerySet[Case], form: CaseFilterForm) -> QuerySet[Case]:
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    if d["q"]:
        qs = qs.filter(Q(case_no__icontains=d["q"]) | Q(parties__name__icontains=d["q"])).distinct()
    for name in ("status", "dispute_type", "source"):
        if d[name]:
            qs = qs.filter(**{name: d[name]})
    if d["committee_type"]:
        qs = qs.filter(committee__committee_type=d["committee_type"])
    if d["committee"]:
        qs = qs.filter(committee=d["committee"])
    if d["area"] and (d["area"].isascii() and d["area"].isdigit()):
        qs = qs.filter(division_code__startswith=d["area"])
    if d["overdue"]:
        qs = qs.filter(status__in=CLOCK_STATES, time_limit_due__lt=timezone.localdate())
    if d["date_from"]:
        qs = qs.filter(registered_at__date__gte=d["date_from"])
    if d["date_to"]:
        qs = qs.filter(registered_at__date__lt=d["date_to"] + timedelta(days=1))
    return qs
