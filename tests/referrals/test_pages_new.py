"""A liaison sends a referral through the page (issue 11 §1, §3): the fields follow the channel, bad input comes
back with a Chinese message next to the field and nothing typed lost (chosen files must be chosen again: the page
says so), a good one goes through referrals.services with its parties and files; the files are downloaded only
within the referral's scope, logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AccessKind, AccessLog
from cases.enums import PartySide
from referrals.enums import ReferralStatus
from referrals.models import Referral
from tests.files import assert_safe_download, clean_pdf, js_pdf
from tests.referrals.factories import party_id, rworld  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
NEW = reverse("console:referral_new")


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def payload(**overrides) -> dict:
    data = {
        "referral_type": "WEIPAI",
        "procedure": "",
        "external_no": "（2026）赣0502民诉前调77号",
        "handler_name": "王法官",
        "handler_phone": "0790-6000001",
        "dispute_type": "",
        "cause": "民间借贷纠纷",
        "brief_facts": "原告借给被告三万元，到期未还。",
        "claims": "请求被告归还借款三万元",
        "place": "渝水区城南街道",
        "occurred_on": "2026-10-01",
        "amount_involved": "30000",
        "designated_committee": "",
        "designated_mediator": "",
        "chosen_by": "",
        "consent_note": "双方均书面同意委派调解",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "20",
        "parties-0-side": PartySide.APPLICANT,
        "parties-0-party_type": "NATURAL_PERSON",
        "parties-0-name": "刘一",
        "parties-0-phone": "13900001001",
        "parties-0-service_address": "liu@example.cn",
        "parties-0-address": "渝水区城南街道抱石社区",
        "parties-0-id_number": party_id(1),
        "parties-0-consented": "on",
        "parties-0-consent_how": "书面同意",
        "parties-1-side": PartySide.RESPONDENT,
        "parties-1-party_type": "NATURAL_PERSON",
        "parties-1-name": "陈二",
        "parties-1-phone": "13900001002",
        "parties-1-service_address": "",
        "parties-1-address": "渝水区水北镇",
        "parties-1-id_number": "",
        "parties-1-consent_how": "",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------------------------- the fields
def test_court_form_has_court_fields(rworld):  # noqa: F811
    page = as_user(rworld.court_liaison).get(NEW).content.decode()
    assert "诉调对接方式" in page and "委派（诉前）" in page and "审理程序" in page and "法院案号" in page
    assert "工单类别" not in page
    # Committees of the court's area only (the other city's is not offered).
    assert rworld.township.name in page and rworld.other_city_committee.name not in page


@pytest.mark.parametrize(
    "who, number_label, absent",
    [
        ("police_liaison", "警情编号", "诉调对接方式"),
        ("petition_liaison", "信访件编号", "审理程序"),
        ("hotline_liaison", "工单编号", "委派（诉前）"),
    ],
)
def test_department_forms(rworld, who, number_label, absent):  # noqa: F811
    page = as_user(getattr(rworld, who)).get(NEW).content.decode()
    assert number_label in page and absent not in page
    assert ("工单类别" in page) is (who == "hotline_liaison")
    assert ("复杂纠纷" in page) is (who == "police_liaison")


# ------------------------------------------------------------------------------------------- bad input is kept
def test_bad_input_is_kept_with_messages(rworld):  # noqa: F811
    data = payload(
        referral_type="WEITUO",
        brief_facts="",
        **{"parties-1-name": "", "parties-0-id_number": "360502198203140000", "parties-1-phone": "abc"},
    )
    response = as_user(rworld.court_liaison).post(NEW, data)
    assert response.status_code == 400
    page = response.content.decode()
    messages = ("请填写简要案情", "委托调解须注明普通程序或简易程序", "请填写当事人姓名或名称", "电话号码格式不正确")
    for message in messages:
        assert message in page, message
    # Everything typed comes back.
    for typed in ("（2026）赣0502民诉前调77号", "王法官", "请求被告归还借款三万元", "liu@example.cn", "民间借贷纠纷"):
        assert typed in page, typed
    assert 'value="2026-10-01"' in page
    assert not Referral.objects.exists()


def test_applicant_needs_an_id_number(rworld):  # noqa: F811
    response = as_user(rworld.court_liaison).post(NEW, payload(**{"parties-0-id_number": ""}))
    assert response.status_code == 400
    assert "申请人须填写身份证号码" in response.content.decode()


def test_one_side_only_is_refused(rworld):  # noqa: F811
    data = payload(**{"parties-1-side": PartySide.APPLICANT, "parties-1-id_number": party_id(2)})
    response = as_user(rworld.court_liaison).post(NEW, data)
    assert response.status_code == 400
    assert "请至少填写一名申请人（原告）和一名被申请人（被告）" in response.content.decode()


def test_chosen_files_must_be_chosen_again(rworld, tmp_path):  # noqa: F811
    data = payload(brief_facts="", attachments=[SimpleUploadedFile("起诉状.pdf", clean_pdf(), "application/pdf")])
    with override_settings(PRIVATE_FILES_ROOT=tmp_path):
        response = as_user(rworld.court_liaison).post(NEW, data)
    assert response.status_code == 400
    assert "请重新选择要上传的材料" in response.content.decode()


def test_a_file_with_script_is_refused_before_anything_is_saved(rworld, tmp_path):  # noqa: F811
    data = payload(attachments=[SimpleUploadedFile("证据.pdf", js_pdf(), "application/pdf")])
    with override_settings(PRIVATE_FILES_ROOT=tmp_path):
        response = as_user(rworld.court_liaison).post(NEW, data)
    assert response.status_code == 400
    assert "证据.pdf" in response.content.decode()
    assert not Referral.objects.exists()


def test_mediator_of_another_committee_is_refused(rworld):  # noqa: F811
    data = payload(
        designated_committee=str(rworld.township.pk), designated_mediator=str(rworld.village_mediator.mediator.pk)
    )
    response = as_user(rworld.court_liaison).post(NEW, data)
    assert response.status_code == 400
    assert "不是城南街道人民调解委员会的调解员" in response.content.decode()


# ------------------------------------------------------------------------------------------------- sent well
def test_send_with_parties_and_files(rworld, tmp_path):  # noqa: F811
    files = [
        SimpleUploadedFile("起诉状.pdf", clean_pdf(), "application/pdf"),
        SimpleUploadedFile("借条.pdf", clean_pdf(2), "application/pdf"),
    ]
    data = payload(designated_committee=str(rworld.township.pk), attachments=files)
    with override_settings(PRIVATE_FILES_ROOT=tmp_path):
        liaison = as_user(rworld.court_liaison)
        response = liaison.post(NEW, data)
        referral = Referral.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("console:referral", args=[referral.pk])
        assert referral.status == ReferralStatus.PENDING
        assert referral.receiver == rworld.township and referral.referral_type == "WEIPAI"
        assert referral.created_by == rworld.court_liaison
        assert [(p.side, p.name) for p in referral.parties.all()] == [
            (PartySide.APPLICANT, "刘一"),
            (PartySide.RESPONDENT, "陈二"),
        ]
        assert referral.parties.get(name="刘一").consented
        assert sorted(a.original_name for a in referral.attachments.all()) == ["借条.pdf", "起诉状.pdf"]

        # The files: the liaison and the receiver download them (logged); another court and another committee
        # get a 404.
        attachment = referral.attachments.order_by("pk").first()
        file_url = reverse("console:referral_file", args=[attachment.pk])
        assert file_url in liaison.get(reverse("console:referral", args=[referral.pk])).content.decode()
        for user in (rworld.court_liaison, rworld.township_director):
            download = as_user(user).get(file_url)
            assert download.status_code == 200
            assert_safe_download(download)
            assert b"".join(download.streaming_content) == attachment_bytes(attachment)
            assert AccessLog.objects.filter(user=user, action=AccessKind.DOWNLOAD_REFERRAL_FILE).count() == 1
        for user in (rworld.other_court_liaison, rworld.village_director, rworld.police_liaison):
            assert as_user(user).get(file_url).status_code == 404
        assert not AccessLog.objects.filter(
            action=AccessKind.DOWNLOAD_REFERRAL_FILE, user__in=[rworld.other_court_liaison, rworld.village_director]
        ).exists()


def attachment_bytes(attachment) -> bytes:
    from cases.uploads import open_stored

    with open_stored(attachment.stored_path) as f:
        return f.read()


def test_police_referral(rworld):  # noqa: F811
    data = payload(external_no="J3605022026001234")
    for key in ("referral_type", "procedure"):
        data.pop(key)
    response = as_user(rworld.police_liaison).post(NEW, data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel == "POLICE" and referral.external_no == "J3605022026001234"
    assert referral.referral_type == "" and referral.receiver == rworld.hub


def test_same_number_twice_is_refused_on_the_field(rworld):  # noqa: F811
    liaison = as_user(rworld.court_liaison)
    assert liaison.post(NEW, payload()).status_code == 302
    response = liaison.post(NEW, payload())
    assert response.status_code == 400
    assert Referral.objects.count() == 1


def test_a_refusal_of_the_services_lands_on_the_party_field(rworld):  # noqa: F811
    from datetime import date

    from cases.identity import make_valid_id_number

    minor = make_valid_id_number("360502", date(2015, 5, 1), 7)
    response = as_user(rworld.court_liaison).post(NEW, payload(**{"parties-0-id_number": minor}))
    assert response.status_code == 400
    page = response.content.decode()
    # Under the first party's ID number field, not only at the top.
    field_at = page.index('name="parties-0-id_number"')
    message_at = page.index("为未成年人")
    assert field_at < message_at < page.index('name="parties-1-side"')
    assert not Referral.objects.exists()


def test_hotline_complaint_gets_its_clock(rworld):  # noqa: F811
    data = payload(external_no="12345-2026-000099", matter_type="COMPLAINT")
    for key in ("referral_type", "procedure"):
        data.pop(key)
    response = as_user(rworld.hotline_liaison).post(NEW, data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel_due is not None
    assert (referral.channel_due.date() - referral.received_at.date()).days >= 13
    page = as_user(rworld.hotline_liaison).get(reverse("console:referral", args=[referral.pk])).content.decode()
    assert 'id="matter-type">投诉、举报<' in page
    missing = payload(external_no="12345-2026-000100")
    missing.pop("referral_type")
    response = as_user(rworld.hotline_liaison).post(NEW, missing)
    assert response.status_code == 400 and "请选择工单类别" in response.content.decode()


def test_a_liaison_whose_court_is_no_institution_is_told(rworld):  # noqa: F811
    from accounts.models import Role, User
    from registry.models import Court

    court = Court.objects.create(name="分宜县人民法院", division=rworld.other_county)
    liaison = User.objects.create_user(username="r_fenyi_liaison", password="x", role=Role.COURT_LIAISON, court=court)
    client = as_user(liaison)
    for target in (NEW, reverse("console:referrals")):
        response = client.get(target)
        assert response.status_code == 200 and "尚未登记为对接机构" in response.content.decode()
    assert client.post(NEW, payload()).status_code == 200
    assert not Referral.objects.exists()


def test_the_liaison_adds_files_while_open(rworld, tmp_path):  # noqa: F811
    from tests.referrals.factories import make_referral

    referral = make_referral(rworld.court)
    attach = reverse("console:referral_attach", args=[referral.pk])
    page = reverse("console:referral", args=[referral.pk])
    with override_settings(PRIVATE_FILES_ROOT=tmp_path):
        assert attach in as_user(rworld.court_liaison).get(page).content.decode()
        assert attach not in as_user(rworld.hub_director).get(page).content.decode()
        assert as_user(rworld.court_liaison).get(attach).status_code == 405
        assert as_user(rworld.other_court_liaison).post(attach).status_code == 404
        upload = SimpleUploadedFile("补充证据.pdf", clean_pdf(), "application/pdf")
        as_user(rworld.hub_director).post(attach, {"files": [upload]})
        assert not referral.attachments.exists()
        files = [SimpleUploadedFile(n, clean_pdf(), "application/pdf") for n in ("补充证据.pdf", "收条.pdf")]
        response = as_user(rworld.court_liaison).post(attach, {"files": files})
        assert response.status_code == 302
        assert sorted(a.title for a in referral.attachments.all()) == ["收条", "补充证据"]
        bad = SimpleUploadedFile("坏.pdf", js_pdf(), "application/pdf")
        good = SimpleUploadedFile("好.pdf", clean_pdf(), "application/pdf")
        as_user(rworld.court_liaison).post(attach, {"files": [good, bad]})
        assert referral.attachments.count() == 2  # one bad file: none of the two stored
