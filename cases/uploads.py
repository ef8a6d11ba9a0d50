"""Checking uploaded files (evidence, message attachments, imported ledgers) by their real content.

The file name and the browser's content type are not trusted: the first bytes decide what a file is, images must
open with Pillow, PDFs must carry a PDF header and trailer. Accepted files are stored under
settings.PRIVATE_FILES_ROOT (outside the web root) with a random name; views stream them after a scope check.
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# kind -> (content type, stored extension, Chinese label)
KINDS: dict[str, tuple[str, str, str]] = {
    "jpeg": ("image/jpeg", "jpg", "JPEG 图片"),
    "png": ("image/png", "png", "PNG 图片"),
    "webp": ("image/webp", "webp", "WebP 图片"),
    "pdf": ("application/pdf", "pdf", "PDF 文件"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel 表格"),
}
EVIDENCE_KINDS = ("jpeg", "png", "webp", "pdf")


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
        if kind in ("jpeg", "png", "webp"):
            from PIL import Image

            with Image.open(f) as im:
                im.verify()
        elif kind == "pdf":
            f.seek(max(0, f.size - 2048))
            if b"%%EOF" not in f.read():
                raise ValueError("no PDF trailer")
        elif kind == "xlsx":
            import zipfile

            with zipfile.ZipFile(f) as z:
                if "xl/workbook.xml" not in z.namelist():
                    raise ValueError("not a workbook")
    except Exception as exc:  # any parser failure means the content is not what it claims
        raise ValidationError(f"文件“{f.name}”已损坏或内容与格式不符，未上传。") from exc
    finally:
        f.seek(0)
    return CheckedFile(kind=kind, content_type=KINDS[kind][0], size=f.size, original_name=Path(f.name).name[:200])


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
    return rel.as_posix()


def open_stored(rel: str):
    """Open a stored file for streaming; refuses paths that escape PRIVATE_FILES_ROOT."""
    root = Path(settings.PRIVATE_FILES_ROOT).resolve()
    path = (root / rel).resolve()
    if root not in path.parents:
        raise FileNotFoundError(rel)
    return open(path, "rb")
