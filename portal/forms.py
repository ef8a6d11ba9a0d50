"""Portal forms: sign-in by phone, the guided application (one small form per step), and the party's answers on a
case. Field errors are in Chinese; the application steps save into the draft, never into a case."""

from django import forms
from django.utils import timezone

from cases import identity
from cases.bounds import bound_dates
from cases.enums import DisputeType, PartyType, Route
from registry.models import Court

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 4}


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            continue
        w.attrs.setdefault("class", "form-select" if isinstance(w, forms.Select) else "form-control")


class PortalForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        _styled(self)


class PhoneForm(PortalForm):
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": "11位手机号码"}),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6位数字"}
        ),
    )


def _id_error(value: str) -> str | None:
    return identity.id_number_error(value, timezone.localdate()) if value else None


class AboutYouForm(PortalForm):
    """Step 1: who the applicant is (申请书 §6.3: name, gender, contact, address; ID number for the register)."""

    name = forms.CharField(label="您的姓名", max_length=50)
    id_number = forms.CharField(label="身份证号码", max_length=18, help_text="用于核实身份，只有调解员能看到完整号码。")
    address = forms.CharField(label="住址", max_length=200, help_text="写到村（社区）、组或门牌号。")
    occupation = forms.CharField(label="职业（可不填）", max_length=50, required=False)
    guardian_name = forms.CharField(label="法定代理人姓名（未满18周岁的申请人须填写）", max_length=50, required=False)

    def clean_id_number(self) -> str:
        value = identity.normalise_id_number(self.cleaned_data["id_number"])
        err = _id_error(value)
        if err:
            raise forms.ValidationError(err)
        return value


class OtherPartyForm(PortalForm):
    """Step 2: who the other party is. Only the name is required: the committee can find the rest."""

    party_type = forms.ChoiceField(
        label="对方是", choices=[(PartyType.NATURAL_PERSON, "个人"), (PartyType.LEGAL_PERSON, "单位（公司、机构）")]
    )
    name = forms.CharField(label="对方姓名或单位名称", max_length=100)
    phone = forms.CharField(
        label="对方手机号码（可不填）",
        max_length=20,
        required=False,
        help_text="填写后，对方会收到短信邀请，可在网上加入本案。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label="对方住址或单位地址（可不填）", max_length=200, required=False)

    def clean_phone(self) -> str:
        from portal.codes import PortalRefused, normalise_phone

        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except PortalRefused as refusal:
            raise forms.ValidationError(refusal.message) from None


class WhatHappenedForm(PortalForm):
    """Step 3: what happened, when, what kind of dispute (offered, not required), and what the applicant wants."""

    brief_facts = forms.CharField(
        label="发生了什么",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        help_text="用自己的话写清楚：什么时候、在哪里、因为什么事、现在怎么样了。至少10个字。",
    )
    occurred_on = forms.DateField(
        label="大约什么时候开始的（可不填）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    claims = forms.CharField(
        label="您希望怎样解决",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="例如：请对方赔偿损失2000元；请对方疏通排水沟。",
    )
    dispute_type = forms.ChoiceField(
        label="纠纷类型（可不选，调委会会帮您确定）",
        required=False,
        choices=[("", "不确定")] + [(v, label) for v, label in DisputeType.choices if v != DisputeType.OTHER],
    )
    amount = forms.DecimalField(
        label="涉及金额（元，可不填）",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )

    def clean_brief_facts(self) -> str:
        value = self.cleaned_data["brief_facts"].strip()
        if len(value) < 10:
            raise forms.ValidationError("请再多写几句，至少10个字，让调解员了解情况。")
        return value

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天")
        return value


class ConfirmForm(PortalForm):
    voluntary = forms.BooleanField(
        label="我自愿申请人民调解，所填内容真实。我知道人民调解不收取任何费用，我可以随时要求终止调解。",
        error_messages={"required": "请确认自愿申请后再提交"},
    )
    privacy = forms.BooleanField(
        label="我同意调委会为调解本纠纷处理我提供的个人信息（包括身份证号码和证据材料）。",
        error_messages={"required": "请确认同意处理个人信息后再提交"},
    )
    # Issue 13, PIPL art. 24: the applicant may refuse the automated classification suggestion (nothing stored).
    no_triage = forms.BooleanField(
        label="不同意自动化分类建议：我不同意系统以自动化方式分析我的纠纷，由调委会工作人员自行判断纠纷类型"
        "（《个人信息保护法》第二十四条：个人有权拒绝仅通过自动化决策的方式作出决定）。",
        required=False,
    )


class WithdrawForm(PortalForm):
    statement = forms.CharField(
        label="撤回原因（可不填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label="我确认撤回调解申请。撤回后本次调解结束。", error_messages={"required": "请勾选确认"}
    )


class ConsentForm(PortalForm):
    answer = forms.ChoiceField(
        label="您是否同意由人民调解委员会调解这个纠纷？",
        choices=[("yes", "同意调解"), ("no", "不同意调解")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择同意或不同意"},
    )
    statement = forms.CharField(
        label="想对调解员说的话（可不填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class JoinForm(PortalForm):
    code = forms.CharField(
        label="邀请码",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "8位邀请码"}
        ),
    )


class SignForm(PortalForm):
    text_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    read = forms.BooleanField(
        label="我已完整阅读上面的协议，内容是我的真实意思，同意签署。",
        error_messages={"required": "请先阅读协议并勾选确认"},
    )


# Judicial-confirmation materials (mediation-domain.md §6.12; 法释〔2011〕5号 art. 3): what the parties bring.
JC_MATERIALS = [
    ("application", "司法确认申请书（由平台根据双方的申请生成）", True),
    ("agreement", "人民调解协议书（平台已有，可下载）", True),
    ("identity", "本人身份证明（身份证原件及复印件）", True),
    ("addresses", "双方的送达地址和联系电话（在下面填写）", True),
    ("property", "与协议有关的财产权利证明（如房产证、借条，没有可不选）", False),
    ("attorney", "授权委托书（委托他人代办时）", False),
]


class JCRequestForm(PortalForm):
    court = forms.ModelChoiceField(label="向哪个法院申请", queryset=Court.objects.none(), empty_label=None)
    address = forms.CharField(label="您的送达地址", max_length=200, help_text="法院寄送文书的地址。")
    materials = forms.MultipleChoiceField(
        label="我已准备好的材料",
        choices=[(k, label) for k, label, _req in JC_MATERIALS],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, courts=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts if courts is not None else Court.objects.none()

    def clean_materials(self):
        chosen = set(self.cleaned_data["materials"])
        missing = [label for k, label, required in JC_MATERIALS if required and k not in chosen]
        if missing:
            raise forms.ValidationError("还缺必备材料：" + "；".join(m.split("（")[0] for m in missing))
        return sorted(chosen)


class JCConsentForm(PortalForm):
    answer = forms.ChoiceField(
        label="是否同意共同申请司法确认？",
        choices=[("yes", "同意共同申请"), ("no", "不同意")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择同意或不同意"},
    )
    address = forms.CharField(label="您的送达地址（同意时填写）", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "yes" and not (data.get("address") or "").strip():
            self.add_error("address", "同意共同申请时，请填写您的送达地址")
        return data


class RatingForm(PortalForm):
    score = forms.TypedChoiceField(
        label="您对这次调解服务满意吗？",
        coerce=int,
        choices=[(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意程度"},
    )
    comment = forms.CharField(
        label="意见和建议（可不填）", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


ALL_ROUTES = [r for r, _label in Route.choices]
