"""A walk-in dispute through the whole lifecycle in a real browser, at a desktop and a phone viewport.

Screenshots of every step land in test-output/screenshots/<viewport>/; at the phone viewport every page visited is
checked for horizontal scrolling."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessLog
from cases.enums import CaseStatus
from cases.models import Case
from tests.world import applicant_id, make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CASE_NO = re.compile(r"（(\d{4})）桂花人调字第(\d+)号")
FACTS = "申请人与被申请人系邻居，被申请人翻修房屋时堆放的建材堵塞了共用排水沟，致申请人院内积水。"


def status_badge(page) -> str:
    return page.locator("main .status-badge").first.inner_text().strip()


def click_action(s, label: str) -> None:
    """Open an action page from the case page's list of offered actions."""
    with s.page.expect_navigation():
        s.page.locator(".case-actions").get_by_role("link", name=label, exact=True).click()
    s.check_width()


def test_walk_in_dispute_through_the_whole_lifecycle(e2e_world, session):
    s, page = session, session.page
    today = timezone.localdate()

    # 1. The mediator logs in through the login form.
    s.goto("/accounts/login/")
    s.shot("login-page")
    s.login("mediator_a")
    assert page.url.endswith("/workbench/")
    s.shot("workbench")

    # 2. Registers a walk-in dispute.
    s.goto("/workbench/register/")
    s.shot("register-empty")
    page.select_option("#id_parties-0-side", "APPLICANT")
    page.select_option("#id_parties-0-party_type", "NATURAL_PERSON")
    page.fill("#id_parties-0-name", "钱大伯")
    page.fill("#id_parties-0-id_number", applicant_id(11))
    page.fill("#id_parties-0-phone", "13900001111")
    page.fill("#id_parties-0-address", "桂花村五组")
    page.select_option("#id_parties-1-side", "RESPONDENT")
    page.select_option("#id_parties-1-party_type", "NATURAL_PERSON")
    page.fill("#id_parties-1-name", "孙二嫂")
    page.fill("#id_parties-1-id_number", applicant_id(12))
    page.select_option("#id_dispute_type", "NEIGHBOR")
    page.select_option("#id_source", "ON_APPLICATION")
    page.fill("#id_brief_facts", FACTS)
    page.fill("#id_claims", "请求被申请人清除建材、疏通排水沟并赔偿损失")
    page.fill("#id_amount_involved", "2500")
    page.select_option("#id_exclusion", "NONE")
    s.shot("register-filled")
    s.submit()
    assert re.search(r"/cases/\d+/$", page.url), page.url
    case_path = page.url.removeprefix(s.base_url)
    case = Case.objects.get(pk=int(case_path.strip("/").split("/")[-1]))
    assert case.status == CaseStatus.INTAKE
    assert status_badge(page) == "待审查"
    assert "已登记" in page.inner_text(".alert-success")
    s.shot("registered")
    s.logout()

    # 3. The director accepts: the case number is issued.
    s.login("director_a")
    s.goto(case_path)
    click_action(s, "受理")
    page.select_option("#id_exclusion", "NONE")
    s.shot("accept-form")
    s.submit()
    heading = page.inner_text("main h1")
    match = CASE_NO.fullmatch(heading.strip())
    assert match, heading
    assert int(match.group(1)) == timezone.localdate().year
    assert status_badge(page) == "已受理"
    # The director may reveal a full ID number (htmx POST with the CSRF header); the view is logged.
    assert applicant_id(11) not in page.inner_text("main")
    page.locator("main button", has_text="查看完整号码").first.click()
    page.locator("main", has_text=applicant_id(11)).wait_for()
    assert AccessLog.objects.filter(user__username="director_a", action="VIEW_ID_NUMBER").count() == 1
    s.shot("accepted")

    # 4. …and assigns 李调解 as presiding mediator.
    click_action(s, "指派调解员")
    # Each mediator's open cases stand beside the name (issue 9 §7): pick 李调解 by the option's value.
    presiding = page.locator("#id_presiding option", has_text="李调解")
    assert re.fullmatch(r"李调解（在办 \d+ 件）", presiding.inner_text().strip()), presiding.inner_text()
    page.select_option("#id_presiding", value=presiding.get_attribute("value"))
    page.check("#id_rights_notified")
    page.check("#id_identities_checked")
    s.shot("assign-form")
    s.submit()
    assert status_badge(page) == "调解中"
    assert "李调解（主持）" in page.inner_text("main")
    s.shot("assigned")
    s.logout()

    # 5. The mediator records an investigation and a session.
    s.login("mediator_a")
    s.goto(case_path)
    click_action(s, "记录调查")
    page.fill("#id_place", "桂花村委会调解室")
    page.fill("#id_subject", "钱大伯")
    page.fill("#id_content", "现场查看排水沟，建材堆放约三米，确有堵塞。")
    s.shot("investigation-form")
    s.submit()
    assert "调查记录" in page.inner_text("main")
    s.shot("investigation-recorded")
    click_action(s, "记录调解")
    page.fill("#id_place", "调解室")
    page.fill("#id_subject", "双方当事人")
    page.fill("#id_content", "双方陈述，调解员释法说理，提出由被申请人清理建材并赔偿的方案。")
    page.fill("#id_result", "双方同意调解方案")
    s.submit()
    assert "调解记录" in page.inner_text("main")
    s.shot("session-recorded")

    # 6. Drafts a written agreement with one term.
    click_action(s, "起草书面协议")
    page.fill("#id_responsibilities", "被申请人负主要责任")
    page.select_option("#id_terms-0-obligor", label="孙二嫂")
    page.select_option("#id_terms-0-obligee", label="钱大伯")
    page.fill("#id_terms-0-content", "孙二嫂清除堆放的建材，疏通排水沟，并赔偿钱大伯损失")
    page.fill("#id_terms-0-amount", "1200")
    page.fill("#id_terms-0-manner", "现金支付")
    page.fill("#id_terms-0-place", "桂花村委会")
    page.fill("#id_terms-0-deadline", (today + timedelta(days=30)).isoformat())
    s.shot("agreement-form")
    s.submit()
    assert "草拟中" in page.inner_text("main")
    s.shot("agreement-drafted")

    # 7. Records the signatures of both parties and the mediator.
    for signer in ("当事人：钱大伯", "当事人：孙二嫂", "调解员本人：李调解"):
        click_action(s, "登记签名")
        page.select_option("#id_signer", label=signer)
        page.select_option("#id_method", "HANDWRITTEN")
        if signer.startswith("调解员"):
            s.shot("sign-form")
        s.submit()
        assert "已完成：登记签名" in page.inner_text(".alert-success")
    s.shot("signed")
    s.logout()

    # 8. The director seals: the agreement takes effect.
    s.login("director_a")
    s.goto(case_path)
    click_action(s, "加盖调委会印章")
    s.shot("seal-form")
    s.submit()
    agreement_card = page.locator(".card", has_text="调解协议").first.inner_text()
    assert "已生效" in agreement_card
    status = status_badge(page)
    assert status in ("履行中", "达成协议")
    s.shot("sealed")
    s.logout()

    # 9. The mediator follows up, then confirms performance (or records immediate performance).
    s.login("mediator_a")
    s.goto(case_path)
    click_action(s, "记录回访")
    page.select_option("#id_party", label="钱大伯")
    assert page.input_value("#id_visited_on") == today.isoformat()  # defaults to today
    page.select_option("#id_outcome", label="已履行")
    page.select_option("#id_satisfaction", label="满意")
    page.fill("#id_notes", "建材已清除，赔偿款已当面付清")
    s.shot("follow-up-form")
    s.submit()
    s.shot("followed-up")
    if status == "履行中":
        click_action(s, "确认履行完毕")
        page.fill("#id_note", "回访确认已全部履行")
    else:
        click_action(s, "即时履行")
        assert page.input_value("#id_on") == today.isoformat()
        page.fill("#id_note", "当场付清，收条附卷")
    s.submit()
    assert status_badge(page) == "履行完毕"
    s.shot("performed")

    # 10. Closes and archives.
    click_action(s, "结案")
    page.fill("#id_summary", "协议已履行完毕，双方关系缓和，结案。")
    page.check("#id_advised_litigation")
    s.shot("close-form")
    s.submit()
    assert status_badge(page) == "已结案"
    s.shot("closed")
    click_action(s, "立卷归档")
    page.select_option("#id_retention_class", label="定期10年")
    page.fill("#id_pages", "18")
    s.shot("archive-form")
    s.submit()
    assert status_badge(page) == "已归档"
    s.shot("archived")

    # 11. The timeline shows every step.
    timeline = page.inner_text("#timeline")
    expected = [
        "登记纠纷",
        "受理",
        "指派调解员",
        "记录调查",
        "记录调解",
        "起草书面协议",
        "登记签名",
        "加盖调委会印章",
        "协议生效",
        "记录回访",
        "结案",
        "立卷归档",
    ]
    expected.append("确认履行完毕" if status == "履行中" else "即时履行")
    for label in expected:
        assert label in timeline, label
    assert timeline.count("登记签名") == 3
    assert page.locator("#timeline li").count() == case.events.count()
    assert "已结案 → 已归档" in timeline
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED

    # Every page visited at the phone viewport fits the screen.
    assert not s.overflows, "pages scroll sideways at 390px: " + "; ".join(s.overflows)


def test_party_sees_only_their_own_case(e2e_world, session):
    s, page = session, session.page
    s.shots = 90  # numbered after the lifecycle's screenshots in the same folder
    own = make_case(e2e_world, CaseStatus.IN_MEDIATION)
    other = make_case(e2e_world, CaseStatus.IN_MEDIATION, party_user=None, seed=1)
    s.login("party_user")
    assert page.url.endswith("/portal/cases/")  # parties follow their cases in the portal
    s.shot("party-my-cases")
    cards = page.locator("main a[href^='/portal/cases/'][href$='/']:not([href='/portal/cases/'])")
    assert cards.count() == 1
    assert own.case_no in cards.first.inner_text()
    assert other.case_no not in page.inner_text("main")
    with page.expect_navigation():
        cards.first.click()
    assert page.url.endswith(f"/portal/cases/{own.pk}/")
    assert own.case_no in page.inner_text("main")
    s.check_width()
    s.shot("party-case")
    response = s.goto(f"/cases/{other.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("main")
    assert other.case_no not in page.content()
    s.shot("party-other-case-404")
    assert not s.overflows, "pages scroll sideways at 390px: " + "; ".join(s.overflows)
