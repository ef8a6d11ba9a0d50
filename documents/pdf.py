"""Render Django templates to PDF with WeasyPrint and Debian's Noto CJK fonts (fonts-noto-cjk).

This is the one place that turns HTML into PDF: the portal's agreement download, the console's documents and
dossier, and the entry notice all call `render_pdf`.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The template rendered to a PDF (A4, fonts from the system's fontconfig: Noto Serif/Sans CJK SC)."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def layout_pdf(template_name: str, context: dict[str, Any], request: HttpRequest | None = None):
    """The laid-out WeasyPrint document (pages with their anchors), for callers that need page numbers before
    writing the PDF (the dossier index). `.write_pdf()` gives the bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HTTP response carrying a PDF; the Chinese file name is sent RFC 6266-encoded by Django."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{_quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a browser or a proxy
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
