"""Real files for upload tests, clean and hostile, built here (nothing checked in): PDFs made with pypdf, PNGs with
Pillow and zlib, .xlsx workbooks written part by part with zipfile so that a hostile one stays a few KB."""

import io
import struct
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def clean_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def js_pdf() -> bytes:
    """A one-page PDF whose open action runs app.alert (what the probe uploaded)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('XSS');")}
    )
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def html_pdf() -> bytes:
    """HTML with a PDF header and trailer: passes a header-and-trailer check, is not a PDF."""
    return b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def png(width: int = 40, height: int = 30, color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def huge_png(width: int = 12000, height: int = 12000) -> bytes:
    """A valid 1-bit PNG of width×height black pixels, written without holding the image: ~17 KB for
    12000×12000, which decodes to 144 megapixels (432 MB as RGB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# ------------------------------------------------------------------------------------------------------- .xlsx
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(rows, shared: list[str] | None = None, dimension: str = "") -> bytes:
    """A workbook written part by part. `rows` yields lists of cells: str (an inline string), int/float,
    ("s", i) for shared string i, or None (a cell with a format and no content). Deflated at level 9, so
    repetitive content stays small."""
    shared = shared or []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(shared)}">'.encode())
            for s in shared:
                f.write(b"<si><t>")
                for i in range(0, len(s), 1 << 20):
                    f.write(s[i : i + (1 << 20)].encode())
                f.write(b"</t></si>")
            f.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>'.encode())
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            for r, cells in enumerate(rows, start=1):
                parts = [f'<row r="{r}">']
                for c, value in enumerate(cells, start=1):
                    ref = f"{_col(c)}{r}"
                    if value is None:
                        parts.append(f'<c r="{ref}" s="0"/>')
                    elif isinstance(value, tuple):
                        parts.append(f'<c r="{ref}" t="s"><v>{value[1]}</v></c>')
                    elif isinstance(value, str):
                        parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
                    else:
                        parts.append(f'<c r="{ref}"><v>{value}</v></c>')
                parts.append("</row>")
                f.write("".join(parts).encode())
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xlsx_with_huge_shared_string(megabytes: int = 50) -> bytes:
    """The probe's file: one shared string of `megabytes` MB, written streaming (it is never held in memory
    whole), used by a cell under a ledger header row. A few tens of KB on disk."""

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="1"><si><t>'.encode())
            block = b"A" * (1 << 20)
            for _ in range(megabytes):
                f.write(block)
            f.write(b"</t></si></sst>")
        sheet = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>受理日期</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>纠纷简要情况</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2" t="s"><v>0</v></c></row>'
            "</sheetData></worksheet>"
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def assert_safe_download(response, *, inline: bool = False) -> None:
    """The headers every served upload carries (issue 10 point 2)."""
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;"), disposition
    assert "filename*=UTF-8''" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    if inline:
        assert response["Content-Type"] == "image/jpeg"
