"""Pages of a unit's screening reports and findings (phone first). Owner: h-reports.

Committee members (MEDIATOR, DIRECTOR) of the reporting unit file its reports; the supervisors of the area (and the
综治中心) read them through screening.scoping; anybody else gets a 404. Changes are POST-only and go through
screening.actions; a refusal is shown next to its field and the form keeps what was typed."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import COMMITTEE_ROLES, Role, User
from cases.enums import DisputeType
from cases.scoping import cases_visible_to
from screening import permissions, scoping
from screening.actions import (
    do_add_finding,
    do_correct_report,
    do_open_case_from_finding,
    do_resolve_finding,
    do_submit_report,
    do_submit_zero_report,
)
from screening.actions.base import ActionRefused
from screening.enums import LEVEL_WORD, FindingStatus, ReportStatus, RiskStatus
from screening.forms_reports import (
    CorrectReportForm,
    FindingCaseForm,
    FindingForm,
    ResolveFindingForm,
    SubmitReportForm,
    ZeroReportForm,
)
from screening.models import Finding, ScreeningReport
from tiaojie.forms import add_refusal
from triage.doors import register_panel, register_triage, registration_suggestion
from triage.enums import Subject
from triage.forms import TriageDecisionForm
from workbench.forms import PARTY_INITIAL, PartyFormSet

SUPERVISOR_ROLES = {Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN}
WEEKDAYS = "一二三四五六日"
# Ways of screening offered as suggestions (a datalist; anything may be typed).
METHODS = ["入户走访", "网格巡查", "座谈会", "电话回访", "集中排查", "信息员报告"]


def _cn_day(d, today=None) -> str:
    today = today or timezone.localdate()
    return f"{d.month}月{d.day}日" if d.year == today.year else f"{d.year}年{d.month}月{d.day}日"


def _cn_when(at: datetime, today=None) -> str:
    local = timezone.localtime(at)
    return f"{_cn_day(local.date(), today)}（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def _span(minutes: int) -> str:
    if minutes >= 24 * 60:
        return f"{minutes // (24 * 60)}天"
    if minutes >= 60:
        return f"{minutes // 60}小时"
    return f"{max(minutes, 1)}分钟"


def period_label(report: ScreeningReport, today=None) -> str:
    today = today or timezone.localdate()
    start, end = report.period_start, report.period_end
    if start == end:
        span = _cn_day(start, today)
    elif start.year == end.year:
        span = f"{_cn_day(start, today)}—{end.month}月{end.day}日"
    else:
        span = f"{start.year}年{start.month}月{start.day}日—{end.year}年{end.month}月{end.day}日"
    return f"{span}（{report.get_cadence_display()}）"


@dataclass
class ReportRow:
    """A report as the pages show it: its period, its due time in words and how far off it is."""

    report: ScreeningReport
    period: str
    due: str
    overdue: bool
    left: str  # 还剩 5小时 / 已逾期 2天 / ""
    findings: int

    @classmethod
    def of(cls, report: ScreeningReport, now: datetime, findings: int | None = None) -> "ReportRow":
        today = timezone.localdate(now)
        # A correction keeps the original's due time but is never overdue itself (its late-ness is the original's).
        overdue = report.supersedes_id is None and (
            report.status == ReportStatus.OVERDUE or (report.status == ReportStatus.PENDING and now > report.due_at)
        )
        if report.is_open and report.supersedes_id is None:
            minutes = int(abs((report.due_at - now).total_seconds()) // 60)
            left = f"已逾期{_span(minutes)}" if overdue else f"还剩{_span(minutes)}"
        else:
            left = ""
        count = findings if findings is not None else getattr(report, "n_findings", None)
        if count is None:
            count = report.findings.count()
        return cls(report, period_label(report, today), _cn_when(report.due_at, today), overdue, left, count)


def _member(user: User) -> bool:
    return user.role in COMMITTEE_ROLES and bool(user.committee_id)


def _report_for_member(request: HttpRequest, pk: int) -> ScreeningReport:
    """The report, when the user may file it (a member of its unit); 404 otherwise (outside, or a reader)."""
    report = scoping.access_report_by_id(request.user, pk)
    if not permissions.can_submit_report(request.user, report):
        raise Http404("页面不存在")
    return report


def _finding_for_member(request: HttpRequest, pk: int) -> Finding:
    finding = scoping.access_finding_by_id(request.user, pk)
    if not permissions.can_handle_finding(request.user, finding):
        raise Http404("页面不存在")
    return finding


def _label(choices, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _iso_day(value: object) -> str:
    try:
        return _cn_day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def _level_badge(level: str) -> str:
    return {"RED": "text-bg-danger", "ORANGE": "badge-orange", "YELLOW": "text-bg-warning"}.get(
        level, "text-bg-secondary"
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A unit's screening start page: open reports (overdue first) each with the one-tap zero report, recent
    submissions, watched findings and open risks. Supervisors go to the compliance page; others 404."""
    user = request.user
    if user.role in SUPERVISOR_ROLES:
        return redirect("screening:compliance")
    if not _member(user):
        raise Http404("页面不存在")
    now = timezone.now()
    reports = scoping.reports_visible_to(user).select_related("committee", "campaign", "special_period")
    open_qs = (
        reports.filter(status__in=[ReportStatus.PENDING, ReportStatus.OVERDUE])
        .annotate(
            n_findings=Count("findings"),
            late_first=DbCase(
                When(Q(status=ReportStatus.OVERDUE) | Q(due_at__lt=now, supersedes__isnull=True), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("late_first", "due_at", "period_start", "id")
    )
    open_rows = [ReportRow.of(r, now) for r in open_qs[:50]]
    recent = [
        ReportRow.of(r, now)
        for r in reports.filter(status=ReportStatus.SUBMITTED)
        .annotate(n_findings=Count("findings"))
        .order_by("-submitted_at", "-id")[:8]
    ]
    watched = (
        scoping.findings_visible_to(user)
        .filter(status=FindingStatus.WATCHING)
        .select_related("report")
        .order_by("-found_on", "-id")[:30]
    )
    risks = (
        scoping.risks_visible_to(user)
        .filter(status=RiskStatus.OPEN, committee_id=user.committee_id)
        .order_by("-created_at")
    )
    risk_rows = sorted(risks[:30], key=lambda r: ({"RED": 0, "ORANGE": 1}.get(r.level, 2), -r.created_at.timestamp()))
    return render(
        request,
        "screening/home.html",
        {
            "committee": user.committee,
            "open_rows": open_rows,
            "overdue_count": sum(1 for r in open_rows if r.overdue),
            "recent": recent,
            "watched": watched,
            "risks": [(r, LEVEL_WORD.get(r.level, r.level), _level_badge(r.level)) for r in risk_rows],
            "today": timezone.localdate(now),
        },
    )


def _versions(report: ScreeningReport, user: User) -> list[ScreeningReport]:
    qs = scoping.reports_visible_to(user).filter(
        committee_id=report.committee_id,
        cadence=report.cadence,
        campaign_id=report.campaign_id,
        period_start=report.period_start,
        period_end=report.period_end,
    )
    return list(qs.select_related("submitted_by").order_by("version"))


def _report_page(
    request: HttpRequest,
    report: ScreeningReport,
    *,
    submit_form: SubmitReportForm | None = None,
    zero_form: ZeroReportForm | None = None,
    correct_form: CorrectReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    may_file = permissions.can_submit_report(user, report)
    findings = list(report.findings.select_related("case").order_by("found_on", "id"))
    versions = _versions(report, user)
    newer = next((v for v in versions if v.supersedes_id == report.pk), None)
    frozen = report.status in (ReportStatus.SUBMITTED, ReportStatus.SUPERSEDED)
    shown = None
    if frozen and report.snapshot is not None:
        shown = [
            {
                **row,
                "type_label": _label(DisputeType, row.get("dispute_type")),
                "status_label": _label(FindingStatus, row.get("status")),
                "found_on_label": _iso_day(row.get("found_on")),
            }
            for row in report.snapshot
        ]
    ctx = {
        "report": report,
        "row": ReportRow.of(report, now, findings=len(findings)),
        "findings": findings,
        "snapshot": shown,
        "versions": versions,
        "newer": newer,
        "may_file": may_file,
        "is_supervisor": user.role in SUPERVISOR_ROLES,
        "can_add": permissions.can_add_finding(user, report),
        "may_correct": may_file and report.status == ReportStatus.SUBMITTED and newer is None,
        "methods": METHODS,
    }
    if may_file and report.is_open:
        if findings:
            ctx["submit_form"] = submit_form or SubmitReportForm(
                initial={"participants": report.participants or user.display_name, "method": report.method}
            )
        else:
            ctx["zero_form"] = zero_form or ZeroReportForm(initial={"back": "report"})
        if zero_form is not None:  # a refused zero report: shown with its reason and what was typed
            ctx["zero_form"] = zero_form
    if ctx["may_correct"]:
        ctx["correct_form"] = correct_form or CorrectReportForm()
    return render(request, "screening/report.html", ctx, status=status)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, scoping.access_report_by_id(request.user, pk))


@login_required
@require_POST
def report_zero(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_member(request, pk)
    form = ZeroReportForm(request.POST)
    back_to_report = request.POST.get("back") == "report"
    if form.is_valid():
        d = form.cleaned_data
        try:
            report = do_submit_zero_report(
                request.user, report, participants=d["participants"], method=d["method"], note=d["note"]
            )
        except ActionRefused as refusal:
            if back_to_report:
                add_refusal(form, refusal)
                return _report_page(request, report, zero_form=form)
            messages.error(request, refusal.message)
            return redirect("screening:report", pk=report.pk)
        late = "（逾期报送）" if report.is_late else ""
        messages.success(request, f"已报送零报告：{period_label(report)}{late}")
        return redirect("screening:report", pk=report.pk) if back_to_report else redirect("screening:home")
    return _report_page(request, report, zero_form=form)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_member(request, pk)
    form = SubmitReportForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            report = do_submit_report(
                request.user, report, participants=d["participants"], method=d["method"], note=d["note"]
            )
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            late = "（逾期报送）" if report.is_late else ""
            count = len(report.snapshot or [])
            messages.success(request, f"已报送排查报告：{period_label(report)}，共{count}条发现{late}")
            return redirect("screening:report", pk=report.pk)
    return _report_page(request, report, submit_form=form)


@login_required
@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_member(request, pk)
    form = CorrectReportForm(request.POST)
    if form.is_valid():
        try:
            new = do_correct_report(request.user, report, reason=form.cleaned_data["reason"])
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已建立更正（第{new.version}版）：请修改排查发现后重新报送")
            return redirect("screening:report", pk=new.pk)
    return _report_page(request, report, correct_form=form)


@login_required
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for_member(request, pk)
    if not report.is_open:
        messages.info(request, "本期排查报告已报送，如需补报请先提交更正")
        return redirect("screening:report", pk=report.pk)
    today = timezone.localdate()
    initial = {"found_on": min(max(today, report.period_start), report.period_end), "headcount": 2}
    form = FindingForm(request.POST or None, report=report, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            finding = do_add_finding(request.user, report, **form.action_kwargs())
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            major = "（重大矛盾纠纷）" if finding.is_major else ""
            messages.success(request, f"已保存排查发现：{finding.place}{major}")
            return redirect(reverse("screening:finding", args=[finding.pk]) + "?saved=1")
    return render(
        request,
        "screening/finding_new.html",
        {"report": report, "row": ReportRow.of(report, timezone.now()), "form": form},
    )


def _finding_page(
    request: HttpRequest, finding: Finding, *, resolve_form: ResolveFindingForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    may_handle = permissions.can_handle_finding(user, finding) and finding.status == FindingStatus.WATCHING
    case_visible = finding.case_id is not None and cases_visible_to(user).filter(pk=finding.case_id).exists()
    risks = [
        (r, LEVEL_WORD.get(r.level, r.level), _level_badge(r.level))
        for r in scoping.risks_visible_to(user).filter(finding=finding).order_by("-created_at")
    ]
    report = finding.report
    report_visible = report is not None and scoping.reports_visible_to(user).filter(pk=report.pk).exists()
    return render(
        request,
        "screening/finding.html",
        {
            "finding": finding,
            "report": report if report_visible else None,
            "report_period": period_label(report) if report_visible else "",
            "case_visible": case_visible,
            "risks": risks,
            "may_handle": may_handle,
            "may_assess": permissions.can_assess_finding(user, finding),
            "may_add_more": report_visible and permissions.can_add_finding(user, report),
            "saved": request.GET.get("saved") == "1",
            "resolve_form": resolve_form or (ResolveFindingForm() if may_handle else None),
        },
        status=status,
    )


@login_required
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_page(request, scoping.access_finding_by_id(request.user, pk))


@login_required
def finding_to_case(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding_for_member(request, pk)
    if finding.status != FindingStatus.WATCHING:
        messages.info(
            request, "本条排查发现已登记为案件" if finding.status == FindingStatus.IN_CASE else "本条排查发现已就地化解"
        )
        return redirect("screening:finding", pk=finding.pk)
    form = FindingCaseForm(request.POST or None, finding=finding)
    parties = PartyFormSet(request.POST or None, prefix="parties", initial=None if request.POST else PARTY_INITIAL)
    decision = TriageDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() & parties.is_valid():
        data = form.case_data(parties)
        # Triage is advice: computed before the transaction, and the registration goes on without it if it fails.
        suggestion = registration_suggestion(data, finding.division_code, decision, headcount=finding.headcount)
        try:
            with transaction.atomic():  # the case, the triage suggestion and the registrar's decision together
                case = do_open_case_from_finding(request.user, finding, data)
                register_triage(case, request.user, Subject.FINDING, decision, suggestion, obj=finding)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已登记为案件，登记号 {case.registration_no}，等待调委会主任审查受理")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "screening/finding_case.html",
        {
            "finding": finding,
            "form": form,
            "parties": parties,
            "committee": finding.committee,
            "org_fields": ["credit_code", "legal_representative"],
            "person_fields": ["id_number", "gender", "capacity", "guardian_name", "occupation"],
            **register_panel(
                request,
                form,
                decision,
                "triage:panel_finding",
                finding.pk,
                division_code=finding.division_code,
                headcount=finding.headcount,
            ),
        },
    )


@login_required
@require_POST
def finding_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding_for_member(request, pk)
    form = ResolveFindingForm(request.POST)
    if form.is_valid():
        try:
            do_resolve_finding(request.user, finding, note=form.cleaned_data["note"])
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, "已记录为就地化解")
            return redirect("screening:finding", pk=finding.pk)
    finding.refresh_from_db()
    return _finding_page(request, finding, resolve_form=form)
