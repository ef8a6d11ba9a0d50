"""Issue 10 points 2 and 5 for a party's evidence: hostile files refused at upload with the reason, clean ones
accepted, every download an attachment with the safe headers, logged with who, what, the case and the address."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AccessLog
from cases.models import Case
from portal.models import Evidence
from tests.files import assert_safe_download, clean_pdf, html_pdf, huge_png, js_pdf, png
from tests.portal.helpers import phone_login
from tests.portal.test_portal_rules import PHONE, _fill_application


def test_hostile_evidence_is_refused_and_clean_evidence_is_served_safely_and_logged(world):
    client = Client()
    phone_login(client, PHONE)
    _fill_application(client)
    files = [
        SimpleUploadedFile("欠条.pdf", js_pdf(), content_type="application/pdf"),
        SimpleUploadedFile("报价单.pdf", html_pdf(), content_type="application/pdf"),
        SimpleUploadedFile("全景.png", huge_png(), content_type="image/png"),
        SimpleUploadedFile("收条.pdf", clean_pdf(), content_type="application/pdf"),
        SimpleUploadedFile("鸡舍.png", png(), content_type="image/png"),
    ]
    html = client.post("/portal/apply/evidence/", {"files": files, "go": "upload"}).content.decode()
    assert "“欠条.pdf”未上传：PDF 中含有脚本，出于安全原因不接受" in html
    assert "“报价单.pdf”已损坏或内容与格式不符" in html
    assert "“全景.png”未上传：图片尺寸过大（12000×12000 像素" in html
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["收条.pdf", "鸡舍.png"]

    draft_file = Evidence.objects.get(original_name="收条.pdf")
    got = client.get(f"/portal/evidence/{draft_file.pk}/", REMOTE_ADDR="10.9.8.7")
    assert_safe_download(got)
    assert got["Content-Type"] == "application/pdf" and b"".join(got.streaming_content) == clean_pdf()
    entry = AccessLog.objects.get(action="DOWNLOAD_EVIDENCE")
    assert (entry.user.phone, entry.case_id, entry.ip_address) == (PHONE, None, "10.9.8.7")
    assert "收条.pdf" in entry.detail and "申请草稿" in entry.detail

    client.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    case = Case.objects.get()
    mediator = Client()
    mediator.force_login(world.mediator_a)
    for ev in Evidence.objects.filter(case=case):
        got = mediator.get(f"/portal/evidence/{ev.pk}/", REMOTE_ADDR="10.0.0.5")
        assert_safe_download(got)  # an image too: the original is a download, never inline
        assert got["Content-Type"] == ev.content_type
    logged = AccessLog.objects.filter(action="DOWNLOAD_EVIDENCE", user=world.mediator_a)
    assert logged.count() == 2 and {e.case_id for e in logged} == {case.pk}
    mediator.force_login(world.mediator_b)
    assert mediator.get(f"/portal/evidence/{draft_file.pk}/").status_code == 404
    assert not AccessLog.objects.filter(user=world.mediator_b).exists()
