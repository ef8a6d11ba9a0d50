"""The API console pages in a real browser at 1366 and 390 px: a county administrator adds an institution, makes
its API client (the secret shown once), adds a webhook endpoint pointing at a local receiver, sees the delivery of
an event and its attempts, replays it, rotates the endpoint's secret and disables it. Nothing may scroll sideways
at 390 px. Screenshots: test-output/screens/h-webhooks/{desktop,phone}/api-*.png."""

from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from api import webhooks
from api.models import ApiClient, DeliveryState, WebhookDelivery, WebhookEndpoint
from referrals.models import Institution
from registry.models import Committee, CommitteeType, Division

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "screens" / "h-webhooks"


def shot(session, name: str) -> None:
    out = OUT / session.viewport
    out.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(out / f"api-{name}.png"), full_page=True)
    session.check_width(name)


def test_county_admin_sets_up_an_institution_and_its_webhooks(e2e_world, session, settings, receiver):
    settings.TOTP_REQUIRED_ROLES = []
    settings.TIAOJIE = {**settings.TIAOJIE, "WEBHOOK_REQUIRE_HTTPS": False}
    hub = Committee.objects.create(
        name="咸安区矛盾纠纷调处化解中心", short_name="咸安矛调", committee_type=CommitteeType.SUBDISTRICT,
        division=Division.objects.get(code="421202"), is_hub=True,
    )  # fmt: skip
    page = session.page
    session.login("county_admin")

    session.goto("/console/api/institutions/")
    shot(session, "institutions-empty")
    page.click("a:has-text('新建对接机构')")
    page.select_option("#id_kind", "COURT")
    page.fill("#id_name", "咸宁市咸安区人民法院")
    page.fill("#id_code", "XA-COURT")
    page.select_option("#id_division", "421202")
    page.select_option("#id_court", str(e2e_world.court.pk))
    assert page.input_value("#id_default_receiver") == str(hub.pk)
    shot(session, "institution-new")
    session.submit()
    institution = Institution.objects.get(code="XA-COURT")
    assert "已新建对接机构" in page.content()
    shot(session, "institution")

    page.click("a:has-text('新建客户端')")
    page.fill("#id_name", "诉讼服务平台")
    page.check("input[value='referrals:write']")
    page.check("input[value='referrals:read']")
    page.check("input[value='outcomes:read']")
    shot(session, "client-new")
    session.submit()
    secret = page.inner_text("#handover-secret").strip()
    assert len(secret) > 30
    shot(session, "client-secret")
    page.click("a:has-text('查看客户端')")
    assert secret not in page.content()
    shot(session, "client")

    session.goto(f"/console/api/endpoints/new/?institution={institution.pk}")
    page.fill("#id_url", receiver.url)
    page.fill("#id_description", "诉讼服务平台接收进展")
    shot(session, "endpoint-new")
    session.submit()
    signing_secret = page.inner_text("#handover-secret").strip()
    assert signing_secret.startswith("whsec_")
    shot(session, "endpoint-secret")

    # The event is emitted as the referral services would, then delivered after commit
    webhooks.emit(
        "referral.accepted", institution=institution, data={"status": "ACCEPTED", "case_no": "（2026）咸安调字第1号"}
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryState.DELIVERED
    Webhook(signing_secret).verify(receiver.received[0].body, receiver.received[0].headers)

    session.goto("/console/api/deliveries/")
    shot(session, "deliveries")
    page.click(f"a[href='/console/api/deliveries/{delivery.pk}/']")
    shot(session, "delivery")
    with page.expect_navigation():
        page.click("button:has-text('重新推送')")
    assert "已重新推送" in page.content()
    assert WebhookDelivery.objects.count() == 2
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.event.msg_id}
    shot(session, "delivery-replayed")

    endpoint = WebhookEndpoint.objects.get()
    session.goto(f"/console/api/endpoints/{endpoint.pk}/")
    shot(session, "endpoint")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("button:has-text('更换签名密钥')")
    assert page.inner_text("#handover-secret").strip().startswith("whsec_")
    session.goto(f"/console/api/endpoints/{endpoint.pk}/")
    page.fill("#id_reason", "机构系统升级")
    with page.expect_navigation():
        page.click("button:has-text('停用推送')")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    shot(session, "endpoint-disabled")

    session.goto("/console/api/clients/")
    shot(session, "clients")
    assert ApiClient.objects.count() == 1
    assert not session.overflows, session.overflows
