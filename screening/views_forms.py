"""Pages of the screening report form (矛盾纠纷排查情况表): the list per area and period, a new draft, the form on
screen (live figures while 已编制, frozen once 已上报), submit (签发人, 制表人), correct (a new version with the
reason), and the .xlsx and PDF of the same figures. Supervisors only (screening.permissions.can_make_form), each
within their own jurisdiction: anyone else, and any area or form outside it, is a 404. Owner: h-form."""

from datetime import date
from urllib.parse import quote

from django import forms as djforms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.pdf import pdf_response, render_pdf
from registry.models import Division
from screening import form as sform
from screening.actions import do_correct_form, do_create_form, do_submit_form
from screening.actions.base import ActionRefused
from screening.enums import FormPeriod, FormStatus
from screening.form_xlsx import form_workbook
from screening.models import ScreeningForm
from screening.permissions import SUPERVISORS, can_make_form
from screening.scoping import access_form_by_id, forms_visible_to
from supervision.access import area_for, require_role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reporting_unit_for(division: Division) -> str:
    """The bureau that reports for an area: a township's 司法所, a county's or city's 司法局, a province's 司法厅."""
    if division.level >= 4:
        return f"{division.name}司法所"
    if division.level == 1:
        return f"{division.name}司法厅"
    return f"{division.name}司法局"


def default_start(kind: str, today: date) -> date:
    """The start of the last period of `kind` that is over (the form is reported after the period)."""
    months = {FormPeriod.MONTH: 1, FormPeriod.QUARTER: 3, FormPeriod.HALF_YEAR: 6, FormPeriod.YEAR: 12}[kind]
    index = (today.year * 12 + today.month - 1) // months * months - months
    return date(index // 12, index % 12 + 1, 1)


class NewForm(djforms.Form):
    period_kind = djforms.ChoiceField(label="报表类型", choices=FormPeriod.choices)
    period_year = djforms.TypedChoiceField(label="年度", coerce=int)
    period_month = djforms.TypedChoiceField(
        label="起始月份",
        coerce=int,
        choices=[(m, f"{m}月") for m in range(1, 13)],
        help_text="月报选该月；季报选季度首月（1、4、7、10月）；半年报选1月或7月；年报选1月",
    )
    reporting_unit = djforms.CharField(label="填报单位", max_length=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["period_year"].choices = [(y, f"{y}年") for y in range(this_year, this_year - 6, -1)]
        for name in ("period_kind", "period_year", "period_month"):
            self.fields[name].widget.attrs["class"] = "form-select"
            self.fields[name].error_messages["invalid_choice"] = "请从列表中选择"
            self.fields[name].error_messages["required"] = "请选择" + str(self.fields[name].label)
        self.fields["reporting_unit"].widget.attrs["class"] = "form-control"
        self.fields["reporting_unit"].error_messages["required"] = "请填写填报单位"

    @property
    def period_start(self) -> date:
        return date(self.cleaned_data["period_year"], self.cleaned_data["period_month"], 1)


class SubmitForm(djforms.Form):
    signer = djforms.CharField(label="签发人", max_length=50)
    preparer = djforms.CharField(label="制表人", max_length=50)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].error_messages["required"] = "请填写签发人"
        self.fields["preparer"].error_messages["required"] = "请填写制表人"
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class CorrectForm(djforms.Form):
    reason = djforms.CharField(label="更正原因", max_length=200, min_length=4)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields["reason"]
        f.error_messages["required"] = "请填写更正原因"
        f.error_messages["min_length"] = "请填写更正原因（至少4个字）"
        f.widget.attrs["class"] = "form-control"


def _attach(form: djforms.Form, exc: ActionRefused) -> None:
    field = "period_month" if exc.field == "period_start" else exc.field
    form.add_error(field if field in form.fields else None, exc.message)


def _supervisor(request: HttpRequest):
    return require_role(request, set(SUPERVISORS))


def _area(request: HttpRequest, raw: str | None) -> Division:
    area = area_for(request.user, raw)
    if not can_make_form(request.user, area.code):
        raise Http404("地区不存在")
    return area


def figures(f: ScreeningForm) -> dict:
    """The frozen figures of a submitted form, the live ones of a draft."""
    if f.data and f.status != FormStatus.DRAFT:
        return f.data
    return sform.compute(f.division_id, f.period_start, f.period_end)


def _context(f: ScreeningForm, data: dict) -> dict:
    keys = [c["key"] for c in data["columns"]]
    rows = sform.grouped_rows(data)
    for row in rows:
        row["cells"] = [(k, row["values"][k]) for k in keys]
    return {
        "f": f,
        "data": data,
        "rows": rows,
        "columns": data["columns"],
        "col_keys": [c["key"] for c in data["columns"]],
        "period_label": sform.period_label(f.period_kind, f.period_start),
        "is_draft": f.status == FormStatus.DRAFT,
        "bounds": data.get("headcount_bounds"),
    }


@login_required
def forms(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    area = _area(request, request.GET.get("area"))
    qs = forms_visible_to(request.user).filter(division__code__startswith=area.code).select_related("division")
    kind = request.GET.get("kind") or ""
    if kind in FormPeriod.values:
        qs = qs.filter(period_kind=kind)
    else:
        kind = ""
    year_raw = (request.GET.get("year") or "").strip()
    year = int(year_raw) if year_raw.isascii() and year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else None
    if year:
        qs = qs.filter(period_start__year=year)
    rows = [
        {"f": f, "label": sform.period_label(f.period_kind, f.period_start)}
        for f in qs.order_by("-period_start", "division_id", "period_kind", "-version")[:200]
    ]
    today = timezone.localdate()
    return render(
        request,
        "screening/form_list.html",
        {
            "area": area,
            "rows": rows,
            "kind": kind,
            "year": year or "",
            "kinds": FormPeriod.choices,
            "years": list(range(today.year, today.year - 5, -1)),
        },
    )


@login_required
def form_new(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    area = _area(request, request.POST.get("area") or request.GET.get("area"))
    if request.method == "POST":
        bound = NewForm(request.POST)
        if bound.is_valid():
            try:
                f = do_create_form(
                    request.user,
                    area,
                    period_kind=bound.cleaned_data["period_kind"],
                    period_start=bound.period_start,
                    reporting_unit=bound.cleaned_data["reporting_unit"],
                )
            except ActionRefused as exc:
                _attach(bound, exc)
            else:
                return redirect("screening:form", pk=f.pk)
        return render(request, "screening/form_new.html", {"form": bound, "area": area}, status=400)
    start = default_start(FormPeriod.QUARTER, timezone.localdate())
    initial = {
        "period_kind": FormPeriod.QUARTER,
        "period_year": start.year,
        "period_month": start.month,
        "reporting_unit": reporting_unit_for(area),
    }
    return render(request, "screening/form_new.html", {"form": NewForm(initial=initial), "area": area})


def _form_page(request: HttpRequest, f: ScreeningForm, *, submit=None, correct=None, status: int = 200):
    ctx = _context(f, figures(f))
    may = can_make_form(request.user, f.division_id)
    correction = ScreeningForm.objects.filter(supersedes=f).first()
    ctx.update(
        submit_form=submit or SubmitForm(initial={"signer": f.signer, "preparer": f.preparer}),
        correct_form=correct or CorrectForm(),
        may_submit=may and f.status == FormStatus.DRAFT,
        may_correct=may and f.status == FormStatus.SUBMITTED and correction is None,
        correction=correction,
        versions=forms_visible_to(request.user)
        .filter(division_id=f.division_id, period_kind=f.period_kind, period_start=f.period_start)
        .order_by("-version"),
    )
    return render(request, "screening/form_detail.html", ctx, status=status)


@login_required
def form(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    return _form_page(request, access_form_by_id(request.user, pk))


@login_required
@require_POST
def form_submit(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    f = access_form_by_id(request.user, pk)
    bound = SubmitForm(request.POST)
    if bound.is_valid():
        try:
            do_submit_form(
                request.user, f, signer=bound.cleaned_data["signer"], preparer=bound.cleaned_data["preparer"]
            )
        except ActionRefused as exc:
            _attach(bound, exc)
        else:
            return redirect("screening:form", pk=f.pk)
    f.refresh_from_db()
    return _form_page(request, f, submit=bound, status=400)


@login_required
@require_POST
def form_correct(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    f = access_form_by_id(request.user, pk)
    bound = CorrectForm(request.POST)
    if bound.is_valid():
        try:
            new = do_correct_form(request.user, f, reason=bound.cleaned_data["reason"])
        except ActionRefused as exc:
            _attach(bound, exc)
        else:
            return redirect("screening:form", pk=new.pk)
    f.refresh_from_db()
    return _form_page(request, f, correct=bound, status=400)


def _filename(f: ScreeningForm, ext: str) -> str:
    draft = "（草稿）" if f.status == FormStatus.DRAFT else ""
    kind = f.get_period_kind_display()
    return f"矛盾纠纷排查情况表_{f.division_id}_{f.period_start:%Y%m}_{kind}_v{f.version}{draft}.{ext}"


@login_required
def form_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    f = access_form_by_id(request.user, pk)
    ctx = _context(f, figures(f))
    response = HttpResponse(form_workbook(f, ctx), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(_filename(f, 'xlsx'))}"
    return response


@login_required
def form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _supervisor(request)
    f = access_form_by_id(request.user, pk)
    ctx = _context(f, figures(f))
    ctx["printed_at"] = timezone.localtime()
    data = render_pdf("screening/form_pdf.html", ctx, request=request)
    return pdf_response(data, _filename(f, "pdf"))
