"""Forms of the referral pages (issue 11): a liaison's new referral (with its parties and files) and the receiving
committee's answers. Each form validates input (Chinese errors next to the field) and builds what
referrals.services takes; the views call the services, the forms never change state."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from cases import identity
from cases.bounds import bound_dates
from cases.enums import CourtReferralType, DisputeType, PartySide, PartyType
from cases.uploads import EVIDENCE_KINDS, check_upload, max_bytes
from referrals.enums import Channel, ContactResult, CourtTermination, Procedure
from referrals.models import Institution, Referral
from registry.models import Committee, Mediator

TEXTAREA = forms.Textarea(attrs={"rows": 3})
LONG_TEXTAREA = forms.Textarea(attrs={"rows": 5})
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
MAX_FILES = 10

# The institution's own number, by channel.
EXTERNAL_NO_LABELS = {
    Channel.COURT: ("法院案号", "委派填写诉前调解案号，委托填写立案案号。"),
    Channel.POLICE: ("警情编号", "110接处警的警情号。"),
    Channel.PETITION: ("信访件编号", "信访信息系统中的件号。"),
    Channel.HOTLINE: ("工单编号", "12345热线的工单号。"),
    Channel.PROCURATORATE: ("检察院案号", ""),
    Channel.OTHER_DEPT: ("来文编号", ""),
}
HANDLER_LABELS = {
    Channel.COURT: "承办法官或书记员",
    Channel.POLICE: "经办民警",
    Channel.PETITION: "经办人",
    Channel.HOTLINE: "经办人",
    Channel.PROCURATORATE: "承办检察官",
    Channel.OTHER_DEPT: "经办人",
}
# The kind of matter where the channel's clock depends on it (ReferralData.matter_type; data/referral_channels.json
# "types"): 12345 consultations are answered within 3 working days, complaints within 13; a complex police
# dispute is settled within 5 days instead of the 24-hour feedback (references-2.md §A.4).
MATTER_TYPES = {
    Channel.HOTLINE: (
        "工单类别",
        [("", "请选择"), ("CONSULTATION", "咨询、求助"), ("COMPLAINT", "投诉、举报")],
        True,
        "咨询、求助3个工作日内答复，投诉、举报13个工作日内答复。",
    ),
    Channel.POLICE: (
        "纠纷类别",
        [("", "一般纠纷（24小时内反馈）"), ("COMPLEX", "复杂纠纷（原则上5日内化解）")],
        False,
        "非警务警情分流的一般纠纷，应在24小时内反馈处置情况。",
    ),
}

# 在线调解规则 art. 12: written reasons for declining.
DECLINE_REASONS = [
    ("SCOPE", "不属于人民调解的受理范围"),
    ("INDUSTRY", "不属于本调解组织的行业、专业领域"),
    ("SPECIALITY", "超出指定调解员的专业领域"),
    ("UNSUITABLE", "其他不宜调解的情形"),
]


def _style(form: forms.BaseForm) -> None:
    bound_dates(form)
    for f in form.fields.values():
        widget = f.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
            css = "" if isinstance(widget, forms.CheckboxSelectMultiple) else "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs.setdefault("class", css)


def _phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE_RE.match(value):
        raise ValidationError("电话号码格式不正确，请填写手机号码或带区号的固定电话")
    return value


def area_committees(institution: Institution):
    """The committees a liaison may designate: the active ones of the institution's area (its division and below)."""
    return Committee.objects.filter(is_active=True, division__code__startswith=institution.division_id).order_by(
        "-is_hub", "division_id", "name"
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked (kind sniffed from the content, size) before anything is saved."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES:
            raise ValidationError(f"一次最多上传{MAX_FILES}个材料")
        cleaned = [single(f, initial) for f in files]
        errors = []
        for f in cleaned:
            try:
                check_upload(f, EVIDENCE_KINDS)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class MediatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Mediator) -> str:
        return f"{obj.name}（{obj.committee.name}）"


class ReferralForm(forms.Form):
    """A new referral by a court's or a department's liaison. The fields follow the institution's channel: a court
    sends 委派/委托/邀请 with its case number and (for 委托) the procedure; the others their own number."""

    referral_type = forms.ChoiceField(
        label="诉调对接方式",
        choices=[("", "请选择"), *[(v, lbl) for v, lbl in CourtReferralType.choices if v]],
        required=False,
        help_text="委派：立案前委派调解；委托：立案后委托调解；邀请：邀请调解组织协助调解。",
    )
    procedure = forms.ChoiceField(
        label="审理程序（委托调解填写）",
        choices=[("", "请选择"), *[(v, lbl) for v, lbl in Procedure.choices if v]],
        required=False,
        help_text="委托调解的期限：普通程序15日，简易程序7日，自调解组织接收之日起计算。",
    )
    matter_type = forms.ChoiceField(label="事项类别", choices=[("", "—")], required=False)
    external_no = forms.CharField(label="来文编号", max_length=60)
    handler_name = forms.CharField(label="经办人", max_length=50, required=False)
    handler_phone = forms.CharField(label="经办人电话", max_length=30, required=False)
    dispute_type = forms.ChoiceField(
        label="纠纷类型", choices=[("", "请选择（可不填）"), *DisputeType.choices], required=False
    )
    cause = forms.CharField(label="案由", max_length=100, required=False, help_text="如“民间借贷纠纷”“相邻关系纠纷”。")
    brief_facts = forms.CharField(label="简要案情", widget=LONG_TEXTAREA, max_length=5000)
    claims = forms.CharField(label="诉讼请求或申请事项", widget=TEXTAREA, max_length=3000)
    place = forms.CharField(label="纠纷发生地", max_length=200, required=False)
    occurred_on = forms.DateField(
        label="纠纷发生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount_involved = forms.DecimalField(
        label="涉及金额（元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    designated_committee = forms.ModelChoiceField(
        label="指定调解组织（可不选）",
        queryset=Committee.objects.none(),
        required=False,
        empty_label="不指定，由矛调中心统一受理、分流",
    )
    designated_mediator = MediatorChoiceField(
        label="指定调解员（可不选）", queryset=Mediator.objects.none(), required=False, empty_label="不指定"
    )
    chosen_by = forms.ChoiceField(
        label="调解组织或调解员的产生方式",
        choices=[("", "由本机构指定或不指定"), ("PARTIES", "当事人共同选定")],
        required=False,
    )
    consent_note = forms.CharField(
        label="当事人同意调解情况",
        max_length=300,
        required=False,
        help_text="如“双方均于立案前书面同意委派调解”。委派调解须征得当事人同意。",
    )
    attachments = MultipleFileField(label="材料（起诉状、证据等，可多选）", required=False, help_text="")

    def __init__(self, *args, institution: Institution, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.channel = institution.kind
        label, help_text = EXTERNAL_NO_LABELS.get(self.channel, ("来文编号", ""))
        self.fields["external_no"].label, self.fields["external_no"].help_text = label, help_text
        self.fields["external_no"].error_messages["required"] = f"请填写{label}"
        handler = HANDLER_LABELS.get(self.channel, "经办人")
        self.fields["handler_name"].label = handler
        self.fields["handler_phone"].label = f"{handler}电话"
        self.fields["brief_facts"].error_messages["required"] = "请填写简要案情"
        self.fields["claims"].error_messages["required"] = "请填写诉讼请求或申请事项"
        if self.channel != Channel.COURT:
            for name in ("referral_type", "procedure"):
                del self.fields[name]
            self.fields["claims"].label = "当事人诉求"
        if self.channel in MATTER_TYPES:
            label, choices, required, help_text = MATTER_TYPES[self.channel]
            field = self.fields["matter_type"]
            field.label, field.choices, field.help_text = label, choices, help_text
            field.error_messages["required"] = f"请选择{label}"
            field.required = required
        else:
            del self.fields["matter_type"]
        committees = area_committees(institution)
        self.fields["designated_committee"].queryset = committees
        self.fields["designated_mediator"].queryset = (
            Mediator.objects.filter(is_active=True, committee__in=committees)
            .select_related("committee")
            .order_by("committee__division_id", "committee__name", "name")
        )
        self.fields[
            "attachments"
        ].help_text = f"PDF、JPEG、PNG 或 WebP，每个不超过 {max_bytes() // 1048576} MB，最多{MAX_FILES}个。"
        self.fields["attachments"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png,image/webp"
        _style(self)

    def clean_handler_phone(self) -> str:
        return _phone(self.cleaned_data["handler_phone"])

    def clean_external_no(self) -> str:
        return self.cleaned_data["external_no"].strip()

    def clean(self) -> dict:
        d = super().clean()
        if self.channel == Channel.COURT:
            kind = d.get("referral_type")
            if not kind and "referral_type" not in self.errors:
                self.add_error("referral_type", "请选择委派、委托或邀请")
            if kind == CourtReferralType.WEITUO:
                if not d.get("procedure") and "procedure" not in self.errors:
                    self.add_error("procedure", "委托调解须注明普通程序或简易程序")
            else:
                d["procedure"] = ""
        committee, mediator = d.get("designated_committee"), d.get("designated_mediator")
        if mediator and committee and mediator.committee_id != committee.pk:
            self.add_error("designated_mediator", f"{mediator.name}不是{committee.name}的调解员")
        if d.get("chosen_by") and not (committee or mediator):
            self.add_error("chosen_by", "当事人共同选定的，请选择调解组织或调解员")
        return d


class ReferralPartyForm(forms.Form):
    side = forms.ChoiceField(label="地位", choices=PartySide.choices)
    party_type = forms.ChoiceField(label="类型", choices=PartyType.choices, initial=PartyType.NATURAL_PERSON)
    name = forms.CharField(label="姓名或名称", max_length=100)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    service_address = forms.CharField(
        label="电子送达地址", max_length=200, required=False, help_text="手机号码、电子邮箱或其他电子送达地址。"
    )
    address = forms.CharField(label="住所或单位地址", max_length=200, required=False)
    id_number = forms.CharField(
        label="身份证号码或统一社会信用代码",
        max_length=18,
        required=False,
        help_text="申请人须填写；被申请人可不填。",
    )
    consented = forms.BooleanField(label="已同意调解", required=False)
    consent_how = forms.CharField(
        label="同意方式", max_length=100, required=False, help_text="如“书面同意”“电话确认并录音”。"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "请填写当事人姓名或名称"
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["id_number"].widget.attrs.update(autocomplete="off")
        _style(self)

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        return identity.normalise_id_number(self.cleaned_data["id_number"])

    def clean(self) -> dict:
        from django.utils import timezone

        d = super().clean()
        value, person = d.get("id_number", ""), d.get("party_type") == PartyType.NATURAL_PERSON
        if value:
            error = (
                identity.id_number_error(value, timezone.localdate()) if person else identity.credit_code_error(value)
            )
            if error:
                self.add_error("id_number", error)
        elif d.get("side") == PartySide.APPLICANT and "id_number" not in self.errors:
            self.add_error("id_number", "申请人须填写身份证号码" if person else "申请人须填写统一社会信用代码")
        if d.get("consent_how") and not d.get("consented"):
            self.add_error("consented", "已填写同意方式的，请勾选“已同意调解”")
        return d


class BasePartyFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        sides = [f.cleaned_data.get("side") for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if PartySide.APPLICANT not in sides or PartySide.RESPONDENT not in sides:
            raise ValidationError("请至少填写一名申请人（原告）和一名被申请人（被告）")


PartyFormSet = formset_factory(
    ReferralPartyForm, formset=BasePartyFormSet, extra=0, min_num=2, validate_min=True, max_num=20, validate_max=True
)


def party_formset(data=None, *, prefix: str = "parties") -> forms.BaseFormSet:
    initial = None if data is not None else [{"side": PartySide.APPLICANT}, {"side": PartySide.RESPONDENT}]
    return PartyFormSet(data, prefix=prefix, initial=initial)


def referral_data(form: ReferralForm, formset: forms.BaseFormSet):
    """The services' ReferralData from a valid form and formset."""
    from referrals.services import ReferralData, ReferralPartyData

    d = form.cleaned_data
    committee, mediator = d.get("designated_committee"), d.get("designated_mediator")
    if mediator and not committee:
        committee = mediator.committee
    parties = [
        ReferralPartyData(
            side=p["side"],
            name=p["name"].strip(),
            phone=p["phone"],
            service_address=p["service_address"].strip(),
            address=p["address"].strip(),
            party_type=p["party_type"],
            id_number=p["id_number"],
            consented=bool(p["consented"]),
            consent_how=p["consent_how"].strip(),
        )
        for p in (f.cleaned_data for f in formset.forms)
        if p
    ]
    data = ReferralData(
        external_no=d["external_no"],
        brief_facts=d["brief_facts"].strip(),
        claims=d["claims"].strip(),
        parties=parties,
        referral_type=d.get("referral_type", ""),
        procedure=d.get("procedure", ""),
        handler_name=d["handler_name"].strip(),
        handler_phone=d["handler_phone"],
        dispute_type=d["dispute_type"],
        cause=d["cause"].strip(),
        place=d["place"].strip(),
        occurred_on=d["occurred_on"],
        amount_involved=d["amount_involved"] or Decimal("0"),
        consent_note=d["consent_note"].strip(),
        designated_committee_id=committee.pk if committee else None,
        designated_mediator_id=mediator.pk if mediator else None,
        chosen_by=d["chosen_by"],
    )
    data.matter_type = d.get("matter_type", "")
    return data


# ----------------------------------------------------------------------------------------- the receiver's answers
class AnswerForm(forms.Form):
    submit_label = "提交"
    danger = False

    def __init__(self, *args, referral: Referral, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral
        _style(self)


class AcceptForm(AnswerForm):
    """Acceptance registers and accepts the case with the referral's parties (services). The director decides the
    dispute type (the referral's own, if it came with one, is the initial choice) seeing the triage suggestion on the
    page (issue 13), and confirms its risk level and route (blank: as suggested)."""

    submit_label = "确认接收并受理"
    note = forms.CharField(label="接收说明（可不填）", max_length=500, required=False, widget=TEXTAREA)

    def __init__(self, *args, **kwargs) -> None:
        from triage.forms import TriageDecisionForm

        super().__init__(*args, **kwargs)
        self.fields["dispute_type"] = forms.ChoiceField(
            label="纠纷类型",
            choices=[
                ("", f"保持移送时的类型（{self.referral.get_dispute_type_display()}）")
                if self.referral.dispute_type
                else ("", "请选择"),
                *DisputeType.choices,
            ],
            initial=self.referral.dispute_type or None,
            required=not self.referral.dispute_type,  # blank keeps the type the referral came with
        )
        self.fields["dispute_type"].error_messages["required"] = "请选择纠纷类型"
        self.fields["dispute_type"].widget.attrs["class"] = "form-select"
        decision = TriageDecisionForm().fields
        self.fields["triage_level"], self.fields["triage_route"] = decision["level"], decision["route"]
        self.fields["triage_opt_out"] = decision["opt_out"]  # PIPL art. 24: nothing stored when ticked
        self.order_fields(["dispute_type", "triage_level", "triage_route", "triage_opt_out", "note"])


class DeclineForm(AnswerForm):
    submit_label = "拒绝接收"
    danger = True
    ground = forms.ChoiceField(label="拒绝理由", choices=DECLINE_REASONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="具体说明",
        widget=TEXTAREA,
        max_length=1000,
        help_text="将书面告知移送机构（《人民法院在线调解规则》第十二条）。",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"].error_messages["required"] = "请选择拒绝理由"
        self.fields["reason"].error_messages["required"] = "请写明拒绝接收的具体理由"

    def reason_text(self) -> str:
        d = self.cleaned_data
        return f"{dict(DECLINE_REASONS)[d['ground']]}：{d['reason'].strip()}"


class ContactForm(AnswerForm):
    submit_label = "记录联系结果"
    result = forms.ChoiceField(
        label="联系对方当事人的结果",
        choices=[(v, lbl) for v, lbl in ContactResult.choices if v],
        widget=forms.RadioSelect,
        help_text="无法联系或拒绝调解的，本次调解终止，并将材料退回移送机构（《人民法院在线调解规则》第十五条）。",
    )
    note = forms.CharField(label="联系情况说明", widget=TEXTAREA, max_length=1000, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result"].error_messages["required"] = "请选择联系结果"

    def clean(self) -> dict:
        d = super().clean()
        if d.get("result") in (ContactResult.UNREACHABLE, ContactResult.REFUSED) and not (d.get("note") or "").strip():
            self.add_error("note", "无法联系或拒绝调解的，请写明联系经过（时间、方式、结果）")
        return d


class ReplyForm(AnswerForm):
    submit_label = "发送反馈"
    text = forms.CharField(label="反馈内容", widget=LONG_TEXTAREA, max_length=3000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = "请填写反馈内容"
        self.fields["text"].help_text = {
            Channel.POLICE: "非警务警情分流的纠纷，一般纠纷应在24小时内反馈处置情况。",
            Channel.HOTLINE: "咨询、求助3个工作日内答复，投诉、举报13个工作日内答复。",
            Channel.PETITION: "信访事项应自受理之日起60日内办结，并书面答复。",
        }.get(self.referral.channel, "")


class ReportForm(AnswerForm):
    """The failure report of 在线调解规则 art. 21 (four parts), the ground of art. 25, undisputed facts (art. 22) and
    the materials returned (特邀调解规定 art. 26)."""

    submit_label = "报送调解不成功报告"
    ground = forms.ChoiceField(label="终止调解的情形", choices=[])
    course = forms.CharField(label="调解的基本经过", widget=LONG_TEXTAREA, max_length=5000)
    reason = forms.CharField(label="调解不成的原因", widget=TEXTAREA, max_length=3000)
    cost_conduct = forms.CharField(
        label="导致其他当事人诉讼成本增加的行为",
        widget=TEXTAREA,
        max_length=3000,
        required=False,
        help_text="没有的可不填。",
    )
    other = forms.CharField(label="需要向移送机构提示的其他情形", widget=TEXTAREA, max_length=3000, required=False)
    undisputed_facts = forms.CharField(
        label="无争议事实",
        widget=TEXTAREA,
        max_length=3000,
        required=False,
        help_text="经各方当事人书面确认的无争议事实；当事人为达成协议作出的让步不得写入。",
    )
    materials_returned = forms.CharField(
        label="退回材料情况", widget=TEXTAREA, max_length=1000, help_text="如“起诉状、证据材料共12页已于今日退回”。"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        grounds = [(v, lbl) for v, lbl in CourtTermination.choices if v and v != CourtTermination.AGREEMENT]
        self.fields["ground"].choices = [("", "请选择"), *grounds]
        self.fields["ground"].initial = _suggested_ground(self.referral)
        for name, label in (
            ("ground", "请选择终止调解的情形"),
            ("course", "请写明调解的基本经过"),
            ("reason", "请写明调解不成的原因"),
            ("materials_returned", "请写明退回材料情况"),
        ):
            self.fields[name].error_messages["required"] = label
        if self.referral.channel == Channel.COURT:
            # The court needs all four parts: "无" where there is nothing.
            self.fields["other"].label = "需要向人民法院提示的其他情形"
            for name in ("cost_conduct", "other"):
                self.fields[name].required = True
                self.fields[name].help_text = "没有的写“无”。"
            self.fields["cost_conduct"].error_messages["required"] = (
                "请写明是否存在导致其他当事人诉讼成本增加的行为（没有的写“无”）"
            )
            self.fields["other"].error_messages["required"] = "请写明需要向人民法院提示的其他情形（没有的写“无”）"
        else:
            self.fields["materials_returned"].required = False


def _suggested_ground(referral: Referral) -> str:
    """The ground the case's end suggests (the mediator may choose another)."""
    from cases.enums import TerminationReason

    if referral.termination_ground:
        return referral.termination_ground
    if referral.contact_result == ContactResult.UNREACHABLE:
        return CourtTermination.UNREACHABLE
    if referral.contact_result == ContactResult.REFUSED:
        return CourtTermination.UNWILLING
    reason = referral.case.termination_reason if referral.case_id else ""
    return {
        TerminationReason.PARTY_REFUSED: CourtTermination.UNWILLING,
        TerminationReason.PARTY_WITHDREW: CourtTermination.SETTLED_WITHDRAWN,
        TerminationReason.NO_PROSPECT: CourtTermination.DIFFERENCES,
        TerminationReason.TIME_LIMIT_NO_CONSENT: CourtTermination.EXPIRED,
        TerminationReason.PARTY_UNREACHABLE: CourtTermination.UNREACHABLE,
        TerminationReason.OTHER: CourtTermination.OTHER,
    }.get(reason, "")


class AttachForm(forms.Form):
    """More files from the liaison while the referral is open (services.add_attachment)."""

    files = MultipleFileField(label="补充材料（可多选）")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].error_messages["required"] = "请选择要补充的材料"
        self.fields["files"].help_text = f"PDF、JPEG、PNG 或 WebP，每个不超过 {max_bytes() // 1048576} MB。"
        self.fields["files"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png,image/webp"
        _style(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
