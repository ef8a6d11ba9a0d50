"""Issue 10 point 3: the client address comes from the forwarded header only when the peer is a proxy we trust, and
that one address drives every limit, lockout and log line."""

import pytest
from axes.utils import reset as axes_reset
from django.test import Client, RequestFactory, override_settings

from accounts.clientip import client_ip
from accounts.models import AccessLog
from cases.enums import CaseStatus
from portal.models import PhoneCode
from tests.world import PASSWORD, make_case

PROXY = "10.0.0.5"
BEHIND_PROXY = override_settings(TRUSTED_PROXIES=["10.0.0.0/24", "fd00::/8"])


def ip_of(remote: str | None, forwarded: str | None = None, header: str = "HTTP_X_FORWARDED_FOR") -> str | None:
    meta = {} if forwarded is None else {header: forwarded}
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_ip(request)


def test_without_trusted_proxies_the_header_is_never_read():
    assert ip_of("198.51.100.7", "1.2.3.4") == "198.51.100.7"
    assert ip_of("198.51.100.7") == "198.51.100.7"
    assert ip_of(None) is None and ip_of("not-an-address") is None


@BEHIND_PROXY
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),  # one proxy
        (PROXY, "1.1.1.1, 203.0.113.9", "203.0.113.9"),  # the client forged 1.1.1.1 in front; the proxy appended
        (PROXY, "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two of our proxies
        (PROXY, "10.0.0.8, 10.0.0.7", "10.0.0.8"),  # every hop ours: the left-most
        (PROXY, "", PROXY),  # no header: the proxy itself
        (PROXY, "garbage, 203.0.113.9", "203.0.113.9"),
        (PROXY, "203.0.113.9, garbage", PROXY),  # a broken right-most entry is never skipped past
        (PROXY, "203.0.113.9:51234", "203.0.113.9"),
        (PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        ("fd00::1", "2001:db8::2", "2001:db8::2"),
        ("::ffff:10.0.0.5", "203.0.113.9", "203.0.113.9"),  # v4-mapped peer
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # forged by an untrusted peer: ignored
    ],
)
def test_right_most_untrusted_address_behind_a_trusted_proxy(remote, forwarded, expected):
    assert ip_of(remote, forwarded) == expected


@override_settings(TRUSTED_PROXIES=[PROXY], TRUSTED_PROXY_HEADER="X-Real-IP")
def test_the_header_is_configurable():
    assert ip_of(PROXY, "203.0.113.9", header="HTTP_X_REAL_IP") == "203.0.113.9"
    assert ip_of(PROXY, "203.0.113.9") == PROXY  # X-Forwarded-For is not read when another header is named


def send(phone: str, remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post("/portal/login/", {"phone": phone, "step": "send"}, **meta).content.decode()


def limited(settings, **caps):
    return override_settings(TIAOJIE={**settings.TIAOJIE, **caps})


@BEHIND_PROXY
def test_behind_the_proxy_two_citizens_are_throttled_separately(db, settings):
    with limited(settings, SMS_CODES_PER_IP_PER_HOUR=2):
        for phone in ("13700000001", "13700000002"):
            assert "验证码已发送" in send(phone, PROXY, "203.0.113.1")
        assert "操作过于频繁" in send("13700000003", PROXY, "203.0.113.1")
        # The second citizen reaches the site through the same proxy: not held back by the first.
        assert "验证码已发送" in send("13700000004", PROXY, "203.0.113.2")
    assert set(PhoneCode.objects.values_list("ip_address", flat=True)) == {"203.0.113.1", "203.0.113.2"}


@BEHIND_PROXY
def test_a_forged_header_from_an_untrusted_peer_is_ignored(db, settings):
    with limited(settings, SMS_CODES_PER_IP_PER_HOUR=2):
        assert "验证码已发送" in send("13700000001", "198.51.100.7", "203.0.113.1")
        assert "验证码已发送" in send("13700000002", "198.51.100.7", "203.0.113.2")
        assert "操作过于频繁" in send("13700000003", "198.51.100.7", "203.0.113.3")
    assert set(PhoneCode.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def staff_login(username: str, password: str, forwarded: str) -> Client:
    client = Client()
    client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return client


@BEHIND_PROXY
def test_axes_locks_the_real_client_not_the_proxy(world):
    axes_reset()
    try:
        for _ in range(5):
            staff_login("mediator_a", "wrong-password", "203.0.113.66")
        # The attacker's address is locked out, even with the right password ...
        locked = staff_login("mediator_a", PASSWORD, "203.0.113.66")
        assert "_auth_user_id" not in locked.session
        # ... the mediator at her own address, behind the same proxy, signs in.
        mine = staff_login("mediator_a", PASSWORD, "203.0.113.10")
        assert mine.session.get("_auth_user_id") == str(world.mediator_a.pk)
        # A forged header from outside does not give the attacker a fresh address either.
        with override_settings(TRUSTED_PROXIES=[]):
            for forged in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"):
                staff_login("mediator_a2", "wrong-password", forged)
            assert "_auth_user_id" not in staff_login("mediator_a2", PASSWORD, "203.0.113.99").session
    finally:
        axes_reset()


@BEHIND_PROXY
def test_access_log_records_the_real_client(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    client = Client()
    client.force_login(world.county_admin)
    response = client.get(f"/cases/{case.pk}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.40")
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=world.county_admin, case=case).latest("pk").ip_address == "203.0.113.40"
