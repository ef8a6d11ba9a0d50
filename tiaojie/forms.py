"""Form helpers shared by every app's views."""

from typing import TYPE_CHECKING

from django import forms

if TYPE_CHECKING:
    from cases.actions.base import ActionRefused


def add_refusal(form: forms.BaseForm, refusal: "ActionRefused", *, prefix: str = "") -> None:
    """Put an action's refusal on the form: on the field it names when the form has that field (`prefix` + field,
    for forms whose field names carry a prefix, such as a scoring form's `note_<item>`), otherwise as a
    form-wide error shown above the fields. The message is the action's own (Chinese)."""
    name = f"{prefix}{refusal.field}" if refusal.field else None
    form.add_error(name if name in form.fields else None, refusal.message)


__all__ = ["add_refusal"]
