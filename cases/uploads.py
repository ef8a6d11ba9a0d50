"""Checking uploaded files (evidence, message attachments, imported ledgers) by their real content, storing them,
and serving them back.

The file name and the browser's content type are not trusted: the first bytes decide what a file is, and
cases.filechecks looks inside before anything decodes it in full (image pixel counts, PDFs parsed and refused if
they carry scripts or automatic actions, a ZIP's declared sizes). Accepted files are stored under
settings.PRIVATE_FILES_ROOT (outside the web root) with a random name; an image gets two JPEG renditions beside it
(a thumbnail and a view size) re-encoded here. Every stored file leaves through `serve_private_file`: the original
always as an attachment, only the re-encoded renditions inline, each response with nosniff, no-store and a CSP
that lets nothing run, and each download of an original written to the access log.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest

from cases import filechecks
from cases.filechecks import Refused

log = logging.getLogger(__name__)

# kind -> (content type, stored extension, Chinese label)
KINDS: dict[str, tuple[str, str, str]] = {
    "jpeg": ("image/jpeg", "jpg", "JPEG 图片"),
    "png": ("image/png", "png", "PNG 图片"),
    "webp": ("image/webp", "webp", "WebP 图片"),
    "pdf": ("application/pdf", "pdf", "PDF 文件"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel 表格"),
}
EVIDENCE_KINDS = ("jpeg", "png", "webp", "pdf")
IMAGE_KINDS = ("jpeg", "png", "webp")
# Re-encoded renditions of an image: name -> (settings key, default longest side in px).
RENDITIONS: dict[str, tuple[str, int]] = {"thumb": ("THUMBNAIL_PX", 320), "view": ("IMAGE_VIEW_PX", 1600)}


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    size: int
    original_name: str


def max_bytes() -> int:
    return int(settings.TIAOJIE.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def sniff(head: bytes) -> str | None:
    """The kind a file's first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"  # a ZIP container; confirmed below by opening it as a workbook
    return None


def check_upload(f: UploadedFile, allowed: tuple[str, ...] = EVIDENCE_KINDS) -> CheckedFile:
    """Raise ValidationError (Chinese message) unless `f` is a non-empty file of an allowed kind within the size
    limit, whose content really is of that kind."""
    labels = "、".join(KINDS[k][2] for k in allowed)
    limit = max_bytes()
    if f.size is None or f.size == 0:
        raise ValidationError(f"文件“{f.name}”是空的，请重新选择。")
    if f.size > limit:
        raise ValidationError(
            f"文件“{f.name}”有 {f.size / 1048576:.1f} MB，超过了 {limit / 1048576:.0f} MB 的上限，请压缩后再上传。"
        )
    f.seek(0)
    head = f.read(16)
    kind = sniff(head)
    if kind not in allowed:
        raise ValidationError(f"文件“{f.name}”不是可接受的格式（只接受{labels}），未上传。")
    f.seek(0)
    try:
        if kind in IMAGE_KINDS:
            filechecks.check_image(f)
        elif kind == "pdf":
            filechecks.check_pdf(f)
        elif kind == "xlsx":
            with filechecks.check_zip_bounds(f) as z:
                if "xl/workbook.xml" not in z.namelist():
                    raise ValueError("not a workbook")
    except Refused as refusal:
        raise ValidationError(f"文件“{f.name}”未上传：{refusal.message}。") from refusal
    except Exception as exc:  # any parser failure means the content is not what it claims
        raise ValidationError(f"文件“{f.name}”已损坏或内容与格式不符，未上传。") from exc
    finally:
        f.seek(0)
    return CheckedFile(kind=kind, content_type=KINDS[kind][0], size=f.size, original_name=Path(f.name).name[:200])


def sha256_of(f: UploadedFile) -> str:
    """The hex SHA-256 of an upload's content, read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    f.seek(0)
    for chunk in f.chunks():
        digest.update(chunk)
    f.seek(0)
    return digest.hexdigest()


def store(f: UploadedFile, checked: CheckedFile, folder: str) -> str:
    """Write an already checked upload under PRIVATE_FILES_ROOT/<folder>/ with a random name; return the relative
    path to keep in the database."""
    root = Path(settings.PRIVATE_FILES_ROOT)
    rel = Path(folder) / f"{secrets.token_hex(16)}.{KINDS[checked.kind][1]}"
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as out:
        for chunk in f.chunks():
            out.write(chunk)
    if checked.kind in IMAGE_KINDS:
        for name in RENDITIONS:
            rendition(rel.as_posix(), name)
    return rel.as_posix()


def rendition_rel(rel: str, name: str) -> str:
    """Where the re-encoded `name` rendition of stored image `rel` lives: beside it, abcd.png -> abcd.thumb.jpg."""
    path = Path(rel)
    return (path.parent / f"{path.stem}.{name}.jpg").as_posix()


def rendition(rel: str, name: str) -> str | None:
    """The stored JPEG rendition of an image, made now if missing (files stored before renditions existed); None if
    the original is gone or not a checked image (it is checked again: pixel cap, verify) or cannot be decoded."""
    key, default = RENDITIONS[name]
    target = rendition_rel(rel, name)
    root = _root()
    if (root / target).is_file():
        return target
    try:
        with open_stored(rel) as src:
            if sniff(src.read(16)) not in IMAGE_KINDS:
                return None
            src.seek(0)
            filechecks.check_image(src)
            src.seek(0)
            partial = root / f"{target}.{secrets.token_hex(4)}.part"
            with open(partial, "wb") as out:
                filechecks.render_jpeg(src, out, filechecks.limit(key, default))
        partial.replace(root / target)
    except Exception:  # noqa: BLE001 -- a missing or undecodable original simply has no rendition
        log.warning("no %s rendition for %s", name, rel, exc_info=True)
        return None
    return target


def _root() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT).resolve()


def open_stored(rel: str) -> IO[bytes]:
    """Open a stored file for streaming; refuses paths that escape PRIVATE_FILES_ROOT."""
    root = _root()
    path = (root / rel).resolve()
    if root not in path.parents:
        raise FileNotFoundError(rel)
    return open(path, "rb")


# ------------------------------------------------------------------------------------------------------ serving
# Nothing in a served file may run: no scripts, no plugins, no forms, no navigation (sandbox), whatever a browser
# makes of it. The original of every upload is an attachment; only renditions re-encoded here are inline.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def client_address(request: HttpRequest) -> str | None:
    """The address a download is logged with. One place, so that a trusted-proxy helper can replace it."""
    from accounts.clientip import client_ip

    return client_ip(request)


def secure_download_headers(response, filename: str, *, inline: bool = False):
    """Content-Disposition (the name RFC 6266-encoded as UTF-8), nosniff, no-store and the download CSP."""
    filename = "".join(c for c in filename if c.isprintable()) or "file"
    path = Path(filename)
    stem = "".join(c for c in path.stem if " " <= c <= "~" and c not in '"\\') or "file"
    suffix = "".join(c for c in path.suffix if c.isascii() and c.isalnum() or c == ".")
    ascii_name = stem + suffix
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def serve_private_file(
    request: HttpRequest,
    rel: str,
    filename: str,
    content_type: str,
    *,
    log_action: str,
    case_id: int | None = None,
    detail: str = "",
    rendition_name: str | None = None,
) -> FileResponse:
    """The one way a stored upload leaves the server, after the caller's scope check. Without `rendition_name`:
    the original, as an attachment, and the download is written to accounts.AccessLog (`log_action`, the case,
    `detail`, who, when, from where). With "thumb" or "view": the JPEG re-encoded from an image, inline (a
    thumbnail is not logged: the thread that shows it is the view of personal data; the view size is). A missing
    file is a 404."""
    from accounts.access import log_access

    inline = rendition_name is not None
    if inline:
        rel = rendition(rel, rendition_name) or ""
        content_type = "image/jpeg"
        filename = f"{Path(filename).stem}.jpg"
    try:
        handle = open_stored(rel) if rel else None
    except OSError:
        handle = None
    if handle is None:
        raise Http404("文件不存在")
    if rendition_name != "thumb":
        log_access(request, log_action, case_id=case_id, detail=(detail or f"下载文件“{filename}”")[:150])
    response = FileResponse(handle, content_type=content_type)
    return secure_download_headers(response, filename, inline=inline)
