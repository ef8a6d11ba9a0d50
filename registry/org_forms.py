"""Forms of the organisation pages (issue 9 §1): the committee form with its area picked by name (county →
township → village, only inside the user's own area), deactivation, reactivation, 备案 and its files.

The forms check what a field holds; the rules of domain §5.3 live in registry.org_services (`committee_problems`),
which the committee form runs so that every broken rule shows on its field at once."""

from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Role, User
from cases.bounds import bound_dates
from cases.uploads import EVIDENCE_KINDS, check_upload, max_bytes
from registry.models import Committee, CommitteeKind, CommitteeType, Division, DivisionLevel, Industry
from registry.org_services import COMMITTEE_FIELDS, committee_problems, normalise, required_employees
from registry.scoping import admin_division

TEXTAREA = forms.Textarea(attrs={"rows": 2})


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget and the date range check (as cases.forms.ActionForm does)."""
    bound_dates(form)
    for f in form.fields.values():
        css = "form-check-input" if isinstance(f.widget, forms.CheckboxInput) else "form-control"
        if isinstance(f.widget, forms.Select):
            css = "form-select"
        f.widget.attrs.setdefault("class", css)


class ParentSelect(forms.Select):
    """A select whose options carry `data-parent` (the code of the division above), so that the page can show only
    the townships of the chosen county and the villages of the chosen township."""

    def __init__(self, parents: dict[str, str], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.parents = parents

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value and str(value) in self.parents:
            option["attrs"]["data-parent"] = self.parents[str(value)]
        return option


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitteeForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, help_text="全称，如“温泉街道桂花村人民调解委员会”")
    short_name = forms.CharField(
        label="案号简称", max_length=20, help_text="用于案号，如“（2026）桂花人调字第1号”；须唯一，已有案件后不能修改"
    )
    committee_type = forms.ChoiceField(label="类型（统计口径）", choices=[("", "请选择"), *CommitteeType.choices])
    kind = forms.ChoiceField(label="组织形式", choices=CommitteeKind.choices, initial=CommitteeKind.STANDARD)
    industry = forms.ChoiceField(
        label="行业领域", required=False, choices=Industry.choices, help_text="行业性专业性调委会必填"
    )
    county = forms.ChoiceField(label="县/区", required=False)
    township = forms.ChoiceField(label="乡镇/街道", required=False)
    village = forms.ChoiceField(label="村/社区", required=False)
    studio_person = forms.CharField(
        label="工作室领衔调解员", max_length=50, required=False, help_text="个人调解工作室必填，名称中应含其姓名"
    )
    host_unit = forms.CharField(
        label="设立单位", max_length=100, required=False, help_text="企事业单位调委会必填；社会团体调委会可填"
    )
    employee_count = forms.IntegerField(label="职工人数", required=False, min_value=0, max_value=10_000_000)
    is_regional = forms.BooleanField(label="区域性调解组织", required=False)
    is_stationed = forms.BooleanField(label="派驻（在法院、派出所、信访等单位设立）", required=False)
    stationed_at = forms.CharField(label="派驻单位", max_length=100, required=False)
    court_invited = forms.BooleanField(label="特邀调解组织（列入法院特邀名册）", required=False)
    # Issue 11 §4: one intake window of the township or county that triages and dispatches (referrals.hub).
    is_hub = forms.BooleanField(
        label="矛调中心（统一受理、分流交办）",
        required=False,
        help_text="乡镇（街道）或县（区）社会矛盾纠纷调处化解中心：统一受理来访、网上申请和移送纠纷，分级交办辖区内的调解组织和部门",
    )
    established_on = forms.DateField(label="成立日期", required=False, widget=_date_widget())
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="电话", max_length=30, required=False)

    def __init__(self, *args: Any, user: User, committee: Committee | None = None, **kwargs: Any) -> None:
        if committee is not None:  # also on a POST: a disabled field takes its value from here
            kwargs["initial"] = {**self.initial_for(committee), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.user, self.committee = user, committee
        self.area = admin_division(user)
        self.fixed: list[Division] = []  # the levels of the area that are not chosen (shown as text)
        self._area_fields()
        self.fields[
            "employee_count"
        ].help_text = f"企事业单位调委会填写；职工{required_employees()}人以上的企业依规应当设立调委会"
        if committee is not None and committee.pk and committee.cases.exists():
            self.fields["short_name"].disabled = True
            self.fields["short_name"].help_text = "该调委会已有案件，简称不能再修改"
            for name in ("county", "township", "village"):
                if name in self.fields:
                    self.fields[name].disabled = True
        style(self)

    @staticmethod
    def initial_for(committee: Committee) -> dict[str, Any]:
        data = {name: getattr(committee, name) for name in COMMITTEE_FIELDS if name != "division"}
        code = committee.division_id or ""
        data.update(county=code[:6] if len(code) >= 6 else "", township=code[:9] if len(code) >= 9 else "")
        data["village"] = code if len(code) == 12 else ""
        return data

    def _area_fields(self) -> None:
        area = self.area
        if area is None:  # the view lets no one else here
            for name in ("county", "township", "village"):
                del self.fields[name]
            return
        below = Division.objects.filter(code__startswith=area.code).exclude(code=area.code).order_by("code")

        def choices(level: int, blank: str) -> tuple[list, dict[str, str]]:
            rows = [d for d in below if d.level == level]
            return [("", blank), *((d.code, d.name) for d in rows)], {d.code: d.parent_id or "" for d in rows}

        self.fixed = [*area.ancestors()[1:], area]
        if self.user.role == Role.CITY_ADMIN:
            spec = {
                "county": choices(DivisionLevel.COUNTY, f"{area.name}本级"),
                "township": choices(DivisionLevel.TOWNSHIP, "县/区本级"),
                "village": choices(DivisionLevel.VILLAGE, "乡镇/街道本级"),
            }
        elif self.user.role == Role.COUNTY_ADMIN:
            del self.fields["county"]
            spec = {
                "township": choices(DivisionLevel.TOWNSHIP, f"{area.name}本级"),
                "village": choices(DivisionLevel.VILLAGE, "乡镇/街道本级"),
            }
        else:  # a 司法所 seats committees at its villages only
            del self.fields["county"], self.fields["township"]
            spec = {"village": choices(DivisionLevel.VILLAGE, "请选择")}
            self.fields["village"].required = True
        for name, (options, parents) in spec.items():
            field = self.fields[name]
            field.choices = options
            field.widget = ParentSelect(parents)
            field.widget.choices = options

    def chosen_division(self) -> Division | None:
        """The deepest level chosen, each level inside the one above it; errors on the fields otherwise."""
        d = self.cleaned_data
        codes = {name: d.get(name) or "" for name in ("county", "township", "village") if name in self.fields}
        if self.committee is not None and any(f.field.disabled for f in self.area_fields()):
            return self.committee.division
        parent = self.area.code if self.area else ""
        chosen = self.area
        for name in ("county", "township", "village"):
            code = codes.get(name, "")
            if not code:
                continue
            if not code.startswith(parent) or (chosen is not None and len(code) <= len(chosen.code)):
                self.add_error(name, "请先选择上一级区划，或所选区划不在上一级之内")
                return None
            division = Division.objects.filter(code=code).first()
            if division is None or (chosen is not None and division.parent_id != chosen.code):
                self.add_error(name, "所选区划不在上一级区划之内，请重新选择")
                return None
            chosen, parent = division, code
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        division = self.chosen_division()
        if division is None:
            return cleaned
        data = normalise({**{k: cleaned.get(k) for k in COMMITTEE_FIELDS if k != "division"}, "division": division})
        for field, message in committee_problems(data, self.committee, timezone.localdate()):
            target = field if field in self.fields else ("village" if "village" in self.fields else None)
            if field == "division":
                target = next((n for n in ("village", "township", "county") if n in self.fields), None)
            self.add_error(target, message)
        cleaned["division"] = division
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:  # the page marks each field with an error in red
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def committee_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in COMMITTEE_FIELDS}

    def area_fields(self) -> list:
        return [self[n] for n in ("county", "township", "village") if n in self.fields]

    def sections(self) -> list[tuple[str, list]]:
        """The form's fields grouped for the page (the area has its own block)."""
        groups = [
            ("名称与类型", ("name", "short_name", "committee_type", "kind", "industry", "studio_person")),
            ("设立单位（企事业单位、社会团体调委会）", ("host_unit", "employee_count")),
            ("特征", ("is_regional", "court_invited", "is_hub", "is_stationed", "stationed_at")),
            ("成立与联系", ("established_on", "address", "phone")),
        ]
        return [(title, [self[n] for n in names if n in self.fields]) for title, names in groups]


class DeactivateForm(forms.Form):
    on = forms.DateField(label="撤销日期", widget=_date_widget())
    reason = forms.CharField(
        label="撤销原因", max_length=200, widget=TEXTAREA, help_text="如：村（社区）合并、企业关闭、上级决定撤销等"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        style(self)


class ReactivateForm(forms.Form):
    reason = forms.CharField(label="恢复理由", max_length=200, widget=TEXTAREA, help_text="如：误撤销、重新设立")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class FilingForm(forms.Form):
    filing_date = forms.DateField(label="备案日期", widget=_date_widget())
    filing_number = forms.CharField(label="备案编号", max_length=50)
    filing_authority = forms.CharField(label="备案机关", max_length=100)

    def __init__(self, *args: Any, committee: Committee, user: User, **kwargs: Any) -> None:
        chain = [*committee.division.ancestors(), committee.division]
        county = next((d for d in chain if d.level == DivisionLevel.COUNTY), None)
        city = next((d for d in chain if d.level == DivisionLevel.CITY), None)
        default_authority = f"{(county or city or committee.division).name}司法局"
        kwargs.setdefault(
            "initial",
            {
                "filing_date": committee.filing_date,
                "filing_number": committee.filing_number,
                "filing_authority": committee.filing_authority or default_authority,
            },
        )
        super().__init__(*args, **kwargs)
        style(self)


class FilingDocumentForm(forms.Form):
    title = forms.CharField(
        label="材料名称", max_length=100, required=False, help_text="如：设立文件、组成人员名单、备案回执"
    )
    file = forms.FileField(label="文件")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"PDF、JPEG、PNG 或 WebP，不超过 {max_bytes() // 1048576} MB；按文件内容检查格式"
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.webp"
        style(self)
        self.checked = None

    def clean_file(self):
        f = self.cleaned_data["file"]
        self.checked = check_upload(f, EVIDENCE_KINDS)  # by content, size limit: as the portal's evidence
        return f
