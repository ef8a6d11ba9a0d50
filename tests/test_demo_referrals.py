"""The demo's 多元化解 (demo/referrals_seed.py, issue 11): a 矛调中心 per county, the institutions that refer to it,
liaisons, demo referrals in every state made through the services in office hours before --today, and the sandbox
court whose credentials (written to the file scripts/court_client.py reads) get a token."""

import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import Role, User
from demo.city import COUNTY_CODES, DEMO_PASSWORD, TZ
from demo.referrals_seed import REFERRAL_ACCOUNTS, SANDBOX_WEBHOOK_URL
from demo.scenarios import in_working_hours
from referrals.enums import Channel, ReferralStatus
from referrals.models import Institution, Referral, ReferralEvent
from registry.models import Committee

END = datetime(2026, 6, 30, tzinfo=TZ)


@pytest.mark.django_db(transaction=False)
def test_demo_referrals_and_the_sandbox_court(client, tmp_path, monkeypatch):
    path = tmp_path / "sandbox_court.json"
    monkeypatch.setenv("TIAOJIE_SANDBOX_FILE", str(path))
    call_command("load_divisions", stdout=StringIO())
    out = StringIO()
    call_command(
        "seed_demo",
        "--seed",
        "3",
        "--cases",
        "40",
        "--today",
        "2026-06-30",
        "--no-screening",
        stdout=out,
        stderr=StringIO(),
    )
    assert "多元化解：矛调中心 6 个" in out.getvalue()

    hubs = Committee.objects.filter(is_hub=True)
    assert sorted(h.division_id for h in hubs) == sorted(COUNTY_CODES)
    for code in COUNTY_CODES:
        kinds = set(
            Institution.objects.filter(division__code__startswith=code, is_sandbox=False).values_list("kind", flat=True)
        )
        assert {Channel.COURT, Channel.POLICE, Channel.PETITION} <= kinds, code
        assert Institution.objects.get(division_id=code, kind=Channel.COURT, is_sandbox=False).court.division_id == code
    assert Institution.objects.filter(kind=Channel.HOTLINE).count() == 1
    assert not Institution.objects.filter(default_receiver=None).exists()
    assert all(i.default_receiver.is_hub for i in Institution.objects.all())

    # Every state, through the services: each referral's history starts with RECEIVED; all in office hours.
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == {s for s in ReferralStatus if s != ReferralStatus.WITHDRAWN}
    assert set(Referral.objects.values_list("channel", flat=True)) == {
        Channel.COURT, Channel.POLICE, Channel.PETITION, Channel.HOTLINE
    }  # fmt: skip
    for r in Referral.objects.all():
        assert r.events.order_by("at", "id").first().kind == "RECEIVED"
        assert (r.case_id is not None) == (r.status in ("ACCEPTED", "SUCCEEDED", "FAILED"))
    succeeded = Referral.objects.filter(status=ReferralStatus.SUCCEEDED)
    assert all(r.agreement_id and r.concluded_at for r in succeeded)
    failed = Referral.objects.get(status=ReferralStatus.FAILED)
    assert failed.termination_ground and failed.report_course and failed.report_reason
    moments = list(ReferralEvent.objects.values_list("at", flat=True))
    assert moments and all(in_working_hours(t) and t < END for t in moments)
    for r in Referral.objects.exclude(case=None):
        assert r.case.entered_at == r.case.registered_at == r.accepted_at

    # The demo accounts of this part sign in; the hub account is a member of the demo county's 矛调中心.
    request = RequestFactory().post("/accounts/login/")
    for username in REFERRAL_ACCOUNTS:
        assert client.login(request=request, username=username, password=DEMO_PASSWORD), username
        client.logout()
    hub = User.objects.get(username="hub")
    assert hub.committee.is_hub and hub.committee.division_id == "421202"
    assert User.objects.get(username="police").role == Role.INSTITUTION_LIAISON

    # The sandbox court: its credentials get a token with every scope; its endpoint is the court client's.
    creds = json.loads(path.read_text(encoding="utf-8"))
    sandbox = Institution.objects.get(is_sandbox=True)
    assert sandbox.webhook_endpoints.get().url == creds["webhook_url"] == SANDBOX_WEBHOOK_URL
    assert creds["webhook_secret"].startswith("whsec_") and not sandbox.referrals.exists()
    response = client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials", "scope": creds["scopes"]},
        HTTP_AUTHORIZATION=_basic(creds["client_id"], creds["client_secret"]),
    )
    assert response.status_code == 200, response.content
    assert set(response.json()["scope"].split()) == {"referrals:write", "referrals:read", "outcomes:read"}


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
