"""Forms for the agreement and everything after it (performance, follow-up, closing, archive, judicial confirmation)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.forms import formset_factory

from cases import actions as A
from cases.actions.performance import PREVENTION_FIELDS
from cases.actions.writing import PARTY_METHODS
from cases.bounds import bound_dates, validate_date_range
from cases.enums import FollowUpOutcome, RetentionClass, Satisfaction, SignatureMethod, TermSubject
from cases.forms import DATE, TEXTAREA, ActionForm, IdMultipleChoiceField, NoteForm
from cases.models import Instalment
from cases.permissions import current_agreement
from registry.models import Court


class TermForm(forms.Form):
    obligor = forms.ModelChoiceField(label="义务人", queryset=None, empty_label="请选择")
    obligee = forms.ModelChoiceField(label="权利人", queryset=None, empty_label="请选择")
    content = forms.CharField(label="协议内容", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    subject = forms.ChoiceField(
        label="本条款涉及的事项",
        choices=TermSubject.choices,
        initial=TermSubject.GENERAL,
        help_text="涉及身份关系、物权或知识产权确权等的协议，人民法院不予司法确认（法释〔2011〕5号第四条）",
    )
    amount = forms.DecimalField(label="金额（元）", required=False, min_value=0, max_digits=14, decimal_places=2)
    manner = forms.CharField(label="履行方式", max_length=100)
    place = forms.CharField(label="履行地点", max_length=100, required=False)
    deadline = forms.DateField(label="履行期限", widget=DATE)
    instalments = forms.CharField(
        label="分期（每行：日期 金额，如 2026-12-01 500）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, parties=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        for name in ("obligor", "obligee"):
            self.fields[name].queryset = parties
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["subject"].widget.attrs["class"] = "form-select"
        for name, f in self.fields.items():
            if name not in ("obligor", "obligee", "subject"):
                f.widget.attrs.setdefault("class", "form-control")

    def clean_instalments(self) -> list[tuple[date, Decimal]]:
        result = []
        for n, line in enumerate(self.cleaned_data["instalments"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                due, amount = date.fromisoformat(parts[0]), Decimal(parts[1])
            except (IndexError, ValueError, InvalidOperation):
                raise forms.ValidationError(f"第{n}行格式应为“日期 金额”，如 2026-12-01 500") from None
            if len(parts) != 2 or not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:
                raise forms.ValidationError(f"第{n}行的金额应为大于0的数字，最多两位小数")
            try:
                validate_date_range(due)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"第{n}行：{error.messages[0]}") from None
            result.append((due, amount))
        return result


TermFormSet = formset_factory(
    TermForm, extra=0, min_num=1, validate_min=True, max_num=20, validate_max=True, absolute_max=20
)


class DraftAgreementForm(ActionForm):
    action, submit_label = "draft_agreement", "保存协议草稿"
    facts = forms.CharField(label="纠纷主要事实、争议事项", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    responsibilities = forms.CharField(label="各方责任", widget=TEXTAREA, required=False, max_length=5000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        data = args[0] if args else kwargs.get("data")
        agreement = current_agreement(self.case)
        initial_terms = []
        if agreement is not None and agreement.status == "DRAFT":
            self.fields["facts"].initial = agreement.facts
            if "responsibilities" in self.fields:  # the oral form has no such field
                self.fields["responsibilities"].initial = agreement.responsibilities
            for t in agreement.terms.all():
                lines = "\n".join(f"{i.due_date} {i.amount}" for i in t.instalments.all())
                initial_terms.append(
                    {
                        "obligor": t.obligor_id,
                        "obligee": t.obligee_id,
                        "content": t.content,
                        "amount": t.amount,
                        "manner": t.manner,
                        "place": t.place,
                        "deadline": t.deadline,
                        "instalments": lines,
                        "subject": t.subject,
                    }
                )
        else:
            self.fields["facts"].initial = self.case.brief_facts
        self.terms = TermFormSet(
            data, prefix="terms", initial=initial_terms or None, form_kwargs={"parties": self.parties()}
        )

    def is_valid(self) -> bool:
        return super().is_valid() & self.terms.is_valid()

    def run(self):
        terms = [
            A.TermData(
                obligor=f.cleaned_data["obligor"],
                obligee=f.cleaned_data["obligee"],
                content=f.cleaned_data["content"],
                amount=f.cleaned_data["amount"],
                manner=f.cleaned_data["manner"],
                place=f.cleaned_data["place"],
                deadline=f.cleaned_data["deadline"],
                instalments=f.cleaned_data["instalments"],
                subject=f.cleaned_data["subject"],
            )
            for f in self.terms.forms
            if f.cleaned_data
        ]
        d = self.cleaned_data
        return A.do_draft_agreement(
            self.case, self.actor, facts=d["facts"], responsibilities=d["responsibilities"], terms=terms
        )


class OralAgreementForm(DraftAgreementForm):
    action, submit_label = "oral_agreement", "登记口头协议"
    responsibilities = None
    oral_reason = forms.CharField(label="采用口头协议的原因", max_length=200)

    def run(self):
        terms = [
            A.TermData(
                **{
                    k: f.cleaned_data[k]
                    for k in (
                        "obligor",
                        "obligee",
                        "content",
                        "amount",
                        "manner",
                        "place",
                        "deadline",
                        "instalments",
                        "subject",
                    )
                }
            )
            for f in self.terms.forms
            if f.cleaned_data
        ]
        d = self.cleaned_data
        return A.do_record_oral_agreement(
            self.case, self.actor, facts=d["facts"], terms=terms, oral_reason=d["oral_reason"]
        )


class SignForm(ActionForm):
    action, submit_label = "sign_agreement", "登记签名"
    method = forms.ChoiceField(label="签署方式", choices=SignatureMethod.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreement = current_agreement(self.case)
        signed = set()
        mediator_signed = False
        if agreement is not None:
            valid = agreement.valid_signatures()
            signed = set(valid.exclude(party=None).values_list("party_id", flat=True))
            mediator_signed = valid.filter(signer_role="MEDIATOR").exists()
        choices = [("", "请选择")] + [(str(p.pk), f"当事人：{p.name}") for p in self.parties() if p.pk not in signed]
        if not mediator_signed and getattr(self.actor, "mediator", None) is not None:
            choices.append(("mediator", f"调解员本人：{self.actor.mediator.name}"))
        self.fields["signer"] = forms.ChoiceField(label="签署人", choices=choices)
        self.fields["signer"].widget.attrs["class"] = "form-select"
        self.order_fields(["signer", "method"])

    def run(self):
        signer = self.cleaned_data["signer"]
        party = None if signer == "mediator" else self.parties().get(pk=signer)
        return A.do_sign_agreement(self.case, self.actor, party=party, method=self.cleaned_data["method"])


class SealForm(ActionForm):
    action, submit_label = "seal_agreement", "确认加盖印章"

    def run(self):
        return A.do_seal_agreement(self.case, self.actor)


class ImmediatePerformanceForm(ActionForm):
    action, submit_label = "immediate_performance", "登记即时履行"
    on = forms.DateField(label="履行日期", widget=DATE, initial=date.today)
    note = forms.CharField(label="履行情况及凭证", widget=TEXTAREA, max_length=2000)

    def run(self):
        d = self.cleaned_data
        return A.do_record_immediate_performance(self.case, self.actor, on=d["on"], note=d["note"])


class PaymentForm(ActionForm):
    action, submit_label = "record_payment", "登记履行"
    on = forms.DateField(label="履行日期", widget=DATE, initial=date.today)
    amount = forms.DecimalField(
        label="金额（元）", required=False, min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    note = forms.CharField(label="说明（凭证等）", widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreement = current_agreement(self.case)
        unpaid = Instalment.objects.filter(term__agreement=agreement, paid_on__isnull=True)
        self.fields["instalment"] = forms.ModelChoiceField(
            label="对应分期", queryset=unpaid, required=False, empty_label="（不对应分期）"
        )
        self.fields["instalment"].label_from_instance = lambda i: f"{i.due_date} 到期 {i.amount} 元"
        self.fields["instalment"].widget.attrs["class"] = "form-select"

    def run(self):
        d = self.cleaned_data
        return A.do_record_payment(
            self.case, self.actor, on=d["on"], note=d["note"], instalment=d["instalment"], amount=d["amount"]
        )


class FollowUpForm(ActionForm):
    action, submit_label = "record_follow_up", "保存回访记录"
    visited_on = forms.DateField(label="回访日期", widget=DATE, initial=date.today)
    outcome = forms.ChoiceField(label="履行情况", choices=FollowUpOutcome.choices)
    satisfaction = forms.ChoiceField(label="满意度", choices=Satisfaction.choices)
    notes = forms.CharField(label="回访情况", widget=TEXTAREA, max_length=5000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"] = self.party_field("被回访人")
        self.fields["party"].widget.attrs["class"] = "form-select"
        self.order_fields(["party", "visited_on", "outcome", "satisfaction", "notes"])

    def run(self):
        d = self.cleaned_data
        return A.do_record_follow_up(
            self.case,
            self.actor,
            party=d["party"],
            visited_on=d["visited_on"],
            outcome=d["outcome"],
            satisfaction=d["satisfaction"],
            notes=d["notes"],
        )


class ConfirmPerformedForm(NoteForm):
    action, submit_label = "confirm_performed", "确认履行完毕"

    def run(self):
        return A.do_confirm_performed(self.case, self.actor, note=self.cleaned_data["note"])


class NonPerformanceForm(ActionForm):
    action, submit_label, danger = "report_non_performance", "登记未履行", True
    partial = forms.BooleanField(label="部分履行", required=False)
    note = forms.CharField(label="具体情况", widget=TEXTAREA, max_length=2000)

    def run(self):
        d = self.cleaned_data
        return A.do_report_non_performance(self.case, self.actor, partial=d["partial"], note=d["note"])


class UrgeForm(ActionForm):
    action, submit_label = "urge_performance", "登记督促"
    note = forms.CharField(label="督促情况", widget=TEXTAREA, max_length=2000)

    def run(self):
        return A.do_urge_performance(self.case, self.actor, note=self.cleaned_data["note"])


class RemediateForm(ActionForm):
    action, submit_label = "remediate", "开始重新调解"
    reason = forms.CharField(label="重新调解理由", widget=TEXTAREA, max_length=2000)
    revoke = forms.BooleanField(label="撤销原协议（不勾选则为变更原协议）", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consenting_parties"] = IdMultipleChoiceField(
            label="同意重新调解的当事人", queryset=self.parties(), widget=forms.CheckboxSelectMultiple, required=False
        )

    def run(self):
        d = self.cleaned_data
        return A.do_start_remediation(
            self.case,
            self.actor,
            reason=d["reason"],
            revoke=d["revoke"],
            consenting_parties=list(d["consenting_parties"]),
        )


def _prevention_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=100000, initial=0)


class CloseForm(ActionForm):
    action, submit_label = "close", "结案"
    summary = forms.CharField(label="结案情况（结案报告）", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    advised_litigation = forms.BooleanField(
        label="已告知当事人可就履行问题向人民法院起诉或申请强制执行", required=False
    )
    # Prevention indicators of the MoJ statistics form (件/人): persons for whom this mediation prevented it.
    prevented_suicide_persons = _prevention_field("防止民间纠纷引起自杀（人数，无则填0）")
    prevented_criminal_persons = _prevention_field("防止民间纠纷转化为刑事案件（人数）")
    prevented_group_petition_persons = _prevention_field("防止群体性上访（人数）")
    prevented_group_fight_persons = _prevention_field("防止群体性械斗（人数）")

    # The risk flag (screening.enums.RiskFlag) each prevention indicator comes from (issue 12).
    PREVENTION_FLAGS = {
        "prevented_suicide_persons": "SUICIDE_RISK",
        "prevented_criminal_persons": "CIVIL_TO_CRIMINAL",
        "prevented_group_petition_persons": "GROUP_PETITION",
        "prevented_group_fight_persons": "GROUP_FIGHT",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Prefill the prevention indicators from the case's risk assessments still open or resolved (化解): a
        # risk with the indicator's flag counts its headcount (persons); the mediator checks and may change them.
        from screening.enums import RiskStatus
        from screening.models import RiskAssessment

        risks = RiskAssessment.objects.filter(
            case_id=self.case.pk, status__in=(RiskStatus.OPEN, RiskStatus.RESOLVED)
        ).values_list("flags", "headcount", "title")
        totals = dict.fromkeys(self.PREVENTION_FLAGS, 0)
        sources: dict[str, list[str]] = {key: [] for key in self.PREVENTION_FLAGS}
        for flags, headcount, title in risks:
            for key, flag in self.PREVENTION_FLAGS.items():
                if flag in (flags or []):
                    totals[key] += headcount or 0
                    sources[key].append(title)
        for key, n in totals.items():
            if sources[key] and key not in self.initial:
                self.initial[key] = n
                self.fields[key].help_text = "已依风险研判预填：" + "、".join(sources[key])[:120]

    def run(self):
        d = self.cleaned_data
        prevention = {key: d.get(key) or 0 for key in PREVENTION_FIELDS}
        return A.do_close_case(
            self.case,
            self.actor,
            summary=d["summary"],
            advised_litigation=d["advised_litigation"],
            prevention=prevention,
        )


class ArchiveForm(ActionForm):
    action, submit_label = "archive", "立卷归档"
    retention_class = forms.ChoiceField(label="保管期限", choices=RetentionClass.choices)
    pages = forms.IntegerField(label="卷宗页数", min_value=1, max_value=2000)

    def run(self):
        d = self.cleaned_data
        return A.do_archive_case(self.case, self.actor, retention_class=d["retention_class"], pages=d["pages"])


class DisposeForm(ActionForm):
    action, submit_label, danger = "dispose", "登记销毁", True
    approval = forms.CharField(label="销毁审批情况（批准机关、文号）", widget=TEXTAREA, max_length=2000)

    def run(self):
        return A.do_dispose_case(self.case, self.actor, approval=self.cleaned_data["approval"])


class JCApplyForm(ActionForm):
    action, submit_label = "jc_apply", "登记司法确认申请"
    court = forms.ModelChoiceField(label="受理法院", queryset=Court.objects.all(), empty_label="请选择")
    applied_on = forms.DateField(label="申请日期", widget=DATE, initial=date.today)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"] = self.party_field("申请人")
        self.fields["consenting"] = self.party_field("同意共同申请的另一方当事人")
        for n in ("applicant", "consenting"):
            self.fields[n].widget.attrs["class"] = "form-select"
        county = self.case.division_code[:6]
        self.fields["court"].queryset = Court.objects.filter(division__code__startswith=county[:4])
        self.order_fields(["applicant", "consenting", "court", "applied_on"])

    def run(self):
        d = self.cleaned_data
        return A.do_apply_judicial_confirmation(
            self.case,
            self.actor,
            applicant=d["applicant"],
            consenting=d["consenting"],
            court=d["court"],
            applied_on=d["applied_on"],
        )


class JCAcceptForm(ActionForm):
    action, submit_label = "jc_court_accept", "登记法院受理"
    on = forms.DateField(label="受理日期", widget=DATE, initial=date.today)
    court_case_no = forms.CharField(label="法院案号", max_length=60)

    def run(self):
        d = self.cleaned_data
        return A.do_record_court_acceptance(
            self.case, self.actor, accepted=True, on=d["on"], court_case_no=d["court_case_no"]
        )


class JCRefuseForm(ActionForm):
    action, submit_label, danger = "jc_court_refuse", "登记不予受理", True
    on = forms.DateField(label="日期", widget=DATE, initial=date.today)
    reason = forms.CharField(label="不予受理理由", widget=TEXTAREA, max_length=2000)

    def run(self):
        d = self.cleaned_data
        return A.do_record_court_acceptance(self.case, self.actor, accepted=False, on=d["on"], reason=d["reason"])


class JCDecideForm(ActionForm):
    action, submit_label = "jc_decide", "登记裁定结果"
    valid = forms.TypedChoiceField(
        label="裁定结果", choices=[("1", "确认调解协议有效"), ("0", "驳回申请")], coerce=lambda v: v == "1"
    )
    on = forms.DateField(label="裁定日期", widget=DATE, initial=date.today)
    reason = forms.CharField(label="理由（驳回时必填）", widget=TEXTAREA, required=False, max_length=2000)

    def run(self):
        d = self.cleaned_data
        return A.do_record_court_decision(self.case, self.actor, valid=d["valid"], on=d["on"], reason=d["reason"])


class OralInWritingForm(ActionForm):
    """口头协议书面化: the mediator records how each party signed the written text of the oral agreement."""

    action, submit_label = "put_oral_in_writing", "登记书面化并签署"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        methods = [(m.value, m.label) for m in PARTY_METHODS]
        for p in self.parties():
            self.fields[f"method_{p.pk}"] = forms.ChoiceField(
                label=f"{p.get_side_display()}{p.name}的签署方式", choices=[("", "请选择"), *methods]
            )
            self.fields[f"method_{p.pk}"].widget.attrs["class"] = "form-select"
        self.fields["confirm"] = forms.BooleanField(
            label="已向各方当事人宣读书面文本，各方确认与口头协议内容一致并签署", required=True
        )
        self.fields["confirm"].widget.attrs["class"] = "form-check-input"
        agreement = current_agreement(self.case)
        if agreement is not None and agreement.effective_at:
            from cases.actions.writing import oral_agreement_text

            self.written_preview = oral_agreement_text(self.case, agreement)

    def run(self):
        d = self.cleaned_data
        signers = [(p, d[f"method_{p.pk}"]) for p in self.parties()]
        return A.do_put_oral_agreement_in_writing(self.case, self.actor, signers=signers)
