"""The court liaison's queue (issue 9 §6): the judicial-confirmation requests filed with the liaison's court that
wait for the court — to be accepted (or not) within 3 days of the application, to be ruled on within 15 days of
acceptance (+10 with the president's approval) — with those limits, the court's case numbers, whether the court had
itself referred the case (委派/委托) and the confirmation status; filtered, sorted and paginated.

Reads only through cases.scoping.cases_visible_to (a request to another court does not exist for the liaison), and
only the confirmations of each case's current agreement (the one the court records acceptance and rulings on, see
cases.permissions.current_jc). Time limits are configuration: data/judicial_confirmation.json."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case as SqlCase
from django.db.models import DateField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import log_access
from accounts.models import AccessKind, Role, User
from cases.enums import AgreementStatus, CourtReferralType, JCStatus
from cases.listing import page_number
from cases.models import JudicialConfirmation
from cases.next_step import CourtDeadline, court_deadline, jc_limits
from cases.scoping import cases_visible_to

WAITING = (JCStatus.APPLIED, JCStatus.ACCEPTED)
PER_PAGE = 20
limits = jc_limits


STATUS_CHOICES = [
    ("waiting", "待法院处理（待受理、待裁定）"),
    (JCStatus.APPLIED.value, "待受理"),
    (JCStatus.ACCEPTED.value, "已受理，待裁定"),
    (JCStatus.CONFIRMED_VALID.value, JCStatus.CONFIRMED_VALID.label),
    (JCStatus.REJECTED.value, JCStatus.REJECTED.label),
    (JCStatus.NOT_ACCEPTED.value, JCStatus.NOT_ACCEPTED.label),
    (JCStatus.WITHDRAWN.value, JCStatus.WITHDRAWN.label),
    ("all", "全部"),
]
REFERRAL_CHOICES = [
    ("", "全部来源"),
    *[(v, f"本院{label}") for v, label in CourtReferralType.choices if v],
    ("none", "非本院委派委托"),
]
SORTS = {
    "deadline": ("limit_date", "applied_on", "id"),
    "-deadline": ("-limit_date", "-applied_on", "-id"),
    "applied": ("applied_on", "id"),
    "-applied": ("-applied_on", "-id"),
    # Requests without a court case number yet (not accepted) come after the numbered ones, either way.
    "court_no": ("no_court_no", "court_case_no", "applied_on", "id"),
    "-court_no": ("no_court_no", "-court_case_no", "-applied_on", "-id"),
    "status": ("status", "applied_on", "id"),
    "-status": ("-status", "-applied_on", "-id"),
}
SORT_LABELS = {"deadline": "期限", "applied": "申请日期", "court_no": "法院案号", "status": "确认状态"}


class CourtQueueFilter(forms.Form):
    q = forms.CharField(label="法院案号/调解案号", required=False, max_length=60)
    referral = forms.ChoiceField(label="委派/委托", required=False, choices=REFERRAL_CHOICES)
    status = forms.ChoiceField(label="确认状态", required=False, choices=STATUS_CHOICES)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "sort":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def value(self, name: str, default: str = "") -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name) or default
        return default


def queue_for(user: User) -> QuerySet[JudicialConfirmation]:
    """Every confirmation filed with the liaison's court on a case the liaison may see (current agreements only)."""
    if user.role != Role.COURT_LIAISON or not user.court_id:
        return JudicialConfirmation.objects.none()
    cfg = limits()
    limit = SqlCase(
        When(status=JCStatus.APPLIED, then=F("applied_on") + Value(timedelta(days=cfg["accept_days"]))),
        When(status=JCStatus.ACCEPTED, then=F("accepted_on") + Value(timedelta(days=cfg["decide_days"]))),
        default=Value(None),
        output_field=DateField(),
    )
    return (
        JudicialConfirmation.objects.filter(court_id=user.court_id, case__in=cases_visible_to(user).values("pk"))
        .exclude(agreement__status__in=[AgreementStatus.CHANGED, AgreementStatus.REVOKED])
        .annotate(
            limit_date=ExpressionWrapper(limit, output_field=DateField()),
            no_court_no=SqlCase(When(court_case_no="", then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .select_related("case", "case__committee", "applicant", "consenting")
    )


def filter_queue(qs: QuerySet[JudicialConfirmation], form: CourtQueueFilter, user: User) -> QuerySet:
    status = form.value("status", "waiting")
    if status == "waiting":
        qs = qs.filter(status__in=WAITING)
    elif status != "all":
        qs = qs.filter(status=status)
    referral = form.value("referral")
    own_referral = Q(case__court_id=user.court_id)
    if referral == "none":
        qs = qs.exclude(own_referral & ~Q(case__court_mode=""))
    elif referral:
        qs = qs.filter(own_referral, case__court_mode=referral)
    q = form.value("q").strip()
    if q:
        qs = qs.filter(
            Q(court_case_no__icontains=q) | Q(case__court_case_no__icontains=q) | Q(case__case_no__icontains=q)
        )
    sort = form.value("sort", "deadline")
    order = SORTS.get(sort, SORTS["deadline"])
    nulls_last = [F(o[1:]).desc(nulls_last=True) if o.startswith("-") else F(o).asc(nulls_last=True) for o in order]
    return qs.order_by(*nulls_last)


@dataclass
class QueueRow:
    jc: JudicialConfirmation
    deadline: CourtDeadline | None
    referral: str  # 委派（诉前）/ 委托（诉中）/ … of this court, or ""


def rows(page: Page, user: User, today: date) -> list[QueueRow]:
    out = []
    for jc in page.object_list:
        case = jc.case
        referral = case.get_court_mode_display() if case.court_id == user.court_id and case.court_mode else ""
        out.append(QueueRow(jc, court_deadline(jc, today), referral))
    return out


def sort_links(form: CourtQueueFilter, query: dict) -> dict[str, dict]:
    """Per sortable column: the query string that sorts by it (toggling direction) and the current direction."""
    current = form.value("sort", "deadline")
    links = {}
    for key, label in SORT_LABELS.items():
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        target = f"-{key}" if current == key else key
        params = {k: v for k, v in query.items() if k not in ("sort", "page") and v}
        params["sort"] = target
        links[key] = {"label": label, "query": urlencode(params), "dir": direction}
    return links


@login_required
def court_queue(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.COURT_LIAISON or not request.user.court_id:
        raise PermissionDenied
    form = CourtQueueFilter(request.GET or None)
    today = timezone.localdate()
    all_rows = queue_for(request.user)
    qs = filter_queue(all_rows, form, request.user)
    paginator = Paginator(qs, PER_PAGE)
    page = paginator.get_page(page_number(request.GET.get("page"), PER_PAGE))
    query = request.GET.copy()
    query.pop("page", None)
    waiting = all_rows.filter(status__in=WAITING)
    detail = f"司法确认申请队列第{page.number}页，显示{len(page.object_list)}件"
    log_access(request, AccessKind.VIEW_CASE_LIST, detail=detail)
    context = {
        "court": request.user.court,
        "form": form,
        "page": page,
        "rows": rows(page, request.user, today),
        "query": query.urlencode(),
        "sorts": sort_links(form, {k: query.get(k, "") for k in query}),
        "counts": {
            "to_accept": waiting.filter(status=JCStatus.APPLIED).count(),
            "to_decide": waiting.filter(status=JCStatus.ACCEPTED).count(),
        },
        "limits": limits(),
        "today": today,
    }
    return render(request, "console/court_queue.html", context)
