"""The party portal on a phone (390×844, Debian Chromium): a citizen applies online with evidence, the committee
accepts, the other party joins by SMS link, both sign the agreement on the phone (once again after the text was
changed), download the 人民调解协议书, apply jointly for judicial confirmation, and rate the service.

Screenshots of every step: test-output/screenshots/phone/portal-*.png. Every page is checked for sideways scrolling.
The committee's side (acceptance through its own page; assignment, drafting, seal through cases.actions) is the
foundation's and is only driven here."""

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases import actions as A
from cases.actions import jc_deadline
from cases.enums import AgreementStatus, CaseStatus, FollowUpOutcome, JCStatus, PartySide, Satisfaction, SignatureMethod
from cases.models import Case, Rating
from cases.permissions import current_agreement, current_jc
from portal.models import Evidence, JCRequest, JCRequestStatus
from tests.browser import VIEWPORTS, Session
from tests.portal.helpers import EXE_BYTES, all_sms, last_sms, pdf_bytes, png_bytes, sms_code
from tests.world import PASSWORD, applicant_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

APPLICANT_PHONE, RESPONDENT_PHONE = "13911112222", "13911113333"
FACTS = "邻居翻修房屋时把建材堆在共用排水沟上，下雨后我家院子积水，墙角被泡坏。多次找他协商没有结果。"


class Phone(Session):
    """A Session whose screenshots are named portal-NN-step, so they sit beside the lifecycle test's."""

    who = "applicant"

    def shot(self, step: str) -> Path:
        self.shots += 1
        name = f"portal-{self.who}-{self.shots:02d}-{step}"
        path = self.dir / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.check_width(f"{name} ({self.page.url.removeprefix(self.base_url)})")
        return path

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        self.check_width()

    def phone_login(self, phone: str) -> None:
        page = self.page
        page.fill("#id_phone", phone)
        self.click("#send-code")
        page.fill("#id_code", sms_code(phone))
        self.click("#verify-code")


def new_phone(browser, live_server, who: str = "applicant") -> Phone:
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    session = Phone(context.new_page(), live_server.url, "phone")
    session.who = who
    return session


def tap_targets_too_small(page) -> list[str]:
    """Visible buttons, links styled as buttons, inputs and selects smaller than 44 px in height."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main .btn, main input:not([type=hidden]):not([type=checkbox])'
             + ':not([type=radio]), main select, header a, header button, main .choice-list label')]
          .filter(e => e.offsetParent !== null)
          .filter(e => e.getBoundingClientRect().height < 43.5)
          .map(e => (e.id || e.name || e.textContent.trim()).slice(0, 30) + ':' + e.getBoundingClientRect().height)"""
    )


def test_party_portal_on_a_phone(e2e_world, browser, live_server, tmp_path):
    w = e2e_world
    w.village_a.phone = "0715-8123456"
    w.village_a.address = "咸安区温泉街道桂花村村委会"
    w.village_a.save()
    me = new_phone(browser, live_server)
    page = me.page

    # 1. Anyone: the public home page and the roster, on a phone.
    me.goto("/")
    assert "人民调解不收取任何费用" in page.inner_text("main")
    me.shot("home")
    me.page.select_option("#home-county", "421202")
    me.click("main form[action$='/roster/'] button[type=submit]")
    me.page.select_option("#r-township", "421202001")
    page.wait_for_load_state("load")
    page.wait_for_url(re.compile(r"township=421202001"))
    roster = page.inner_text("main")
    assert "桂花村人民调解委员会" in roster and "0715-8123456" in roster and "李调解" in roster
    assert "13800000000" not in page.content()  # mediators' own phones are not published
    me.shot("roster")
    assert tap_targets_too_small(page) == []

    # 2. The citizen signs in with a code (wrong code first), which creates the account.
    me.goto("/portal/apply/")
    assert "/portal/login/" in page.url
    page.fill("#id_phone", APPLICANT_PHONE)
    me.click("#send-code")
    assert "验证码已发送至 139****2222" in page.inner_text("main")
    page.fill("#id_code", "000000" if sms_code(APPLICANT_PHONE) != "000000" else "111111")
    me.click("#verify-code")
    assert "验证码不正确，还可以再试4次" in page.inner_text("main")
    me.shot("login-wrong-code")
    page.fill("#id_code", sms_code(APPLICANT_PHONE))
    me.click("#verify-code")
    assert page.url.endswith("/portal/apply/about/")
    assert tap_targets_too_small(page) == []

    # 3. The guided application, saved as it goes.
    me.shot("apply-about-empty")
    page.fill("#id_name", "钱大伯")
    page.fill("#id_id_number", "42120219800517001")  # one digit short
    page.fill("#id_address", "桂花村五组12号")
    me.click("button[value=next]")
    assert "身份证" in page.inner_text(".errorlist")
    assert page.input_value("#id_address") == "桂花村五组12号"  # nothing typed is lost
    me.shot("apply-about-error")
    page.fill("#id_id_number", applicant_id(21))
    me.click("button[value=next]")
    page.select_option("#id_party_type", "NATURAL_PERSON")
    page.fill("#id_name", "孙二嫂")
    page.fill("#id_phone", RESPONDENT_PHONE)
    me.shot("apply-other")
    me.click("button[value=next]")
    page.fill("#id_brief_facts", FACTS)
    page.wait_for_selector("#saved-hint:has-text('已自动保存')")
    page.reload()  # a closed or reloaded browser loses nothing
    assert page.input_value("#id_brief_facts") == FACTS
    page.fill("#id_claims", "请对方清走建材、疏通排水沟，赔偿墙体修补费2000元")
    page.select_option("#id_dispute_type", "NEIGHBOR")
    page.fill("#id_amount", "2000")
    me.shot("apply-what")
    me.click("button[value=next]")
    with page.expect_navigation():
        page.select_option("#p-county", "421202")
    with page.expect_navigation():
        page.select_option("#p-township", "421202001")
    with page.expect_navigation():
        page.select_option("#p-village", "421202001001")
    assert "桂花村人民调解委员会" in page.inner_text(".alert-info")
    me.shot("apply-place")
    me.click("button[value=next]")
    files = [
        {"name": "积水照片.png", "mimeType": "image/png", "buffer": png_bytes()},
        {"name": "维修报价.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
        {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": EXE_BYTES},  # an .exe renamed .jpg
        {"name": "大照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 10)},
    ]
    page.set_input_files("#id_files", files)
    me.click("button[value=upload]")
    refused = page.inner_text(".alert-danger")
    assert "“照片.jpg”不是可接受的格式" in refused and "“大照片.jpg”有 10.0 MB，超过了 10 MB 的上限" in refused
    assert "积水照片.png" in page.inner_text("main") and "维修报价.pdf" in page.inner_text("main")
    me.shot("apply-evidence-refused")
    me.click("button[value=next]")
    me.shot("apply-confirm")
    page.check("#id_voluntary")
    page.check("#id_privacy")
    me.click("button[value=submit]")
    assert re.search(r"/portal/cases/\d+/$", page.url), page.url
    case = Case.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert case.status == CaseStatus.INTAKE and case.committee == w.village_a
    assert Evidence.objects.filter(case=case).count() == 2
    assert "受理了吗？" in page.inner_text("main") and "还没有" in page.inner_text("main")
    me.shot("case-intake")
    assert "邀请码" in last_sms(RESPONDENT_PHONE)

    # 4. The committee accepts (its own page), then assigns a mediator.
    staff = new_phone(browser, live_server)
    staff.login("director_a", PASSWORD)
    staff.goto(f"/cases/{case.pk}/do/accept/")
    staff.page.select_option("#id_exclusion", "NONE")
    staff.submit()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    staff.page.context.close()
    A.do_assign_mediators(
        case, w.director_a, presiding=w.mediator_a.mediator, rights_notified=True, identities_checked=True
    )
    assert any("您的纠纷已受理" in t for t in all_sms(APPLICANT_PHONE))  # notices by SMS too (system text only)
    me.goto(f"/portal/cases/{case.pk}/")
    assert "李调解" in page.inner_text("main")
    me.shot("case-in-mediation")

    # 5. The other party opens the SMS link, signs in, joins and agrees to mediation.
    link = re.search(r"(http://\S+/portal/join/\S+/)", last_sms(RESPONDENT_PHONE)).group(1)
    other = new_phone(browser, live_server, "respondent")
    other.page.goto(link)
    assert "/portal/login/" in other.page.url
    other.phone_login(RESPONDENT_PHONE)
    assert "/portal/join/" in other.page.url
    other.shot("join")
    other.click("main form button[type=submit]")
    assert f"/portal/cases/{case.pk}/consent/" in other.page.url
    other.shot("consent")
    other.page.check("input[name=answer][value=yes]")
    other.click("main form button[type=submit]")
    assert "您已同意调解" in other.page.inner_text("main")
    html = other.page.content()
    assert applicant_id(21) not in html and APPLICANT_PHONE not in html  # never the other party's ID or phone
    other.shot("respondent-case")

    # 5b. Messages between parties and mediator: HOOK for the messaging app (its panel is included on the case page
    # via messaging/_case_panel.html; add the steps here once messaging's URLs exist).
    try:
        reverse("messaging:thread", kwargs={"pk": case.pk})
    except NoReverseMatch:
        pass

    # 6. The mediator drafts; the applicant signs on the phone; the text changes; both sign the new text.
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    applicant = case.parties.get(side=PartySide.APPLICANT)
    deadline = timezone.localdate()

    def terms(amount: str) -> list[A.TermData]:
        return [
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="清走排水沟上的建材并赔偿墙体修补费",
                amount=Decimal(amount),
                manner="现金当面支付",
                place="桂花村调委会",
                deadline=deadline,
            )
        ]

    A.do_draft_agreement(case, w.mediator_a, facts=FACTS, responsibilities="被申请人负主要责任", terms=terms("1800"))
    me.goto(f"/portal/cases/{case.pk}/")
    me.click("a[href$='/agreement/']")
    me.shot("agreement-to-sign")
    me.page.check("#id_read")
    me.click("#sign-form button[type=submit]")
    assert "您已签署调解协议" in page.inner_text("main")
    me.shot("agreement-signed")
    sig = current_agreement(case).valid_signatures().get(party=applicant)
    assert sig.method == SignatureMethod.E_SIGNATURE and len(sig.session_ref) == 64 and sig.ip_address == "127.0.0.1"
    assert "Chrome" in sig.user_agent and sig.recorded_by.phone == APPLICANT_PHONE

    A.do_draft_agreement(case, w.mediator_a, facts=FACTS, responsibilities="被申请人负主要责任", terms=terms("1900"))
    me.goto(f"/portal/cases/{case.pk}/agreement/")
    assert "您之前的签名已作废" in page.inner_text("main") and "1,900.00" in page.inner_text("main")
    me.shot("agreement-changed")
    page.check("#id_read")
    me.click("#sign-form button[type=submit]")
    other.goto(f"/portal/cases/{case.pk}/agreement/")
    other.page.check("#id_read")
    other.click("#sign-form button[type=submit]")
    A.do_sign_agreement(case, w.mediator_a, party=None, method=SignatureMethod.HANDWRITTEN)
    A.do_seal_agreement(case, w.director_a)
    case.refresh_from_db()
    agreement = current_agreement(case)
    assert agreement.status == AgreementStatus.EFFECTIVE and case.status == CaseStatus.AGREEMENT_REACHED
    me.goto(f"/portal/cases/{case.pk}/agreement/")
    assert "协议已于" in page.inner_text("main")
    me.shot("agreement-effective")

    # 7. The 人民调解协议书 as PDF (rendered by the documents app, if it is there yet).
    try:
        reverse("documents:case_document", kwargs={"pk": case.pk, "kind": "agreement"})
    except NoReverseMatch:
        pdf_skipped = True
    else:
        pdf_skipped = False
        with page.expect_download() as info:
            page.click("#agreement-pdf")
        data = Path(info.value.path()).read_bytes()
        from pypdf import PdfReader

        text = "".join(p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages).replace(" ", "")
        for expected in ("钱大伯", "孙二嫂", "清走排水沟上的建材", "1,900" if "1,900" in text else "1900"):
            assert expected in text, expected

    # 8. Judicial confirmation: the applicant asks, the other party consents, the court's queue has it.
    me.goto(f"/portal/cases/{case.pk}/judicial/")
    # 30 days from the agreement's effect, or the next working day when the 30th is a rest day (民法典 art. 203).
    days_left = (jc_deadline(case) - timezone.localdate()).days
    assert days_left >= 30 and f"还剩 {days_left} 天" in page.inner_text("main")
    me.shot("jc-request")
    page.fill("#id_address", "桂花村五组12号")
    for key in ("application", "agreement", "identity", "addresses"):
        page.check(f"input[name=materials][value={key}]")
    me.click("main form button[type=submit]")
    assert "等待对方同意" in page.inner_text("main") or "已提交" in page.inner_text("main")
    me.shot("jc-pending")
    other.goto(f"/portal/cases/{case.pk}/judicial/")
    other.page.check("input[name=answer][value=yes]")
    other.page.fill("#id_address", "桂花村五组14号")
    other.shot("jc-consent")
    other.click("main form button[type=submit]")
    jc = current_jc(case)
    assert jc is not None and jc.status == JCStatus.APPLIED and jc.court == w.court
    assert JCRequest.objects.get(case=case).status == JCRequestStatus.APPLIED
    me.goto(f"/portal/cases/{case.pk}/judicial/")
    assert "申请进度：已申请" in page.inner_text("main")
    me.shot("jc-applied")
    court = new_phone(browser, live_server)
    court.login("court_liaison", PASSWORD)
    court.goto("/console/cases/")
    assert (case.case_no or "") in court.page.inner_text("main")
    court.page.context.close()

    # 9. Performed, followed up, closed: each party rates the service.
    A.do_record_immediate_performance(case, w.mediator_a, on=timezone.localdate(), note="当场支付1900元，收条附卷")
    A.do_record_follow_up(
        case,
        w.mediator_a,
        party=applicant,
        visited_on=timezone.localdate(),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.SATISFIED,
        notes="款项已付清，排水沟已疏通",
    )
    A.do_close_case(case, w.mediator_a, summary="协议已履行完毕，予以结案")
    me.goto(f"/portal/cases/{case.pk}/")
    me.shot("case-closed")
    me.click("a[href$='/rate/']")
    page.check("input[name=score][value='5']")
    page.fill("#id_comment", "调解员很耐心，问题解决了")
    me.shot("rate")
    me.click("main form button[type=submit]")
    rating = Rating.objects.get(case=case, party=applicant)
    assert (rating.score, rating.user.phone) == (5, APPLICANT_PHONE)
    me.shot("rated")
    timeline = page.inner_text("section[aria-labelledby=history]")
    for sentence in ("提交了调解申请", "调委会受理了申请", "孙二嫂同意调解", "调解协议生效", "案件结案"):
        assert sentence in timeline, sentence

    assert me.overflows == [] and other.overflows == [], me.overflows + other.overflows
    if pdf_skipped:
        pytest.skip("PDF download not checked: documents:case_document does not exist yet (all other steps passed)")
