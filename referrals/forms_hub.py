"""Forms of the 矛调中心's pages: the dispatch (tier, receiver, 包案领导, deadline), the transfer request, the
receiver's return with a reason. The rules themselves are referrals.hub's (it refuses with the field concerned)."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from cases.models import Case
from referrals import hub
from referrals.enums import Tier
from referrals.models import Referral
from registry.models import Committee, CommitteeKind, DivisionLevel

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _style(form: forms.BaseForm) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.RadioSelect):
            continue
        css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
        f.widget.attrs.setdefault("class", css)


class MarksErrors:
    """A field with an error (the form's own, or a refusal of referrals.hub put on it) is marked red."""

    def add_error(self, field, error) -> None:  # type: ignore[no-untyped-def]
        super().add_error(field, error)  # type: ignore[misc]
        if field and field in self.fields:  # type: ignore[attr-defined]
            widget = self.fields[field].widget  # type: ignore[attr-defined]
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _level_label(c: Committee) -> str:
    if c.kind == CommitteeKind.INDUSTRY:
        return "行业性专业性调委会"
    level = c.division.level
    if level >= DivisionLevel.VILLAGE:
        return "村（社区）调委会"
    if level == DivisionLevel.TOWNSHIP:
        return "乡镇（街道）调解组织"
    return "县（区）级调解组织"


def receiver_choices(hub_committee: Committee, *, departments: bool, tier: str = "") -> list:
    """The receivers of the hub's area, grouped (the tier's usual level first), as "c<pk>" / "i<pk>" values."""
    groups: dict[str, list[tuple[str, str]]] = {}
    wanted = hub.tier_level(tier) if tier else None
    for c in hub.area_committees(hub_committee):
        label = _level_label(c)
        groups.setdefault(label, []).append((f"c{c.pk}", f"{c.name}{'（矛调中心）' if c.is_hub else ''}"))
    order = ["村（社区）调委会", "乡镇（街道）调解组织", "县（区）级调解组织", "行业性专业性调委会"]
    if wanted is not None:
        first = {DivisionLevel.VILLAGE: order[0], DivisionLevel.TOWNSHIP: order[1], DivisionLevel.COUNTY: order[2]}
        order.remove(first[wanted])
        order.insert(0, first[wanted])
    choices: list = [("", "请选择承办单位")]
    choices += [(label, groups[label]) for label in order if label in groups]
    if departments:
        rows = [(f"i{i.pk}", f"{i.name}") for i in hub.area_institutions(hub_committee)]
        if rows:
            choices.append(("部门", rows))
    return choices


class DispatchForm(MarksErrors, forms.Form):
    tier = forms.ChoiceField(label="纠纷分级", choices=Tier.choices, widget=forms.RadioSelect)
    receiver = forms.ChoiceField(label="承办单位", help_text="本辖区的调解组织（含行业性专业性调委会）或部门")
    lead_official = forms.CharField(
        label="包案领导",
        max_length=50,
        required=False,
        help_text="疑难复杂纠纷必填：职务和姓名，如“区委政法委副书记 刘明”",
    )
    deadline = forms.DateTimeField(
        label="接收期限",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="不填则按分级的默认期限（工作日计算）",
    )
    note = forms.CharField(label="交办意见", required=False, max_length=500, widget=TEXTAREA)

    def __init__(self, *args: Any, hub_committee: Committee, subject: Case | Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hub_committee, self.subject = hub_committee, subject
        tier = self.data.get("tier") or self.initial.get("tier") or ""
        self.fields["receiver"].choices = receiver_choices(
            hub_committee, departments=isinstance(subject, Case), tier=tier if tier in Tier.values else ""
        )
        now = timezone.now()
        self.defaults = {t: hub.default_deadline(t, now) for t in Tier.values}
        _style(self)

    def clean_receiver(self) -> tuple[str, int]:
        value = self.cleaned_data["receiver"]
        return value[0], int(value[1:])

    def run(self, user) -> Any:
        from referrals.models import Institution

        kind, pk = self.cleaned_data["receiver"]
        to_committee = hub.area_committees(self.hub_committee).filter(pk=pk).first() if kind == "c" else None
        to_institution = Institution.objects.filter(pk=pk).first() if kind == "i" else None
        deadline: datetime | None = self.cleaned_data.get("deadline")
        return hub.dispatch(
            self.subject,
            tier=self.cleaned_data["tier"],
            user=user,
            to_committee=to_committee,
            to_institution=to_institution,
            lead_official=self.cleaned_data.get("lead_official") or "",
            deadline=deadline,
            note=self.cleaned_data.get("note") or "",
        )


class TransferForm(MarksErrors, forms.Form):
    to_committee = forms.ModelChoiceField(
        label="接收的调解组织", queryset=Committee.objects.none(), empty_label="请选择"
    )
    reason = forms.CharField(label="移交理由", max_length=500, widget=TEXTAREA)
    deadline = forms.DateTimeField(
        label="接收期限",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="不填则为2个工作日",
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["to_committee"].queryset = hub.transfer_targets(case.committee)
        self.fields["to_committee"].label_from_instance = lambda c: f"{c.division.name} · {c.name}"
        _style(self)

    def run(self, user) -> Any:
        return hub.request_transfer(
            self.case,
            to_committee=self.cleaned_data["to_committee"],
            user=user,
            reason=self.cleaned_data["reason"],
            deadline=self.cleaned_data.get("deadline"),
        )


class ReturnForm(MarksErrors, forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=500,
        min_length=4,
        widget=TEXTAREA,
        help_text="如：不属于本组织受理范围、当事人不在本辖区",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
