"""Cases and files for the paper tests (issue 9 §3): agreements signed on paper, online, by an organisation; small
real PDFs and PNGs made here."""

import io
import re
import struct
import zlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from cases import actions as A
from cases.enums import CaseStatus, PartySide, PartyType, SignatureMethod
from cases.identity import make_valid_credit_code
from cases.models import Case
from tests.world import TZ, World, applicant_id, make_case

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def pages_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return "".join(pages_text(pdf))


def drafted(world: World, *, organisation: bool = False) -> Case:
    """A case in mediation with a drafted written agreement, nobody has signed."""
    overrides = {}
    if organisation:
        overrides["parties"] = [
            A.PartyData(
                side=PartySide.APPLICANT,
                name="张三",
                id_number=applicant_id(1),
                phone="13900000001",
                address="桂花村3组",
                user=world.party_user,
            ),
            A.PartyData(
                side=PartySide.RESPONDENT,
                name="咸宁市桂花物业服务有限公司",
                party_type=PartyType.LEGAL_PERSON,
                credit_code=make_valid_credit_code("91421202MA4F0000X"[:17]),
                legal_representative="王经理",
                phone="13900000003",
                address="桂花村商业街8号",
            ),
        ]
    case = make_case(world, CaseStatus.IN_MEDIATION, at=T0, **overrides)
    applicant, respondent = list(case.parties.all())
    at = T0 + timedelta(days=3)
    A.do_draft_agreement(
        case,
        world.mediator_a,
        facts="被申请人施工堵塞排水沟，致申请人房屋受雨水浸泡，双方就疏通和赔偿发生争议。",
        responsibilities="被申请人承担全部责任",
        terms=[
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="被申请人赔偿申请人房屋浸泡损失",
                amount=Decimal("2000"),
                manner="银行转账",
                place="桂花村调委会",
                deadline=date(2026, 4, 30),
            )
        ],
        at=at,
    )
    case.refresh_from_db()
    return case


def sign_all_online(world: World, case: Case, at: datetime) -> None:
    """The applicant signs online in their own session; the respondent's fingerprint on paper is registered by the
    mediator; the mediator signs from their own account; the director confirms the seal."""
    agreement = case.agreements.first()
    applicant, respondent = list(case.parties.all())
    A.do_sign_agreement(
        case,
        world.party_user,
        party=applicant,
        method=SignatureMethod.E_SIGNATURE,
        expected_hash=agreement.text_hash(),
        session_ref="a" * 64,
        ip_address="127.0.0.1",
        user_agent="pytest",
        at=at,
    )
    A.do_sign_agreement(
        case, world.mediator_a, party=respondent, method=SignatureMethod.FINGERPRINT, at=at + timedelta(minutes=1)
    )
    A.do_sign_agreement(
        case, world.mediator_a, party=None, method=SignatureMethod.E_SIGNATURE, at=at + timedelta(minutes=2)
    )
    A.do_seal_agreement(case, world.director_a, at=at + timedelta(minutes=3))
    case.refresh_from_db()


# --- small real files -----------------------------------------------------------------------------------------


def png_bytes(width: int = 40, height: int = 30, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def pdf_bytes(pages: list[str]) -> bytes:
    """A plain PDF with one line of (ASCII) text per page, written by hand so that nothing else is needed."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + 2 * len(pages)
    for i, line in enumerate(pages):
        content = 4 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        stream = f"BT /F1 24 Tf 72 720 Td ({line}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
