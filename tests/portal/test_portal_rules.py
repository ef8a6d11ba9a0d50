"""The portal's rules and bad input: codes that expire and work once, rate limits, a party poking other cases,
disguised uploads, an agreement changed after it was read, joint judicial confirmation and its 30-day window,
withdrawal, refusal and ratings — each with a clear Chinese answer and nothing lost."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from cases import actions as A
from cases.enums import CaseStatus, PartySide, TerminationReason
from cases.models import AgreementSignature, Case, Rating
from cases.permissions import current_agreement
from portal.codes import PortalRefused, Requester, verify_code
from portal.models import Evidence, JCRequest, JCRequestStatus, PhoneCode
from tests.files import clean_pdf
from tests.matrix.calls import terms
from tests.portal.helpers import EXE_BYTES, invite_code, phone_login, png_bytes, sms_code
from tests.world import applicant_id, make_case

PHONE = "13712345678"


def html(response) -> str:
    return response.content.decode()


# --- sign-in codes ----------------------------------------------------------------------------------------------


def test_code_signs_in_once_and_creates_a_party_account(db):
    client = Client()
    response = phone_login(client, PHONE)
    assert response.status_code == 302 and response["Location"] == "/portal/cases/"
    code_row = PhoneCode.objects.get(phone=PHONE)
    assert code_row.used_at is not None and len(code_row.code_hash) == 64
    user = client.get("/portal/cases/").wsgi_request.user
    assert (user.role, user.phone, user.has_usable_password()) == ("PARTY", PHONE, False)
    # Another browser cannot use the code at all (it is bound to the session that asked for it, ADR 0004) ...
    other = Client().post("/portal/login/", {"phone": PHONE, "code": sms_code(PHONE), "step": "verify"})
    assert "请先获取验证码" in html(other) and "_auth_user_id" not in other.wsgi_request.session
    # ... and the session that asked cannot use it twice.
    with pytest.raises(PortalRefused, match="该验证码已使用过"):
        verify_code(PHONE, sms_code(PHONE), Requester(code_row.ip_address, code_row.requester))


def test_wrong_then_too_many_then_expired_codes(db):
    client = Client()
    client.post("/portal/login/", {"phone": PHONE, "step": "send"})
    good = sms_code(PHONE)
    wrong = "000000" if good != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = client.post("/portal/login/", {"phone": PHONE, "code": wrong, "step": "verify"})
        assert f"验证码不正确，还可以再试{left}次" in html(r)
        assert f'value="{PHONE}"' in html(r)  # what was typed is kept
    r = client.post("/portal/login/", {"phone": PHONE, "code": wrong, "step": "verify"})
    assert "输错次数过多" in html(r)
    r = client.post("/portal/login/", {"phone": PHONE, "code": good, "step": "verify"})
    assert "输错次数过多" in html(r) and "_auth_user_id" not in client.session

    PhoneCode.objects.all().delete()
    client.post("/portal/login/", {"phone": PHONE, "step": "send"})
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = client.post("/portal/login/", {"phone": PHONE, "code": sms_code(PHONE), "step": "verify"})
    assert "验证码已过期，请重新获取" in html(r) and "_auth_user_id" not in client.session
    r = client.post("/portal/login/", {"phone": "12345", "step": "send"})
    assert "请输入11位手机号码" in html(r)


def test_code_sending_is_rate_limited_per_number_and_per_address(db):
    client = Client()
    client.post("/portal/login/", {"phone": PHONE, "step": "send"}, REMOTE_ADDR="10.1.1.1")
    r = client.post("/portal/login/", {"phone": PHONE, "step": "send"}, REMOTE_ADDR="10.1.1.1")
    assert "验证码刚刚已发送，请" in html(r) and PhoneCode.objects.count() == 1
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    with override_settings(TIAOJIE={**_cfg(), "SMS_CODES_PER_PHONE_PER_DAY": 1}):
        r = client.post("/portal/login/", {"phone": PHONE, "step": "send"}, REMOTE_ADDR="10.1.1.1")
        assert "今天获取验证码的次数已达上限" in html(r)
    with override_settings(TIAOJIE={**_cfg(), "SMS_CODES_PER_IP_PER_HOUR": 1}):
        r = client.post("/portal/login/", {"phone": "13799990000", "step": "send"}, REMOTE_ADDR="10.1.1.1")
        assert "操作过于频繁" in html(r)
        r = client.post("/portal/login/", {"phone": "13799990000", "step": "send"}, REMOTE_ADDR="10.1.1.2")
        assert "验证码已发送至 137****0000" in html(r)


def _cfg() -> dict:
    from django.conf import settings

    return dict(settings.TIAOJIE)


# --- a party sees only their own cases ----------------------------------------------------------------------------


def test_a_party_poking_another_case_gets_404_everywhere(world):
    case = make_case(world, CaseStatus.PERFORMING)
    ev = Evidence.objects.create(
        case=case,
        uploaded_by=world.party_user,
        path="x/none.png",
        original_name="a.png",
        content_type="image/png",
        size=1,
    )
    client = Client()
    client.force_login(world.outsider)
    for suffix in ["", "agreement/", "judicial/", "withdraw/", "consent/", "rate/", "invite/"]:
        url = f"/portal/cases/{case.pk}/{suffix}"
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code == 404, url
    assert client.get(f"/portal/evidence/{ev.pk}/").status_code == 404
    assert client.get("/portal/cases/999999/").status_code == 404
    assert case.events.count() == Case.objects.get(pk=case.pk).events.count()


def test_the_other_party_never_sees_the_applicants_id_number_or_phone(world):
    case = make_case(world, CaseStatus.IN_MEDIATION, party_user=None)
    case.parties.filter(side=PartySide.RESPONDENT).update(user=world.party_user)
    applicant = case.parties.get(side=PartySide.APPLICANT)
    client = Client()
    client.force_login(world.party_user)
    page = html(client.get(f"/portal/cases/{case.pk}/"))
    assert applicant.name in page
    assert applicant.phone not in page and applicant.full_id_number() not in page
    assert applicant.id_number_masked not in page


# --- the application --------------------------------------------------------------------------------------------


def _fill_application(client: Client, respondent_phone: str = "13766665555") -> None:
    client.post(
        "/portal/apply/about/",
        {"name": "周大姐", "id_number": applicant_id(31), "address": "桂花村二组", "go": "next"},
    )
    client.post(
        "/portal/apply/other/",
        {"party_type": "NATURAL_PERSON", "name": "吴大哥", "phone": respondent_phone, "go": "next"},
    )
    client.post(
        "/portal/apply/what/",
        {"brief_facts": "吴大哥家的狗多次咬伤我家鸡鸭，协商不成。", "claims": "赔偿损失500元", "go": "next"},
    )
    client.post(
        "/portal/apply/place/", {"county": "421202", "township": "421202001", "village": "421202001001", "go": "next"}
    )


def test_application_lands_at_the_village_committee_with_checked_evidence(world):
    client = Client()
    phone_login(client, PHONE)
    _fill_application(client)
    exe = SimpleUploadedFile("照片.jpg", EXE_BYTES, content_type="image/jpeg")
    png = SimpleUploadedFile("鸡舍.png", png_bytes(), content_type="image/png")
    r = client.post("/portal/apply/evidence/", {"files": [exe, png], "go": "upload"})
    assert "“照片.jpg”不是可接受的格式" in html(r) and "鸡舍.png" in html(r)
    r = client.post("/portal/apply/confirm/", {"go": "submit"})
    assert "请确认自愿申请后再提交" in html(r) and not Case.objects.exists()
    r = client.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    case = Case.objects.get()
    assert r["Location"] == f"/portal/cases/{case.pk}/"
    assert (case.status, case.committee, case.source, case.dispute_type) == (
        CaseStatus.INTAKE,
        world.village_a,
        "ON_APPLICATION",
        "OTHER",
    )
    applicant = case.parties.get(side=PartySide.APPLICANT)
    assert applicant.user.phone == PHONE and applicant.phone == PHONE and applicant.full_id_number() == applicant_id(31)
    evidence = Evidence.objects.get(case=case)
    assert evidence.original_name == "鸡舍.png" and evidence.content_type == "image/png"
    assert client.get(f"/portal/evidence/{evidence.pk}/").status_code == 200
    mediator = Client()
    mediator.force_login(world.mediator_a)
    assert mediator.get(f"/portal/evidence/{evidence.pk}/").status_code == 200  # the committee sees it
    mediator.force_login(world.mediator_b)
    assert mediator.get(f"/portal/evidence/{evidence.pk}/").status_code == 404  # another committee does not


def test_invalid_step_keeps_what_was_typed_and_drafts_survive(world):
    client = Client()
    phone_login(client, PHONE)
    r = client.post("/portal/apply/what/", {"brief_facts": "太短", "claims": "", "go": "next"})
    assert "至少10个字" in html(r) and "太短" in html(r)
    fresh = Client()
    phone_login(fresh, PHONE, ip="10.0.0.2") if False else fresh.force_login(r.wsgi_request.user)
    assert "太短" in html(fresh.get("/portal/apply/what/"))  # another browser: the draft is still there
    r = fresh.post("/portal/apply/what/autosave/", {"brief_facts": "自动保存的内容", "claims": "x"})
    assert r.status_code == 200 and "自动保存的内容" in html(fresh.get("/portal/apply/what/"))


def test_applications_are_rate_limited_per_account(world):
    client = Client()
    phone_login(client, PHONE)
    with override_settings(TIAOJIE={**_cfg(), "APPLICATIONS_PER_ACCOUNT_PER_DAY": 1}):
        _fill_application(client)
        client.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
        _fill_application(client)
        r = client.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    assert "您今天提交的申请已达上限" in html(r) and Case.objects.count() == 1


# --- joining, consent, withdrawal -------------------------------------------------------------------------------


def test_other_party_joins_with_the_code_and_refusal_ends_the_case(world):
    applicant = Client()
    phone_login(applicant, PHONE)
    _fill_application(applicant, respondent_phone="13766665555")
    applicant.post("/portal/apply/confirm/", {"go": "submit", "voluntary": "on", "privacy": "on"})
    case = Case.objects.get()
    other = Client()
    phone_login(other, "13766665555", ip="10.0.0.9")
    r = other.post("/portal/join/", {"code": "ABCDEFGH"})
    assert "邀请码不正确、已使用或已过期" in html(r)
    code = invite_code("13766665555")
    r = other.post("/portal/join/", {"code": code.lower()})
    assert "加入案件" in html(r) and "周大姐" in html(r)
    r = other.post("/portal/join/", {"code": code, "confirm": "1"})
    assert r["Location"] == f"/portal/cases/{case.pk}/consent/"
    assert other.post("/portal/join/", {"code": code, "confirm": "1"}).status_code == 200  # used: not again
    r = other.post(f"/portal/cases/{case.pk}/consent/", {"answer": "no", "statement": "不愿意"})
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED and "吴大哥明确表示拒绝调解" in case.not_accepted_reason


def test_applicant_withdraws_before_and_after_acceptance(world):
    client = Client()
    client.force_login(world.party_user)
    intake = make_case(world, CaseStatus.INTAKE)
    client.post(f"/portal/cases/{intake.pk}/withdraw/", {"statement": ""})  # not confirmed: nothing happens
    assert Case.objects.get(pk=intake.pk).status == CaseStatus.INTAKE
    client.post(f"/portal/cases/{intake.pk}/withdraw/", {"confirm": "on"})
    assert Case.objects.get(pk=intake.pk).status == CaseStatus.NOT_ACCEPTED
    mediating = make_case(world, CaseStatus.IN_MEDIATION, seed=1)
    client.post(f"/portal/cases/{mediating.pk}/withdraw/", {"confirm": "on", "statement": "已私下和解"})
    mediating.refresh_from_db()
    assert (mediating.status, mediating.termination_reason) == (CaseStatus.TERMINATED, TerminationReason.PARTY_WITHDREW)
    assert mediating.events.last().action == "party_refusal" and mediating.events.last().data["withdrawn"] is True


# --- signing ----------------------------------------------------------------------------------------------------


def test_a_text_changed_after_reading_is_refused_and_a_changed_text_voids_the_signature(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    today = timezone.localdate()
    A.do_draft_agreement(case, world.mediator_a, facts=case.brief_facts, responsibilities="", terms=terms(case, today))
    read_hash = current_agreement(case).text_hash()
    client = Client()
    client.force_login(world.party_user)
    t = terms(case, today)
    t[0].amount = t[0].amount + 100
    A.do_draft_agreement(case, world.mediator_a, facts=case.brief_facts, responsibilities="", terms=t)
    r = client.post(f"/portal/cases/{case.pk}/agreement/", {"text_hash": read_hash, "read": "on"})
    assert "协议文本在您阅读后已被调解员修改" in html(r) and not AgreementSignature.objects.exists()
    new_hash = current_agreement(case).text_hash()
    client.post(f"/portal/cases/{case.pk}/agreement/", {"text_hash": new_hash, "read": "on"})
    sig = AgreementSignature.objects.get()
    assert (sig.party.user, sig.method, sig.text_hash) == (world.party_user, "E_SIGNATURE", new_hash)
    A.do_draft_agreement(case, world.mediator_a, facts=case.brief_facts + "补充。", responsibilities="", terms=t)
    sig.refresh_from_db()
    assert sig.voided_at is not None
    assert "您之前的签名已作废" in html(client.get(f"/portal/cases/{case.pk}/agreement/"))
    with pytest.raises(A.ActionRefused, match="只能以本人名义签署协议"):
        other = case.parties.get(side=PartySide.RESPONDENT)
        A.do_sign_agreement(case, world.party_user, party=other, method="E_SIGNATURE")


# --- judicial confirmation --------------------------------------------------------------------------------------


def _agreed_case(world, days_ago: int):
    case = make_case(world, CaseStatus.AGREEMENT_REACHED)
    agreement = current_agreement(case)
    agreement.effective_at = timezone.now() - timedelta(days=days_ago, minutes=5)  # the window starts here
    agreement.save(update_fields=["effective_at"])
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    respondent.user = world.outsider
    respondent.save(update_fields=["user"])
    return case


def test_joint_application_one_applies_the_other_consents(world):
    case = _agreed_case(world, days_ago=0)
    applicant, other = Client(), Client()
    applicant.force_login(world.party_user)
    other.force_login(world.outsider)
    data = {
        "form": "request",
        "court": world.court.pk,
        "address": "桂花村3组",
        "materials": ["application", "agreement"],
    }
    r = applicant.post(f"/portal/cases/{case.pk}/judicial/", data)
    assert "还缺必备材料" in html(r) and not JCRequest.objects.exists()
    data["materials"] += ["identity", "addresses"]
    applicant.post(f"/portal/cases/{case.pk}/judicial/", data)
    req = JCRequest.objects.get()
    assert req.status == JCRequestStatus.PENDING and not case.judicial_confirmations.exists()
    r = other.post(f"/portal/cases/{case.pk}/judicial/", {"form": "consent", "answer": "yes", "address": ""})
    assert "请填写您的送达地址" in html(r)
    other.post(f"/portal/cases/{case.pk}/judicial/", {"form": "consent", "answer": "yes", "address": "桂花村3组"})
    req.refresh_from_db()
    jc = case.judicial_confirmations.get()
    assert req.status == JCRequestStatus.APPLIED and req.confirmation == jc
    assert (jc.applicant.user, jc.consenting.user, jc.court) == (world.party_user, world.outsider, world.court)
    assert case.events.last().actor == world.outsider


def test_after_day_30_the_request_is_refused_with_the_reason(world):
    case = _agreed_case(world, days_ago=45)
    client = Client()
    client.force_login(world.party_user)
    data = {
        "form": "request",
        "court": world.court.pk,
        "address": "桂花村3组",
        "materials": ["application", "agreement", "identity", "addresses"],
    }
    r = client.post(f"/portal/cases/{case.pk}/judicial/", data)
    assert "已超过申请期限：应自协议生效之日起30日内" in html(r) and "已过期" in html(r)
    assert not JCRequest.objects.exists() and not case.judicial_confirmations.exists()


def test_consent_arriving_after_the_window_is_refused_with_the_reason(world):
    case = _agreed_case(world, days_ago=0)
    client, other = Client(), Client()
    client.force_login(world.party_user)
    other.force_login(world.outsider)
    client.post(
        f"/portal/cases/{case.pk}/judicial/",
        {
            "form": "request",
            "court": world.court.pk,
            "address": "桂花村3组",
            "materials": ["application", "agreement", "identity", "addresses"],
        },
    )
    agreement = current_agreement(case)
    agreement.effective_at = timezone.now() - timedelta(days=40)
    agreement.save(update_fields=["effective_at"])
    other.post(f"/portal/cases/{case.pk}/judicial/", {"form": "consent", "answer": "yes", "address": "桂花村3组"})
    req = JCRequest.objects.get()
    assert req.status == JCRequestStatus.REFUSED and "已超过申请期限" in req.reason
    assert not case.judicial_confirmations.exists()


# --- rating -----------------------------------------------------------------------------------------------------


def test_rating_only_after_closure_and_once(world):
    client = Client()
    client.force_login(world.party_user)
    open_case = make_case(world, CaseStatus.PERFORMING)
    client.post(f"/portal/cases/{open_case.pk}/rate/", {"score": "5"})
    assert not Rating.objects.exists()
    closed = make_case(world, CaseStatus.CLOSED, seed=2)
    r = client.post(f"/portal/cases/{closed.pk}/rate/", {"score": "9"})
    assert "请选择满意程度" in html(r) or "选择一个有效的选项" in html(r) or r.status_code == 200
    client.post(f"/portal/cases/{closed.pk}/rate/", {"score": "4", "comment": "满意"})
    client.post(f"/portal/cases/{closed.pk}/rate/", {"score": "1"})
    rating = Rating.objects.get()
    assert (rating.case, rating.score, rating.comment) == (closed, 4, "满意")


def test_staff_case_page_lists_the_online_evidence_and_streams_it_in_scope(world, client):
    """A mediator sees what the applicant uploaded online; another committee's mediator gets 404 for the file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.enums import CaseStatus
    from cases.uploads import check_upload, store
    from portal.models import Evidence
    from tests.world import make_case

    case = make_case(world, CaseStatus.IN_MEDIATION)
    pdf = clean_pdf()
    f = SimpleUploadedFile("维修报价.pdf", pdf, content_type="application/pdf")
    checked = check_upload(f)
    ev = Evidence.objects.create(
        case=case,
        uploaded_by=world.party_user,
        path=store(f, checked, f"evidence/{case.pk}"),
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
    )
    client.force_login(world.mediator_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "当事人在线提交的证据" in html and "维修报价.pdf" in html
    response = client.get(f"/portal/evidence/{ev.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    client.force_login(world.mediator_c)
    assert client.get(f"/portal/evidence/{ev.pk}/").status_code == 404
