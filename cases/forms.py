"""One form per action. Each form validates input (errors in Chinese, next to the field) and `run()` calls the
matching do_* function in cases.actions — the form never changes state itself."""

from django import forms
from django.db.models import Count, F
from django.utils import timezone

from cases import actions as A
from cases.actions.intake import exclusion_refusal
from cases.actions.mediation import BEFORE_ASSIGNMENT_REASONS
from cases.bounds import MAX_ID, bound_dates
from cases.enums import (
    EXCLUSION_ROUTE,
    OPEN_STATES,
    CaseStatus,
    DisputeType,
    Exclusion,
    MediatorChosenBy,
    RecordKind,
    Route,
    TerminationReason,
)
from cases.models import Case
from registry.models import Committee, Mediator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXTAREA = forms.Textarea(attrs={"rows": 3})
ROUTES = forms.MultipleChoiceField(
    label="已告知的其他解决途径", choices=Route.choices, widget=forms.CheckboxSelectMultiple
)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by id that refuses an id no row can have (not a number, < 1, > MAX_ID) before it
    reaches the database, with the same message as an id of a row that is not offered."""

    def _check_values(self, value):
        try:
            values = frozenset(value)
        except TypeError:
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        for pk in values:
            text = str(pk).strip()
            if not (text.isascii() and text.isdigit()) or len(text) > 19 or not 1 <= int(text) <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text[:20]}
                )
        return super()._check_values(values)


class ActionForm(forms.Form):
    """Base: holds the case and the acting user; subclasses implement run()."""

    action: str = ""
    submit_label = "提交"
    danger = False

    def __init__(self, *args, case: Case, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.actor = case, actor
        bound_dates(self)
        for f in self.fields.values():
            css = "form-check-input" if isinstance(f.widget, forms.CheckboxInput) else "form-control"
            if isinstance(f.widget, forms.Select) and not isinstance(f.widget, forms.SelectMultiple):
                css = "form-select"
            if not isinstance(f.widget, forms.CheckboxSelectMultiple):
                f.widget.attrs.setdefault("class", css)

    def parties(self):
        return self.case.parties.all()

    def party_field(self, label: str, required: bool = True) -> forms.ModelChoiceField:
        return forms.ModelChoiceField(label=label, queryset=self.parties(), required=required, empty_label="请选择")

    def run(self):  # pragma: no cover - abstract
        raise NotImplementedError


class NoteForm(ActionForm):
    note = forms.CharField(label="说明", widget=TEXTAREA, required=False, max_length=2000)


EXCLUSION_LABEL = "是否已由法院、仲裁机构或行政机关受理或处理，或依法只能由专门机关处理"


def exclusion_field(required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=EXCLUSION_LABEL,
        choices=[("", "请选择"), *Exclusion.choices],
        required=required,
        help_text="《人民调解工作若干规定》第二十二条、《人民调解法》第十七条、第十八条",
        error_messages={"required": "请选择是否存在不得受理的情形"},
    )


class AcceptForm(NoteForm):
    """The director confirms, at acceptance, the registrar's RGD 22 finding; any exclusion refuses acceptance and
    the page offers the refuse path with the reason and the proper route filled in."""

    action = "accept"
    submit_label = "受理并编号"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exclusion"] = exclusion_field(required=True)
        self.fields["exclusion"].widget.attrs["class"] = "form-select"
        self.fields["exclusion"].initial = self.case.exclusion or None
        self.fields["exclusion_note"] = forms.CharField(
            label="情况说明（如受理机关、案号）", max_length=200, required=False, initial=self.case.exclusion_note
        )
        self.fields["exclusion_note"].widget.attrs["class"] = "form-control"
        # Issue 13: the director decides the type at acceptance (an online applicant need not pick one), seeing the
        # triage suggestion on the page; its level and route are confirmed beside it when one waits for a decision.
        self.fields["dispute_type"] = forms.ChoiceField(
            label="纠纷类型（受理时确定）",
            choices=[("", "保持登记时的类型"), *DisputeType.choices],
            initial=self.case.dispute_type,
            required=False,
        )
        self.fields["dispute_type"].widget.attrs["class"] = "form-select"
        from triage.decisions import pending_for_case
        from triage.forms import TriageDecisionForm

        self.triage_pending = pending_for_case(self.case)
        self.triage_decision = TriageDecisionForm(self.data if self.is_bound else None)
        self.order_fields(["dispute_type", "exclusion", "exclusion_note", "note"])

    def run(self):
        from django.db import transaction

        from triage.decisions import decide_as_suggested_but

        d = self.cleaned_data
        with transaction.atomic():  # the acceptance and the decision on the suggestion, together
            case = A.do_accept_case(
                self.case,
                self.actor,
                note=d["note"],
                exclusion=d["exclusion"],
                exclusion_note=d["exclusion_note"],
                dispute_type=d["dispute_type"] or None,
            )
            if self.triage_pending is not None:
                opted_out = self.triage_decision.opted_out()
                decide_as_suggested_but(
                    self.triage_pending,
                    self.actor,
                    dispute_type=case.dispute_type,
                    risk_level=self.triage_decision.choice("level"),
                    route=self.triage_decision.choice("route"),
                    note="当事人要求不以自动化方式处理，由工作人员自行判断" if opted_out else "",
                )
        return case


class RefuseForm(ActionForm):
    action, submit_label, danger = "refuse", "不予受理", True
    reason = forms.CharField(label="不予受理理由", widget=TEXTAREA, max_length=2000)
    routes = ROUTES
    calming_measures = forms.CharField(
        label="已采取的稳控措施（可能激化时填写）", widget=TEXTAREA, required=False, max_length=2000
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exclusion"] = exclusion_field(required=False)
        self.fields["exclusion"].widget.attrs["class"] = "form-select"
        found = self.initial.get("exclusion") or self.case.exclusion
        if found in EXCLUSION_ROUTE:
            # Coming from a refused acceptance (or a registration that found it): the reason and route filled in.
            self.fields["exclusion"].initial = found
            self.fields["reason"].initial = exclusion_refusal(found)
            self.fields["routes"].initial = [EXCLUSION_ROUTE[found]]
        self.order_fields(["exclusion", "reason", "routes", "calming_measures"])

    def run(self):
        d = self.cleaned_data
        return A.do_refuse_case(
            self.case,
            self.actor,
            reason=d["reason"],
            routes=d["routes"],
            calming_measures=d["calming_measures"],
            exclusion=d["exclusion"] or None,
        )


class TransferForm(ActionForm):
    action, submit_label = "transfer", "移交"
    to_committee = forms.ModelChoiceField(
        label="移交至调委会", queryset=Committee.objects.none(), required=False, empty_label="（不移交调委会）"
    )
    to_authority = forms.CharField(label="或移交至机关", max_length=100, required=False)
    reason = forms.CharField(label="移交理由", widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        county = self.case.division_code[:6]
        self.fields["to_committee"].queryset = (
            Committee.objects.filter(division__code__startswith=county, is_active=True)
            .exclude(pk=self.case.committee_id)
            .order_by("division_id")
        )

    def run(self):
        d = self.cleaned_data
        return A.do_transfer_case(
            self.case, self.actor, reason=d["reason"], to_committee=d["to_committee"], to_authority=d["to_authority"]
        )


def open_case_counts(mediators) -> dict[int, int]:
    """Open (not yet closed) cases per mediator, presiding or co-mediating, each case counted once per mediator.
    Two grouped queries, whatever the committee's size."""
    ids = list(mediators.values_list("pk", flat=True))
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    presiding = (
        Case.objects.filter(status__in=OPEN_STATES, presiding_mediator_id__in=ids)
        .values_list("presiding_mediator_id")
        .annotate(n=Count("id"))
    )
    through = Case.co_mediators.through
    co = (
        through.objects.filter(case__status__in=OPEN_STATES, mediator_id__in=ids)
        .exclude(case__presiding_mediator_id=F("mediator_id"))
        .values_list("mediator_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    for pk, n in [*presiding, *co]:
        counts[pk] = counts.get(pk, 0) + n
    return counts


class AssignForm(ActionForm):
    action, submit_label = "assign", "指派并开始调解"
    presiding = forms.ModelChoiceField(label="主持调解员", queryset=Mediator.objects.none(), empty_label="请选择")
    co_mediators = IdMultipleChoiceField(
        label="参与调解员", queryset=Mediator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    chosen_by = forms.ChoiceField(label="调解员产生方式", choices=MediatorChosenBy.choices)
    rights_notified = forms.BooleanField(label="已向各方当事人送达权利义务告知书并签收", required=False)
    identities_checked = forms.BooleanField(label="已核验各方当事人身份证明", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        qs = Mediator.objects.filter(committee_id=self.case.committee_id, is_active=True)
        self.open_counts = open_case_counts(qs)
        for name in ("presiding", "co_mediators"):
            self.fields[name].queryset = qs
            # Each mediator's workload beside the name: 张三（在办 3 件）.
            self.fields[name].label_from_instance = self.mediator_label
        self.fields["presiding"].help_text = "括号内为该调解员目前在办（未结）的案件数"

    def mediator_label(self, mediator: Mediator) -> str:
        return f"{mediator.name}（在办 {self.open_counts.get(mediator.pk, 0)} 件）"

    def clean(self):
        d = super().clean()
        presiding, co = d.get("presiding"), d.get("co_mediators")
        if presiding is not None and co and presiding in co:
            self.add_error("co_mediators", f"{presiding.name}已是主持调解员，不能同时作为参与调解员")
        return d

    def run(self):
        d = self.cleaned_data
        return A.do_assign_mediators(
            self.case,
            self.actor,
            presiding=d["presiding"],
            co_mediators=list(d["co_mediators"]),
            chosen_by=d["chosen_by"],
            rights_notified=d["rights_notified"],
            identities_checked=d["identities_checked"],
        )


class RecuseForm(ActionForm):
    action, submit_label = "recuse", "更换调解员"
    replaced = forms.ModelChoiceField(label="申请回避的调解员", queryset=Mediator.objects.none(), empty_label="请选择")
    replacement = forms.ModelChoiceField(label="替换为", queryset=Mediator.objects.none(), empty_label="请选择")
    reason = forms.CharField(label="回避理由", widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"] = self.party_field("提出回避申请的当事人")
        self.fields["party"].widget.attrs["class"] = "form-select"
        ids = [m.pk for m in self.case.mediators()]
        self.fields["replaced"].queryset = Mediator.objects.filter(pk__in=ids)
        self.fields["replacement"].queryset = Mediator.objects.filter(
            committee_id=self.case.committee_id, is_active=True
        ).exclude(pk__in=ids)

    def run(self):
        d = self.cleaned_data
        return A.do_recuse_mediator(
            self.case,
            self.actor,
            party=d["party"],
            replaced=d["replaced"],
            replacement=d["replacement"],
            reason=d["reason"],
        )


class RecordForm(ActionForm):
    submit_label = "保存记录"
    kind = RecordKind.INVESTIGATION
    held_at = forms.DateTimeField(label="时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=100)
    subject = forms.CharField(label="被调查人/参加人", max_length=200, required=False)
    content = forms.CharField(label="记录内容", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    result = forms.CharField(label="结果", widget=TEXTAREA, required=False, max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def run(self):
        d = self.cleaned_data
        return A.do_record_mediation(
            self.case,
            self.actor,
            kind=self.kind,
            held_at=d["held_at"],
            place=d["place"],
            subject=d["subject"],
            content=d["content"],
            result=d["result"],
        )


class InvestigationForm(RecordForm):
    action = "record_investigation"


class SessionForm(RecordForm):
    action, kind = "record_session", RecordKind.SESSION


class ExtendForm(ActionForm):
    action, submit_label = "extend", "延长期限"
    new_due = forms.DateField(label="延长至", widget=DATE)
    reason = forms.CharField(label="延长理由", widget=TEXTAREA, max_length=2000)
    consent_record = forms.CharField(label="各方当事人同意情况（时间、方式）", widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consenting_parties"] = IdMultipleChoiceField(
            label="同意延长的当事人", queryset=self.parties(), widget=forms.CheckboxSelectMultiple, required=False
        )

    def run(self):
        d = self.cleaned_data
        return A.do_extend_time_limit(
            self.case,
            self.actor,
            new_due=d["new_due"],
            reason=d["reason"],
            consent_record=d["consent_record"],
            consenting_parties=list(d["consenting_parties"]),
        )


class ReclassifyForm(ActionForm):
    """重新分类 (issue 13): the new type and why; the page shows the triage suggestion for the case's facts."""

    action, submit_label = "reclassify", "确认重新分类"
    dispute_type = forms.ChoiceField(label="新的纠纷类型", choices=[("", "请选择"), *DisputeType.choices])
    reason = forms.CharField(label="重新分类的理由", widget=TEXTAREA, max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dispute_type"].help_text = f"原类型：{self.case.get_dispute_type_display()}"
        self.fields["dispute_type"].error_messages["required"] = "请选择纠纷类型"
        self.fields["reason"].error_messages["required"] = "请写明重新分类的理由"

    def run(self):
        d = self.cleaned_data
        return A.do_reclassify(self.case, self.actor, d["dispute_type"], d["reason"])


class PauseForm(ActionForm):
    action, submit_label = "pause", "暂缓调解"
    reason = forms.CharField(label="暂缓理由", widget=TEXTAREA, max_length=2000)
    appraisal = forms.BooleanField(
        label="因鉴定评估暂缓（法院委派、委托的纠纷：鉴定评估期间不计入调解期限，并告知法院）", required=False
    )

    def run(self):
        return A.do_pause_mediation(
            self.case, self.actor, reason=self.cleaned_data["reason"], appraisal=self.cleaned_data["appraisal"]
        )


class ResumeForm(NoteForm):
    action, submit_label = "resume", "恢复调解"

    def run(self):
        return A.do_resume_mediation(self.case, self.actor, note=self.cleaned_data["note"])


class TerminateForm(ActionForm):
    action, submit_label, danger = "terminate", "终止调解", True
    reason = forms.ChoiceField(label="终止原因", choices=TerminationReason.choices)
    note = forms.CharField(label="具体情况", widget=TEXTAREA, max_length=2000)
    routes = ROUTES
    escalation_risk = forms.BooleanField(label="存在矛盾激化风险，已采取稳控措施并报告", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.case.status == CaseStatus.ACCEPTED:  # before assignment: reasons that presuppose no mediation
            self.fields["reason"].choices = [(r.value, r.label) for r in BEFORE_ASSIGNMENT_REASONS]

    def run(self):
        d = self.cleaned_data
        return A.do_terminate_mediation(
            self.case,
            self.actor,
            reason=d["reason"],
            note=d["note"],
            routes=d["routes"],
            escalation_risk=d["escalation_risk"],
        )


class PartyRefusalForm(ActionForm):
    action, submit_label, danger = "party_refusal", "登记拒绝调解", True
    statement = forms.CharField(label="当事人的表示", widget=TEXTAREA, required=False, max_length=2000)
    routes = ROUTES

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parties = self.parties()
        if self.actor.role == "PARTY":
            parties = parties.filter(user=self.actor)
        self.fields["party"] = forms.ModelChoiceField(label="拒绝调解的当事人", queryset=parties, empty_label="请选择")
        self.fields["party"].widget.attrs["class"] = "form-select"
        self.order_fields(["party", "statement", "routes"])

    def run(self):
        d = self.cleaned_data
        return A.do_record_party_refusal(
            self.case, self.actor, party=d["party"], statement=d["statement"], routes=d["routes"]
        )


class GuardianConsentForm(ActionForm):
    """The guardian of a minor or of a party without full capacity consents to mediation (before assignment)."""

    action, submit_label = "guardian_consent", "登记监护人同意"
    guardian_name = forms.CharField(label="监护人（法定代理人）姓名", max_length=50)
    consent_record = forms.CharField(label="同意方式和时间（如当面签署同意书）", widget=TEXTAREA, max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from cases.permissions import parties_awaiting_guardian_consent

        wards = parties_awaiting_guardian_consent(self.case)
        self.fields["party"] = forms.ModelChoiceField(label="被监护的当事人", queryset=wards, empty_label="请选择")
        self.fields["party"].label_from_instance = lambda p: f"{p.get_side_display()}{p.name}"
        self.fields["party"].widget.attrs["class"] = "form-select"
        first = wards.first()
        if first is not None and first.guardian_name:
            self.fields["guardian_name"].initial = first.guardian_name
        self.order_fields(["party", "guardian_name", "consent_record"])

    def run(self):
        d = self.cleaned_data
        return A.do_record_guardian_consent(
            self.case,
            self.actor,
            party=d["party"],
            guardian_name=d["guardian_name"],
            consent_record=d["consent_record"],
        )
