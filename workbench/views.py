"""调解员界面: the mediator's queues, registration of a dispute, the committee's case list."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import log_access
from accounts.models import COMMITTEE_ROLES, AccessKind
from cases.actions import ActionRefused, do_register_case
from cases.enums import CLOCK_STATES, CaseStatus
from cases.listing import case_list_context, list_detail, overdue_q
from cases.models import Case
from cases.next_step import cn_md, next_performance_due
from cases.scoping import cases_visible_to
from registry.models import Committee
from registry.scoping import committees_visible_to
from tiaojie.forms import add_refusal
from triage.doors import register_panel, register_triage, registration_suggestion
from triage.enums import Subject
from triage.forms import TriageDecisionForm
from workbench.deadlines import deadline_panel
from workbench.forms import PARTY_INITIAL, PartyFormSet, RegisterCaseForm, case_data


def _member(request: HttpRequest) -> None:
    if request.user.role not in COMMITTEE_ROLES or not request.user.committee_id:
        raise PermissionDenied


@dataclass(frozen=True)
class DatedCase:
    """A case in a workbench queue with the one date that matters there, named: 登记 / 受理 / 期限 / 履行期限."""

    case: Case
    label: str = ""
    on: date | None = None
    late: bool = False
    shown: str = ""  # 12月5日, with the year when it is not this year's


def _dated(case: Case, label: str, on: date, today: date, late: bool = False) -> DatedCase:
    return DatedCase(case, label, on, late, cn_md(on, today))


def labelled(case: Case, today: date, *, limit_first: bool = False) -> DatedCase:
    """The date shown beside a case in a queue; `limit_first`: the mediation time limit wherever one runs (the
    overdue queue), else the date that queue is about (registration, acceptance, the limit, performance, closing)."""
    status = case.status
    if limit_first and case.time_limit_due and status in CLOCK_STATES:
        return _dated(case, "期限", case.time_limit_due, today, case.time_limit_due < today)
    if status == CaseStatus.INTAKE:
        return _dated(case, "登记", timezone.localdate(case.registered_at), today)
    if status == CaseStatus.ACCEPTED and case.accepted_at:
        # Waiting for a mediator: how long since acceptance (red once the time limit has passed meanwhile).
        late = bool(case.time_limit_due and case.time_limit_due < today)
        return _dated(case, "受理", timezone.localdate(case.accepted_at), today, late)
    if status in (CaseStatus.ACCEPTED, CaseStatus.IN_MEDIATION, CaseStatus.REMEDIATION) and case.time_limit_due:
        return _dated(case, "期限", case.time_limit_due, today, case.time_limit_due < today)
    if status in (CaseStatus.AGREEMENT_REACHED, CaseStatus.PERFORMING, CaseStatus.NON_PERFORMANCE):
        due = next_performance_due(case)
        if due:
            return _dated(case, "履行期限", due, today, due < today)
    if status == CaseStatus.PAUSED and case.time_limit_due:
        return _dated(case, "暂缓，原期限", case.time_limit_due, today)
    if status in (CaseStatus.PERFORMED, CaseStatus.TERMINATED, CaseStatus.CLOSED) and case.closed_at:
        return _dated(case, "结案", timezone.localdate(case.closed_at), today)
    return DatedCase(case)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _member(request)
    cases = cases_visible_to(request.user).select_related("committee").prefetch_related("parties")
    mediator = getattr(request.user, "mediator", None)
    mine = (
        cases.filter(Q(presiding_mediator=mediator) | Q(co_mediators=mediator)).distinct() if mediator else cases.none()
    )
    today = timezone.localdate()
    queues = [
        ("待审查（待受理）", "bi-inbox", cases.filter(status=CaseStatus.INTAKE), "?status=INTAKE"),
        ("待指派调解员", "bi-person-plus", cases.filter(status=CaseStatus.ACCEPTED), "?status=ACCEPTED"),
        (
            "我承办的在调案件",
            "bi-chat-square-text",
            mine.filter(status__in=[CaseStatus.IN_MEDIATION, CaseStatus.REMEDIATION, CaseStatus.PAUSED]),
            "",
        ),
        ("已超过调解期限", "bi-alarm", cases.filter(overdue_q(today)), "?overdue=on"),
        (
            "履行中 / 待督促",
            "bi-cash-coin",
            cases.filter(status__in=[CaseStatus.PERFORMING, CaseStatus.NON_PERFORMANCE]),
            "",
        ),
        (
            "待结案 / 待归档",
            "bi-archive",
            cases.filter(status__in=[CaseStatus.PERFORMED, CaseStatus.TERMINATED, CaseStatus.CLOSED]),
            "",
        ),
    ]
    blocks = []
    for title, icon, qs, link in queues:
        first = qs.order_by("time_limit_due", "-registered_at")[:5]
        items = [labelled(c, today, limit_first=link == "?overdue=on") for c in first]
        items.sort(key=lambda i: (i.on is None, i.on or today))  # the nearest labelled date first
        blocks.append((title, icon, qs.count(), items, link))
    return render(
        request,
        "workbench/home.html",
        {
            "blocks": blocks,
            "committee": request.user.committee,
            "today": today,
            "deadlines": deadline_panel(request.user, today),
        },
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    _member(request)
    committee: Committee = request.user.committee
    form = RegisterCaseForm(request.POST or None, committee=committee)
    parties = PartyFormSet(request.POST or None, prefix="parties", initial=None if request.POST else PARTY_INITIAL)
    decision = TriageDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() & parties.is_valid():
        data = case_data(form, parties)
        suggestion = registration_suggestion(data, committee.division_id, decision)  # before: triage is advice
        try:
            with transaction.atomic():
                case = do_register_case(request.user, committee, data)
                register_triage(case, request.user, Subject.REGISTRATION, decision, suggestion)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已登记，登记号 {case.registration_no}，等待调委会主任审查受理")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "workbench/register.html",
        {
            "form": form,
            "parties": parties,
            "committee": committee,
            "org_fields": ["credit_code", "legal_representative"],
            "person_fields": ["id_number", "gender", "capacity", "guardian_name", "occupation"],
            **register_panel(request, form, decision, "triage:panel_register"),
        },
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _member(request)
    context = case_list_context(request, committees_visible_to(request.user))
    log_access(request, AccessKind.VIEW_CASE_LIST, detail=list_detail(context["page"]))
    return render(request, "workbench/cases.html", context)
