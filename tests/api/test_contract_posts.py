"""The POST endpoints end to end through referrals.services (h-api × h-core): a referral sent by an API client,
its refusals as 422 naming the field, withdrawal, attachments content-checked; what the client sent comes back
masked, and what it did is recorded as the client (events, webhooks)."""

import pytest

from api.models import WebhookEvent
from cases.enums import ActorKind
from referrals.enums import ReferralStatus
from referrals.models import Referral, ReferralEvent
from tests.api.api_helpers import Api, build_world, get_token, make_client
from tests.files import clean_pdf, html_pdf
from tests.referrals.factories import party_id

PATH = "/api/v1/referrals/"


@pytest.fixture
def rworld(db):
    return build_world()


@pytest.fixture
def court(rworld):
    client, secret = make_client(rworld.court)
    return client, Api(get_token(client, secret))


def payload(n: int = 1, **overrides) -> dict:
    body = {
        "external_no": f"（2026）赣0502民诉前调{n}号",
        "referral_type": "WEIPAI",
        "handler_name": "王法官",
        "handler_phone": "07906000001",
        "dispute_type": "NEIGHBOR",
        "cause": "财产损害赔偿纠纷",
        "brief_facts": "双方因房屋漏水造成楼下住户财产损失发生纠纷，协商未果。",
        "claims": "请求对方赔偿装修损失人民币8000元",
        "amount_involved": "8000.00",
        "consent_note": "双方当事人均同意调解",
        "parties": [
            {
                "side": "APPLICANT",
                "name": "刘一",
                "phone": "13900001001",
                "service_address": "party1@example.cn",
                "address": "渝水区城南街道抱石社区",
                "id_number": party_id(1),
                "consented": True,
                "consent_how": "书面同意",
            },
            {"side": "RESPONDENT", "name": "陈二", "phone": "13900001002", "id_number": party_id(2)},
        ],
    }
    body.update(overrides)
    return body


def test_a_client_sends_a_referral(rworld, court):
    client, api = court
    response = api.post(PATH, payload(), key="send-1")
    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/referrals/{referral.pk}/"
    assert body["status"] == "PENDING" and body["institution"]["code"] == rworld.court.code
    assert body["receiver"] == rworld.hub.name
    assert body["accept_by"] == referral.accept_by.isoformat()
    assert "parties" not in body  # the summary: no personal data echoed back
    assert referral.created_by_client == client and referral.created_by is None
    assert referral.parties.count() == 2
    event = ReferralEvent.objects.get(referral=referral, kind="RECEIVED")
    assert event.actor_kind == ActorKind.API_CLIENT and event.api_client == client
    webhook = WebhookEvent.objects.get(referral=referral)
    assert webhook.event_type == "referral.received" and webhook.institution == rworld.court
    assert "刘一" not in str(webhook.payload) and "13900001001" not in str(webhook.payload)
    detail = api.get(body["id"] and f"{PATH}{referral.pk}/").json()
    assert [p["phone_masked"] for p in detail["parties"]] == ["139****1001", "139****1002"]
    feed = api.get("/api/v1/events/").json()
    assert [e["type"] for e in feed["results"]] == ["referral.received"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"referral_type": ""}, "referral_type"),
        ({"brief_facts": "太短"}, "brief_facts"),
        ({"referral_type": "WEITUO"}, "procedure"),
        ({"parties": [{"side": "APPLICANT", "name": "刘一", "id_number": party_id(1)}]}, "parties"),
        (
            {"parties": [{"side": "APPLICANT", "name": "刘一"}, {"side": "RESPONDENT", "name": "陈二"}]},
            "parties[0].id_number",
        ),
        ({"designated_committee_id": 999999}, "designated_committee_id"),
        ({"handler_phone": "12"}, "handler_phone"),
    ],
)
def test_refusals_of_the_service_are_422_naming_the_field(court, overrides, field):
    _client, api = court
    response = api.post(PATH, payload(**overrides), key=f"bad-{field}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "action_refused"
    assert list(body["fields"]) == [field]
    assert body["message"] == body["fields"][field][0]
    assert not Referral.objects.exists()


def test_the_same_court_case_twice_is_422_on_external_no(court):
    _client, api = court
    assert api.post(PATH, payload(7), key="a").status_code == 201
    response = api.post(PATH, payload(7), key="b")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["external_no"]


def test_a_police_station_sends_its_own_kind(rworld):
    client, secret = make_client(rworld.police, scopes="referrals:write referrals:read")
    api = Api(get_token(client, secret))
    body = payload(referral_type="", external_no="J3605022026000001", matter_type="COMPLEX")
    response = api.post(PATH, body, key="police-1")
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "POLICE"
    response = api.post(PATH, payload(referral_type="WEIPAI", external_no="J2"), key="police-2")
    assert response.status_code == 422 and list(response.json()["fields"]) == ["referral_type"]


def test_withdraw_a_pending_referral_then_not_again(court):
    client, api = court
    referral_id = api.post(PATH, payload(), key="send").json()["id"]
    response = api.post(f"{PATH}{referral_id}/withdraw/", {"reason": "当事人已自行和解"}, key="wd-1")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "WITHDRAWN"
    event = ReferralEvent.objects.get(referral_id=referral_id, kind="WITHDRAWN")
    assert event.api_client == client and event.note == "当事人已自行和解"
    again = api.post(f"{PATH}{referral_id}/withdraw/", {}, key="wd-2")
    assert again.status_code == 422 and again.json()["code"] == "action_refused"
    assert Referral.objects.get(pk=referral_id).status == ReferralStatus.WITHDRAWN


def test_attachments_are_content_checked(court, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_FILES_ROOT = tmp_path
    client, api = court
    referral_id = api.post(PATH, payload(), key="send").json()["id"]
    url = f"{PATH}{referral_id}/attachments/"
    pdf = clean_pdf()
    response = api.upload(
        url, {"title": "起诉状", "file": SimpleUploadedFile("qsz.pdf", pdf, "application/pdf")}, key="f1"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "起诉状" and body["size"] == len(pdf) and body["content_type"] == "application/pdf"
    fake = SimpleUploadedFile("evil.pdf", html_pdf(), "application/pdf")
    response = api.upload(url, {"title": "证据", "file": fake}, key="f2")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["file"]
    response = api.upload(url, {"title": "证据"}, key="f3")
    assert response.status_code == 400 and "file" in response.json()["fields"]
    detail = api.get(f"{PATH}{referral_id}/").json()
    assert [a["title"] for a in detail["attachments"]] == ["起诉状"]
    assert WebhookEvent.objects.filter(event_type="referral.attachment_added").count() == 1
