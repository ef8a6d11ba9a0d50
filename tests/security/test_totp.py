"""Issue 10 point 11: the second factor (RFC 6238 TOTP, standard library only) for county and city administrators,
required by settings.TOTP_REQUIRED_ROLES, with enrolment, the step after the password, replay protection and
recovery by another administrator. Codes are computed for frozen times, as the user's app would."""

import base64
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from accounts import totp
from accounts.models import AccessLog, TotpDevice
from tests.test_settings_fail_closed import PROD, ROOT
from tests.world import PASSWORD

# RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" and its 8-digit codes; ours are their last 6 digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924")]
RFC_VECTORS += [(2000000000, "69279037"), (20000000000, "65353130")]
T0 = datetime(2026, 12, 2, 9, 0, 0, tzinfo=UTC).timestamp()
T0_ISO = "2026-12-01T09:00Z"  # when the devices made directly in the tests were enrolled
REQUIRED = override_settings(TOTP_REQUIRED_ROLES=["COUNTY_ADMIN", "CITY_ADMIN"])


@pytest.mark.parametrize(("at", "expected"), RFC_VECTORS)
def test_rfc_6238_vectors(at, expected):
    assert totp.code_at(RFC_SECRET, at) == expected[-6:]


def test_window_of_one_step_either_side_and_replay_protection():
    secret = totp.new_secret()
    assert len(secret) == 32 and re.fullmatch(r"[A-Z2-7]+", secret)
    now = totp.step_at(T0)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.hotp(secret, now + offset), at=T0) == now + offset
    for offset in (-2, 2):
        assert totp.matching_step(secret, totp.hotp(secret, now + offset), at=T0) is None
    code = totp.code_at(secret, T0)
    assert totp.matching_step(secret, code, at=T0, after=now) is None  # used once already
    assert totp.matching_step(secret, code[:5], at=T0) is None and totp.matching_step(secret, "abcdef", at=T0) is None
    assert totp.matching_step(secret, code[:3] + " " + code[3:], at=T0) == now  # typed with a space


def test_provisioning_uri_is_what_apps_read():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "county_admin", issuer="人民调解平台")
    assert uri.startswith("otpauth://totp/%E4%BA%BA%E6%B0%91%E8%B0%83%E8%A7%A3%E5%B9%B3%E5%8F%B0%3Acounty_admin?")
    assert "secret=JBSWY3DPEHPK3PXP" in uri and "period=30" in uri and "digits=6" in uri and "algorithm=SHA1" in uri


def password_login(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def secret_on_page(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


@REQUIRED
def test_required_admin_enrols_then_verifies_after_every_password_login(world):
    with time_machine.travel(T0, tick=False):
        client = password_login("county_admin")
        response = client.get("/console/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/totp/verify/")
        response = client.get(response["Location"])  # not enrolled yet: enrolment is the first verification
        assert response.status_code == 302 and response["Location"].startswith("/accounts/totp/")
        html = client.get("/accounts/totp/").content.decode()
        assert "必须启用两步验证" in html and "otpauth://totp/" in html
        secret = secret_on_page(html)
        assert client.get("/console/cases/").status_code == 302  # still owed
        wrong = client.post("/accounts/totp/", {"code": "000000" if totp.code_at(secret) != "000000" else "111111"})
        assert "动态口令不正确" in wrong.content.decode()
        response = client.post("/accounts/totp/", {"code": totp.code_at(secret), "next": "/console/"})
        assert response.status_code == 302 and response["Location"] == "/console/"
        assert client.get("/console/").status_code == 200
    device = TotpDevice.objects.get(user=world.county_admin)
    assert secret not in device.secret_sealed and totp.unseal(device.secret_sealed) == secret
    assert AccessLog.objects.filter(user=world.county_admin, action="ENROL_TOTP").exists()

    with time_machine.travel(T0 + 10, tick=False):  # the same 30-second step: signing in again
        client = password_login("county_admin")
        assert client.get("/console/cases/")["Location"] == "/accounts/totp/verify/?next=%2Fconsole%2Fcases%2F"
        replay = client.post("/accounts/totp/verify/", {"code": totp.code_at(secret, T0)})
        assert "已使用过" in replay.content.decode() and client.get("/console/").status_code == 302
    with time_machine.travel(T0 + 30, tick=False):
        response = client.post("/accounts/totp/verify/", {"code": totp.code_at(secret), "next": "/console/cases/"})
        assert response["Location"] == "/console/cases/" and client.get("/console/cases/").status_code == 200


@REQUIRED
def test_five_wrong_codes_sign_the_user_out(world):
    secret = totp.new_secret()
    TotpDevice.objects.create(user=world.city_admin, secret_sealed=totp.seal(secret), confirmed_at=T0_ISO)
    with time_machine.travel(T0, tick=False):
        client = password_login("city_admin")
        wrong = "000000" if totp.code_at(secret) != "000000" else "111111"
        for left in (4, 3, 2, 1):
            assert f"还可以再试{left}次" in client.post("/accounts/totp/verify/", {"code": wrong}).content.decode()
        response = client.post("/accounts/totp/verify/", {"code": wrong})
        assert response["Location"] == "/accounts/login/" and "_auth_user_id" not in client.session
        assert AccessLog.objects.filter(user=world.city_admin, action="TOTP_FAILED").exists()


def test_not_required_in_tests_unless_set_but_an_enrolled_admin_still_verifies(world):
    assert password_login("county_admin").get("/console/").status_code == 200
    secret = totp.new_secret()
    TotpDevice.objects.create(user=world.county_admin, secret_sealed=totp.seal(secret), confirmed_at=T0_ISO)
    with time_machine.travel(T0, tick=False):
        client = password_login("county_admin")
        assert client.get("/console/").status_code == 302
        client.post("/accounts/totp/verify/", {"code": totp.code_at(secret)})
        assert client.get("/console/").status_code == 200


@REQUIRED
def test_other_roles_neither_owe_nor_may_enrol(world):
    client = password_login("mediator_a")
    assert client.get("/workbench/").status_code == 200
    assert client.get("/accounts/totp/")["Location"] == "/"


@REQUIRED
def test_recovery_by_another_administrator(world):
    TotpDevice.objects.create(user=world.county_admin, secret_sealed=totp.seal(totp.new_secret()), confirmed_at=T0_ISO)
    with pytest.raises(CommandError, match="另一位管理员"):
        call_command("reset_totp", "county_admin", by="county_admin", reason="手机丢失")
    with pytest.raises(CommandError, match="县级或市级"):
        call_command("reset_totp", "county_admin", by="mediator_a", reason="手机丢失")
    with pytest.raises(CommandError, match="本县"):
        call_command("reset_totp", "county_admin", by="other_county_admin", reason="手机丢失")
    call_command("reset_totp", "county_admin", by="city_admin", reason="手机丢失，已电话核实本人")
    assert not TotpDevice.objects.filter(user=world.county_admin).exists()
    log = AccessLog.objects.get(action="RESET_TOTP")
    assert log.user == world.city_admin and "county_admin" in log.detail and "电话核实" in log.detail
    # Signing in again starts a fresh enrolment with a new secret.
    client = password_login("county_admin")
    assert client.get("/accounts/totp/verify/")["Location"].startswith("/accounts/totp/")


def test_production_requires_totp_for_county_and_city_admins_by_default():
    code = "import tiaojie.settings as s; print(','.join(s.TOTP_REQUIRED_ROLES))"
    env = {k: v for k, v in os.environ.items() if k not in PROD and k != "TOTP_REQUIRED_ROLES"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, **PROD}, capture_output=True, text=True)
    assert run.stdout.strip() == "COUNTY_ADMIN,CITY_ADMIN", run.stderr
    dev = {**env, "TIAOJIE_ENV": "development"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dev, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "\n"
