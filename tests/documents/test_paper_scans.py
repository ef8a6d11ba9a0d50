"""Issue 9 §3: the scans page. Who may file a scan (the case's committee staff, in every status but DISPOSED, also
after archiving), who may only look (the supervisors of the area), who gets a 404 (another committee, another
county, a party, the court, an outsider); uploads checked by content and size; every download logged."""

import pytest
from django.test import Client

from accounts.models import AccessLog
from cases import actions as A
from cases.enums import CaseStatus
from cases.models import CaseAttachment
from tests.documents.paper import pdf_bytes, png_bytes, upload
from tests.world import PERSONAS, make_case

ATTACH = {"director_a", "mediator_a", "mediator_a2"}
READ_ONLY = {"sfs_officer", "county_admin", "city_admin"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("status", [CaseStatus.IN_MEDIATION, CaseStatus.ARCHIVED])
@pytest.mark.parametrize("persona", PERSONAS)
def test_scan_pages_matrix(world, persona, status):
    case = make_case(world, status)
    scan = A.do_attach_scan(
        case, world.mediator_a, kind="identity", title="张三身份证复印件", upload=upload("id.png", png_bytes())
    )
    user = world.personas()[persona]
    client = client_for(user)
    base = f"/cases/{case.pk}"
    urls = {
        "page": f"{base}/scans/",
        "action": f"{base}/do/attach_scan/",
        "file": f"{base}/scans/{scan.pk}/file/",
        "thumb": f"{base}/scans/{scan.pk}/thumb/",
    }
    post = {"kind": "receipts_wrong", "title": "x"}
    events = case.events.count()

    if persona not in ATTACH | READ_ONLY:
        for url in urls.values():
            assert client.get(url).status_code == 404, url
        assert client.post(urls["page"], post).status_code == 404
        assert client.post(f"{base}/scans/{scan.pk}/withdraw/", {"reason": "越权撤回"}).status_code == 404
        assert not AccessLog.objects.filter(action="DOWNLOAD_SCAN").exists()
        assert case.events.count() == events and CaseAttachment.objects.count() == 1
        return

    page = client.get(urls["page"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "张三身份证复印件" in html and "卷宗目录" in html
    assert client.get(urls["action"]).status_code == 200
    assert client.get(urls["thumb"]).status_code == 200
    download = client.get(urls["file"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    log = AccessLog.objects.get(action="DOWNLOAD_SCAN")  # the thumbnail is not logged, the original is
    assert (log.user, log.case_id) == (user, case.pk) and "张三身份证复印件" in log.detail

    new = upload("receipt.pdf", pdf_bytes(["RECEIPT"]))
    response = client.post(urls["page"], {"kind": "performance_proof", "title": "收条", "file": new})
    withdraw = client.post(f"{base}/scans/{scan.pk}/withdraw/", {"reason": "传错了文件"})
    if persona in READ_ONLY:
        assert 'enctype="multipart/form-data"' not in html and "撤回" not in html
        assert response.status_code == 404 and withdraw.status_code == 404
        assert CaseAttachment.objects.count() == 1 and case.events.count() == events
        return
    assert 'enctype="multipart/form-data"' in html
    assert response.status_code == 302 and response["Location"] == urls["page"]
    filed = CaseAttachment.objects.get(title="收条")
    assert (filed.kind, filed.pages, filed.uploaded_by, filed.content_type) == (
        "performance_proof",
        1,
        user,
        "application/pdf",
    )
    assert withdraw.status_code == 302
    scan.refresh_from_db()
    assert scan.withdrawn and scan.withdrawn_by == user and scan.withdrawn_reason == "传错了文件"
    assert CaseAttachment.objects.count() == 2  # nothing deleted
    actions = list(case.events.filter(pk__gt=0).values_list("action", flat=True))[-2:]
    assert actions == ["attach_scan", "withdraw_scan"]
    # The withdrawn scan stays listed as withdrawn, its file still downloadable for the record.
    html = client.get(urls["page"]).content.decode()
    assert "已撤回" in html and "传错了文件" in html


def test_a_disposed_case_takes_no_scans(world):
    from cases.models import Case

    case = make_case(world, CaseStatus.ARCHIVED)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DISPOSED)  # the table is what is under test here
    case.refresh_from_db()
    with pytest.raises(A.ActionRefused, match="不能执行“上传卷宗扫描件”"):
        A.do_attach_scan(case, world.director_a, kind="identity", title="x", upload=upload("a.png", png_bytes()))
    response = client_for(world.director_a).post(
        f"/cases/{case.pk}/scans/", {"kind": "identity", "file": upload("a.png", png_bytes())}
    )
    assert response.status_code == 404
    assert not CaseAttachment.objects.exists()


def _post(world, case, name: str, data: bytes, kind: str = "identity"):
    client = client_for(world.mediator_a)
    return client.post(f"/cases/{case.pk}/scans/", {"kind": kind, "title": "材料", "file": upload(name, data)})


def test_upload_checks(world, settings):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    events = case.events.count()
    # A program renamed to .pdf: refused by its content, whatever its name says.
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = _post(world, case, "扫描件.pdf", exe)
    assert response.status_code == 400
    assert "不是可接受的格式（只接受PDF 文件、JPEG 图片、PNG 图片）" in response.content.decode()
    # A PNG whose body is not an image; an unknown kind; a PDF that runs a script.
    assert "已损坏或内容与格式不符" in _post(world, case, "a.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 50).content.decode()
    assert "请选择材料类别" in _post(world, case, "a.png", png_bytes(), kind="no_such_kind").content.decode()
    script = pdf_bytes(["X"]).replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (1) >>")
    assert "未上传" in _post(world, case, "s.pdf", script).content.decode()
    # Too large.
    settings.TIAOJIE = {**settings.TIAOJIE, "UPLOAD_MAX_BYTES": 2048}
    big = pdf_bytes([f"PAGE {n}" for n in range(60)])
    assert len(big) > 2048
    response = _post(world, case, "big.pdf", big)
    assert response.status_code == 400 and "超过了" in response.content.decode()
    # The action refuses the same way when called directly (imports, the API).
    with pytest.raises(A.ActionRefused, match="不是可接受的格式"):
        A.do_attach_scan(case, world.mediator_a, kind="identity", title="x", upload=upload("x.pdf", exe))
    assert not CaseAttachment.objects.exists() and case.events.count() == events
