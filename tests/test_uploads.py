"""cases.filechecks and cases.uploads on their own: what a PDF may carry, how many pixels an image may decode to,
what a ZIP may declare, the renditions made of an image, and the headers of a served file."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from cases import filechecks
from cases.uploads import RENDITIONS, check_upload, open_stored, rendition, rendition_rel, store
from tests.files import clean_pdf, html_pdf, huge_png, js_pdf, png


def _pdf(extra: dict, *, on_page: bool = False) -> bytes:
    """A one-page PDF with `extra` written into the catalog (or the page) as an indirect dictionary."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    target = page if on_page else writer.root_object
    for key, value in extra.items():
        target[NameObject(key)] = writer._add_object(value) if isinstance(value, DictionaryObject) else value
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as err:
        check_upload(_upload(name, data))
    return " ".join(err.value.messages)


def _js(code: str = "app.alert(1)") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)})


def test_a_pdf_with_an_open_action_script_is_refused_with_the_reason():
    message = _refusal("收据.pdf", js_pdf())
    assert "“收据.pdf”未上传" in message and "脚本" in message and "出于安全原因不接受" in message


def _raw_pdf(*objects: bytes) -> bytes:
    """A PDF written by hand (object 1 the catalog) with a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_hex_escaped_names_are_caught_by_the_parse_not_only_the_byte_scan():
    data = _raw_pdf(  # a link whose action is a script, every name spelled with # escapes
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [5 0 R] >>",
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /A 4 0 R >>",
    )
    assert b"/JavaScript" not in data and b"/JS" not in data
    assert "脚本" in _refusal("a.pdf", data)
    clean = _raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    )
    assert check_upload(_upload("b.pdf", clean)).kind == "pdf"


@pytest.mark.parametrize(
    ("extra", "on_page", "what"),
    [
        ({"/AA": DictionaryObject({NameObject("/O"): _js()})}, True, "自动执行的动作"),
        (
            {
                "/OpenAction": DictionaryObject(
                    {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
                )
            },
            False,
            "启动外部程序",
        ),
        ({"/Names": DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject()})}, False, "嵌入的文件"),
        ({"/AcroForm": DictionaryObject({NameObject("/XFA"): ArrayObject()})}, False, "XFA表单"),
        (
            {"/Annots": ArrayObject([DictionaryObject({NameObject("/Subtype"): NameObject("/RichMedia")})])},
            True,
            "多媒体",
        ),
    ],
)
def test_pdfs_that_run_launch_or_embed_are_refused(extra, on_page, what):
    assert what in _refusal("a.pdf", _pdf(extra, on_page=on_page))


def test_html_wrapped_in_a_pdf_header_and_trailer_is_refused():
    assert "已损坏或内容与格式不符" in _refusal("报价.pdf", html_pdf())


def test_a_clean_pdf_and_one_that_only_opens_at_a_page_are_accepted():
    assert check_upload(_upload("a.pdf", clean_pdf(3))).kind == "pdf"
    goto = DictionaryObject({NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): ArrayObject([NumberObject(0)])})
    assert check_upload(_upload("b.pdf", _pdf({"/OpenAction": goto}))).kind == "pdf"
    destination = ArrayObject([NumberObject(0), NameObject("/Fit")])
    assert check_upload(_upload("c.pdf", _pdf({"/OpenAction": destination}))).kind == "pdf"


def test_an_image_that_decodes_to_hundreds_of_megabytes_is_refused_from_its_header(settings):
    data = huge_png()
    assert len(data) < 20_000
    started = time.monotonic()
    message = _refusal("大图.png", data)
    assert "12000×12000" in message and "超过了 40 百万像素的上限" in message
    assert time.monotonic() - started < 1
    # beyond Pillow's own bomb limit the same clear message, not "damaged"
    assert "图片尺寸过大" in _refusal("更大.png", huge_png(20000, 20000))
    settings.TIAOJIE = {**settings.TIAOJIE, "UPLOAD_MAX_PIXELS": 1000}
    assert "超过了 0 百万像素" in _refusal("小图.png", png(40, 30))


def test_zip_members_are_bounded_by_their_declared_sizes(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/styles.xml", "<a/>" * (3 * 1024 * 1024))  # 12 MB of styles: over the 8 MB part cap
    assert "“a.xlsx”未上传：表格解压后的内容过大（约 12 MB）" in _refusal_kind(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<c/>" * (2 * 1024 * 1024))  # 8 MB at a ratio of ~1000
    assert "压缩比异常" in _refusal_kind(out.getvalue())
    settings.TIAOJIE = {**settings.TIAOJIE, "XLSX_MAX_PART_BYTES": 20 * 1024 * 1024, "XLSX_MAX_RATIO": 10_000}
    assert check_upload(_upload("a.xlsx", out.getvalue()), allowed=("xlsx",)).kind == "xlsx"


def _refusal_kind(data: bytes) -> str:
    with pytest.raises(ValidationError) as err:
        check_upload(_upload("a.xlsx", data), allowed=("xlsx",))
    return " ".join(err.value.messages)


def test_images_get_small_reencoded_renditions_without_metadata(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "GPS 30.1,114.3"  # ImageDescription, standing in for location metadata
    Image.new("RGBA", (3000, 2000), (10, 200, 30, 128)).save(buf, "PNG", exif=exif)
    f = _upload("现场.png", buf.getvalue())
    rel = store(f, check_upload(f), "messages/1")
    for name, (_key, longest) in RENDITIONS.items():
        path = tmp_path / rendition_rel(rel, name)
        assert path.is_file()
        with Image.open(path) as im:
            assert im.format == "JPEG" and max(im.size) == longest and im.mode == "RGB"
            assert not im.getexif()
    assert (tmp_path / rendition_rel(rel, "thumb")).stat().st_size < 20_000
    # made on demand for a file stored before renditions existed; none for a PDF
    (tmp_path / rendition_rel(rel, "thumb")).unlink()
    assert rendition(rel, "thumb") == rendition_rel(rel, "thumb")
    pdf = _upload("a.pdf", clean_pdf())
    pdf_rel = store(pdf, check_upload(pdf), "messages/1")
    assert rendition(pdf_rel, "thumb") is None
    with open_stored(rel) as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"  # the original is kept as uploaded


def test_filechecks_limit_reads_settings(settings):
    settings.TIAOJIE = {**settings.TIAOJIE, "XLSX_MAX_RATIO": 7}
    assert filechecks.limit("XLSX_MAX_RATIO", 100) == 7
