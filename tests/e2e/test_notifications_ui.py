"""The notifications pages in a real browser at 1366 px and 390 px: a county administrator finds a failed SMS in
the delivery log, opens it and sends it again; a mediator and a party set their notice preferences. Screenshots in
test-output/screenshots/<viewport>/NN-notifications-*.png; no page scrolls sideways on a phone."""

import pytest
from django.test import override_settings

from cases import actions as A
from cases.enums import CaseStatus
from notifications.enums import DeliveryStatus, NoticeKind
from notifications.models import DeliveryAttempt, NoticePreference, OutboxMessage
from tests.notifications.gateways import RECORDING, RecordingGateway, reset
from tests.world import case_data, make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_menu(s) -> None:
    toggler = s.page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        s.page.locator("#nav.show").wait_for()


def test_county_finds_a_failed_sms_and_sends_it_again(e2e_world, session):
    w, s, page = e2e_world, session, session.page
    case = make_case(w, CaseStatus.IN_MEDIATION)
    A.do_register_case(w.director_c, w.village_c, case_data(w.party_user))  # another county's: never listed
    # The last step's SMS once more, as the worker leaves it after five failed tries (the delivery log is
    # append-only, so the failed copy is a new message rather than the delivered one rewritten).
    sent = OutboxMessage.objects.filter(case=case).order_by("pk").last()
    failed = OutboxMessage.objects.create(
        channel=sent.channel,
        kind=sent.kind,
        user=sent.user,
        case=case,
        division_code=sent.division_code,
        address=sent.address,
        body=sent.body,
        status=DeliveryStatus.FAILED,
        attempts=5,
        last_error="GatewayDown: 短信网关连接超时（503）",
    )
    for _ in range(5):
        DeliveryAttempt.objects.create(message=failed, ok=False, error=failed.last_error)
    OutboxMessage.objects.create(
        kind=NoticeKind.LOGIN_CODE,
        division_code=case.division_code,
        address="13912345678",
        body="【人民调解】您的验证码是482913，5分钟内有效。",
        status=DeliveryStatus.SENT,
    )
    reset()

    s.login("county_admin")
    open_menu(s)
    page.click("nav a.dropdown-toggle:has-text('数据')")
    with page.expect_navigation():
        page.click("nav a.dropdown-item:has-text('短信发送记录')")
    assert page.locator("h1").inner_text() == "短信发送记录"
    s.check_width()
    body = page.locator("main").inner_text()
    assert "139****0001" in body and "发送失败" in body and "482913" not in body and "城关" not in body
    s.shot("notifications-delivery-log")

    page.select_option("#id_status", "FAILED")
    s.submit()
    assert page.locator("tbody tr").count() == 1
    with page.expect_navigation():
        page.click("tbody a:has-text('详情')")
    assert "短信网关连接超时" in page.locator("main").inner_text()
    s.shot("notifications-delivery-detail")

    with override_settings(SMS_BACKEND=RECORDING), page.expect_navigation():
        page.click("button:has-text('重新发送')")
    assert "已重新发送成功" in page.locator("main").inner_text()
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and RecordingGateway.sent == [("13900000001", failed.body)]
    assert DeliveryAttempt.objects.filter(message=failed).last().requested_by == w.county_admin
    s.shot("notifications-delivery-retried")
    assert not s.overflows, s.overflows


def test_mediator_and_party_choose_sms_per_kind(e2e_world, session):
    w, s, page = e2e_world, session, session.page
    w.mediator_a.phone = "13800000011"
    w.mediator_a.save(update_fields=["phone"])
    make_case(w, CaseStatus.IN_MEDIATION)

    s.login("mediator_a")
    s.goto("/accounts/notifications/")
    assert page.locator(".badge", has_text="案件进展").count() > 0  # each notice names its kind
    s.shot("notifications-notices")
    with page.expect_navigation():
        page.click("a:has-text('通知方式设置')")
    assert page.locator("[data-kind]", has_text="调解期限提醒").count() == 1
    page.click("label[for=k_CASE_PROGRESS_sms]")
    page.click("label[for=k_SUPERVISION_app]")
    s.submit()
    assert "通知方式已保存" in page.locator("main").inner_text()
    s.shot("notifications-preferences-mediator")
    prefs = dict(NoticePreference.objects.filter(user=w.mediator_a).values_list("kind", "sms"))
    assert prefs == {NoticeKind.CASE_PROGRESS: True, NoticeKind.SUPERVISION: False}  # the rest follow the defaults
    s.logout()

    s.login("party_user")
    s.goto("/notifications/preferences/")
    assert page.locator("[data-kind]").count() == 2
    s.shot("notifications-preferences-party")
    assert not s.overflows, s.overflows
