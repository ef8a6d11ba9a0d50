"""The issuing fields of the entry notice (文号 sequence and 落款 date), entered on the notice page before the PDF
is issued. Both are optional: without a sequence the 文号 leaves the number open, without a date it is today."""

from datetime import date

from django import forms
from django.utils import timezone

from cases.bounds import bound_dates


class IssueForm(forms.Form):
    docno = forms.IntegerField(
        label="文号序号",
        required=False,
        min_value=1,
        max_value=9999,
        error_messages={
            "invalid": "文号序号须为数字",
            "min_value": "文号序号须从1起",
            "max_value": "文号序号不能超过9999",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "placeholder": "如 12"}),
    )
    issued = forms.DateField(
        label="落款日期",
        required=False,
        error_messages={"invalid": "请填写正确的日期，如 2026-04-08"},
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)

    def clean_issued(self) -> date | None:
        day = self.cleaned_data.get("issued")
        if day and day > timezone.localdate():
            raise forms.ValidationError("落款日期不能晚于今天")
        return day

    def values(self) -> tuple[int | None, date]:
        """The sequence and the date to print (invalid input prints an open number and today)."""
        today = timezone.localdate()
        if not self.is_valid():
            return None, today
        return self.cleaned_data.get("docno"), self.cleaned_data.get("issued") or today
