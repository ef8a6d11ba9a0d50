"""The screening report form's life: draft, submit (frozen), correct (new version). Owner: h-form."""

from datetime import date, datetime

from accounts.models import User
from registry.models import Division
from screening.models import ScreeningForm


def do_create_form(
    actor: User,
    division: Division,
    *,
    period_kind: str,
    period_start: date,
    reporting_unit: str,
    signer: str = "",
    preparer: str = "",
    at: datetime | None = None,
) -> ScreeningForm:
    """A DRAFT form of `division` for the period of `period_kind` that begins on `period_start` (a month, quarter,
    half-year or year start); its figures are computed live (screening.form.compute) until submitted."""
    raise NotImplementedError


def do_submit_form(
    actor: User, form: ScreeningForm, *, signer: str, preparer: str, at: datetime | None = None
) -> ScreeningForm:
    """已编制 → 已上报: freeze the figures into `data` with the 签发人 and 制表人 (both required); supersede the
    version it corrects."""
    raise NotImplementedError


def do_correct_form(actor: User, form: ScreeningForm, *, reason: str, at: datetime | None = None) -> ScreeningForm:
    """A new DRAFT version of a submitted form, with the reason."""
    raise NotImplementedError
