"""Turn a case's documents into PDFs: one kind at a time, or the whole dossier (卷宗) in binding order.

The dossier is one HTML document, so its footer numbers pages continuously (第 X 页 共 Y 页) and the index (卷内目录)
gets each document's start page from CSS `target-counter`. The cover's "本卷共 N 页" is the page of an end marker, the
same way, so one layout pass suffices. Nothing is cached: the output depends on the viewer.
"""

from dataclasses import dataclass
from typing import Any

from accounts.models import User
from cases.models import Case
from documents.builders import Part, Viewer, build_part
from documents.catalogue import KINDS, dossier_kinds
from documents.pdf import layout_pdf, render_pdf


@dataclass
class IndexEntry:
    slug: str
    label: str
    count: int
    start: int | None = None  # None: the template asks the layout engine (target-counter)


@dataclass
class Printed:
    pdf: bytes
    parts: list[Part]
    pages: int
    # Whether the output carries complete identity numbers (the caller writes the access log).
    full_ids: bool
    index: list[IndexEntry]


def _prints_full_ids(parts: list[Part], viewer: Viewer) -> bool:
    return viewer.full_ids and any(KINDS[p.slug].prints_id_numbers for p in parts)


def _dossier_parts(case: Case, viewer: Viewer) -> tuple[list[Part], list[IndexEntry]]:
    body = [build_part(case, slug, viewer) for slug in dossier_kinds(case)]
    index = [IndexEntry(p.slug, p.label, p.count) for p in body]
    front = [build_part(case, "cover", viewer), build_part(case, "index", viewer)]
    return front + body, index


def render_dossier(case: Case, user: User) -> Printed:
    viewer = Viewer.of(user, case)
    document, parts, index = _layout_dossier(case, viewer)
    return Printed(document.write_pdf(), parts, len(document.pages), _prints_full_ids(parts, viewer), index)


def _layout_dossier(case: Case, viewer: Viewer) -> tuple[Any, list[Part], list[IndexEntry]]:
    parts, index = _dossier_parts(case, viewer)
    context = {"title": f"{case.case_no}卷宗", "parts": parts, "index_entries": index, "in_dossier": True}
    document = layout_pdf("documents/document.html", context)
    _fill_starts(document, index)
    return document, parts, index


def _fill_starts(document, index: list[IndexEntry]) -> None:
    """Read back where each document starts (anchors per laid-out page), for callers and tests."""
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    for entry in index:
        entry.start = starts.get(f"doc-{entry.slug}")


def render_kind(case: Case, slug: str, user: User) -> Printed:
    """One document (the caller has checked it applies and the user may print it)."""
    viewer = Viewer.of(user, case)
    part = build_part(case, slug, viewer)
    context: dict[str, Any] = {"title": part.label, "parts": [part], "index_entries": [], "total_pages": None}
    if slug in ("cover", "index"):
        # Both carry numbers of the bound dossier (its page count, where each document starts): lay it out.
        document, _parts, index = _layout_dossier(case, viewer)
        context.update(index_entries=index, total_pages=len(document.pages))
    pdf = render_pdf("documents/document.html", context)
    return Printed(pdf, [part], 0, _prints_full_ids([part], viewer), context["index_entries"])
