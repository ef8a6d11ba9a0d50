"""The case thread: caucus privacy, uploads checked by content, notices in the message's transaction, unread counts,
read-only closed cases, no personal data of the other side, messages never deleted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.enums import CaseStatus
from cases.models import Notification
from messaging import services as S
from messaging.models import Attachment, Message
from messaging.templatetags.messaging_tags import case_messaging
from notifications.enums import NoticeKind
from tests.messaging.helpers import build_scene, pdf_bytes, png_bytes
from tests.world import applicant_id


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(client, case, capture, **data):
    with capture(execute=True):
        return client.post(reverse("messaging:post", args=[case.pk]), data)


def test_caucus_is_seen_only_by_its_party_and_the_mediators(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    case = scene.case_a
    mediator = client_for(world.mediator_a)
    image = SimpleUploadedFile("伤情照片.png", png_bytes(), content_type="image/png")
    r = post(
        mediator,
        case,
        django_capture_on_commit_callbacks,
        body="单独谈：对方底线是两千元",
        to=scene.own_a.pk,
        files=[image],
    )
    assert r.status_code == 302
    caucus = Message.objects.get(body="单独谈：对方底线是两千元")
    assert caucus.caucus_party == scene.own_a
    att = caucus.attachments.get()
    url = reverse("messaging:attachment", args=[att.pk])

    # the caucus party sees it, on the page, in the feed and through the attachment URL
    own = client_for(world.party_user)
    assert "对方底线是两千元" in own.get(reverse("messaging:thread", args=[case.pk])).content.decode()
    got = own.get(url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == png_bytes()
    # the other party sees none of it
    other = client_for(scene.party_b)
    for path in (reverse("messaging:thread", args=[case.pk]), reverse("messaging:feed", args=[case.pk])):
        page = other.get(path)
        assert page.status_code == 200 and "对方底线" not in page.content.decode()
    assert other.get(url).status_code == 404
    # the director of the committee is not in the thread at all
    assert client_for(world.director_a).get(url).status_code == 404
    # notifications: the caucus party only (the sender is not notified of their own message)
    told = set(Notification.objects.filter(case=case, kind=NoticeKind.MESSAGE).values_list("user__username", flat=True))
    assert told == {"party_user"}

    # a party's note "to the mediators only" is hidden from the other party
    r = post(own, case, django_capture_on_commit_callbacks, body="我其实可以接受分期", to=scene.own_a.pk)
    assert r.status_code == 302
    assert "分期" not in other.get(reverse("messaging:thread", args=[case.pk])).content.decode()
    assert "分期" in mediator.get(reverse("messaging:thread", args=[case.pk])).content.decode()
    # a party cannot address the other party's caucus
    r = post(own, case, django_capture_on_commit_callbacks, body="偷偷", to=scene.other_a.pk)
    assert r.status_code == 200 and not Message.objects.filter(body="偷偷").exists()


def test_open_message_notices_are_written_with_the_message_and_roll_back_with_it(
    world, django_capture_on_commit_callbacks
):
    scene = build_scene(world)
    case = scene.case_a
    Notification.objects.all().delete()
    # the notices are rows of the message's own transaction (kind MESSAGE), before any commit hook runs
    with django_capture_on_commit_callbacks(execute=False):
        client_for(world.party_user).post(reverse("messaging:post", args=[case.pk]), {"body": "请问什么时候调解？"})
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"mediator_a", "party_b"}  # not the sender, not the director, not mediator_a2
    assert all("张三发来一条新消息" in n.message and n.kind == NoticeKind.MESSAGE for n in Notification.objects.all())
    # a refused post (empty body) writes no notice
    Notification.objects.all().delete()
    client_for(world.party_user).post(reverse("messaging:post", args=[case.pk]), {"body": "  "})
    assert not Notification.objects.exists()


def test_unread_counts_follow_reading(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    case = scene.case_a
    mediator = client_for(world.mediator_a)
    post(mediator, case, django_capture_on_commit_callbacks, body="第一条")
    post(mediator, case, django_capture_on_commit_callbacks, body="第二条")
    post(mediator, case, django_capture_on_commit_callbacks, body="给张三的", to=scene.own_a.pk)
    assert case_messaging(case, world.party_user)["unread"] == 3
    assert case_messaging(case, scene.party_b)["unread"] == 2  # the caucus is not counted for the other party
    assert case_messaging(case, world.mediator_a)["unread"] == 0  # own messages are never unread
    assert case_messaging(case, world.director_a) is None  # no panel for someone outside the thread
    client_for(world.party_user).get(reverse("messaging:thread", args=[case.pk]))
    assert case_messaging(case, world.party_user)["unread"] == 0
    assert case_messaging(case, scene.party_b)["unread"] == 2
    # the panel on the case page shows the count
    page = client_for(scene.party_b).get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "2 条未读" in page and reverse("messaging:thread", args=[case.pk]) in page


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("照片.jpg", EXE, "不是可接受的格式"),
        ("空文件.pdf", b"", "是空的"),
        ("大图.png", png_bytes() + b"\x00" * 3000, "超过了"),
        ("假PDF.pdf", b"%PDF-1.4 but no trailer", "已损坏或内容与格式不符"),
    ],
)
def test_bad_upload_is_refused_in_chinese_and_the_text_is_kept(
    world, settings, name, content, expected, django_capture_on_commit_callbacks
):
    settings.TIAOJIE = {**settings.TIAOJIE, "UPLOAD_MAX_BYTES": 2048}
    scene = build_scene(world)
    client = client_for(world.party_user)
    text = "这是我手写的一段很长的说明，不能因为附件出错就丢失"
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        upload.seek(0)
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(
                reverse("messaging:post", args=[scene.case_a.pk]), {"body": text, "files": [upload]}, **headers
            )
        html = r.content.decode()
        assert r.status_code == 200
        assert expected in html and name in html
        assert text in html  # what was typed is kept
        assert "消息文字已保留" in html
    assert not Message.objects.filter(case=scene.case_a, sender=world.party_user).exists()
    assert not Attachment.objects.exists()


def test_empty_message_and_too_long_message(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    client = client_for(world.party_user)
    r = post(client, scene.case_a, django_capture_on_commit_callbacks, body="   ")
    assert r.status_code == 200 and "请填写消息内容或添加附件" in r.content.decode()
    r = post(client, scene.case_a, django_capture_on_commit_callbacks, body="长" * 2001)
    assert r.status_code == 200 and "消息最多 2000 字" in r.content.decode()
    assert not Message.objects.exists()


def test_pdf_attachment_alone_and_htmx_post(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    client = client_for(world.party_user)
    pdf = SimpleUploadedFile("收据.pdf", pdf_bytes(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("messaging:post", args=[scene.case_a.pk]), {"body": "", "files": [pdf]}, HTTP_HX_REQUEST="true"
        )
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="compose"' in html and 'hx-swap-oob="true"' in html and "收据.pdf" in html
    att = Attachment.objects.get()
    assert att.path.startswith(f"messages/{scene.case_a.pk}/") and att.path.endswith(".pdf")
    got = client_for(world.mediator_a).get(reverse("messaging:attachment", args=[att.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("status", [CaseStatus.CLOSED, CaseStatus.ARCHIVED])
def test_closed_and_archived_threads_are_read_only(world, status, django_capture_on_commit_callbacks):
    scene = build_scene(world, status)
    client = client_for(world.party_user)
    page = client.get(reverse("messaging:thread", args=[scene.case_a.pk])).content.decode()
    assert "只能查看，不能再发消息" in page and 'name="body"' not in page
    r = post(client, scene.case_a, django_capture_on_commit_callbacks, body="结案后还想说")
    assert r.status_code == 200 and "只能查看" in r.content.decode()
    assert not Message.objects.exists()
    booking = client.get(reverse("messaging:booking", args=[scene.case_a.pk])).content.decode()
    assert "不能再预约" in booking


def test_party_never_sees_the_other_partys_phone_or_id(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    post(client_for(scene.party_b), scene.case_a, django_capture_on_commit_callbacks, body="我是李四")
    other = scene.other_a
    for path in (
        reverse("messaging:thread", args=[scene.case_a.pk]),
        reverse("messaging:booking", args=[scene.case_a.pk]),
    ):
        html = client_for(world.party_user).get(path).content.decode()
        assert "李四" in html or path.endswith("booking/")
        for secret in ("13900000002", applicant_id(2), other.id_number_masked):
            assert secret not in html, (path, secret)


def test_messages_are_never_deleted(world, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    post(client_for(world.party_user), scene.case_a, django_capture_on_commit_callbacks, body="留存")
    message = Message.objects.get()
    with pytest.raises(PermissionError):
        message.delete()
    with pytest.raises(PermissionError):
        Message.objects.all().delete()


def test_mediator_cannot_caucus_a_party_without_account_or_of_another_case(world):
    scene = build_scene(world)
    access = S.thread_access(world.mediator_a, scene.case_a.pk)
    foreign = scene.case_c.parties.first()
    from cases.actions import ActionRefused

    with pytest.raises(ActionRefused):
        S.post_message(world.mediator_a, access, "x", caucus_party=foreign)
