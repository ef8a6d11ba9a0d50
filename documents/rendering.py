"""Turn a case's documents into PDFs: one kind at a time, or the whole dossier (卷宗) in binding order.

The dossier is one HTML document, so its footer numbers pages continuously (第 X 页 共 Y 页) and the index (卷内目录)
gets each document's start page from CSS `target-counter`. The cover's "本卷共 N 页" is the page of an end marker, the
same way, so one layout pass suffices. Nothing is cached: the output depends on the viewer.

Scans filed in the case (cases.models.CaseAttachment) are bound in their place in the binding order: an image as a
page of its own (its re-encoded JPEG rendition, never the uploaded bytes), a PDF as one placeholder page per page
of it, laid out with the rest (so the footer, the index and the cover count them), onto which pypdf then draws the
scan's page, scaled into the page's text area under a caption.
"""

import base64
import io
import logging
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from cases.models import Case, CaseAttachment
from documents.builders import Part, Viewer, build_part
from documents.catalogue import KINDS, dossier_layout
from documents.pdf import layout_pdf, render_pdf

log = logging.getLogger(__name__)

# The text area of an A4 page under base_pdf.html's margins (22mm 20mm 22mm 25mm), in PDF points, less the caption.
MM = 72 / 25.4
AREA = (25 * MM, 22 * MM, (210 - 20) * MM, (297 - 22 - 12) * MM)  # x0, y0, x1, y1


@dataclass
class IndexEntry:
    slug: str
    label: str
    count: int
    start: int | None = None  # None: the template asks the layout engine (target-counter)
    note: str = ""


@dataclass
class Printed:
    pdf: bytes
    parts: list[Part]
    pages: int
    # Whether the output carries complete identity numbers (the caller writes the access log).
    full_ids: bool
    index: list[IndexEntry]


def _prints_full_ids(parts: list[Part], viewer: Viewer) -> bool:
    return viewer.full_ids and any(p.slug in KINDS and KINDS[p.slug].prints_id_numbers for p in parts)


def _image_uri(scan: CaseAttachment) -> str:
    """The scan's re-encoded JPEG (cases.uploads renditions) as a data URI, or "" if it cannot be read."""
    from cases.uploads import open_stored, rendition

    rel = rendition(scan.path, "view")
    if not rel:
        return ""
    with open_stored(rel) as fh:
        return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode()


def _scan_part(scan: CaseAttachment) -> Part:
    return Part(
        slug=f"scan-{scan.pk}",
        label=f"{scan.title}（扫描件）",
        template="documents/parts/scan.html",
        data={
            "scan": scan,
            "image": _image_uri(scan) if scan.is_image else "",
            "page_numbers": list(range(1, (1 if scan.is_image else scan.pages) + 1)),
        },
    )


def _dossier_parts(case: Case, viewer: Viewer) -> tuple[list[Part], list[IndexEntry], list[CaseAttachment]]:
    body: list[Part] = []
    index: list[IndexEntry] = []
    scans: list[CaseAttachment] = []
    for what, item in dossier_layout(case):
        if what == "doc":
            part = build_part(case, item, viewer)
            index.append(IndexEntry(part.slug, part.label, part.count))
        else:
            part = _scan_part(item)
            index.append(IndexEntry(part.slug, part.label, 1, note=f"扫描件，{item.pages}页"))
            scans.append(item)
        body.append(part)
    front = [build_part(case, "cover", viewer), build_part(case, "index", viewer)]
    return front + body, index, scans


def render_dossier(case: Case, user: User) -> Printed:
    viewer = Viewer.of(user, case)
    document, parts, index, scans = _layout_dossier(case, viewer)
    pdf = _bind_pdf_scans(document, document.write_pdf(), scans)
    return Printed(pdf, parts, len(document.pages), _prints_full_ids(parts, viewer), index)


def _anchor_pages(document) -> dict[str, int]:
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    return starts


def _bind_pdf_scans(document, pdf: bytes, scans: list[CaseAttachment]) -> bytes:
    """Draw each PDF scan's pages onto the placeholder pages laid out for them (anchors scanpg-<pk>-<n>)."""
    pdf_scans = [s for s in scans if not s.is_image]
    if not pdf_scans:
        return pdf
    from pypdf import PdfReader, PdfWriter, Transformation

    from cases.uploads import open_stored

    anchors = _anchor_pages(document)
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    x0, y0, x1, y1 = AREA
    for scan in pdf_scans:
        try:
            with open_stored(scan.path) as fh:
                reader = PdfReader(io.BytesIO(fh.read()), strict=False)
            if reader.is_encrypted:
                reader.decrypt("")
            # Pages of a writer of their own, so that a page's /Rotate can be turned into its content.
            for n, src in enumerate(PdfWriter(clone_from=reader).pages, start=1):
                number = anchors.get(f"scanpg-{scan.pk}-{n}")
                if number is None:
                    break
                src.transfer_rotation_to_content()
                box = src.mediabox
                w, h = float(box.width), float(box.height)
                scale = min((x1 - x0) / w, (y1 - y0) / h)
                tx = x0 + ((x1 - x0) - w * scale) / 2 - float(box.left) * scale
                ty = y0 + ((y1 - y0) - h * scale) / 2 - float(box.bottom) * scale
                writer.pages[number - 1].merge_transformed_page(src, Transformation().scale(scale).translate(tx, ty))
        except Exception:  # noqa: BLE001 -- a scan that cannot be read leaves its captioned page; the rest binds
            log.warning("scan %s could not be bound into the dossier", scan.pk, exc_info=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _layout_dossier(case: Case, viewer: Viewer) -> tuple[Any, list[Part], list[IndexEntry], list[CaseAttachment]]:
    parts, index, scans = _dossier_parts(case, viewer)
    context = {"title": f"{case.case_no}卷宗", "parts": parts, "index_entries": index, "in_dossier": True}
    document = layout_pdf("documents/document.html", context)
    _fill_starts(document, index)
    return document, parts, index, scans


def _fill_starts(document, index: list[IndexEntry]) -> None:
    """Read back where each document starts (anchors per laid-out page), for callers and tests."""
    starts = _anchor_pages(document)
    for entry in index:
        entry.start = starts.get(f"doc-{entry.slug}")


def render_kind(case: Case, slug: str, user: User) -> Printed:
    """One document (the caller has checked it applies and the user may print it)."""
    viewer = Viewer.of(user, case)
    part = build_part(case, slug, viewer)
    context: dict[str, Any] = {"title": part.label, "parts": [part], "index_entries": [], "total_pages": None}
    if slug in ("cover", "index"):
        # Both carry numbers of the bound dossier (its page count, where each document starts): lay it out.
        document, _parts, index, _scans = _layout_dossier(case, viewer)
        context.update(index_entries=index, total_pages=len(document.pages))
    pdf = render_pdf("documents/document.html", context)
    return Printed(pdf, [part], 0, _prints_full_ids([part], viewer), context["index_entries"])
