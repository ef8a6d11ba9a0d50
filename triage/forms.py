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

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "triage")
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select form-select-sm"

    def choice(self, name: str) -> str:
        """The confirmed value ("" = as suggested), never an error: an unknown value counts as blank."""
        value = self.data.get(self.add_prefix(name), "") if self.is_bound else ""
        return value if value in dict(self.fields[name].choices) else ""
