"""Issue 9 §3: scans filed in the case are bound into the dossier PDF in their place in the binding order, and the
index's page numbers still match the pages where each part starts."""

import io
import re

from pypdf import PdfReader

from cases import actions as A
from cases.dossier import dossier_items, missing_items
from documents.catalogue import dossier_layout
from documents.rendering import render_dossier
from tests.documents.cases import rich_case
from tests.documents.paper import pages_text, pdf_bytes, png_bytes, upload


def _attach(world, case):
    """A two-page PDF of the signed agreement, a PNG of an ID copy, a PDF receipt and a withdrawn mistake."""
    m = world.mediator_a
    agreement = A.do_attach_scan(
        case,
        m,
        kind="written_agreement",
        title="调解协议书（各方签字原件）",
        upload=upload("agreement.pdf", pdf_bytes(["SIGNED AGREEMENT PAGE ONE", "SIGNED AGREEMENT PAGE TWO"])),
    )
    id_copy = A.do_attach_scan(
        case, m, kind="identity", title="李四身份证复印件", upload=upload("id.png", png_bytes(60, 40))
    )
    receipt = A.do_attach_scan(
        case, m, kind="performance_proof", title="第一期收条", upload=upload("r.pdf", pdf_bytes(["RECEIPT 1200 YUAN"]))
    )
    wrong = A.do_attach_scan(
        case, m, kind="other_materials", title="传错的文件", upload=upload("x.pdf", pdf_bytes(["WRONG FILE"]))
    )
    A.do_withdraw_scan(case, m, scan=wrong, reason="传错了文件")
    return agreement, id_copy, receipt


def test_scans_are_bound_in_their_place_and_the_index_matches(world):
    case = rich_case(world).case  # archived: scans are filed for the archive too
    before = render_dossier(case, world.director_a)
    agreement, id_copy, receipt = _attach(world, case)
    assert agreement.pages == 2 and id_copy.pages == 1 and receipt.pages == 1
    assert len(agreement.sha256) == 64

    # Binding order: each scan right after the printed documents of its checklist item; the withdrawn one is gone.
    layout = [(w, x if w == "doc" else x.title) for w, x in dossier_layout(case)]
    assert layout == [
        ("doc", "application"),
        ("doc", "acceptance"),
        ("doc", "rights_notice"),
        ("doc", "identity"),
        ("scan", "李四身份证复印件"),
        ("doc", "investigation"),
        ("doc", "session"),
        ("doc", "agreement"),
        ("scan", "调解协议书（各方签字原件）"),
        ("doc", "performance"),
        ("scan", "第一期收条"),
        ("doc", "follow_up"),
        ("doc", "closing_report"),
    ]

    dossier = render_dossier(case, world.director_a)
    pages = pages_text(dossier.pdf)
    assert len(pages) == dossier.pages == before.pages + 4
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in page  # the scans' pages are numbered with the rest
    assert f"本卷共{len(pages)}页" in pages[0]

    # The index lists each part with the page where it really starts.
    raw_index = PdfReader(io.BytesIO(dossier.pdf)).pages[1].extract_text()
    rows = re.findall(r"^(\d+) (\S+) (\d+)", raw_index, flags=re.M)
    listed = [(label, int(start)) for _n, label, start in rows]
    assert [label for label, _ in listed] == [e.label for e in dossier.index]
    assert [start for _, start in listed] == [e.start for e in dossier.index]
    starts = {e.label: e.start for e in dossier.index}
    assert "扫描件，2页" in re.sub(r"\s+", "", raw_index)

    # The image scan: its caption page right after 当事人身份证明, carrying the picture.
    id_page = starts["李四身份证复印件（扫描件）"]
    assert (
        "附：李四身份证复印件（扫描件）" in pages[id_page - 1]
        and "SHA-256:" + id_copy.sha256[:16] in pages[id_page - 1]
    )
    assert pages[id_page - 2].startswith("桂花村人民调解委员会当事人身份证明")
    reader = PdfReader(io.BytesIO(dossier.pdf))
    assert list(reader.pages[id_page - 1].images), "the ID copy is drawn on its page"
    # The PDF scan: both its pages, after the agreement, drawn onto the numbered pages.
    first = starts["调解协议书（各方签字原件）（扫描件）"]
    assert "SIGNEDAGREEMENTPAGEONE" in pages[first - 1] and "第1页共2页" in pages[first - 1]
    assert "SIGNEDAGREEMENTPAGETWO" in pages[first] and "第2页共2页" in pages[first]
    assert pages[first - 2].find("人民调解协议书") >= 0 or "协议达成日期" in pages[first - 2]
    assert "RECEIPT1200YUAN" in pages[starts["第一期收条（扫描件）"] - 1]
    assert pages[starts["第一期收条（扫描件）"] - 2].startswith("桂花村人民调解委员会履行情况登记表")
    assert "WRONGFILE" not in "".join(pages)


def test_checklist_counts_records_or_scans_never_ticks(world):
    case = rich_case(world, until="closed").case
    items = {i.key: i for i in dossier_items(case)}
    # Records exist: present. The paper originals are not scanned yet: 缺扫描件.
    assert items["written_agreement"].present and items["written_agreement"].scan_missing
    assert items["identity"].present and items["identity"].scan_missing
    assert items["rights_notice"].present and items["rights_notice"].scan_missing
    assert not items["application"].scan_missing  # needs no scan (configuration)
    # The tick of the assignment form is a note, not what makes it present.
    assert "仅作记录" in items["identity"].note
    # Take an identity record away: the tick alone does not make it present.
    party = case.parties.last()
    party.set_id_number("")
    party.save()
    assert case.parties.filter(identity_verified=True).count() == 2
    items = {i.key: i for i in dossier_items(case)}
    assert not items["identity"].present and "当事人身份证明" in missing_items(case)
    # ...the scan of the ID copy does.
    A.do_attach_scan(case, world.mediator_a, kind="identity", title="身份证复印件", upload=upload("i.png", png_bytes()))
    items = {i.key: i for i in dossier_items(case)}
    assert items["identity"].present and not items["identity"].scan_missing and items["identity"].scans == 1
    assert "当事人身份证明" not in missing_items(case)
    # Other materials: as needed, present only with a scan.
    assert not items["other_materials"].present and not items["other_materials"].required
    A.do_attach_scan(
        case, world.mediator_a, kind="other_materials", title="现场照片", upload=upload("p.png", png_bytes())
    )
    assert {i.key: i for i in dossier_items(case)}["other_materials"].present


def test_agreement_signed_online_by_all_needs_no_scan(world):
    from datetime import timedelta

    from cases.enums import SignatureMethod
    from tests.documents.paper import T0, drafted

    case = drafted(world)
    agreement = case.agreements.first()
    applicant, respondent = list(case.parties.all())
    respondent.user = world.outsider
    respondent.save()
    at = T0 + timedelta(days=4)
    for party, user in ((applicant, world.party_user), (respondent, world.outsider)):
        A.do_sign_agreement(
            case,
            user,
            party=party,
            method=SignatureMethod.E_SIGNATURE,
            expected_hash=agreement.text_hash(),
            session_ref="b" * 64,
            at=at,
        )
    A.do_sign_agreement(case, world.mediator_a, party=None, method=SignatureMethod.E_SIGNATURE, at=at)
    A.do_seal_agreement(case, world.director_a, at=at)
    item = {i.key: i for i in dossier_items(case)}["written_agreement"]
    assert item.present and not item.scan_missing and item.note == "各方已在线签署"
