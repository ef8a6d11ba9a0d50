"""Forms of the messaging app: Chinese messages, native date/time inputs, uploads checked by content."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.bounds import bound_dates
from cases.models import Party
from cases.uploads import EVIDENCE_KINDS, CheckedFile, check_upload
from messaging.models import SlotMode
from messaging.services import MAX_ATTACHMENTS, MAX_BODY

ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; empty files pass here so that check_upload can name them in Chinese."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(d, initial) for d in items if d]


class MessageForm(forms.Form):
    """Body, optional files and, for the caucus, who the message is for ("" = the whole thread)."""

    body = forms.CharField(
        label=_("消息内容"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "placeholder": "输入消息……"}),
        error_messages={"max_length": f"消息最多 {MAX_BODY} 字"},
    )
    files = MultipleFileField(
        label=_("附件（图片或 PDF）"),
        required=False,
        # The native control is hidden behind a Chinese label (the browser's own "Choose Files" text is English on
        # some systems); the names of the chosen files are shown next to it.
        widget=MultipleFileInput(
            attrs={
                "class": "visually-hidden tj-file-input",
                "accept": ACCEPT,
                "onchange": "this.parentNode.querySelector('[data-files-chosen]').textContent="
                "[...this.files].map(f => f.name).join('、') || '未选择文件'",
            }
        ),
    )
    to = forms.ChoiceField(label=_("发送给"), required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, caucus_choices: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.checked: list[tuple] = []
        if caucus_choices:
            self.fields["to"].choices = caucus_choices
        else:
            del self.fields["to"]

    def clean_files(self) -> list:
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(f"每条消息最多 {MAX_ATTACHMENTS} 个附件，您选择了 {len(files)} 个。")
        errors, checked = [], []
        for f in files:
            try:
                checked.append((f, check_upload(f, EVIDENCE_KINDS)))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors + ["附件未发送，消息文字已保留，请重新选择文件。"])
        self.checked = checked
        return files

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not (data.get("body") or "").strip() and not self.checked:
            self.add_error("body", "请填写消息内容或添加附件")
        return data

    def checked_files(self) -> list[tuple[object, CheckedFile]]:
        return self.checked


def caucus_choices_for_mediator(parties: list[Party]) -> list[tuple[str, str]]:
    return [("", "全体（本案当事人和调解员）")] + [
        (str(p.pk), f"仅{p.name}（{p.get_side_display()}，单独沟通）") for p in parties
    ]


def caucus_choices_for_party(own: Party) -> list[tuple[str, str]]:
    return [("", "全体（对方当事人也能看到）"), (str(own.pk), "仅调解员（单独沟通）")]


class SlotTimeForm(forms.Form):
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择日期", "invalid": "日期格式不正确"},
    )
    start = forms.TimeField(
        label=_("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
        error_messages={"required": "请填写开始时间", "invalid": "时间格式不正确"},
    )
    end = forms.TimeField(
        label=_("结束时间"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
        error_messages={"required": "请填写结束时间", "invalid": "时间格式不正确"},
    )
    mode = forms.ChoiceField(
        label=_("方式"), choices=SlotMode.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    place = forms.CharField(
        label=_("地点或联系方式说明"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：村委会调解室 / 微信视频"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "结束时间必须晚于开始时间")
        return data


class PublishSlotForm(SlotTimeForm):
    repeat = forms.IntegerField(
        label=_("连续发布（个工作日）"),
        min_value=1,
        max_value=10,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"min_value": "至少 1 天", "max_value": "最多连续 10 个工作日", "invalid": "请填写数字"},
    )
    for_committee = forms.BooleanField(
        label=_("以调委会名义发布（本会任何案件的当事人都可预约）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, director: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not director:
            del self.fields["for_committee"]


class ProposeForm(SlotTimeForm):
    note = forms.CharField(
        label=_("说明（可选）"), required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class BookForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "请选择一个时段"})
    note = forms.CharField(
        label=_("预约事由（可选）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：想当面补充证据"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "请填写原因"}),
    )
