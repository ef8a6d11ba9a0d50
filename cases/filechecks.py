"""What is inside an uploaded file, checked before anything decodes it in full.

cases.uploads decides a file's kind by its first bytes and calls one of these: a ZIP (.xlsx) is bounded by the
sizes its directory declares (Python's zipfile never inflates a member past its declared size, so the declared
sizes bound what any later reader gets); an image is bounded by its pixel count, read from its header; a PDF must
parse with pypdf and carry nothing that runs or launches (scripts, automatic actions, embedded files, XFA forms).
Each refusal is a `Refused` with the Chinese reason shown on the upload form. The limits are in settings.TIAOJIE.
"""

import re
import warnings
import zipfile
from typing import IO

from django.conf import settings


class Refused(ValueError):
    """A file refused for what it contains; `message` is shown to the uploader (Chinese, without the file name)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def limit(key: str, default: int) -> int:
    return int(settings.TIAOJIE.get(key, default))


# --------------------------------------------------------------------------------------------------------- ZIP
MB = 1024 * 1024
# A member this small may compress as well as it likes: the ratio test is for members that could exhaust memory.
RATIO_FLOOR_BYTES = MB


def _is_data_part(name: str) -> bool:
    """Worksheets and the shared strings, which cases may legitimately fill; imports.parsing streams through them
    with caps of its own. Every other XML part (styles, workbook, theme) is read whole by openpyxl."""
    lower = name.lower()
    if lower.startswith("xl/worksheets/") or lower.endswith("sharedstrings.xml"):
        return True
    return not lower.endswith((".xml", ".rels"))


def check_zip_bounds(f: IO[bytes]) -> zipfile.ZipFile:
    """The open ZIP if no worksheet declares more than XLSX_MAX_MEMBER_BYTES uncompressed (another XML part more
    than XLSX_MAX_PART_BYTES), all together no more than XLSX_MAX_TOTAL_BYTES, and no member above 1 MB inflates
    more than XLSX_MAX_RATIO times; else Refused. Nothing is inflated here."""
    data_cap = limit("XLSX_MAX_MEMBER_BYTES", 32 * MB)
    part_cap = limit("XLSX_MAX_PART_BYTES", 8 * MB)
    total_cap = limit("XLSX_MAX_TOTAL_BYTES", 64 * MB)
    ratio_cap = limit("XLSX_MAX_RATIO", 100)
    z = zipfile.ZipFile(f)
    try:
        infos = z.infolist()
        if len(infos) > 1000:
            raise Refused("文件内部结构异常（包含的部件过多），不像是正常保存的Excel表格")
        total = 0
        for info in infos:
            total += info.file_size
            cap = data_cap if _is_data_part(info.filename) else part_cap
            if info.file_size > cap or total > total_cap:
                raise Refused(
                    f"表格解压后的内容过大（约 {max(info.file_size, total) / MB:.0f} MB），超出了系统允许的范围，"
                    "可能是异常文件。请删除无关的工作表和超长文字后另存，或把台账拆分为几个文件再上传"
                )
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio_cap * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise Refused(
                    f"表格的压缩比异常（解压后的内容是压缩数据的 {ratio:.0f} 倍），可能是恶意构造的文件。"
                    "请用Excel或WPS另存后再上传"
                )
    except BaseException:
        z.close()
        raise
    return z


# ------------------------------------------------------------------------------------------------------- images
def check_image(f: IO[bytes]) -> tuple[int, int]:
    """(width, height) of an image whose header announces at most UPLOAD_MAX_PIXELS pixels and whose data verifies;
    the pixel test comes first, from the header alone, so a small file that decodes to gigabytes is never decoded."""
    from PIL import Image

    cap = limit("UPLOAD_MAX_PIXELS", 40_000_000)
    too_big = f"超过了 {cap / 1e6:.0f} 百万像素的上限。请缩小图片或截图后再上传"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own cap decides, below
        try:
            im = Image.open(f)
        except Image.DecompressionBombError:  # Pillow's own refusal, at twice its default limit
            raise Refused(f"图片尺寸过大，{too_big}") from None
    with im:
        width, height = im.size
        if width * height > cap:
            raise Refused(f"图片尺寸过大（{width}×{height} 像素，约 {width * height / 1e6:.0f} 百万像素），{too_big}")
        im.verify()
    return width, height


def render_jpeg(source: IO[bytes], target: IO[bytes], longest: int) -> None:
    """Re-encode an already checked image as a JPEG whose longest side is at most `longest` px: the orientation
    applied, transparency flattened on white, and every piece of metadata (EXIF, GPS, comments) left behind."""
    from PIL import Image, ImageOps

    with Image.open(source) as im:
        if im.format == "JPEG":
            im.draft("RGB", (longest, longest))  # decode at a reduced scale: fast, and little memory
        im.seek(0)
        frame = ImageOps.exif_transpose(im)
        frame.thumbnail((longest, longest))
        if frame.mode in ("RGBA", "LA", "P", "PA"):
            frame = frame.convert("RGBA")
            background = Image.new("RGB", frame.size, "white")
            background.paste(frame, mask=frame.getchannel("A"))
            frame = background
        elif frame.mode != "RGB":
            frame = frame.convert("RGB")
        frame.save(target, "JPEG", quality=82, optimize=True)


# --------------------------------------------------------------------------------------------------------- PDFs
# Keys that make a reader run, open or launch something: scripts, automatic actions (on a page or a field),
# launching programs, embedded files and multimedia, XFA forms. Refused, not neutralised: a party's evidence is a
# scan or a receipt and nothing of this kind belongs in one, and a refusal with a clear reason is simpler to trust
# than a rewritten file. An /OpenAction is refused unless it only says where the document opens (a destination,
# or a GoTo): many scanners' and word processors' PDFs set one.
DANGEROUS_KEYS = {
    "/JavaScript": "脚本",
    "/JS": "脚本",
    "/AA": "自动执行的动作",
    "/Launch": "启动外部程序的动作",
    "/EmbeddedFile": "嵌入的文件",
    "/EmbeddedFiles": "嵌入的文件",
    "/RichMedia": "多媒体内容",
    "/XFA": "XFA表单",
}
DANGEROUS_ACTIONS = {
    "/JavaScript": "脚本",
    "/Launch": "启动外部程序的动作",
    "/ImportData": "导入数据的动作",
    "/SubmitForm": "提交表单的动作",
    "/GoToE": "打开嵌入文件的动作",
    "/RichMediaExecute": "多媒体内容",
    "/Rendition": "多媒体内容",
}
# The same names in the raw bytes (objects a damaged file's reader might still find), followed by a delimiter so
# that a font subset tag such as /AAAAAB+SimSun does not count.
_RAW = re.compile(rb"/(JavaScript|JS|AA|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s/<>\[\]()%]|$)")
MAX_DEPTH = 40


def check_pdf(f: IO[bytes]) -> int:
    """The number of pages of a PDF that pypdf parses (a page tree, not just a header and a trailer) and in which
    no object carries a script, an automatic action, a launch, an embedded file, multimedia or an XFA form."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    f.seek(0)
    found = _RAW.search(f.read())
    if found:
        raise Refused(_pdf_message(DANGEROUS_KEYS.get("/" + found.group(1).decode(), "可执行内容")))
    f.seek(0)
    reader = PdfReader(f, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Refused("PDF 设有密码，无法检查其内容。请取消密码后另存，再上传")
    pages = len(reader.pages)
    if pages < 1:
        raise ValueError("no pages")
    refs = [(num, gen) for gen, table in reader.xref.items() for num in table]
    refs += [(num, 0) for num in reader.xref_objStm]
    if len(refs) > limit("PDF_MAX_OBJECTS", 50_000):
        raise Refused("PDF 结构过于复杂，无法检查。请另存为普通PDF（或打印为PDF）后再上传")
    _walk(reader.trailer, 0)
    for num, gen in refs:
        try:
            obj = reader.get_object(IndirectObject(num, gen, reader))
        except Exception:  # noqa: BLE001 -- an unreadable object cannot run either; the page tree parsed above
            continue
        _walk(obj, 0)
    return pages


def _walk(obj: object, depth: int) -> None:
    """Refuse a dictionary (or stream) with a dangerous key or action; descend into direct children only (indirect
    ones are visited on their own, which also keeps reference cycles out)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > MAX_DEPTH:
        raise Refused("PDF 结构过于复杂，无法检查。请另存为普通PDF（或打印为PDF）后再上传")
    if isinstance(obj, DictionaryObject):
        for key in obj:
            if key in DANGEROUS_KEYS:
                raise Refused(_pdf_message(DANGEROUS_KEYS[key]))
        action = dict.get(obj, "/S")
        if isinstance(action, str) and action in DANGEROUS_ACTIONS:
            raise Refused(_pdf_message(DANGEROUS_ACTIONS[action]))
        if dict.get(obj, "/Type") == "/EmbeddedFile" or "/EF" in obj:
            raise Refused(_pdf_message("嵌入的文件"))
        opening = dict.get(obj, "/OpenAction")
        if opening is not None:
            opening = opening.get_object()
            if not isinstance(opening, ArrayObject) and not (
                isinstance(opening, DictionaryObject) and dict.get(opening, "/S") == "/GoTo"
            ):
                raise Refused(_pdf_message("打开时自动执行的动作"))
        children = list(dict.values(obj))
    elif isinstance(obj, ArrayObject):
        children = list(list.__iter__(obj))
    else:
        return
    for child in children:
        if isinstance(child, DictionaryObject | ArrayObject):
            _walk(child, depth + 1)


def _pdf_message(what: str) -> str:
    return f"PDF 中含有{what}，出于安全原因不接受。请把文件打印为PDF（或扫描、截图）后重新上传，或把纸质材料交给调解员"
