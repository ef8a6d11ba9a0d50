"""Issue 10 point 9 (docs/adr/0004-sms-throttle.md): nobody can block a citizen's SMS sign-in by asking for that
number's codes: caps per requester and per number, codes bound to the session that asked, and addresses the number
signed in from before are not held back by the per-number cap."""

from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from portal.models import PhoneCode
from tests.portal.helpers import sms_code

VICTIM = "13811112222"
ATTACKER, ATTACKER_2, CITIZEN = "198.51.100.66", "198.51.100.67", "203.0.113.8"


def page(response) -> str:
    return response.content.decode()


def ask(client: Client, ip: str, phone: str = VICTIM) -> str:
    return page(client.post("/portal/login/", {"phone": phone, "step": "send"}, REMOTE_ADDR=ip))


def sign_in(client: Client, ip: str, phone: str = VICTIM):
    return client.post("/portal/login/", {"phone": phone, "code": sms_code(phone), "step": "verify"}, REMOTE_ADDR=ip)


def exhaust(ip: str, start, requests: int) -> list[str]:
    """An attacker asking for the victim's codes from `ip`, a new browser session every time, once a minute."""
    answers = []
    for i in range(requests):
        with time_machine.travel(start + timedelta(minutes=i, seconds=1), tick=False):
            answers.append(ask(Client(), ip))
    return answers


def test_an_attacker_at_one_address_does_not_block_the_citizen_at_theirs(db):
    start = timezone.now()
    answers = exhaust(ATTACKER, start, 12)
    assert sum("验证码已发送" in a for a in answers) == 5  # SMS_CODES_PER_PHONE_PER_ADDRESS_PER_DAY
    assert "该手机号在当前网络今天获取验证码的次数已达上限" in answers[-1]
    with time_machine.travel(start + timedelta(minutes=13), tick=False):
        citizen = Client()
        assert "验证码已发送" in ask(citizen, CITIZEN)
        response = sign_in(citizen, CITIZEN)
    assert response.status_code == 302 and citizen.session.get("_auth_user_id")


def test_the_attackers_new_codes_and_wrong_guesses_do_not_spoil_the_citizens_code(db):
    start = timezone.now()
    citizen = Client()
    with time_machine.travel(start, tick=False):
        assert "验证码已发送" in ask(citizen, CITIZEN)
        code = sms_code(VICTIM)
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        # Within the minute another requester may ask (the interval is per requester), and its code is its own.
        attacker = Client()
        assert "验证码已发送" in ask(attacker, ATTACKER)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(6):
            attacker.post("/portal/login/", {"phone": VICTIM, "code": wrong, "step": "verify"}, REMOTE_ADDR=ATTACKER)
        # The citizen's code cannot be used from the attacker's browser either.
        stolen = attacker.post("/portal/login/", {"phone": VICTIM, "code": code, "step": "verify"}, REMOTE_ADDR=CITIZEN)
        assert "_auth_user_id" not in attacker.session and "输错次数过多" in page(stolen)
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        data = {"phone": VICTIM, "code": code, "step": "verify"}
        response = citizen.post("/portal/login/", data, REMOTE_ADDR=CITIZEN)
    assert response.status_code == 302 and citizen.session.get("_auth_user_id")


def test_many_attacking_addresses_cannot_block_a_number_from_an_address_it_signed_in_from(db, settings):
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start, tick=False):  # the citizen signed in from home three days ago
        home = Client()
        ask(home, CITIZEN)
        assert sign_in(home, CITIZEN).status_code == 302
    now = timezone.now()
    exhaust(ATTACKER, now, 5)
    exhaust(ATTACKER_2, now + timedelta(minutes=6), 5)
    # The per-number cap (10 a day) is used up by the attackers: a new address is refused ...
    with time_machine.travel(now + timedelta(minutes=20), tick=False):
        assert "该手机号今天获取验证码的次数已达上限" in ask(Client(), "192.0.2.50")
        # ... the citizen at home is not, and signs in.
        again = Client()
        assert "验证码已发送" in ask(again, CITIZEN)
        assert sign_in(again, CITIZEN).status_code == 302
    assert PhoneCode.objects.filter(phone=VICTIM, created_at__gte=now).count() == 11


def test_known_addresses_expire_and_are_still_capped_per_address(db, settings):
    start = timezone.now() - timedelta(days=100)
    with time_machine.travel(start, tick=False):
        old = Client()
        ask(old, CITIZEN)
        assert sign_in(old, CITIZEN).status_code == 302
    now = timezone.now()
    with override_settings(TIAOJIE={**settings.TIAOJIE, "SMS_CODES_PER_PHONE_PER_DAY": 2}):
        exhaust(ATTACKER, now, 2)
        with time_machine.travel(now + timedelta(minutes=5), tick=False):
            # Signed in 100 days ago (> SMS_KNOWN_ADDRESS_DAYS = 90): no longer known, held back like anyone.
            assert "该手机号今天获取验证码的次数已达上限" in ask(Client(), CITIZEN)
    with override_settings(TIAOJIE={**settings.TIAOJIE, "SMS_KNOWN_ADDRESS_DAYS": 365}):
        answers = exhaust(CITIZEN, now + timedelta(minutes=10), 7)
        assert sum("验证码已发送" in a for a in answers) == 5  # a known address keeps its own per-address cap


def test_one_requester_waits_between_codes_but_others_need_not(db):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        citizen = Client()
        assert "验证码已发送" in ask(citizen, CITIZEN)
        assert "验证码刚刚已发送" in ask(citizen, CITIZEN)
        assert "验证码刚刚已发送" in ask(Client(), CITIZEN)  # same address, new session
        assert "验证码已发送" in ask(Client(), ATTACKER)
