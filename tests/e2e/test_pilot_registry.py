"""A county bureau starts a pilot alone, in a real browser at 1366 and 390 px (issue 9): its administrator adds a
committee and a mediator through the registry pages, opens the mediator's login account and reads the initial
password off the hand-over page; the mediator signs in, must change the password before anything else, and then
sees the committee's workbench; the new committee and mediator are on the public roster.
Screenshots: test-output/screenshots/{desktop,phone}/pilot-*.png."""

import pytest

from accounts.models import User
from registry.models import ChangeAction, Committee, Mediator, RegistryChange
from tests.browser import SCREENSHOTS
from tests.world import applicant_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Hunan#Pilot2026"
COMMITTEE = "温泉街道婚姻家庭纠纷人民调解委员会"


def shot(session, name: str) -> None:
    out = SCREENSHOTS / session.viewport
    out.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(out / f"pilot-{name}.png"), full_page=True)
    session.check_width(name)


def test_county_sets_up_a_committee_and_a_mediator_who_signs_in(e2e_world, session):
    page = session.page
    session.login("county_admin")
    session.goto("/console/committees/")
    with page.expect_navigation():
        page.click("a:has-text('新建调解组织')")
    shot(session, "committee-new")

    # A first try without a name: the form answers in Chinese and keeps what was typed.
    page.fill("#id_short_name", "温泉婚调")
    page.select_option("#id_committee_type", "SOCIAL_ORG_OTHER")
    page.select_option("#id_kind", "INDUSTRY")
    page.select_option("#id_industry", "MARRIAGE")
    page.select_option("#id_township", label="温泉街道")
    session.submit()
    assert page.locator(".is-invalid").count() >= 1 and "请按提示修改" in page.content()
    assert page.input_value("#id_short_name") == "温泉婚调"
    shot(session, "committee-new-error")

    page.fill("#id_name", COMMITTEE)
    page.fill("#id_phone", "0715-8123456")
    session.submit()
    committee = Committee.objects.get(name=COMMITTEE)
    assert f"/console/committees/{committee.pk}/" in page.url and COMMITTEE in page.content()
    assert committee.division_id == "421202001" and committee.industry == "MARRIAGE"
    shot(session, "committee-page")

    with page.expect_navigation():
        page.click("a:has-text('新增调解员')")
    page.fill("#id_name", "吴清华")
    page.select_option("#id_gender", "M")
    page.select_option("#id_category", "FULL_TIME")
    page.fill("#id_term_start", "2026-12-01")
    page.fill("#id_term_end", "2029-11-30")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_id_number", applicant_id(7)[:-1] + ("0" if applicant_id(7)[-1] != "0" else "1"))
    page.fill("#id_specialties", "婚姻家庭")
    session.submit()
    assert "身份证" in page.content() and not Mediator.objects.filter(name="吴清华").exists()  # bad checksum
    page.fill("#id_id_number", applicant_id(7))
    session.submit()
    mediator = Mediator.objects.get(name="吴清华")
    assert mediator.committee == committee and mediator.id_number_masked and applicant_id(7) not in page.content()
    shot(session, "mediator-page")

    with page.expect_navigation():
        page.click("a:has-text('开通登录账号')")
    username = f"wuqh_{session.viewport}"
    page.fill("#id_username", username)
    session.submit()
    password = page.locator("#handover-password").inner_text().strip()
    assert len(password) >= 10
    shot(session, "account-handover")
    account = User.objects.get(username=username)
    assert account.must_change_password and account.committee == committee
    assert not account.check_password("x") and password not in str(
        list(RegistryChange.objects.filter(subject_id=account.pk).values("changes", "note"))
    )
    assert RegistryChange.objects.filter(action=ChangeAction.ACCOUNT_CREATE, subject_id=account.pk).exists()

    session.logout()
    session.login(username, password)
    assert "/accounts/password/" in page.url
    session.goto("/workbench/")
    assert "/accounts/password/" in page.url  # nothing else opens before the password is changed
    shot(session, "forced-change")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    session.submit()
    assert "密码已修改" in page.content()
    account.refresh_from_db()
    assert not account.must_change_password
    session.goto("/workbench/")
    assert "/workbench/" in page.url and COMMITTEE in page.content()
    shot(session, "mediator-workbench")
    session.logout()

    session.goto("/portal/roster/?q=吴清华")
    assert COMMITTEE in page.content() and "吴清华" in page.content()
    shot(session, "roster")
    assert session.overflows == []
