"""Regressions for the code review of the party portal: a party using the staff action pages (a one-sided,
backdated judicial confirmation; a signature without the portal's evidence), invitation SMS as a spoofing relay
(typed text, no caps, old codes valid forever, any phone may join), a 500 on a bad join link, joining an ended
case, a confirmation request nobody can answer, evidence that fills the disk, and a per-process join counter."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from cases import actions as A
from cases.enums import CaseStatus, PartySide
from cases.models import AgreementSignature, Case, JudicialConfirmation, Party
from cases.permissions import current_agreement
from portal.invitations import masked_surname
from portal.models import Evidence, Invitation, JCRequest, JoinFailure, secret_digest
from tests.matrix.calls import terms
from tests.portal.helpers import all_sms, invite_code, phone_login, png_bytes
from tests.portal.test_portal_rules import _agreed_case, _fill_application
from tests.world import applicant_id, make_case

APPLICANT_PHONE = "13712345678"
RESPONDENT_PHONE = "13766665555"
BAD_CODE = "邀请码不正确、已使用或已过期"


def html(response) -> str:
    return response.content.decode()


def tiaojie(**changes) -> override_settings:
    return override_settings(TIAOJIE={**settings.TIAOJIE, **changes})


def online_case(name: str = "周大姐") -> tuple[Client, Case]:
    """An online application by APPLICANT_PHONE against RESPONDENT_PHONE; the first invitation SMS goes out."""
    client = Client()
    phone_login(client, APPLICANT_PHONE)
    _fill_application(client, respondent_phone=RESPONDENT_PHONE)
    if name != "周大姐":
        about = {"name": name, "id_number": applicant_id(31), "address": "桂花村二组", "go": "next"}
        client.post("/portal/apply/about/", about)
    r = client.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    assert r.status_code == 302, html(r)[:2000]
    return client, Case.objects.get()


def respondent_client(phone: str = RESPONDENT_PHONE) -> Client:
    client = Client()
    phone_login(client, phone, ip="10.0.0.9")
    return client


def resend(client: Client, case: Case):
    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=11))  # past the 10-minute interval
    return client.post(f"/portal/cases/{case.pk}/invite/", follow=True)


# --- 1. a party never uses the staff action pages; the action itself refuses a one-sided application ------------


def test_a_party_gets_404_on_the_staff_action_pages_and_nothing_is_recorded(world):
    performing = make_case(world, CaseStatus.PERFORMING)
    me = performing.parties.get(user=world.party_user)
    other = performing.parties.exclude(pk=me.pk).get()
    client = Client()
    client.force_login(world.party_user)
    url = f"/cases/{performing.pk}/do/jc_apply/"
    assert client.get(url).status_code == 404
    backdated = {"applicant": me.pk, "consenting": other.pk, "court": world.court.pk, "applied_on": "2026-03-03"}
    assert client.post(url, backdated).status_code == 404
    assert not JudicialConfirmation.objects.exists()

    mediating = make_case(world, CaseStatus.IN_MEDIATION, seed=1)
    A.do_draft_agreement(
        mediating,
        world.mediator_a,
        facts=mediating.brief_facts,
        responsibilities="",
        terms=terms(mediating, timezone.localdate()),
    )
    url = f"/cases/{mediating.pk}/do/sign_agreement/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"party": me.pk, "method": "HANDWRITTEN"}).status_code == 404
    assert not AgreementSignature.objects.filter(agreement__case=mediating).exists()
    # Staff keep their pages; the party keeps the portal's signing page.
    staff = Client()
    staff.force_login(world.mediator_a)
    assert staff.get(url).status_code == 200
    own = mediating.parties.get(user=world.party_user)
    assert client.get(f"/portal/cases/{mediating.pk}/agreement/").status_code == 200
    assert own.user == world.party_user


def test_a_party_cannot_apply_alone_or_backdate_through_the_action(world):
    case = _agreed_case(world, days_ago=3)  # the respondent has the outsider's account
    me = case.parties.get(user=world.party_user)
    other = case.parties.get(user=world.outsider)
    today = timezone.localdate()
    asked = timezone.now() - timedelta(hours=1)
    common = {"court": world.court, "applied_on": today}
    alone = "司法确认须由双方共同申请：须先由对方当事人在网上提出申请，再由您本人同意"
    with pytest.raises(A.ActionRefused) as info:  # naming the other side as consenting
        A.do_apply_judicial_confirmation(case, world.party_user, applicant=me, consenting=other, **common)
    assert info.value.message == alone
    with pytest.raises(A.ActionRefused) as info:  # "consenting" to a request that was never made
        A.do_apply_judicial_confirmation(case, world.party_user, applicant=other, consenting=me, **common)
    assert info.value.message == alone
    with pytest.raises(A.ActionRefused) as info:  # backdated
        A.do_apply_judicial_confirmation(
            case,
            world.party_user,
            applicant=other,
            consenting=me,
            court=world.court,
            applied_on=today - timedelta(days=2),
            requested_at=asked,
        )
    assert info.value.message == "网上共同申请的申请日期为您同意之日（今天），不能另选日期"
    assert not JudicialConfirmation.objects.exists()
    jc = A.do_apply_judicial_confirmation(
        case, world.party_user, applicant=other, consenting=me, requested_at=asked, **common
    )
    assert (jc.applicant, jc.consenting, jc.applied_on) == (other, me, today)


# --- 3. invitations: no typed text in the SMS, caps, replaced and expiring codes, the invited number only --------


def test_the_invitation_sms_carries_no_text_typed_by_the_applicant(world):
    _client, case = online_case(name="速点t.cn退款")
    assert case.parties.get(side=PartySide.APPLICANT).name == "速点t.cn退款"
    [text] = all_sms(RESPONDENT_PHONE)
    assert "t.cn" not in text and "退款" not in text
    assert text.startswith("【人民调解】桂花村人民调解委员会收到一件与您有关的纠纷调解申请（申请人：速**）")
    assert "邀请14天内有效" in text
    assert masked_surname("张三丰") == "张**"
    assert masked_surname("http://x.cn") == "" and masked_surname("") == ""


def test_resending_is_capped_per_party_and_a_new_invitation_replaces_the_old(world):
    client, case = online_case()
    first = invite_code(RESPONDENT_PHONE)
    r = resend(client, case)
    assert "已向对方（137****5555）重新发送邀请短信" in html(r)
    second = invite_code(RESPONDENT_PHONE)
    resend(client, case)
    r = resend(client, case)
    assert "今天向对方发送邀请的次数已达上限" in html(r)
    assert len(all_sms(RESPONDENT_PHONE)) == 3  # the first one and two resends, then the cap
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    other = respondent_client()
    for old in (first, second):
        assert BAD_CODE in html(other.post("/portal/join/", {"code": old}))
    r = other.post("/portal/join/", {"code": invite_code(RESPONDENT_PHONE), "confirm": "1"})
    assert r["Location"] == f"/portal/cases/{case.pk}/consent/"


def test_resending_is_capped_per_case(world):
    with tiaojie(INVITATIONS_PER_PARTY_PER_DAY=10, INVITATIONS_PER_CASE_PER_DAY=2):
        client, case = online_case()
        resend(client, case)
        r = resend(client, case)
    assert "本案今天发送邀请的次数已达上限" in html(r)
    assert len(all_sms(RESPONDENT_PHONE)) == 2


def test_an_invitation_expires(world):
    _client, case = online_case()
    code = invite_code(RESPONDENT_PHONE)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=15))
    other = respondent_client()
    assert BAD_CODE in html(other.post("/portal/join/", {"code": code}))
    with tiaojie(INVITATION_TTL_DAYS=30):
        assert "加入案件" in html(other.post("/portal/join/", {"code": code}))


def test_only_the_invited_number_can_join(world):
    _client, case = online_case()
    code = invite_code(RESPONDENT_PHONE)
    stranger = respondent_client("13900008888")
    r = stranger.post("/portal/join/", {"code": code})
    assert "该邀请发送给手机号137****5555，请退出后用该手机号登录再加入" in html(r)
    assert "吴大哥" not in html(r) and "我是" not in html(r)
    stranger.post("/portal/join/", {"code": code, "confirm": "1"})
    token = re.search(r"/portal/join/([^/\s]+)/", all_sms(RESPONDENT_PHONE)[-1]).group(1)
    assert "该邀请发送给手机号" in html(stranger.get(f"/portal/join/{token}/"))
    stranger.post(f"/portal/join/{token}/", {"confirm": "1"})
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    assert respondent.user_id is None and not case.events.filter(action="party_joined").exists()
    r = respondent_client().post("/portal/join/", {"code": code, "confirm": "1"})
    respondent.refresh_from_db()
    assert r.status_code == 302 and respondent.user.phone == RESPONDENT_PHONE


# --- 4. a bad, used or absurd join link is a clear page, never a 500 ------------------------------------------


def test_a_bad_or_used_join_link_is_a_clear_page(world):
    _client, case = online_case()
    token = re.search(r"/portal/join/([^/\s]+)/", all_sms(RESPONDENT_PHONE)[-1]).group(1)
    other = respondent_client()
    for bad in ("x" * 50, "x" * 5000):
        r = other.get(f"/portal/join/{bad}/")
        assert r.status_code == 200 and BAD_CODE in html(r)
    other.post(f"/portal/join/{token}/", {"confirm": "1"})
    assert case.parties.get(side=PartySide.RESPONDENT).user is not None
    r = other.get(f"/portal/join/{token}/")
    assert r.status_code == 200 and BAD_CODE in html(r)


# --- 7. joining follows the transition table: not into an ended case ----------------------------------------------


def invitation_for(party: Party, phone: str, token: str = "tok-test-1") -> str:
    Invitation.objects.create(
        party=party,
        token_hash=secret_digest(f"join-token:{token}"),
        code_hash=secret_digest(f"join-code:{token}"),
        phone=phone,
        created_by=party.case.parties.get(side=PartySide.APPLICANT).user,
    )
    return token


@pytest.mark.parametrize(
    "status, joins",
    [
        (CaseStatus.INTAKE, True),
        (CaseStatus.IN_MEDIATION, True),
        (CaseStatus.NOT_ACCEPTED, False),
        (CaseStatus.TERMINATED, False),
        (CaseStatus.CLOSED, False),
        (CaseStatus.ARCHIVED, False),
    ],
)
def test_joining_follows_the_table(world, status, joins):
    case = make_case(world, status)
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    assert respondent.user_id is None
    token = invitation_for(respondent, world.outsider.phone)
    client = Client()
    client.force_login(world.outsider)
    r = client.post(f"/portal/join/{token}/", {"confirm": "1"})
    respondent.refresh_from_db()
    if joins:
        assert r.status_code == 302 and respondent.user == world.outsider
    else:
        assert r.status_code == 200
        assert f"案件当前状态为“{status.label}”，已不能加入" in html(r)
        assert respondent.user_id is None and not case.events.filter(action="party_joined").exists()


# --- 8. a confirmation request needs someone who can consent, and is made once -----------------------------------


def test_no_confirmation_request_when_the_other_party_has_no_account(world):
    case = make_case(world, CaseStatus.AGREEMENT_REACHED)
    agreement = current_agreement(case)
    agreement.effective_at = timezone.now() - timedelta(minutes=5)
    agreement.save(update_fields=["effective_at"])
    client = Client()
    client.force_login(world.party_user)
    page = html(client.get(f"/portal/cases/{case.pk}/judicial/"))
    assert "还没有加入线上案件" in page and "提出申请" not in page
    data = {
        "form": "request",
        "court": world.court.pk,
        "address": "桂花村3组",
        "materials": ["application", "agreement", "identity", "addresses"],
    }
    r = client.post(f"/portal/cases/{case.pk}/judicial/", data)
    assert "对方当事人尚未加入线上案件，无法在网上共同申请司法确认" in html(r)
    assert not JCRequest.objects.exists()


def test_a_second_pending_request_is_refused(world):
    case = _agreed_case(world, days_ago=0)
    me = case.parties.get(user=world.party_user)
    other = case.parties.get(user=world.outsider)
    d = {"court": world.court, "materials": ["application"], "address": "桂花村3组"}
    A.do_request_joint_confirmation(case, world.party_user, applicant=me, **d)
    with pytest.raises(A.ActionRefused, match="已有一份等待对方同意的司法确认申请"):
        A.do_request_joint_confirmation(case, world.outsider, applicant=other, **d)
    assert JCRequest.objects.count() == 1
    assert list(case.events.filter(action__startswith="jc_request").values_list("action", "actor")) == [
        ("jc_request", world.party_user.pk)
    ]


# --- 9. evidence: removed files count, and bytes per account per day are capped ----------------------------------


def upload(client: Client, name: str):
    return client.post(
        "/portal/apply/evidence/",
        {"files": [SimpleUploadedFile(name, png_bytes(), content_type="image/png")], "go": "upload"},
    )


def test_upload_remove_repeat_is_capped_per_draft(world):
    client = Client()
    phone_login(client, APPLICANT_PHONE)
    with tiaojie(EVIDENCE_FILES_PER_DRAFT=3):
        for n in range(3):
            assert f"图{n}.png" in html(upload(client, f"图{n}.png"))
            ev = Evidence.objects.get(removed_at__isnull=True)
            client.post(f"/portal/evidence/{ev.pk}/remove/")
        r = upload(client, "图3.png")
    assert "“图3.png”未上传：本申请已上传过3个文件（含已移除的），不能再上传" in html(r)
    assert Evidence.objects.count() == 3


def test_upload_bytes_are_capped_per_account_per_day(world):
    client = Client()
    phone_login(client, APPLICANT_PHONE)
    size = len(png_bytes())
    with tiaojie(EVIDENCE_BYTES_PER_ACCOUNT_PER_DAY=2 * size):
        upload(client, "甲.png")
        upload(client, "乙.png")
        r = upload(client, "丙.png")
        assert "“丙.png”未上传：今天上传的文件已达" in html(r)
        assert Evidence.objects.count() == 2
        Evidence.objects.update(uploaded_at=timezone.now() - timedelta(days=1, minutes=1))  # yesterday's
        upload(client, "丙.png")
    assert Evidence.objects.count() == 3


# --- 10. wrong join codes are counted in the database -------------------------------------------------------------


def test_wrong_join_codes_are_counted_in_the_database(world):
    _client, case = online_case()
    code = invite_code(RESPONDENT_PHONE)
    other = respondent_client()
    for _ in range(10):
        other.post("/portal/join/", {"code": "ABCDEFGH"})
    assert JoinFailure.objects.count() == 10
    cache.clear()  # a per-process cache would forget here; the database does not
    r = other.post("/portal/join/", {"code": code})
    assert "输错次数过多，请一小时后再试" in html(r) and "吴大哥" not in html(r)
    JoinFailure.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert "加入案件" in html(other.post("/portal/join/", {"code": code}))
    assert case.parties.get(side=PartySide.RESPONDENT).user_id is None


def test_step_sms_carry_no_text_typed_by_users(world, django_capture_on_commit_callbacks):
    """Notices name parties ("张三已加入…"); the SMS of a step to a party is the step's text written for a citizen
    (data/notice_rules.json party_texts), filled in with system data only: the case's number, never a name."""
    from portal.sms import ConsoleBackend

    ConsoleBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(world, CaseStatus.IN_MEDIATION)
    texts = [m.text for m in ConsoleBackend.outbox]
    assert texts, "the party with a portal account hears about each step by SMS"
    names = list(case.parties.values_list("name", flat=True))
    for text in texts:
        assert case.case_no in text or case.registration_no in text, text
        assert not any(name in text for name in names), text
    assert any("已为您的案件" in t and "指派调解员" in t for t in texts)
