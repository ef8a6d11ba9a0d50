"""The screening report form's life: draft, submit (frozen), correct (new version). Owner: h-form."""

from datetime import date, datetime

from django.db import IntegrityError, transaction

from accounts.models import User
from registry.models import Division
from screening import form as sform
from screening.actions.base import ActionRefused, now_or, require
from screening.enums import FormPeriod, FormStatus
from screening.models import ScreeningForm
from screening.permissions import can_make_form

NOT_ALLOWED = "您无权编制该地区的矛盾纠纷排查情况表"


def _clean(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


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
    at = now_or(at)
    require(can_make_form(actor, division.code), NOT_ALLOWED)
    require(period_kind in FormPeriod.values, "请选择报表类型", "period_kind")
    try:
        start, end = sform.period_bounds(period_kind, period_start)
    except ValueError as exc:
        require(False, str(exc), "period_start")
    unit = _clean(reporting_unit, 100)
    require(bool(unit), "请填写填报单位", "reporting_unit")
    with transaction.atomic():
        existing = (
            ScreeningForm.objects.select_for_update()
            .filter(division=division, period_kind=period_kind, period_start=start)
            .exclude(status=FormStatus.SUPERSEDED)
            .first()
        )
        require(existing is None, "该地区该期间的排查情况表已经编制，请在列表中打开它", "period_start")
        try:
            with transaction.atomic():  # a concurrent create of the same period: the constraint decides
                return _create_draft(division, period_kind, start, end, unit, signer, preparer, actor, at)
        except IntegrityError:
            raise ActionRefused("该地区该期间的排查情况表已经编制，请在列表中打开它", "period_start") from None


def _create_draft(division, period_kind, start, end, unit, signer, preparer, actor, at) -> ScreeningForm:
    return ScreeningForm.objects.create(
        division=division,
        period_kind=period_kind,
        period_start=start,
        period_end=end,
        status=FormStatus.DRAFT,
        version=1,
        reporting_unit=unit,
        signer=_clean(signer, 50),
        preparer=_clean(preparer, 50),
        created_by=actor,
        created_at=at,
    )


def do_submit_form(
    actor: User, form: ScreeningForm, *, signer: str, preparer: str, at: datetime | None = None
) -> ScreeningForm:
    """已编制 → 已上报: freeze the figures into `data` with the 签发人 and 制表人 (both required); supersede the
    version it corrects."""
    at = now_or(at)
    require(can_make_form(actor, form.division_id), NOT_ALLOWED)
    signer, preparer = _clean(signer, 50), _clean(preparer, 50)
    require(bool(signer), "请填写签发人", "signer")
    require(bool(preparer), "请填写制表人", "preparer")
    with transaction.atomic():
        form = ScreeningForm.objects.select_for_update().get(pk=form.pk)
        require(form.status == FormStatus.DRAFT, "该表已上报，如需修改请更正（生成新版本）")
        form.data = sform.compute(form.division_id, form.period_start, form.period_end)
        form.data["generated_at"] = at.isoformat()
        form.signer, form.preparer = signer, preparer
        form.status = FormStatus.SUBMITTED
        form.submitted_at, form.submitted_by = at, actor
        form.save(update_fields=["data", "signer", "preparer", "status", "submitted_at", "submitted_by"])
        if form.supersedes_id:
            ScreeningForm.objects.filter(pk=form.supersedes_id).update(status=FormStatus.SUPERSEDED)
        return form


def do_correct_form(actor: User, form: ScreeningForm, *, reason: str, at: datetime | None = None) -> ScreeningForm:
    """A new DRAFT version of a submitted form, with the reason."""
    at = now_or(at)
    require(can_make_form(actor, form.division_id), NOT_ALLOWED)
    reason = _clean(reason, 200)
    require(len(reason) >= 4, "请填写更正原因（至少4个字）", "reason")
    with transaction.atomic():
        form = ScreeningForm.objects.select_for_update().get(pk=form.pk)
        require(form.status == FormStatus.SUBMITTED, "只有已上报的排查情况表才能更正")
        require(not ScreeningForm.objects.filter(supersedes=form).exists(), "该表已有更正版本，请打开更正版本继续编制")
        latest = (
            ScreeningForm.objects.filter(
                division_id=form.division_id, period_kind=form.period_kind, period_start=form.period_start
            )
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        return ScreeningForm.objects.create(
            division_id=form.division_id,
            period_kind=form.period_kind,
            period_start=form.period_start,
            period_end=form.period_end,
            status=FormStatus.DRAFT,
            version=(latest or form.version) + 1,
            supersedes=form,
            reporting_unit=form.reporting_unit,
            signer=form.signer,
            preparer=form.preparer,
            correction_reason=reason,
            created_by=actor,
            created_at=at,
        )
