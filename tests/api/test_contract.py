"""Contract tests of every endpoint of /api/v1/ (h-api): allowed with the right scope; refused without a token
(401), with the wrong scope (403), for another institution's referral (404), for a revoked client (401); errors in
one JSON shape with a Chinese message; personal data masked and every read of it in the access log."""

import re

import pytest
from django.utils import timezone

from accounts.models import AccessKind, AccessLog
from api.models import WebhookEvent
from referrals.enums import ReferralStatus
from tests.api.api_helpers import ALL_SCOPES, Api, build_world, get_token, make_client, orm_referral


@pytest.fixture
def rworld(db):
    return build_world()


CJK = re.compile(r"[\u4e00-\u9fff]")

# (method, path template, scope it needs)
ENDPOINTS = [
    ("GET", "/api/v1/referrals/", "referrals:read"),
    ("POST", "/api/v1/referrals/", "referrals:write"),
    ("GET", "/api/v1/referrals/{id}/", "referrals:read"),
    ("GET", "/api/v1/referrals/{id}/events/", "referrals:read"),
    ("GET", "/api/v1/referrals/{id}/outcome/", "outcomes:read"),
    ("GET", "/api/v1/referrals/{id}/agreement.pdf", "outcomes:read"),
    ("POST", "/api/v1/referrals/{id}/attachments/", "referrals:write"),
    ("POST", "/api/v1/referrals/{id}/withdraw/", "referrals:write"),
    ("GET", "/api/v1/events/", "referrals:read"),
]
ON_REFERRAL = [e for e in ENDPOINTS if "{id}" in e[1]]


def call(api: Api, method: str, path: str, key: str = "key-1"):
    if method == "GET":
        return api.get(path)
    return api.post(path, {}, key=key)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert CJK.search(body["message"]), body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def court(rworld):
    client, secret = make_client(rworld.court)
    return client, Api(get_token(client, secret))


@pytest.mark.parametrize(("method", "template", "scope"), ENDPOINTS)
def test_without_a_token_every_endpoint_is_401(rworld, method, template, scope):
    referral = orm_referral(rworld.court)
    response = call(Api(None), method, template.format(id=referral.pk))
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "template", "scope"), ENDPOINTS)
def test_without_the_scope_every_endpoint_is_403(rworld, method, template, scope):
    referral = orm_referral(rworld.court)
    others = " ".join(s for s in ALL_SCOPES.split() if s != scope)
    client, secret = make_client(rworld.court, scopes=others)
    body = assert_error(call(Api(get_token(client, secret)), method, template.format(id=referral.pk)), 403)
    assert body["code"] == "permission_denied"
    assert scope in body["message"]


@pytest.mark.parametrize(("method", "template", "scope"), ON_REFERRAL)
def test_another_institutions_referral_is_404_on_every_endpoint(rworld, court, method, template, scope):
    theirs = orm_referral(rworld.police)
    other_court = orm_referral(rworld.other_court)
    _client, api = court
    for referral in (theirs, other_court):
        assert_error(call(api, method, template.format(id=referral.pk), key=f"k-{referral.pk}"), 404, "not_found")


@pytest.mark.parametrize(("method", "template", "scope"), ON_REFERRAL)
@pytest.mark.parametrize("bad_id", ["0", "abc", "99999999", "99999999999999999999999", "-1"])
def test_malformed_or_unknown_ids_are_404(rworld, court, method, template, scope, bad_id):
    _client, api = court
    assert_error(call(api, method, template.format(id=bad_id), key=f"k-{bad_id}"), 404, "not_found")


@pytest.mark.parametrize(("method", "template", "scope"), ENDPOINTS)
def test_a_revoked_client_is_401_on_every_endpoint(rworld, court, method, template, scope):
    referral = orm_referral(rworld.court)
    client, api = court
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    assert_error(call(api, method, template.format(id=referral.pk)), 401, "authentication_failed")


def test_list_shows_only_the_institutions_referrals_without_parties(rworld, court):
    mine = [orm_referral(rworld.court) for _ in range(3)]
    orm_referral(rworld.police)
    orm_referral(rworld.other_court)
    _client, api = court
    response = api.get("/api/v1/referrals/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {r["id"] for r in body["results"]} == {r.pk for r in mine}
    first = body["results"][0]
    assert "parties" not in first and "brief_facts" not in first
    assert first["institution"] == {"code": rworld.court.code, "name": rworld.court.name}
    assert first["status_label"] == "待接收"
    assert first["reference"].startswith("移送")
    assert not AccessLog.objects.filter(action=AccessKind.API_READ).exists()  # no personal data listed


def test_list_filters_and_pages(rworld, court):
    pending = orm_referral(rworld.court)
    accepted = orm_referral(rworld.court, status=ReferralStatus.ACCEPTED)
    _client, api = court
    body = api.get("/api/v1/referrals/", {"status": "ACCEPTED"}).json()
    assert [r["id"] for r in body["results"]] == [accepted.pk]
    later = timezone.now()
    type(pending).objects.filter(pk=pending.pk).update(updated_at=later + timezone.timedelta(seconds=5))
    body = api.get("/api/v1/referrals/", {"updated_since": later.isoformat()}).json()
    assert [r["id"] for r in body["results"]] == [pending.pk]
    body = api.get("/api/v1/referrals/", {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert_error(api.get("/api/v1/referrals/", {"page": 9}), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "NOPE"}, "status"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+08:00"}, "updated_since"),
    ],
)
def test_list_filter_errors_name_the_field(rworld, court, params, field):
    _client, api = court
    body = assert_error(api.get("/api/v1/referrals/", params), 400, "invalid")
    assert list(body["fields"]) == [field]
    assert all(CJK.search(m) for m in body["fields"][field])


def test_detail_masks_personal_data_and_logs_the_read(rworld, court):
    referral = orm_referral(rworld.court)
    client, api = court
    response = api.get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == referral.pk and body["brief_facts"] == referral.brief_facts
    assert [p["name"] for p in body["parties"]] == ["刘一", "陈二"]
    party = body["parties"][0]
    assert party["phone_masked"] == "139****1001"
    assert "*" in party["id_number_masked"] and len(party["id_number_masked"]) == 18
    text = response.content.decode()
    assert "13900001001" not in text
    assert referral.parties.first().id_number_masked in text
    for absent in ("address", "service_address", "id_number", "phone", "id_number_encrypted"):
        assert absent not in party
    log = AccessLog.objects.get(action=AccessKind.API_READ)
    assert log.user_id == client.service_user_id
    assert referral.reference in log.detail and f"/api/v1/referrals/{referral.pk}/" in log.detail


def test_referral_events_in_order(rworld, court):
    from cases.enums import ActorKind
    from referrals.models import ReferralEvent

    referral = orm_referral(rworld.court)
    now = timezone.now()
    ReferralEvent.objects.create(referral=referral, kind="RECEIVED", at=now, actor_kind=ActorKind.API_CLIENT)
    ReferralEvent.objects.create(
        referral=referral,
        kind="DECLINED",
        at=now + timezone.timedelta(hours=1),
        note="不属于人民调解范围",
        actor=rworld.hub_director,
    )
    ReferralEvent.objects.create(
        referral=referral, kind="OVERDUE", at=now + timezone.timedelta(hours=2), actor_kind=ActorKind.SYSTEM
    )
    _client, api = court
    body = api.get(f"/api/v1/referrals/{referral.pk}/events/").json()
    assert [e["kind"] for e in body["results"]] == ["RECEIVED", "DECLINED", "OVERDUE"]
    assert [e["webhook_type"] for e in body["results"]] == ["referral.received", "referral.declined", None]
    assert body["results"][1]["note"] == "不属于人民调解范围"
    assert body["results"][1]["kind_label"] == "拒绝接收"


def test_outcome_of_an_open_referral(rworld, court):
    referral = orm_referral(rworld.court)
    _client, api = court
    body = api.get(f"/api/v1/referrals/{referral.pk}/outcome/").json()
    assert body["concluded"] is False and body["agreement"] is None and body["failure_report"] is None
    assert AccessLog.objects.filter(action=AccessKind.API_READ, detail__contains="调解结果").count() == 1


def test_outcome_of_a_failed_referral_has_the_four_part_report(rworld, court):
    referral = orm_referral(
        rworld.court,
        status=ReferralStatus.FAILED,
        concluded_at=timezone.now(),
        termination_ground="DIFFERENCES",
        report_course="组织双方调解两次",
        report_reason="双方对赔偿数额分歧较大",
        report_cost_conduct="被申请人两次无故缺席",
        report_other="无",
        undisputed_facts="漏水事实双方无争议",
        materials_returned="起诉状原件已退回",
        jc_requested=False,
    )
    _client, api = court
    body = api.get(f"/api/v1/referrals/{referral.pk}/outcome/").json()
    assert body["concluded"] is True and body["status"] == "FAILED"
    assert body["failure_report"] == {
        "course": "组织双方调解两次",
        "reason": "双方对赔偿数额分歧较大",
        "cost_conduct": "被申请人两次无故缺席",
        "other": "无",
    }
    assert body["termination_ground"] == "DIFFERENCES"
    assert body["termination_ground_label"] == "分歧较大且难以达成调解协议"
    assert body["undisputed_facts"] == "漏水事实双方无争议"
    assert body["materials_returned"] == "起诉状原件已退回"
    assert body["agreement"] is None


@pytest.fixture
def succeeded(rworld, world):
    """A court referral whose case (at the Hubei world's village A) reached a written agreement, signed and sealed."""
    from cases.enums import CaseStatus
    from cases.permissions import current_agreement
    from tests.world import make_case

    case = make_case(world, CaseStatus.AGREEMENT_REACHED)
    agreement = current_agreement(case)
    return orm_referral(
        rworld.court,
        status=ReferralStatus.SUCCEEDED,
        case=case,
        agreement=agreement,
        concluded_at=timezone.now(),
        termination_ground="AGREEMENT",
        filed_with_court=True,
        jc_requested=True,
    )


def test_outcome_of_a_succeeded_referral_has_the_agreement(succeeded, court):
    _client, api = court
    body = api.get(f"/api/v1/referrals/{succeeded.pk}/outcome/").json()
    agreement = body["agreement"]
    assert agreement["form"] == "WRITTEN"
    assert agreement["effective_at"] is not None
    assert agreement["filed_with_court"] is True
    assert body["jc_requested"] is True
    roles = {s["role"] for s in agreement["signatures"]}
    assert "PARTY" in roles
    assert agreement["sealed"] == ("SEAL" in roles)
    assert agreement["pdf_url"] == f"/api/v1/referrals/{succeeded.pk}/agreement.pdf"
    assert body["case_no"] == succeeded.case.case_no


def test_agreement_pdf_of_a_succeeded_referral(succeeded, court):
    client, api = court
    response = api.get(f"/api/v1/referrals/{succeeded.pk}/agreement.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    log = AccessLog.objects.get(action=AccessKind.API_READ, detail__contains="协议书")
    assert log.user_id == client.service_user_id and log.case_id == succeeded.case_id
    # Accepting only PDF still gets JSON errors.
    other = orm_referral(succeeded.institution)
    assert_error(api.get(f"/api/v1/referrals/{other.pk}/agreement.pdf", HTTP_ACCEPT="application/pdf"), 404)


@pytest.mark.parametrize("status", [ReferralStatus.PENDING, ReferralStatus.ACCEPTED, ReferralStatus.FAILED])
def test_no_agreement_pdf_unless_succeeded(rworld, court, status):
    referral = orm_referral(rworld.court, status=status)
    _client, api = court
    assert_error(api.get(f"/api/v1/referrals/{referral.pk}/agreement.pdf"), 404, "not_found")
    assert not AccessLog.objects.filter(action=AccessKind.API_READ).exists()


def test_events_feed_is_the_institutions_own(rworld, court):
    from api.webhooks import emit

    mine = orm_referral(rworld.court)
    theirs = orm_referral(rworld.police)
    e1 = emit("referral.received", institution=rworld.court, referral=mine, data={"status": "PENDING"})
    emit("referral.received", institution=rworld.police, referral=theirs, data={"status": "PENDING"})
    e2 = emit(
        "referral.accepted",
        institution=rworld.court,
        referral=mine,
        data={"status": "ACCEPTED"},
        at=timezone.now() + timezone.timedelta(minutes=1),
    )
    _client, api = court
    body = api.get("/api/v1/events/").json()
    assert [e["msg_id"] for e in body["results"]] == [e1.msg_id, e2.msg_id]
    assert body["results"][0]["payload"] == e1.payload
    assert body["results"][0]["type"] == "referral.received"
    body = api.get("/api/v1/events/", {"type": "referral.accepted"}).json()
    assert [e["msg_id"] for e in body["results"]] == [e2.msg_id]
    body = api.get("/api/v1/events/", {"since": e1.created_at.isoformat()}).json()
    assert [e["msg_id"] for e in body["results"]] == [e2.msg_id]
    assert_error(api.get("/api/v1/events/", {"type": "nope"}), 400, "invalid")
    assert WebhookEvent.objects.count() == 3


def test_post_referral_validation_errors_name_the_fields(rworld, court):
    _client, api = court
    body = assert_error(api.post("/api/v1/referrals/", {"parties": [{"side": "X"}]}, key="v1"), 400, "invalid")
    for field in ("external_no", "brief_facts", "claims", "parties[0].side", "parties[0].name"):
        assert field in body["fields"], body["fields"]
    assert all(CJK.search(m) for msgs in body["fields"].values() for m in msgs)
    body = assert_error(api.post("/api/v1/referrals/", {"parties": []}, key="v2"), 400, "invalid")
    assert "parties" in body["fields"]


def test_method_media_type_and_path_errors(rworld, court):
    _client, api = court
    assert_error(api.method("PUT", "/api/v1/referrals/"), 405, "method_not_allowed")
    assert_error(api.method("DELETE", "/api/v1/events/"), 405, "method_not_allowed")
    assert_error(api.post_raw("/api/v1/referrals/", b"x=1", "text/plain", key="m1"), 415, "unsupported_media_type")
    assert_error(
        api.post_raw("/api/v1/referrals/", b"{not json", "application/json", key="m2"), 400, "malformed_request"
    )
    referral = orm_referral(rworld.court)
    assert_error(
        api.post(f"/api/v1/referrals/{referral.pk}/attachments/", {"title": "x"}, key="m3"),
        415,
        "unsupported_media_type",
    )
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_throttled_is_429_in_chinese(rworld, court, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    old = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/min"}
    try:
        _client, api = court
        api.get("/api/v1/referrals/")
        api.get("/api/v1/referrals/")
        response = api.get("/api/v1/referrals/")
        body = assert_error(response, 429, "throttled")
        assert "秒后再试" in body["message"] and response["Retry-After"]
    finally:
        UserRateThrottle.THROTTLE_RATES = old
        cache.clear()


def test_schema_and_docs_are_public_and_local(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == (
        "/api/v1/oauth/token/"
    )
    assert "referral.accepted" in schema["info"]["description"]
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert CJK.search(op.get("summary", "")), (path, method)
            assert CJK.search(op.get("description", "")), (path, method)
            for parameter in op.get("parameters", []):
                assert CJK.search(parameter.get("description", "")), (path, method, parameter["name"])
            for code, response in op["responses"].items():
                assert CJK.search(response.get("description", "")), (path, method, code)
    for name, component in schema["components"]["schemas"].items():
        for field, prop in (component.get("properties") or {}).items():
            if "$ref" not in prop and "allOf" not in prop:
                assert CJK.search(prop.get("description", "") or prop.get("title", "")), (name, field)
    html = client.get("/api/v1/docs/").content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, html
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    assert "swagger-ui" in html


def test_the_events_are_a_logged_read(rworld, court):
    """The events carry what people wrote (a decline's reasons): reading them is an API_READ row, as the detail."""
    referral = orm_referral(rworld.court)
    client, api = court
    assert api.get(f"/api/v1/referrals/{referral.pk}/events/").status_code == 200
    log = AccessLog.objects.get(action=AccessKind.API_READ)
    assert log.user_id == client.service_user_id and "办理经过" in log.detail
