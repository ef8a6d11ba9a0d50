"""The rectification ledger's forms. Choices are limited to the bureau's own departments, leaders and reviewers;
uploads are checked by content and size (cases.uploads.check_upload) before anything is stored."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from cases.filechecks import Refused
from cases.uploads import EVIDENCE_KINDS, check_upload, max_bytes
from imports.bounds import check_workbook
from ledgers.models import LedgerRoleKind
from ledgers.rectification.config import rules
from ledgers.rectification.models import InspectionKind, Milestone
from ledgers.scoping import departments_of, role_users

FILE_ATTRS = {
    "class": "visually-hidden tj-file-input",
    "onchange": "this.parentNode.querySelector('[data-files-chosen]').textContent="
    "Array.from(this.files).map(function (f) { return f.name; }).join('、') || '未选择文件'",
}


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        elif not isinstance(w, forms.FileInput):
            w.attrs.setdefault("class", "form-control")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw) -> None:
        super().__init__(format="%Y-%m-%d", **kw)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.username


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=InspectionKind.choices)
    name = forms.CharField(label="名称", max_length=120, help_text="如：市委第六巡察组巩固政法队伍教育整顿成果专项巡察")
    body = forms.CharField(label="检查机关", max_length=80, help_text="如：市委第六巡察组")
    feedback_on = forms.DateField(label="反馈日期", widget=DateInput())
    issuer = forms.CharField(label="通报署名", max_length=60, required=False, help_text="如：中共××市司法局党委")

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        _style(self)


class ItemForm(forms.Form):
    number = forms.IntegerField(label="序号", min_value=1, max_value=9999, required=False, help_text="不填则顺延编号")
    problem = forms.CharField(label="问题", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    leader = PersonChoice(label="责任领导", queryset=User.objects.none())
    department = forms.ModelChoiceField(label="责任部门", queryset=None)
    reviewer = PersonChoice(label="验收人", queryset=User.objects.none())
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    deadline = forms.DateField(label="整改时限", widget=DateInput())
    long_term = forms.BooleanField(label="长期整改任务", required=False)
    milestones = forms.CharField(
        label="阶段目标",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个：日期 内容，如“2024-03-31 完成制度修订”",
    )

    def __init__(self, *a, bureau_id: str, **kw) -> None:
        super().__init__(*a, **kw)
        self.fields["department"].queryset = departments_of(bureau_id)
        leaders = [u.pk for u in role_users(bureau_id, LedgerRoleKind.LEADER)]
        reviewers = [u.pk for u in role_users(bureau_id, LedgerRoleKind.REVIEWER)]
        self.fields["leader"].queryset = User.objects.filter(pk__in=leaders).order_by("full_name")
        self.fields["reviewer"].queryset = User.objects.filter(pk__in=reviewers).order_by("full_name")
        _style(self)

    def clean_milestones(self) -> list:
        from ledgers.rectification.importing import _milestones

        errors: list[str] = []
        out = _milestones(self.cleaned_data.get("milestones", ""), errors)
        if errors:
            raise ValidationError(errors)
        return out


class ImportForm(forms.Form):
    file = forms.FileField(label="整改问题清单（.xlsx）")

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.fields["file"].widget.attrs.update({**FILE_ATTRS, "accept": ".xlsx"})

    def clean_file(self):
        """The project's upload checks (kind and ZIP sizes, then rows, columns and cells) before openpyxl reads it."""
        f = self.cleaned_data["file"]
        check_upload(f, allowed=("xlsx",))
        try:
            check_workbook(f)
        except Refused as refusal:
            raise ValidationError(f"文件“{f.name}”未导入：{refusal.message}。") from refusal
        except Exception as exc:  # not a workbook openpyxl could read either
            raise ValidationError(f"文件“{f.name}”已损坏或不是用Excel或WPS保存的.xlsx文件，未导入。") from exc
        f.seek(0)
        return f


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several documents or photos in one input, each checked (kind sniffed from the content, size)."""

    def __init__(self, *a, **kw) -> None:
        kw.setdefault("widget", MultipleFileInput())
        super().__init__(*a, **kw)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError("请上传佐证材料")
            return []
        cap = rules().evidence_max_files
        if len(files) > cap:
            raise ValidationError(f"每次最多上传{cap}个文件")
        checked, errors = [], []
        for f in files:
            f = super().clean(f, initial)
            try:
                checked.append((f, check_upload(f, EVIDENCE_KINDS)))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class ProgressForm(forms.Form):
    text = forms.CharField(label="整改进展", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    milestone = forms.ModelChoiceField(label="本次完成的阶段目标", queryset=Milestone.objects.none(), required=False)
    files = EvidenceField(label="佐证材料（文件、照片）", required=False)

    def __init__(self, *a, item, **kw) -> None:
        super().__init__(*a, **kw)
        self.fields["milestone"].queryset = item.milestones.filter(done_on__isnull=True)
        self.fields["milestone"].empty_label = "（无）"
        _style(self)
        self.fields["files"].widget.attrs.update({**FILE_ATTRS, "accept": "image/*,.pdf"})
        mb, cap = max_bytes() // (1024 * 1024), rules().evidence_max_files
        self.fields["files"].help_text = f"JPEG、PNG、WebP 图片或 PDF，每个不超过 {mb} MB，最多{cap}个"


class ClosureForm(forms.Form):
    summary = forms.CharField(label="整改完成情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        _style(self)


class AcceptForm(forms.Form):
    opinion = forms.CharField(
        label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        _style(self)


class ReturnForm(forms.Form):
    reasons = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        _style(self)


class ReviseForm(forms.Form):
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    deadline = forms.DateField(label="整改时限", widget=DateInput())
    reason = forms.CharField(label="调整理由", max_length=300)

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        _style(self)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label="会议日期", widget=DateInput())
    title = forms.CharField(label="会议名称", max_length=120)
    chair = forms.CharField(label="主持人", max_length=50)
    attendees = forms.CharField(label="参会人员", max_length=300)
    decisions = forms.CharField(label="会议决定", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)

    def __init__(self, *a, items=(), **kw) -> None:
        super().__init__(*a, **kw)
        for line in items:  # meetings.agenda lines
            label = f"第{line['number']}项研究意见"
            field = forms.CharField(label=label, required=False, max_length=500)
            field.widget.attrs.update({"placeholder": "本项研究意见（可不填）", "aria-label": label})
            self.fields[f"item_{line['pk']}"] = field
        _style(self)

    def item_decisions(self) -> dict[int, str]:
        return {
            int(name.removeprefix("item_")): v
            for name, v in self.cleaned_data.items()
            if name.startswith("item_") and v
        }


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=150)
    issuer = forms.CharField(label="署名", max_length=60, required=False)
    intro = forms.CharField(label="导语", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    published = forms.BooleanField(label="在门户网站向社会公布", required=False, initial=True)

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        _style(self)
