"""Forms of the supervision loop. The staff case page offers them through cases.views.FORMS like every action
(督办, 催办, 督办反馈); the console and the workbench post the same forms from their own pages."""

from django import forms
from django.utils import timezone

from cases import actions as A
from cases.forms import DATE, TEXTAREA, ActionForm
from supervision.models_duban import LEVEL_OF_ROLE, Supervision, SupervisionStatus


class SuperviseCaseForm(ActionForm):
    action, submit_label = "supervise", "发出督办"
    instruction = forms.CharField(
        label="督办意见",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="写明需要调委会办理的事项和要求，将发送给调委会主任和主持调解员。",
    )
    reply_deadline = forms.DateField(label="反馈期限", widget=DATE, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        level = LEVEL_OF_ROLE.get(self.actor.role)
        if level is not None:
            default = A.supervision.default_reply_deadline(level, timezone.localdate())
            self.fields["reply_deadline"].initial = default
            self.fields[
                "reply_deadline"
            ].help_text = f"不填则按{level.label}督办的默认期限（{default:%Y年%-m月%-d日}）。"

    def run(self):
        d = self.cleaned_data
        return A.do_supervise_case(
            self.case, self.actor, instruction=d["instruction"], reply_deadline=d["reply_deadline"]
        )


class UrgeCaseForm(ActionForm):
    action, submit_label = "urge", "发出催办"
    text = forms.CharField(
        label="催办内容", widget=TEXTAREA, max_length=500, help_text="简要提醒调委会抓紧办理，调委会可以回复。"
    )

    def run(self):
        return A.do_urge_case(self.case, self.actor, text=self.cleaned_data["text"])


class SupervisionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Supervision) -> str:
        deadline = f"，反馈期限 {obj.reply_deadline:%Y-%m-%d}" if obj.reply_deadline else ""
        return f"{obj.get_level_display()}{obj.get_kind_display()}（{obj.issued_at:%m-%d}{deadline}）"


class SupervisionReplyForm(ActionForm):
    action, submit_label = "supervision_reply", "提交反馈"
    supervision = SupervisionChoice(label="反馈的督办事项", queryset=Supervision.objects.none(), empty_label=None)
    text = forms.CharField(
        label="办理情况",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="写明已开展的工作、目前进展和预计办结时间。",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervision"].queryset = Supervision.objects.filter(
            case=self.case, status=SupervisionStatus.PENDING
        ).order_by("issued_at", "id")

    def run(self):
        d = self.cleaned_data
        return A.do_reply_supervision(d["supervision"], self.actor, text=d["text"])


class SuperviseReferralForm(forms.Form):
    """督办 of a referral not yet accepted (supervision.referral_duban), posted from the referral board."""

    instruction = forms.CharField(
        label="督办意见",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        max_length=2000,
        help_text="写明需要承办单位办理的事项和要求（如及时接收或说明拒绝理由），将发送给承办调解组织的主任。",
    )
    reply_deadline = forms.DateField(
        label="反馈期限",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        required=False,
    )

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        level = LEVEL_OF_ROLE.get(actor.role)
        if level is not None:
            default = A.supervision.default_reply_deadline(level, timezone.localdate())
            field = self.fields["reply_deadline"]
            field.initial = default
            field.help_text = f"不填则按{level.label}督办的默认期限（{default:%Y年%-m月%-d日}）。"


class ReferralSupervisionReplyForm(forms.Form):
    text = forms.CharField(
        label="办理情况",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        max_length=2000,
        help_text="写明接收、分流或联系当事人的情况和预计办理时间。",
    )
