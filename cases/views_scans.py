"""The case's scans of paper documents (卷宗扫描件): list, upload, download, withdraw.

Fetched through cases.scoping (404 outside jurisdiction). The committee's mediators and director see and file
scans (cases.actions.attachments); the supervisors of the area see and download them; parties and court liaisons
do not have this page (404). Every download of a scan is written to the access log (DOWNLOAD_SCAN).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import AccessKind, User
from cases.actions import ActionRefused, do_attach_scan, do_withdraw_scan
from cases.actions.attachments import scan_kinds
from cases.dossier import dossier_items
from cases.models import Case, CaseAttachment
from cases.permissions import available_actions, relations
from cases.scoping import access_case_by_id
from cases.transitions import Rel
from cases.uploads import max_bytes, serve_private_file
from tiaojie.forms import add_refusal


class ScanForm(forms.Form):
    kind = forms.ChoiceField(
        label="材料类别", choices=(), error_messages={"required": "请选择材料类别", "invalid_choice": "请选择材料类别"}
    )
    title = forms.CharField(
        label="材料名称",
        max_length=100,
        required=False,
        help_text="如“李四身份证复印件”“第一期赔偿款收条”；不填则用材料类别作名称。",
    )
    file = forms.FileField(
        label="扫描件或照片",
        error_messages={"required": "请选择要上传的扫描件或照片", "empty": "文件是空的，请重新选择"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + list(scan_kinds().items())
        self.fields["file"].help_text = f"PDF、JPEG 或 PNG，单个文件不超过 {max_bytes() // 1048576} MB。"
        self.fields["file"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if field is self.fields["kind"] else "form-control")


def _readable_case(user: User, pk: int) -> Case:
    """The case, if the user is its committee's staff or one of its supervisors; else 404."""
    case = access_case_by_id(user, pk)
    if not relations(user, case) & {Rel.MEMBER, Rel.SUPERVISOR}:
        raise Http404("没有这个页面")
    return case


def _may_attach(user: User, case: Case) -> bool:
    return "attach_scan" in dict(available_actions(case, user))


@login_required
def case_scans(request: HttpRequest, pk: int) -> HttpResponse:
    """The scans page; POST (committee staff only) files a new scan."""
    case = _readable_case(request.user, pk)
    may_attach = _may_attach(request.user, case)
    form = ScanForm()
    if request.method == "POST":
        if not may_attach:
            raise Http404("没有这个操作")
        form = ScanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                scan = do_attach_scan(
                    case,
                    request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ActionRefused as refusal:
                add_refusal(form, refusal)
            else:
                messages.success(request, f"已上传扫描件《{scan.title}》")
                return redirect("cases:scans", pk=case.pk)
    kinds = scan_kinds()
    scans = list(case.attachments.select_related("uploaded_by", "withdrawn_by"))
    current = [s for s in scans if not s.withdrawn]
    return render(
        request,
        "cases/scans.html",
        {
            "case": case,
            "form": form,
            "may_attach": may_attach,
            "groups": [(key, label, [s for s in current if s.kind == key]) for key, label in kinds.items()],
            "withdrawn": [s for s in scans if s.withdrawn],
            "has_scans": bool(current),
            "dossier": dossier_items(case),
            "kinds": kinds,
        },
        status=400 if form.errors else 200,
    )


def _scan(case: Case, scan_pk: int) -> CaseAttachment:
    return get_object_or_404(CaseAttachment, pk=scan_pk, case=case)


@login_required
def scan_file(request: HttpRequest, pk: int, scan_pk: int) -> HttpResponse:
    """The original file, as an attachment; logged."""
    case = _readable_case(request.user, pk)
    scan = _scan(case, scan_pk)
    return serve_private_file(
        request,
        scan.path,
        scan.original_name,
        scan.content_type,
        log_action=AccessKind.DOWNLOAD_SCAN,
        case_id=case.pk,
        detail=f"下载卷宗扫描件《{scan.title}》",
    )


@login_required
def scan_thumb(request: HttpRequest, pk: int, scan_pk: int) -> HttpResponse:
    """An image scan's thumbnail, re-encoded here (inline, not logged: the list page shows it)."""
    case = _readable_case(request.user, pk)
    scan = _scan(case, scan_pk)
    if not scan.is_image:
        raise Http404("没有缩略图")
    return serve_private_file(
        request,
        scan.path,
        scan.original_name,
        scan.content_type,
        log_action=AccessKind.DOWNLOAD_SCAN,
        case_id=case.pk,
        rendition_name="thumb",
    )


@login_required
@require_POST
def scan_withdraw(request: HttpRequest, pk: int, scan_pk: int) -> HttpResponse:
    case = _readable_case(request.user, pk)
    if not _may_attach(request.user, case):
        raise Http404("没有这个操作")
    scan = _scan(case, scan_pk)
    try:
        do_withdraw_scan(case, request.user, scan=scan, reason=request.POST.get("reason", ""))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已撤回扫描件《{scan.title}》")
    return redirect("cases:scans", pk=case.pk)
