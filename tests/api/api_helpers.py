"""The API tests' small world (h-api): API clients of the referral world's institutions (tests.referrals.factories),
their tokens, referrals written directly (until a test needs the services), and calls with a bearer token.

`make_client` creates what api.clients.create_client creates (a DOT client-credentials application with a hashed
secret, the ApiClient, a Role.API_CLIENT service account with an unusable password) and returns the plain secret,
kept from before the save (DOT hashes it)."""

import base64
import itertools
import json
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import Application

from accounts.models import Role, User
from api.models import ApiClient
from cases.enums import PartySide
from referrals.enums import ReferralStatus
from referrals.models import Institution, Referral, ReferralParty
from tests.referrals.factories import party_id

ALL_SCOPES = "referrals:write referrals:read outcomes:read"
TOKEN_URL = "/api/v1/oauth/token/"
_N = itertools.count(1)


def make_client(
    institution: Institution, scopes: str = ALL_SCOPES, name: str = "诉讼服务平台"
) -> tuple[ApiClient, str]:
    n = next(_N)
    secret = f"secret-{n}-for-tests-0123456789abcdef"
    account = User(
        username=f"api-test-{n}",
        full_name=f"{institution.name}·{name}"[:50],
        role=Role.API_CLIENT,
        institution=institution,
    )
    account.set_unusable_password()
    account.save()
    application = Application.objects.create(
        client_id=f"client-{n}-{institution.code}",
        client_secret=secret,
        hash_client_secret=True,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        name=f"{institution.name}·{name}",
        user=account,
    )
    client = ApiClient.objects.create(
        institution=institution, application=application, service_user=account, name=name, allowed_scopes=scopes
    )
    return client, secret


def basic(client: ApiClient, secret: str) -> str:
    raw = f"{client.application.client_id}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def token_response(client: ApiClient, secret: str, scope: str | None = None):
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return Client().post(TOKEN_URL, data, HTTP_AUTHORIZATION=basic(client, secret))


def get_token(client: ApiClient, secret: str, scope: str | None = None) -> str:
    response = token_response(client, secret, scope)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


class Api:
    """A test client that sends a bearer token (and an Idempotency-Key when given)."""

    def __init__(self, token: str | None):
        self.token = token
        self.http = Client()

    def _headers(self, key: str | None = None, **extra) -> dict:
        headers = dict(extra)
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return headers

    def get(self, path: str, params: dict | None = None, **extra):
        return self.http.get(path, params or {}, **self._headers(**extra))

    def post(self, path: str, body=None, *, key: str | None = None, **extra):
        return self.http.post(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(key, **extra),
        )

    def post_raw(self, path: str, raw: bytes, content_type: str, *, key: str | None = None, **extra):
        return self.http.post(path, raw, content_type=content_type, **self._headers(key, **extra))

    def upload(self, path: str, data: dict, *, key: str | None = None, **extra):
        return self.http.post(path, data, **self._headers(key, **extra))

    def method(self, verb: str, path: str, **extra):
        return self.http.generic(verb, path, **self._headers(**extra))


def orm_referral(institution: Institution, *, status: str = ReferralStatus.PENDING, **kw) -> Referral:
    """A referral written directly (the tests of reads; the POSTs go through the services)."""
    now = timezone.now()
    n = next(_N)
    fields = dict(
        institution=institution,
        channel=institution.kind,
        referral_type="WEIPAI" if institution.kind == "COURT" else "",
        external_no=f"（2026）赣0502民诉前调{9000 + n}号",
        handler_name="经办人王某",
        brief_facts="双方因房屋漏水发生纠纷。",
        claims="请求赔偿损失8000元",
        receiver=institution.default_receiver,
        division_code=institution.default_receiver.division_id,
        status=status,
        sent_at=now,
        received_at=now,
        accept_by=date.today() + timedelta(days=3),
    )
    fields.update(kw)
    referral = Referral.objects.create(**fields)
    for order, (side, name, phone, idn) in enumerate(
        [
            (PartySide.APPLICANT, "刘一", "13900001001", party_id(1)),
            (PartySide.RESPONDENT, "陈二", "13900001002", party_id(2)),
        ]
    ):
        party = ReferralParty(
            referral=referral,
            side=side,
            name=name,
            phone=phone,
            service_address=f"party{order}@example.cn",
            address="渝水区城南街道抱石社区",
            consented=True,
            order=order,
        )
        party.set_id_number(idn)
        party.save()
    return referral


def build_world():
    """tests.referrals.factories' world with the holidays loaded (as its `rworld` fixture); each test module
    defines its own `rworld` fixture from it."""
    from django.core.management import call_command

    from tests.referrals.factories import build_referral_world
    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    return build_referral_world()
