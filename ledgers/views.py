from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from ledgers.navigation import ledger_menu_entries
from ledgers.scoping import access_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The ledgers a user works on, with their roles; 404 for whoever has neither a role nor summaries."""
    entries = []
    for label, name, icon in ledger_menu_entries(request.user):
        try:
            entries.append((label, reverse(name), icon))
        except NoReverseMatch:  # a ledger app not installed in this deployment
            continue
    if not entries:
        raise Http404("无台账权限")
    return render(request, "ledgers/home.html", {"entries": entries, "roles": access_of(request.user).roles})


# The bureau's departments and roles ---------------------------------------------------------------------------------
def manages_bureaus(user) -> bool:
    """managed_bureaus(user) is not empty, without a query (the menu asks it on every page)."""
    from accounts.models import Role
    from ledgers.models import LedgerRoleKind

    access = access_of(user)
    if access.bureau_ids(LedgerRoleKind.OFFICE):
        return True
    return not access.has_roles and user.role in (Role.COUNTY_ADMIN, Role.CITY_ADMIN) and bool(user.division_id)


def managed_bureaus(user) -> list:
    from accounts.models import Role
    from ledgers.models import LedgerRoleKind
    from registry.models import Division

    codes = set(access_of(user).bureau_ids(LedgerRoleKind.OFFICE))
    if not access_of(user).has_roles and user.role in (Role.COUNTY_ADMIN, Role.CITY_ADMIN) and user.division_id:
        codes.add(user.division_id)
    return list(Division.objects.filter(pk__in=codes).order_by("code"))


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect

    from cases.actions.base import ActionRefused
    from ledgers.actions import base as B
    from ledgers.forms_base import DepartmentForm, GrantForm
    from ledgers.models import BureauDepartment, LedgerEvent, LedgerRole

    bureaus = managed_bureaus(request.user)
    if not bureaus:
        raise Http404("无设置科室和职责的权限")
    code = request.GET.get("bureau") or request.POST.get("bureau") or bureaus[0].pk
    bureau = next((b for b in bureaus if b.pk == code), None)
    if bureau is None:
        raise Http404("不是本局")
    department_form = DepartmentForm(request.POST if request.POST.get("form") == "department" else None)
    grant_form = GrantForm(request.POST if request.POST.get("form") == "grant" else None, bureau=bureau)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "department" and department_form.is_valid():
                B.do_add_department(bureau, request.user, **department_form.cleaned_data)
                messages.success(request, "已设立科室")
                return redirect(f"{request.path}?bureau={bureau.pk}")
            if request.POST.get("form") == "grant" and grant_form.is_valid():
                B.do_grant_role(bureau, request.user, **grant_form.cleaned_data)
                messages.success(request, "已设置职责")
                return redirect(f"{request.path}?bureau={bureau.pk}")
            if request.POST.get("form") == "end":
                pk = str(request.POST.get("role", ""))
                role = (
                    LedgerRole.objects.filter(bureau=bureau, pk=pk).first() if pk.isdigit() and len(pk) < 18 else None
                )
                if role is None:
                    raise Http404("职责不存在")
                B.do_end_role(role, request.user)
                messages.success(request, "已终止职责")
                return redirect(f"{request.path}?bureau={bureau.pk}")
        except ActionRefused as exc:
            messages.error(request, exc.message)
    events = LedgerEvent.objects.filter(bureau=bureau, ledger="BASE").select_related("actor").order_by("-at")[:30]
    context = {
        "bureau": bureau,
        "bureaus": bureaus,
        "departments": BureauDepartment.objects.filter(bureau=bureau),
        "roles": LedgerRole.objects.filter(bureau=bureau, ended_at__isnull=True).select_related("user", "department"),
        "department_form": department_form,
        "grant_form": grant_form,
        "events": events,
    }
    return render(request, "ledgers/roles.html", context)
