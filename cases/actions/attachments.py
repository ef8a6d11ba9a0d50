"""Scans of paper documents filed in a case's dossier (issue 9 §3): attach and withdraw.

Both are checked against the attach_scan rows of the transition table (the committee's mediators and director, in
every status but DISPOSED); the file is checked by its content like the portal's evidence (cases.uploads: PDF, JPEG
or PNG only, within the size limit, PDFs parsed and refused if they carry scripts). Nothing is hard-deleted.
"""

from datetime import datetime
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from cases import uploads
from cases.actions.base import check, lock, now_or, record, require
from cases.models import Case, CaseAttachment

SCAN_KINDS = ("pdf", "jpeg", "png")


def scan_kinds() -> dict[str, str]:
    """Checklist key → label of the dossier documents a scan may be filed as (data/dossier_checklist.json)."""
    from cases.dossier import checklist_config

    return {i["key"]: i["label"] for i in checklist_config()}


def _digest_and_pages(f: UploadedFile, kind: str) -> tuple[str, int]:
    digest = uploads.sha256_of(f)
    pages = 1
    if kind == "pdf":
        from pypdf import PdfReader

        f.seek(0)
        pages = len(PdfReader(f, strict=False).pages)
    f.seek(0)
    return digest, pages


def do_attach_scan(
    case: Case, actor: User, *, kind: str, title: str, upload: UploadedFile, at: datetime | None = None
) -> CaseAttachment:
    """Self-loop (attach_scan rows): file a scan or photo of a paper document under dossier item `kind`.

    Preconditions: the actor is a mediator or the director of the case's committee; the case is not destroyed;
    `kind` is a key of the dossier checklist; the file is a real PDF, JPEG or PNG within the upload limit. Side
    effects: the file stored under PRIVATE_FILES_ROOT/scans/<case>/ with its SHA-256 and page count, the
    CaseAttachment row, the event attach_scan (kind, title, hash). The dossier PDF binds it in its place and the
    dossier checklist counts its item as present."""
    at = now_or(at)
    title = (title or "").strip()
    with transaction.atomic():
        case = lock(case)
        check(case, "attach_scan", actor)
        kinds = scan_kinds()
        require(kind in kinds, "请选择材料类别", "kind")
        require(upload is not None, "请选择要上传的扫描件或照片", "file")
        try:
            checked = uploads.check_upload(upload, allowed=SCAN_KINDS)
        except ValidationError as exc:
            raise_refused(exc)
        title = title or kinds[kind]
        require(len(title) <= 100, "材料名称不超过100个字", "title")
        sha256, pages = _digest_and_pages(upload, checked.kind)
        path = uploads.store(upload, checked, f"scans/{case.pk}")
        scan = CaseAttachment.objects.create(
            case=case,
            kind=kind,
            title=title,
            path=path,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=sha256,
            pages=pages,
            uploaded_by=actor,
            uploaded_at=at,
        )
        record(
            case,
            "attach_scan",
            actor,
            at,
            note=f"上传扫描件《{title}》（{kinds[kind]}，{pages}页）",
            data={"scan": scan.pk, "kind": kind, "sha256": sha256},
        )
    return scan


def do_withdraw_scan(
    case: Case, actor: User, *, scan: CaseAttachment, reason: str, at: datetime | None = None
) -> CaseAttachment:
    """Event withdraw_scan, checked against the attach_scan rows: a scan filed by mistake leaves the dossier (and the
    checklist) with who, when and why; its row and file are kept."""
    at = now_or(at)
    reason = (reason or "").strip()
    require(len(reason) >= 2, "请写明撤回原因", "reason")
    with transaction.atomic():
        case = lock(case)
        check(case, "attach_scan", actor)
        scan = CaseAttachment.objects.select_for_update().get(pk=scan.pk)
        require(scan.case_id == case.pk, "该扫描件不属于本案")
        require(scan.withdrawn_at is None, "该扫描件已撤回")
        scan.withdrawn_at, scan.withdrawn_by, scan.withdrawn_reason = at, actor, reason[:200]
        scan.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        record(case, "withdraw_scan", actor, at, note=f"撤回扫描件《{scan.title}》：{reason}", data={"scan": scan.pk})
    return scan


def raise_refused(exc: ValidationError) -> NoReturn:
    from cases.actions.base import ActionRefused

    raise ActionRefused(" ".join(exc.messages), "file")


__all__ = ["do_attach_scan", "do_withdraw_scan", "scan_kinds"]
