"""Pages of the legacy import (upload → preview and column mapping → summary → import with progress) and the
Excel export of any case list (console and workbench)."""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.clientip import client_ip
from accounts.models import COMMITTEE_ROLES, SUPERVISOR_ROLES, AccessKind, AccessLog, Role
from cases.filechecks import Refused
from cases.listing import filter_form_for, listed_cases, parse_sort
from cases.uploads import max_bytes, open_stored, sha256_of, store
from imports import services
from imports.bounds import Bounds
from imports.exports import full_id_case_ids, mask_preview_cell, write_cases, write_error_report
from imports.forms import MappingForm, UploadForm
from imports.mapping import guess_mapping
from imports.models import BatchStatus, ImportBatch, RowStatus
from imports.numbering import rule_in_words
from imports.parsing import read_sheet
from imports.scoping import access_import_batch_by_id, import_batches_visible_to
from imports.validation import may_import

log = logging.getLogger(__name__)
EXPORT_ROLES = SUPERVISOR_ROLES | COMMITTEE_ROLES | {Role.COURT_LIAISON}
PREVIEW_ROWS = 8
# The preview page keeps this much of a cell (its tooltip); the table itself shows the first 18 characters.
PREVIEW_CELL_CHARS = 200
# Rows per transaction when the page drives the import: small enough that each progress step returns in ~1 s.
WEB_CHUNK = 250


def _importer(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    """A batch exists only for the user who uploaded it (404 for anyone else)."""
    _importer(request)
    return access_import_batch_by_id(request.user, pk)


def _drop_file(batch: ImportBatch) -> None:
    if batch.stored_path:
        try:
            (Path(settings.PRIVATE_FILES_ROOT) / batch.stored_path).unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete staged import file %s", batch.stored_path)
        batch.stored_path = ""
        batch.save(update_fields=["stored_path"])


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        file_sha256 = sha256_of(f)
        try:
            sheet = read_sheet(f, limit=PREVIEW_ROWS, bounds=Bounds.configured())
        except Exception:  # openpyxl raises many kinds of errors on a damaged or unusual workbook
            form.add_error("file", "无法读取该Excel文件，请确认它是用Excel或WPS保存的.xlsx台账")
        else:
            if not sheet.rows:
                form.add_error("file", "表格第一个工作表中没有找到数据行")
            else:
                f.seek(0)
                batch = ImportBatch.objects.create(
                    created_by=request.user,
                    file_name=form.checked.original_name,
                    file_sha256=file_sha256,
                    file_size=form.checked.size,
                    stored_path=store(f, form.checked, "imports"),
                    sheet_name=sheet.name[:100],
                    header_row=sheet.header_row,
                    headers=sheet.headers,
                    mapping_name=form.cleaned_data["mapping_name"],
                    mapping=guess_mapping(sheet.headers, form.cleaned_data["mapping_name"]),
                )
                earlier = (
                    ImportBatch.objects.filter(file_sha256=batch.file_sha256, status=BatchStatus.DONE)
                    .exclude(pk=batch.pk)
                    .first()
                )
                if earlier:
                    when = timezone.localtime(earlier.finished_at)
                    note = f"该文件曾于{when:%Y-%m-%d %H:%M}导入过（批次{earlier.pk}），已导入的行将跳过。"
                    messages.info(request, note)
                return redirect("imports:preview", pk=batch.pk)
    batches = import_batches_visible_to(request.user)[:10]
    bounds = Bounds.configured()
    context = {
        "form": form,
        "batches": batches,
        "max_mb": max_bytes() // (1024 * 1024),
        "max_rows": bounds.rows,
        "max_columns": bounds.columns,
        "max_cell_chars": bounds.cell_chars,
        "number_rule": rule_in_words(),
    }
    return render(request, "imports/upload.html", context)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status != BatchStatus.UPLOADED or not batch.stored_path:
        return redirect("imports:batch", pk=batch.pk)
    form = MappingForm(request.POST or None, headers=batch.headers, initial_map=batch.mapping)
    staging = request.method == "POST" and form.is_valid()
    try:
        with open_stored(batch.stored_path) as fh:
            sheet = read_sheet(fh, limit=None if staging else PREVIEW_ROWS, bounds=Bounds.configured())
    except FileNotFoundError:
        messages.error(request, "上传的文件已不存在，请重新上传")
        return redirect("imports:upload")
    except Refused as refusal:  # the caps were lowered after the upload
        messages.error(request, f"{refusal.message}。")
        _drop_file(batch)
        return redirect("imports:upload")
    if staging:
        batch.mapping = form.column_map()
        batch.save(update_fields=["mapping"])
        services.stage_rows(batch, services.records_from(sheet.rows, batch.mapping), request.user)
        _drop_file(batch)
        return redirect("imports:batch", pk=batch.pk)
    rows = [(n, [_short(mask_preview_cell(v)) for v in cells]) for n, cells in sheet.rows]
    columns = {i: name for name, i in batch.mapping.items()}
    mapped = [form.fields[columns[i]].label if i in columns else "" for i in range(len(batch.headers))]
    return render(
        request,
        "imports/preview.html",
        {"batch": batch, "form": form, "rows": rows, "headers": batch.headers, "mapped": mapped},
    )


def _short(value: object) -> object:
    if isinstance(value, str) and len(value) > PREVIEW_CELL_CHARS:
        return value[: PREVIEW_CELL_CHARS - 1] + "…"
    return value


@login_required
def batch_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == BatchStatus.UPLOADED:
        return redirect("imports:preview", pk=batch.pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and batch.status == BatchStatus.VALIDATED and batch.valid_rows:
            services.run_step(batch, budget_seconds=1.0, chunk=WEB_CHUNK)
        elif action == "cancel" and batch.status == BatchStatus.VALIDATED:
            batch.status = BatchStatus.CANCELLED
            batch.save(update_fields=["status"])
            batch.rows.filter(status=RowStatus.VALID).update(payload="")
        elif action == "step" and batch.status == BatchStatus.RUNNING:
            services.run_step(batch, budget_seconds=2.0, chunk=WEB_CHUNK)
        if request.htmx:
            return render(request, "imports/_progress.html", {"batch": batch})
        return redirect("imports:batch", pk=batch.pk)
    problems = batch.rows.filter(status__in=[RowStatus.ERROR, RowStatus.DUPLICATE, RowStatus.FAILED])
    imported = batch.rows.filter(status=RowStatus.IMPORTED).select_related("case")
    warned = batch.rows.exclude(warning="").exclude(status__in=[RowStatus.ERROR, RowStatus.DUPLICATE])
    return render(
        request,
        "imports/batch.html",
        {
            "batch": batch,
            "problems": problems.order_by("row_number")[:50],
            "problem_count": problems.count(),
            "imported": imported.order_by("row_number")[:20],
            "warned": warned.order_by("row_number")[:50],
            "warned_count": warned.count(),
        },
    )


@login_required
def error_report(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    out = write_error_report(batch)
    AccessLog.objects.create(
        user=request.user,
        action=AccessKind.IMPORT_ERROR_REPORT,
        ip_address=client_ip(request),
        detail=f"导入批次{batch.pk}错误报告（{batch.file_name}）"[:200],
    )
    name = f"错误报告-{Path(batch.file_name).stem}.xlsx"
    return _private(FileResponse(out, as_attachment=True, filename=name, content_type=_XLSX))


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT = "text/plain; charset=utf-8"


def _private(response: FileResponse) -> FileResponse:
    """Generated workbooks of personal data: not sniffed, never cached."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_cases(request: HttpRequest) -> HttpResponse:
    """The case list the user is looking at (same filters as the console / workbench lists), as .xlsx. ID numbers
    and phones are masked unless the user may see them in full for that case; every export is logged."""
    user = request.user
    if user.role not in EXPORT_ROLES:
        raise PermissionDenied
    form = filter_form_for(user, request.GET)
    if form.is_bound and not form.is_valid():
        # Never export more than the list showed: a filter the list left out (with its error) refuses the export.
        errors = "；".join(f"{form.fields[n].label}：{e[0]}" for n, e in form.errors.items() if n in form.fields)
        return HttpResponse(f"筛选条件有误（{errors}），请返回案件列表修改后再导出。", status=400, content_type=_TEXT)
    qs = listed_cases(user, form, parse_sort(request.GET.get("sort")))  # the list's filters and its order
    total = qs.count()
    full_ids = full_id_case_ids(user, qs)
    out = write_cases(user, qs, total, full_ids)
    filters = "，".join(f"{k}={v}" for k, v in request.GET.items() if v and k != "page") or "无"
    detail = f"导出{total}件" + (f"（含完整身份证号{len(full_ids)}件）" if full_ids else "") + f"；筛选：{filters}"
    AccessLog.objects.create(
        user=user, action=AccessKind.EXPORT_CASES, ip_address=client_ip(request), detail=detail[:200]
    )
    name = f"案件清单-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return _private(FileResponse(out, as_attachment=True, filename=name, content_type=_XLSX))


__all__ = ["batch_view", "error_report", "export_cases", "preview", "upload"]
