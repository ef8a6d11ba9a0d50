"""The registry's list of committees and a committee's page (console:committees, console:committee; issue 9 §1).
console.views re-exports them, so the console's URLs keep their names."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import SUPERVISOR_ROLES
from cases.enums import CLOCK_STATES
from cases.scoping import cases_visible_to
from registry.history import history_of
from registry.models import CommitteeKind, CommitteeType
from registry.org_services import has_cases, is_required_enterprise, required_employees
from registry.scoping import access_committee_by_id, committees_visible_to, creatable_divisions, editable_committees
from registry.views_orgs import filing_documents, url_or_none

HISTORY_ROWS = 100


class CommitteeFilter(forms.Form):
    q = forms.CharField(label="名称", required=False, max_length=50)
    committee_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *CommitteeType.choices])
    kind = forms.ChoiceField(label="组织形式", required=False, choices=[("", "全部形式"), *CommitteeKind.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "在用和已撤销"), ("active", "在用"), ("inactive", "已撤销")]
    )
    filing = forms.ChoiceField(
        label="备案", required=False, choices=[("", "备案情况不限"), ("filed", "已备案"), ("unfiled", "未备案")]
    )


def _registry_admin_or_404(request: HttpRequest) -> None:
    """The registry pages (issue 9 §1) exist for supervisors only: everyone else gets 404, as on the registry's
    administration pages (registry.views_orgs)."""
    if request.user.role not in SUPERVISOR_ROLES:
        raise Http404


@login_required
def committees(request: HttpRequest) -> HttpResponse:
    """The registry of committees: every committee in the supervisor's area, active or deactivated, with its 备案
    state; 新建 for those who may create (registry.scoping.creatable_divisions)."""
    _registry_admin_or_404(request)
    form = CommitteeFilter(request.GET or None)
    visible = committees_visible_to(request.user)
    qs = visible.select_related("division").annotate(
        n_mediators=Count("mediators", filter=Q(mediators__is_active=True))
    )
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(name__icontains=d["q"])
        if d["committee_type"]:
            qs = qs.filter(committee_type=d["committee_type"])
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["status"]:
            qs = qs.filter(is_active=d["status"] == "active")
        if d["filing"]:
            qs = qs.filter(filing_date__isnull=d["filing"] == "unfiled")
    page = Paginator(qs.order_by("-is_active", "division_id", "name"), 30).get_page(request.GET.get("page"))
    editable = set(editable_committees(request.user).filter(pk__in=[c.pk for c in page]).values_list("pk", flat=True))
    for c in page:
        c.editable = c.pk in editable
        c.required_enterprise = is_required_enterprise(c)
    query = request.GET.copy()
    query.pop("page", None)
    enterprises = visible.filter(committee_type=CommitteeType.ENTERPRISE_INSTITUTION)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "can_create": creatable_divisions(request.user).exists(),
        "enterprise_summary": {
            "total": enterprises.filter(is_active=True).count(),
            "required": enterprises.filter(is_active=True, employee_count__gte=required_employees()).count(),
            "unknown": enterprises.filter(is_active=True, employee_count__isnull=True).count(),
            "threshold": required_employees(),
        },
    }
    return render(request, "console/committees.html", context)


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee's registry page: its details and flags, 备案 and its files, mediators, its cases (kept when it is
    deactivated) and its change history; 修改/撤销/恢复/备案 for its administrators."""
    _registry_admin_or_404(request)
    committee = access_committee_by_id(request.user, pk)
    cases = cases_visible_to(request.user).filter(committee=committee)
    can_edit = editable_committees(request.user).filter(pk=committee.pk).exists()
    mediators = list(committee.mediators.order_by("-is_active", "role", "name"))
    for m in mediators:
        m.link = url_or_none("console:registry_mediator", m.pk)
    return render(
        request,
        "console/committee.html",
        {
            "committee": committee,
            "mediators": mediators,
            "case_count": cases.count(),
            "open_count": cases.filter(status__in=CLOCK_STATES).count(),
            "can_edit": can_edit,
            "has_cases": has_cases(committee),
            "required_enterprise": is_required_enterprise(committee),
            "threshold": required_employees(),
            "documents": filing_documents(committee),
            "history": history_of(committee)[:HISTORY_ROWS],
            "new_mediator_url": url_or_none("console:registry_mediator_new", committee.pk) if can_edit else None,
        },
    )
