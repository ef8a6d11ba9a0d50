"""api.clients: API clients (DOT application, service account, hashed secret shown once, rotation, revocation)
and webhook endpoints (encrypted signing secret, rotation, disable/enable)."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from accounts.models import AccessKind, AccessLog, Role
from api import clients, signing
from api.models import ApiClient, DeliveryState, WebhookDelivery
from api.webhooks import emit
from cases.actions.base import ActionRefused


def test_create_client_makes_a_confidential_client_credentials_app_with_a_hashed_secret(court_institution, world):
    client, secret = clients.create_client(
        court_institution, "诉讼服务平台", ["referrals:write", "referrals:read"], world.county_admin
    )
    app = Application.objects.get(pk=client.application_id)
    assert app.client_type == Application.CLIENT_CONFIDENTIAL
    assert app.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
    assert app.hash_client_secret
    assert app.client_secret != secret and check_password(secret, app.client_secret)
    assert client.allowed_scopes == "referrals:write referrals:read"
    account = client.service_user
    assert account.role == Role.API_CLIENT and account.institution == court_institution
    assert not account.has_usable_password()
    assert app.user == account
    log = AccessLog.objects.filter(action=AccessKind.API_CLIENT_SECRET)
    assert log.count() == 1 and log.get().user == world.county_admin


def test_create_client_without_operator_logs_under_the_service_account(court_institution):
    client, _ = clients.create_client(court_institution, "沙箱", "referrals:read outcomes:read", None)
    row = AccessLog.objects.get(action=AccessKind.API_CLIENT_SECRET)
    assert row.user == client.service_user and "脚本" in row.detail


@pytest.mark.parametrize("scopes", [[], ["admin"], "referrals:read everything"])
def test_create_client_refuses_unknown_or_no_scopes(court_institution, world, scopes):
    with pytest.raises(ActionRefused) as refused:
        clients.create_client(court_institution, "x", scopes, world.county_admin)
    assert refused.value.field == "scopes"
    assert not ApiClient.objects.exists()


def _token(client, expires_in=3600):
    return AccessToken.objects.create(
        application=client.application,
        user=client.service_user,
        token=f"tok-{client.pk}-{expires_in}",
        expires=timezone.now() + timedelta(seconds=expires_in),
        scope=client.allowed_scopes,
    )


def test_rotate_secret_replaces_the_secret_and_ends_tokens(court_institution, world):
    client, old = clients.create_client(court_institution, "平台", ["referrals:read"], world.county_admin)
    token = _token(client)
    new = clients.rotate_secret(client, world.county_admin)
    app = Application.objects.get(pk=client.application_id)
    assert new != old and check_password(new, app.client_secret) and not check_password(old, app.client_secret)
    token.refresh_from_db()
    assert token.is_expired()
    assert AccessLog.objects.filter(action=AccessKind.API_CLIENT_SECRET).count() == 2


def test_revoke_ends_tokens_secret_and_account(court_institution, world):
    client, secret = clients.create_client(court_institution, "平台", ["referrals:read"], world.county_admin)
    token = _token(client)
    clients.revoke(client, world.county_admin)
    client.refresh_from_db()
    token.refresh_from_db()
    assert not client.is_active and client.revoked_by == world.county_admin
    assert token.is_expired()
    assert not check_password(secret, Application.objects.get(pk=client.application_id).client_secret)
    assert not client.service_user.is_active
    with pytest.raises(ActionRefused):
        clients.rotate_secret(client, world.county_admin)
    with pytest.raises(ActionRefused):
        clients.revoke(client, world.county_admin)


def test_endpoint_secret_is_encrypted_at_rest_and_rotation_keeps_the_previous_one_a_day(court_institution, world):
    endpoint, secret = clients.add_endpoint(court_institution, "https://court.example/hooks", by=world.county_admin)
    assert secret.startswith("whsec_") and len(signing._key_bytes(secret)) == 32
    assert secret not in endpoint.secret_encrypted
    assert signing.signing_secrets(endpoint) == [secret]
    new = clients.rotate_endpoint_secret(endpoint, world.county_admin)
    endpoint.refresh_from_db()
    assert signing.signing_secrets(endpoint) == [new, secret]
    later = timezone.now() + timedelta(hours=24, minutes=1)
    assert signing.signing_secrets(endpoint, at=later) == [new]
    assert AccessLog.objects.filter(action=AccessKind.API_CLIENT_SECRET).count() == 2


@pytest.mark.parametrize("url", ["ftp://x.example/", "court.example/hooks", "https://u:p@x.example/"])
def test_bad_endpoint_urls_are_refused(court_institution, world, url):
    with pytest.raises(ActionRefused) as refused:
        clients.add_endpoint(court_institution, url, by=world.county_admin)
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    "url", ["http://court.example/hooks", "https://127.0.0.1/h", "https://10.0.0.5/h", "https://localhost/h"]
)
def test_production_requires_https_to_a_public_host(court_institution, world, settings, url):
    settings.TIAOJIE = {**settings.TIAOJIE, "WEBHOOK_REQUIRE_HTTPS": True}
    with pytest.raises(ActionRefused):
        clients.add_endpoint(court_institution, url, by=world.county_admin)


def test_disable_marks_pending_deliveries_and_enable_resumes(
    court_institution, world, django_capture_on_commit_callbacks
):
    endpoint, _ = clients.add_endpoint(court_institution, "http://127.0.0.1:9/none", by=world.county_admin)
    # No commit callbacks run: the deliveries stay pending.
    with django_capture_on_commit_callbacks(execute=False):
        emit("referral.received", institution=court_institution, data={"status": "PENDING"})
    clients.disable_endpoint(endpoint, world.county_admin, "机构系统升级")
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == f"机构系统升级（{world.county_admin.display_name}）"
    assert WebhookDelivery.objects.get().status == DeliveryState.ENDPOINT_DISABLED
    with django_capture_on_commit_callbacks(execute=False):
        emit("referral.accepted", institution=court_institution, data={"status": "ACCEPTED"})
    assert WebhookDelivery.objects.count() == 1  # a disabled endpoint gets no new deliveries
    clients.enable_endpoint(endpoint, world.county_admin)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_at is None


def test_the_credentials_get_a_token_and_a_revoked_client_does_not(court_institution, world, rf):
    """The client id and the secret shown once work at DOT's token endpoint (client credentials); the token names
    the application, whose ApiClient is the institution's (DOT 3.4 leaves a client-credentials token's user empty).
    After revocation the same credentials are refused."""
    import base64
    import json

    from oauth2_provider.views import TokenView

    client, secret = clients.create_client(court_institution, "平台", ["referrals:read"], world.county_admin)

    def ask():
        basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
        request = rf.post("/api/v1/oauth/token/", {"grant_type": "client_credentials"},
                          HTTP_AUTHORIZATION=f"Basic {basic}")  # fmt: skip
        return TokenView.as_view()(request)

    response = ask()
    assert response.status_code == 200, response.content
    token = AccessToken.objects.get(token=json.loads(response.content)["access_token"])
    assert token.application.api_client == client and token.application.user == client.service_user
    clients.revoke(client, world.county_admin)
    assert ask().status_code == 401
