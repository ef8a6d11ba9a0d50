"""Pages of staffing against the rules (配备情况) and of loading committee and mediator lists from Excel (名册导入).

Both exist only for the users they serve (404 for everyone else, as for anything outside one's area). The import
keeps its preview server-side: the parsed rows, sealed with imports.crypto, in the user's session under a random
token; the confirm form carries nothing but that token and the CSRF token, so a preview cannot be forged or
edited by the browser.
"""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases.filechecks import Refused
from cases.uploads import check_upload, max_bytes, sha256_of
from imports import crypto
from imports.bounds import Bounds, check_workbook
from registry import roster_import as R
from registry.models import Division
from registry.staffing import may_view_staffing, staffing_report

SESSION_KEY = "registry_roster_preview"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_VALID_ROWS = 200


@login_required
def staffing(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_view_staffing(user):
        raise Http404("页面不存在")
    area = None
    code = request.GET.get("area", "").strip()
    if code and code != user.division_id:
        if not code.isdigit() or not code.startswith(user.division_id):
            raise Http404("区划不存在")
        area = Division.objects.filter(code=code).first()
        if area is None:
            raise Http404("区划不存在")
    report = staffing_report(user, area)
    trail = [d for d in [*report.division.ancestors(), report.division] if d.code.startswith(user.division_id)]
    return render(request, "registry/staffing.html", {"report": report, "trail": trail})


# ------------------------------------------------------------------------------------------------ import


class RosterUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="名册种类",
        choices=[(R.COMMITTEES, "调解组织名册"), (R.MEDIATORS, "调解员名册")],
        widget=forms.RadioSelect,
        initial=R.COMMITTEES,
    )
    file = forms.FileField(label="名册文件（.xlsx）")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {
                "class": "visually-hidden tj-file-input",
                "accept": ".xlsx",
                "onchange": "this.parentNode.querySelector('[data-files-chosen]').textContent="
                "(this.files[0] && this.files[0].name) || '未选择文件'",
            }
        )
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def clean_file(self):
        """The case import's checks: kind and ZIP sizes (cases.uploads), rows, columns and cells
        (imports.bounds), before openpyxl reads any of it."""
        f = self.cleaned_data["file"]
        check_upload(f, allowed=("xlsx",))
        try:
            check_workbook(f)
        except Refused as refusal:
            raise ValidationError(f"文件“{f.name}”未导入：{refusal.message}。") from refusal
        except Exception as exc:  # not a workbook openpyxl could read either
            raise ValidationError(f"文件“{f.name}”已损坏或不是用Excel或WPS保存的.xlsx文件，未上传。") from exc
        return f


def _importer(request: HttpRequest) -> None:
    if not R.may_import_roster(request.user):
        raise Http404("页面不存在")


def _stored(request: HttpRequest, token: str) -> dict:
    """The preview under `token` of this session, for this user, or 404 (a forged, stale or altered token)."""
    entry = request.session.get(SESSION_KEY) or {}
    if not token or not secrets.compare_digest(str(entry.get("token", "")), token):
        raise Http404("预览不存在或已失效")
    data = crypto.unseal(entry.get("sealed", ""), None)
    if not isinstance(data, dict) or data.get("user") != request.user.pk or data.get("kind") not in R.COLUMNS:
        raise Http404("预览不存在或已失效")
    return data


def _store(request: HttpRequest, data: dict) -> str:
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {"token": token, "sealed": crypto.seal(data)}
    return token


def _reseal(request: HttpRequest, token: str, data: dict) -> None:
    request.session[SESSION_KEY] = {"token": token, "sealed": crypto.seal(data)}


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    _importer(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
        file_sha256 = sha256_of(f)
        try:
            roster = R.read_roster(f, kind, Bounds.configured().cell_chars)
        except Exception:  # openpyxl raises many kinds of errors on a damaged or unusual workbook
            form.add_error("file", "无法读取该Excel文件，请使用本页下载的模板填写后上传")
        else:
            if roster.missing:
                other = R.MEDIATORS if kind == R.COMMITTEES else R.COMMITTEES
                form.add_error(
                    "file",
                    f"表头与{R.TITLES[kind]}模板不符，缺少：{'、'.join(roster.missing)}"
                    f"（是否应选择“{R.TITLES[other]}”？）",
                )
            elif not roster.rows:
                form.add_error("file", "表格表头下方没有数据行")
            else:
                results = R.check_rows(request.user, kind, roster.rows, timezone.localdate())
                data = {
                    "user": request.user.pk,
                    "kind": kind,
                    "file_name": f.name[:200],
                    "sha256": file_sha256,
                    "header_row": roster.header_row,
                    "rows": roster.rows,
                    "valid": [r.number for r in results if r.valid],
                }
                return redirect("console:registry_import_preview", token=_store(request, data))
    entry = request.session.get(SESSION_KEY) or {}
    context = {
        "form": form,
        "pending": entry.get("token"),
        "max_mb": max_bytes() // (1024 * 1024),
        "max_rows": Bounds.configured().rows,
        "columns": R.COLUMNS,
        "sfs": request.user.role == R.Role.SFS_OFFICER,
    }
    return render(request, "registry/import_upload.html", context)


@login_required
def roster_template(request: HttpRequest, kind: str) -> HttpResponse:
    _importer(request)
    if kind not in R.COLUMNS:
        raise Http404("模板不存在")
    response = HttpResponse(R.template_workbook(kind), content_type=XLSX)
    name = f"{R.TITLES[kind]}模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def roster_preview(request: HttpRequest, token: str) -> HttpResponse:
    _importer(request)
    data = _stored(request, token)
    kind, rows = data["kind"], [(int(n), rec) for n, rec in data["rows"]]
    today = timezone.localdate()
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, "已取消，本次上传的名册未导入")
            return redirect("console:registry_import")
        try:
            created = R.do_load_roster(request.user, kind, rows, data["valid"], data["file_name"], today)
        except R.RosterChanged as changed:
            messages.error(request, str(changed))
        else:
            request.session.pop(SESSION_KEY, None)
            what = "个调解组织" if kind == R.COMMITTEES else "名调解员"
            messages.success(request, f"已从“{data['file_name']}”导入{len(created)}{what}，每一条都已记入变更记录")
            return redirect("console:registry_import")
    results = R.check_rows(request.user, kind, rows, today)
    valid = [r.number for r in results if r.valid]
    if valid != data["valid"]:  # the registry changed since the upload: confirm what is shown now
        data["valid"] = valid
        _reseal(request, token, data)
    keys = R.PREVIEW_KEYS[kind]
    for r in results:
        r.cells = [r.shown.get(k, "") for k in keys]
    problems = [r for r in results if not r.valid]
    good = [r for r in results if r.valid]
    context = {
        "token": token,
        "kind": kind,
        "title": R.TITLES[kind],
        "file_name": data["file_name"],
        "header_row": data["header_row"],
        "summary": R.summary(results),
        "problems": problems,
        "good": good[:SHOWN_VALID_ROWS],
        "more_good": max(0, len(good) - SHOWN_VALID_ROWS),
        "headers": [c.header for k in keys for c in R.COLUMNS[kind] if c.key == k],
    }
    return render(request, "registry/import_preview.html", context)


__all__ = ["roster_import", "roster_preview", "roster_template", "staffing"]
