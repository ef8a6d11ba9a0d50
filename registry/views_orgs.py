"""Pages that administer organisations (issue 9 §1), under /console/registry/: new committee, edit, deactivate,
reactivate, 备案 with its files, and the area's change history. The list and the committee's page are
console.views.committees and committee_detail.

Only registry administrators (registry.scoping.admin_division: a county bureau, a 司法所, the city bureau) reach
them; for everyone else, and for a committee or a division outside the administrator's area, they do not exist
(404). Every change goes through registry.org_services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse

from accounts.models import AccessKind, User
from cases.actions.base import ActionRefused
from cases.enums import CLOCK_STATES
from cases.uploads import serve_private_file
from registry.models import ChangeSubject, Committee, FilingDocument, Mediator, RegistryChange
from registry.org_forms import CommitteeForm, DeactivateForm, FilingDocumentForm, FilingForm, ReactivateForm
from registry.org_services import (
    do_attach_filing_document,
    do_create_committee,
    do_deactivate_committee,
    do_edit_committee,
    do_reactivate_committee,
    do_record_filing,
    is_required_enterprise,
)
from registry.people_services import administrable_accounts
from registry.scoping import access_editable_committee_by_id, admin_division, committees_visible_to
from tiaojie.forms import add_refusal

CHANGES_PER_PAGE = 50
AREA_FIELDS = ("county", "township", "village")


def url_or_none(name: str, *args: object) -> str | None:
    """The URL of a page another part of the registry may not have built yet (mediators: h-people)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _admin(request: HttpRequest) -> User:
    """The signed-in registry administrator; anyone else gets 404 (the page does not exist for them)."""
    if admin_division(request.user) is None:
        raise Http404
    return request.user


def _area_or_404(request: HttpRequest, user: User) -> None:
    """A division code posted from outside the administrator's area is a 404, like a committee id outside it."""
    area = admin_division(user)
    for name in AREA_FIELDS:
        code = request.POST.get(name, "")
        if code and (area is None or not code.startswith(area.code)):
            raise Http404


@login_required
def committee_new(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    if request.method == "POST":
        _area_or_404(request, user)
    form = CommitteeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            committee = do_create_committee(user, form.committee_data())
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已新建调解组织：{committee.name}")
            return redirect("console:committee", committee.pk)
    return render(request, "registry/org_form.html", {"form": form, "committee": None, "title": "新建调解组织"})


@login_required
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    committee = access_editable_committee_by_id(user, pk)
    if request.method == "POST":
        _area_or_404(request, user)
    form = CommitteeForm(request.POST or None, user=user, committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            do_edit_committee(user, committee, form.committee_data())
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, "已保存修改")
            return redirect("console:committee", committee.pk)
    context = {"form": form, "committee": committee, "title": f"修改：{committee.name}"}
    return render(request, "registry/org_form.html", context)


@login_required
def committee_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    committee = access_editable_committee_by_id(user, pk)
    if not committee.is_active:
        messages.info(request, "该调解组织已撤销")
        return redirect("console:committee", committee.pk)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_deactivate_committee(user, committee, form.cleaned_data["on"], form.cleaned_data["reason"])
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已撤销：{committee.name}。其案件和统计数据保留，不再受理新的纠纷。")
            return redirect("console:committee", committee.pk)
    return render(request, "registry/org_status.html", _status_context(committee, form, deactivate=True))


@login_required
def committee_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    committee = access_editable_committee_by_id(user, pk)
    if committee.is_active:
        messages.info(request, "该调解组织在用")
        return redirect("console:committee", committee.pk)
    form = ReactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_reactivate_committee(user, committee, form.cleaned_data["reason"])
        except ActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, f"已恢复：{committee.name}")
            return redirect("console:committee", committee.pk)
    return render(request, "registry/org_status.html", _status_context(committee, form, deactivate=False))


def _status_context(committee: Committee, form, *, deactivate: bool) -> dict:
    return {
        "committee": committee,
        "form": form,
        "deactivate": deactivate,
        "title": ("撤销：" if deactivate else "恢复：") + committee.name,
        "open_cases": committee.cases.filter(status__in=CLOCK_STATES).count() if deactivate else 0,
        "required_enterprise": deactivate and is_required_enterprise(committee),
    }


@login_required
def committee_filing(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's 备案: date, number and authority (one form), and its documents (an upload form)."""
    user = _admin(request)
    committee = access_editable_committee_by_id(user, pk)
    which = request.POST.get("form") if request.method == "POST" else None
    filing_form = FilingForm(request.POST if which == "filing" else None, committee=committee, user=user)
    upload_form = FilingDocumentForm(request.POST if which == "upload" else None, request.FILES or None)
    if which == "filing" and filing_form.is_valid():
        d = filing_form.cleaned_data
        try:
            do_record_filing(user, committee, d["filing_date"], d["filing_number"], d["filing_authority"])
        except ActionRefused as refusal:
            add_refusal(filing_form, refusal)
        else:
            messages.success(request, "已保存备案信息")
            return redirect("console:registry_committee_filing", committee.pk)
    if which == "upload" and upload_form.is_valid():
        d = upload_form.cleaned_data
        try:
            doc = do_attach_filing_document(user, committee, d["file"], upload_form.checked, d["title"])
        except ActionRefused as refusal:
            add_refusal(upload_form, refusal)
        else:
            messages.success(request, f"已上传备案材料：{doc.title}")
            return redirect("console:registry_committee_filing", committee.pk)
    return render(
        request,
        "registry/org_filing.html",
        {
            "committee": committee,
            "filing_form": filing_form,
            "upload_form": upload_form,
            "documents": filing_documents(committee),
            "title": f"备案：{committee.name}",
        },
    )


def filing_documents(committee: Committee) -> QuerySet[FilingDocument]:
    return committee.filing_documents.filter(is_withdrawn=False).select_related("uploaded_by")


@login_required
def filing_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Stream a 备案 document to an administrator who can see its committee (a 司法所 also sees the files of its
    township's own committee); written to the access log. Everyone else: 404."""
    user = _admin(request)
    doc = get_object_or_404(
        FilingDocument, pk=pk, is_withdrawn=False, committee__in=committees_visible_to(user).values("pk")
    )
    return serve_private_file(
        request,
        doc.stored_path,
        doc.original_name,
        doc.content_type,
        log_action=AccessKind.DOWNLOAD_FILING,
        detail=f"备案材料“{doc.title}”（{doc.committee.name}）",
    )


def changes_visible_to(user: User) -> QuerySet[RegistryChange]:
    """The registry history an administrator sees: every change to a committee, mediator or account of a committee
    seated in their area, plus the changes they made themselves to accounts belonging to no committee (司法所 and
    bureau staff, whose records carry no committee). Changes by others to such accounts are not shown here: those
    accounts are scoped by their division, which the record does not carry; the account's own page shows them."""
    area = admin_division(user)
    if area is None:
        return RegistryChange.objects.none()
    return RegistryChange.objects.filter(
        Q(committee__division__code__startswith=area.code)
        | Q(subject=ChangeSubject.ACCOUNT, committee__isnull=True, actor=user)
    ).select_related("actor", "committee")


def subject_link(row: RegistryChange) -> str | None:
    if row.subject == ChangeSubject.COMMITTEE:
        return url_or_none("console:committee", row.subject_id)
    if row.subject == ChangeSubject.MEDIATOR:
        return url_or_none("console:registry_mediator", row.subject_id)
    return url_or_none("console:registry_account", row.subject_id)


@login_required
def registry_changes(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    subject = request.GET.get("subject", "")
    qs = changes_visible_to(user)
    if subject in ChangeSubject.values:
        qs = qs.filter(subject=subject)
    page = Paginator(qs, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    ids: dict[str, set[int]] = {}
    for row in page:
        ids.setdefault(row.subject, set()).add(row.subject_id)
    names = {
        ChangeSubject.COMMITTEE: dict(
            Committee.objects.filter(pk__in=ids.get("COMMITTEE", ())).values_list("pk", "name")
        ),
        ChangeSubject.MEDIATOR: dict(Mediator.objects.filter(pk__in=ids.get("MEDIATOR", ())).values_list("pk", "name")),
        ChangeSubject.ACCOUNT: {u.pk: u.display_name for u in User.objects.filter(pk__in=ids.get("ACCOUNT", ()))},
    }
    # An account page exists only for the accounts one administers (a 司法所 sees the changes of its township's own
    # committee, whose accounts the county administers): no link that would end on a 404.
    reachable = set(administrable_accounts(user).filter(pk__in=ids.get("ACCOUNT", ())).values_list("pk", flat=True))
    for row in page:
        row.link = subject_link(row)
        if row.subject == ChangeSubject.ACCOUNT and row.subject_id not in reachable:
            row.link = None
        row.subject_name = names.get(row.subject, {}).get(row.subject_id, f"#{row.subject_id}")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/org_changes.html",
        {
            "page": page,
            "area": admin_division(user),
            "subject": subject,
            "subjects": ChangeSubject.choices,
            "query": query.urlencode(),
        },
    )


__all__ = [
    "committee_deactivate",
    "committee_edit",
    "committee_filing",
    "committee_new",
    "committee_reactivate",
    "filing_file",
    "registry_changes",
    "url_or_none",
]
