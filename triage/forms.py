"""The person's confirmation of the suggested risk level and route, beside the type the door's own form asks for.
Blank means "as suggested" (the suggestion is recomputed from the text as submitted and stored with the decision)."""

from django import forms

from screening.enums import RiskLevel
from triage.enums import Route


class TriageDecisionForm(forms.Form):
    level = forms.ChoiceField(
        label="风险等级（确认）", choices=[("", "按系统建议"), *RiskLevel.choices], required=False
    )
    route = forms.ChoiceField(label="去向（确认）", choices=[("", "按系统建议"), *Route.choices], required=False)
    opt_out = forms.BooleanField(
        label="当事人要求不以自动化方式处理（不保存系统建议，由工作人员自行判断）",
        required=False,
        help_text="《个人信息保护法》第二十四条：当事人有权拒绝仅通过自动化决策的方式作出决定",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "triage")
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-check-input" if name == "opt_out" else "form-select form-select-sm"

    def opted_out(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("opt_out")) in ("on", "true", "1", "True")

    def choice(self, name: str) -> str:
        """The confirmed value ("" = as suggested), never an error: an unknown value counts as blank."""
        value = self.data.get(self.add_prefix(name), "") if self.is_bound else ""
        return value if value in dict(self.fields[name].choices) else ""
