"""Forms of the legacy import: the upload, and the column mapping chosen on the preview screen."""

from django import forms
from django.core.exceptions import ValidationError

from cases.filechecks import Refused
from cases.uploads import check_upload
from imports.bounds import check_workbook
from imports.mapping import FIELDS, mapping_names

NOT_MAPPED = ""


class UploadForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")
    mapping_name = forms.ChoiceField(label="台账格式", choices=(), initial="default", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping_name"].choices = mapping_names()
        self.fields["file"].widget.attrs.update(
            {
                "class": "visually-hidden tj-file-input",
                "accept": ".xlsx",
                "onchange": "this.parentNode.querySelector('[data-files-chosen]').textContent="
                "(this.files[0] && this.files[0].name) || '未选择文件'",
            }
        )
        self.fields["mapping_name"].widget.attrs["class"] = "form-select"
        self.checked = None

    def clean_mapping_name(self) -> str:
        return self.cleaned_data.get("mapping_name") or "default"

    def clean_file(self):
        """The file's kind and ZIP sizes (cases.uploads), then its rows, columns and cells (imports.bounds): a
        refused workbook is answered here, before openpyxl reads any of it."""
        f = self.cleaned_data["file"]
        checked = check_upload(f, allowed=("xlsx",))
        try:
            check_workbook(f)
        except Refused as refusal:
            raise ValidationError(f"文件“{f.name}”未导入：{refusal.message}。") from refusal
        except Exception as exc:  # not a workbook openpyxl could read either (zip, XML or structure errors)
            raise ValidationError(f"文件“{f.name}”已损坏或不是用Excel或WPS保存的.xlsx台账，未上传。") from exc
        self.checked = checked
        return f


class MappingForm(forms.Form):
    """One select per target field, listing the spreadsheet's columns."""

    def __init__(self, *args, headers: list[str], initial_map: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_MAPPED, "（不导入）"), *[(str(i), f"{h}（第{i + 1}列）") for i, h in enumerate(headers)]]
        for name, label, required in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=f"{label}{' *' if required else ''}", choices=choices, required=False
            )
            self.fields[name].widget.attrs["class"] = "form-select"
            if name in initial_map:
                self.initial[name] = str(initial_map[name])

    def clean(self):
        data = super().clean()
        used: dict[str, str] = {}
        for name, value in list(data.items()):
            if value == NOT_MAPPED:
                continue
            if value in used:
                self.add_error(name, f"这一列已对应到“{self.fields[used[value]].label}”")
            used[value] = name
        if not (data.get("accepted_on") or data.get("registered_on")):
            self.add_error("accepted_on", "请选择受理日期（或登记日期）所在的列")
        for name in ("dispute_type", "facts"):
            if not data.get(name):
                self.add_error(name, "请选择这一项所在的列")
        if not (data.get("applicant_name") or data.get("parties")):
            self.add_error("applicant_name", "请选择申请人（或当事人）所在的列")
        if self.errors:
            raise ValidationError("列对应有误，请按提示修改")
        return data

    def column_map(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.cleaned_data.items() if v != NOT_MAPPED}
