"""OAuth2 client credentials (h-api): tokens for active clients only, scopes limited to the client's, expiry, and a
revoked client or an inactive institution refused whatever token it still holds."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tests.api.api_helpers import (
    ALL_SCOPES,
    Api,
    basic,
    build_world,
    get_token,
    make_client,
    orm_referral,
    token_response,
)


@pytest.fixture
def rworld(db):
    return build_world()


def test_token_for_an_active_client_carries_its_allowed_scopes(rworld):
    client, secret = make_client(rworld.court, scopes="referrals:read outcomes:read")
    response = token_response(client, secret)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {"referrals:read", "outcomes:read"}
    assert body["expires_in"] == 3600
    token = AccessToken.objects.get(token=body["access_token"])
    assert token.user is None  # client credentials: no user (DOT issue 470); the API maps the application
    assert token.application_id == client.application_id


def test_a_scope_the_client_is_not_allowed_is_refused(rworld):
    client, secret = make_client(rworld.court, scopes="referrals:read")
    response = token_response(client, secret, scope="referrals:write")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == body["code"] == "invalid_scope"
    assert "授权范围" in body["message"]


def test_asking_for_a_subset_gets_only_the_subset(rworld):
    client, secret = make_client(rworld.court)
    token = get_token(client, secret, scope="referrals:read")
    api = Api(token)
    assert api.get("/api/v1/referrals/").status_code == 200
    response = api.post("/api/v1/referrals/", {}, key="k1")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "referrals:write" in response.json()["message"]


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_wrong_secret_is_a_chinese_invalid_client(rworld, secret):
    client, _secret = make_client(rworld.court)
    response = token_response(client, secret)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_client"
    assert body["message"].startswith("客户端认证失败")
    assert body["error_description"] == body["message"]


def test_only_client_credentials_and_only_post(rworld):
    client, secret = make_client(rworld.court)
    from django.test import Client

    response = Client().post(
        "/api/v1/oauth/token/",
        {"grant_type": "password", "username": "x", "password": "y"},
        HTTP_AUTHORIZATION=basic(client, secret),
    )
    assert response.status_code in (400, 401)
    assert response.json()["code"] in ("unsupported_grant_type", "unauthorized_client", "invalid_grant")
    response = Client().get("/api/v1/oauth/token/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_revoked_client_gets_no_token_and_its_tokens_stop_working(rworld):
    client, secret = make_client(rworld.court)
    token = get_token(client, secret)
    api = Api(token)
    assert api.get("/api/v1/referrals/").status_code == 200
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    response = api.get("/api/v1/referrals/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert "停用" in response.json()["message"]
    assert token_response(client, secret).status_code == 401


def test_an_inactive_institution_is_refused(rworld):
    client, secret = make_client(rworld.court)
    api = Api(get_token(client, secret))
    rworld.court.is_active = False
    rworld.court.save(update_fields=["is_active"])
    assert api.get("/api/v1/referrals/").status_code == 401
    assert token_response(client, secret).status_code == 401


def test_an_inactive_service_account_is_refused(rworld):
    client, secret = make_client(rworld.court)
    api = Api(get_token(client, secret))
    client.service_user.is_active = False
    client.service_user.save(update_fields=["is_active"])
    assert api.get("/api/v1/referrals/").status_code == 401


def test_a_token_expires(rworld):
    client, secret = make_client(rworld.court)
    referral = orm_referral(rworld.court)
    api = Api(get_token(client, secret))
    assert api.get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=3601), tick=False):
        response = api.get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 401
    assert response.json()["code"] in ("not_authenticated", "authentication_failed")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_scopes_withdrawn_from_the_client_stop_working_at_once(rworld):
    client, secret = make_client(rworld.court)
    api = Api(get_token(client, secret))
    client.allowed_scopes = "referrals:write"
    client.save(update_fields=["allowed_scopes"])
    assert api.get("/api/v1/referrals/").status_code == 403


def test_no_token_and_a_garbage_token_are_401(rworld):
    for api in (Api(None), Api("not-a-token")):
        response = api.get("/api/v1/referrals/")
        assert response.status_code == 401
        assert response.json()["code"] in ("not_authenticated", "authentication_failed")
        assert "Bearer" in response["WWW-Authenticate"]


def test_clients_made_by_the_console_work_with_the_api(rworld):
    """api.clients (h-webhooks): a created client gets a token and reads; a rotation ends the old secret and its
    tokens; a revocation ends everything."""
    clients = pytest.importorskip("api.clients")
    referral = orm_referral(rworld.court)
    client, secret = clients.create_client(rworld.court, "诉讼服务平台", ALL_SCOPES, None)
    old_token = get_token(client, secret)
    assert Api(old_token).get(f"/api/v1/referrals/{referral.pk}/").status_code == 200
    new_secret = clients.rotate_secret(client, None)
    assert Api(old_token).get("/api/v1/referrals/").status_code == 401
    assert token_response(client, secret).status_code == 401
    token = get_token(client, new_secret)
    assert Api(token).get("/api/v1/referrals/").status_code == 200
    clients.revoke(client, None)
    assert Api(token).get("/api/v1/referrals/").status_code == 401
    assert token_response(client, new_secret).status_code == 401


def test_an_address_guessing_secrets_waits(rworld):
    """Ten failed token requests from one address in 15 minutes: the eleventh is 429, even with the right secret."""
    from django.test import Client

    from tests.api.api_helpers import make_client

    client, secret = make_client(rworld.court)
    http = Client()
    for _ in range(10):
        bad = http.post(
            "/api/v1/oauth/token/",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=_basic(client.application.client_id, "wrong"),
        )
        assert bad.status_code == 401
    good = http.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=_basic(client.application.client_id, secret),
    )
    assert good.status_code == 429
    assert good.json()["code"] == "throttled" and good["Retry-After"] == "900"


def _basic(client_id: str, secret: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
