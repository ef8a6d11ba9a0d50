"""Issue 10 points 2 and 5 in the thread: a PDF that runs a script, HTML dressed as a PDF and an image that
decodes to hundreds of megabytes are refused with the reason; clean files are accepted; the thread shows
thumbnails re-encoded here; every file download carries the safe headers and is written to the access log."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AccessLog
from messaging.models import Attachment, Message
from tests.files import assert_safe_download, clean_pdf, html_pdf, huge_png, js_pdf, png
from tests.messaging.helpers import build_scene
from tests.messaging.test_messages import client_for, post


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("协议.pdf", js_pdf(), "“协议.pdf”未上传：PDF 中含有脚本，出于安全原因不接受"),
        ("报价.pdf", html_pdf(), "“报价.pdf”已损坏或内容与格式不符"),
        ("全景.png", huge_png(), "“全景.png”未上传：图片尺寸过大（12000×12000 像素"),
    ],
)
def test_a_hostile_attachment_is_refused_with_the_reason(
    world, name, content, expected, django_capture_on_commit_callbacks
):
    scene = build_scene(world)
    client = client_for(world.party_user)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    r = post(client, scene.case_a, django_capture_on_commit_callbacks, body="请看附件", files=[upload])
    html = r.content.decode()
    assert r.status_code == 200 and expected in html and "消息文字已保留" in html
    assert not Attachment.objects.exists() and not Message.objects.filter(body="请看附件").exists()


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (2400, 1800), (30, 120, 200)).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def test_clean_files_are_accepted_shown_as_thumbnails_and_served_safely(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    case = scene.case_a
    party = client_for(world.party_user)
    files = [
        SimpleUploadedFile("现场照片.jpg", _photo(), content_type="image/jpeg"),
        SimpleUploadedFile("收据.pdf", clean_pdf(), content_type="application/pdf"),
    ]
    r = post(party, case, django_capture_on_commit_callbacks, body="照片和收据", files=files)
    assert r.status_code == 302
    photo, receipt = Attachment.objects.order_by("id")
    mediator = client_for(world.mediator_a)
    page = mediator.get(reverse("messaging:thread", args=[case.pk])).content.decode()
    thumb = reverse("messaging:attachment_rendition", args=[photo.pk, "thumb"])
    view = reverse("messaging:attachment_rendition", args=[photo.pk, "view"])
    original = reverse("messaging:attachment", args=[photo.pk])
    assert f'src="{thumb}"' in page and f'href="{view}"' in page and f'href="{original}"' in page
    assert f'src="{original}"' not in page  # the original is never embedded

    logged = AccessLog.objects.count()
    got = mediator.get(thumb, REMOTE_ADDR="10.1.2.3")
    assert_safe_download(got, inline=True)
    data = b"".join(got.streaming_content)
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and max(im.size) == 320
    assert len(data) < 30_000 < len(_photo())
    assert AccessLog.objects.count() == logged  # a thumbnail is part of the thread page, not a download

    got = mediator.get(view, REMOTE_ADDR="10.1.2.3")
    assert_safe_download(got, inline=True)
    with Image.open(io.BytesIO(b"".join(got.streaming_content))) as im:
        assert max(im.size) == 1600

    for att, content_type in ((photo, "image/jpeg"), (receipt, "application/pdf")):
        got = mediator.get(reverse("messaging:attachment", args=[att.pk]), REMOTE_ADDR="10.1.2.3")
        assert_safe_download(got)
        assert got["Content-Type"] == content_type
        assert "filename*=UTF-8''" in got["Content-Disposition"]
    assert "%E6%94%B6%E6%8D%AE.pdf" in got["Content-Disposition"]  # 收据.pdf, UTF-8 encoded
    entries = AccessLog.objects.filter(action="DOWNLOAD_ATTACHMENT", user=world.mediator_a).order_by("id")
    assert [e.case_id for e in entries] == [case.pk] * 3  # the view size and the two originals
    assert {e.ip_address for e in entries} == {"10.1.2.3"}
    assert "收据.pdf" in entries.last().detail

    # a PDF has no renditions; an unknown rendition is a 404; outside the thread everything is a 404
    assert mediator.get(reverse("messaging:attachment_rendition", args=[receipt.pk, "thumb"])).status_code == 404
    assert mediator.get(reverse("messaging:attachment_rendition", args=[photo.pk, "huge"])).status_code == 404
    outsider = client_for(world.mediator_b)
    for url in (thumb, view, original):
        assert outsider.get(url).status_code == 404
    assert not AccessLog.objects.filter(user=world.mediator_b).exists()


def test_an_image_stored_before_thumbnails_gets_one_on_first_view(world, django_capture_on_commit_callbacks, settings):
    scene = build_scene(world)
    r = post(
        client_for(world.party_user),
        scene.case_a,
        django_capture_on_commit_callbacks,
        files=[SimpleUploadedFile("a.png", png(800, 600), content_type="image/png")],
    )
    assert r.status_code == 302
    att = Attachment.objects.get()
    from pathlib import Path

    from cases.uploads import rendition_rel

    thumb_file = Path(settings.PRIVATE_FILES_ROOT) / rendition_rel(att.path, "thumb")
    thumb_file.unlink()
    got = client_for(world.mediator_a).get(reverse("messaging:attachment_rendition", args=[att.pk, "thumb"]))
    assert_safe_download(got, inline=True)
    assert thumb_file.is_file()
