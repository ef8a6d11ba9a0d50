"""scripts/court_client.py, the sandbox court (issue 11): its webhook receiver verifies Standard Webhooks signatures
(and refuses forged or stale ones, and deduplicates retries), its expected failures are one Chinese line without a
traceback, and against a live server it plays a whole exchange: token, 委派 with an Idempotency-Key and its replay,
every webhook verified and printed in order, the outcome and the agreement PDF."""

import importlib.util
import io
import json
import re
import socket
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from api import signing

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location("court_client", ROOT / "scripts" / "court_client.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["court_client"] = module
    spec.loader.exec_module(module)
    return module


cc = _load_script()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_signed(url: str, secret: str, body: dict, *, msg_id: str = "msg_test1", ts: int | None = None, sign=None):
    raw = json.dumps(body, ensure_ascii=False).encode()
    ts = int(time.time()) if ts is None else ts
    signature = sign or signing.signature_header([secret], msg_id, ts, raw)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": signature}
    return httpx.post(url, content=raw, headers={"Content-Type": "application/json", **headers})


# The receiver ----------------------------------------------------------------------------------------------------
@pytest.fixture
def receiver():
    secret = signing.new_secret()
    out = io.StringIO()
    r = cc.Receiver(secret, free_port(), out=out).start()
    r.secret, r.out_text = secret, out
    yield r
    r.stop()


def test_receiver_accepts_platform_signatures_and_deduplicates_retries(receiver):
    body = {"type": "referral.accepted", "timestamp": "2026-12-03T10:00:00+08:00", "data": {"referral_id": 7}}
    assert post_signed(receiver.url, receiver.secret, body).status_code == 204
    event = receiver.events.get(timeout=2)
    assert (event.msg_id, event.event_type, event.payload) == ("msg_test1", "referral.accepted", body)
    # A retry of the same event (same webhook-id, new timestamp and signature) is acknowledged, not queued twice.
    assert post_signed(receiver.url, receiver.secret, body, ts=int(time.time()) + 1).status_code == 204
    assert receiver.events.empty() and receiver.duplicates == 1
    # A rotation's two signatures (new and previous secret): either verifies.
    other = signing.new_secret()
    raw_ts = int(time.time())
    raw = json.dumps(body, ensure_ascii=False).encode()
    both = signing.signature_header([other, receiver.secret], "msg_test2", raw_ts, raw)
    assert post_signed(receiver.url, receiver.secret, body, msg_id="msg_test2", ts=raw_ts, sign=both).status_code == 204
    assert receiver.events.get(timeout=2).msg_id == "msg_test2"


@pytest.mark.parametrize(
    "case",
    ["other secret", "tampered body", "stale timestamp", "no signature"],
)
def test_receiver_refuses_what_does_not_verify(receiver, case):
    body = {"type": "referral.concluded", "timestamp": "2026-12-03T10:00:00+08:00", "data": {"referral_id": 9}}
    raw = json.dumps(body).encode()
    ts = int(time.time())
    headers = {"webhook-id": "msg_bad", "webhook-timestamp": str(ts)}
    if case == "other secret":
        headers["webhook-signature"] = signing.signature_header([signing.new_secret()], "msg_bad", ts, raw)
    elif case == "tampered body":
        headers["webhook-signature"] = signing.signature_header([receiver.secret], "msg_bad", ts, raw)
        raw = raw.replace(b"9", b"8")
    elif case == "stale timestamp":
        old = ts - 3600
        headers["webhook-timestamp"] = str(old)
        headers["webhook-signature"] = signing.signature_header([receiver.secret], "msg_bad", old, raw)
    response = httpx.post(receiver.url, content=raw, headers=headers)
    assert response.status_code == 401
    assert receiver.events.empty() and receiver.rejected == 1
    assert "签名验证失败" in receiver.out_text.getvalue()


# Expected failures --------------------------------------------------------------------------------------------
def run(argv: list[str], monkeypatch, tmp_path) -> tuple[int, str, str]:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "WEBHOOK_SECRET"):
        monkeypatch.delenv(f"TIAOJIE_SANDBOX_{name}", raising=False)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    argv = [*argv, "--credentials", str(tmp_path / "none.json"), "--save-dir", str(tmp_path / "pdf")]
    rc = cc.main(argv, out=out)
    return rc, out.getvalue(), err.getvalue()


def test_no_credentials_is_one_clear_line(monkeypatch, tmp_path):
    rc, _out, err = run(["send"], monkeypatch, tmp_path)
    assert rc == 2
    assert "没有沙箱法院的客户端凭证" in err and "make demo" in err and "Traceback" not in err


def test_server_down_is_one_clear_line(monkeypatch, tmp_path):
    args = ["send", "--client-id", "x", "--client-secret", "y", "--webhook-secret", signing.new_secret()]
    args += ["--base-url", f"http://127.0.0.1:{free_port()}", "--port", str(free_port())]
    rc, _out, err = run(args, monkeypatch, tmp_path)
    assert rc == 2 and "无法连接平台" in err and "Traceback" not in err


def test_port_in_use_is_one_clear_line(monkeypatch, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = ["watch", "--client-id", "x", "--client-secret", "y", "--webhook-secret", signing.new_secret()]
        rc, _out, err = run([*args, "--port", str(port)], monkeypatch, tmp_path)
    assert rc == 2 and f"127.0.0.1:{port}" in err and "端口已被占用" in err


def test_credentials_come_from_the_environment_then_the_file(monkeypatch, tmp_path):
    path = tmp_path / "sandbox.json"
    path.write_text(json.dumps({"client_id": "file-id", "client_secret": "file-secret", "webhook_secret": "w"}))
    args = cc.parser().parse_args(["watch", "--credentials", str(path)])
    for name in ("CLIENT_ID", "CLIENT_SECRET", "WEBHOOK_SECRET"):
        monkeypatch.delenv(f"TIAOJIE_SANDBOX_{name}", raising=False)
    assert cc.load_credentials(args).client_id == "file-id"
    monkeypatch.setenv("TIAOJIE_SANDBOX_CLIENT_ID", "env-id")
    assert cc.load_credentials(args).client_id == "env-id"
    args = cc.parser().parse_args(["watch", "--credentials", str(path), "--client-id", "arg-id"])
    assert cc.load_credentials(args).client_id == "arg-id"


# Against a live server ----------------------------------------------------------------------------------------
@pytest.fixture
def sandbox(transactional_db, tmp_path):
    """The referral world (tests/referrals/factories.py) in a transactional database (the live server sees it),
    plus a sandbox court of its county with a client and an endpoint on a free local port."""
    from django.core.management import call_command

    from api.clients import add_endpoint, create_client
    from referrals.enums import Channel
    from referrals.models import Institution
    from registry.models import Court
    from tests.referrals.factories import build_referral_world
    from workdays import calendar

    call_command("load_holidays", verbosity=0)
    calendar.clear_cache()
    world = build_referral_world()
    institution = Institution.objects.create(
        kind=Channel.COURT,
        name="沙箱法院（测试）",
        code="SANDBOX-TEST",
        division=world.county,
        court=Court.objects.create(name="沙箱法院", division=world.county),
        default_receiver=world.hub,
        is_sandbox=True,
    )
    scopes = "referrals:write referrals:read outcomes:read"
    client, secret = create_client(institution, "沙箱法院案件系统", scopes, world.county_admin)
    port = free_port()
    endpoint, webhook_secret = add_endpoint(institution, f"http://127.0.0.1:{port}/webhooks", by=world.county_admin)
    creds = tmp_path / "sandbox_court.json"
    creds.write_text(
        json.dumps(
            {"client_id": client.application.client_id, "client_secret": secret, "webhook_secret": webhook_secret}
        )
    )
    yield world, institution, creds, port
    calendar.clear_cache()


class Background:
    """court_client.main in a thread, its lines collected."""

    def __init__(self, argv: list[str]) -> None:
        self.out = io.StringIO()
        self.rc = None
        self.thread = threading.Thread(target=self._run, args=(argv,), daemon=True)
        self.thread.start()

    def _run(self, argv):
        self.rc = cc.main(argv, out=self.out)

    def text(self) -> str:
        return self.out.getvalue()

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if m := re.search(pattern, self.text()):
                return m
            if not self.thread.is_alive():
                break
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in:\n{self.text()}")


def drive_to_agreement(world, referral) -> None:
    """The hub accepts the referral (as the court designated nobody, it is the hub's), contacts the other party,
    assigns its mediator, holds a session and the agreement takes effect (signatures and the seal)."""
    from cases import actions as A
    from cases.enums import RecordKind, SignatureMethod
    from referrals import services as R
    from referrals.enums import ContactResult

    now = timezone.now()
    case = R.accept_referral(referral, world.hub_director, at=now)
    A.do_assign_mediators(
        case,
        world.hub_director,
        presiding=world.hub_mediator.mediator,
        rights_notified=True,
        identities_checked=True,
    )
    R.record_contact(referral.__class__.objects.get(pk=referral.pk), world.hub_mediator, ContactResult.CONTACTED)
    case.refresh_from_db()
    A.do_record_mediation(
        case,
        world.hub_mediator,
        kind=RecordKind.SESSION,
        held_at=timezone.now(),
        place="矛调中心调解室",
        subject="双方当事人",
        content="双方陈述，调解员释法说理，提出清理建材并赔偿的方案。",
        result="双方同意调解方案",
    )
    applicant, respondent = case.parties.order_by("order")[:2]
    A.do_draft_agreement(
        case,
        world.hub_mediator,
        facts=case.brief_facts,
        responsibilities="被告负主要责任",
        terms=[
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="被告清除建材、疏通排水沟，并赔偿原告损失",
                amount=Decimal("2000"),
                manner="银行转账",
                place="矛调中心",
                deadline=date.today() + timedelta(days=20),
            )
        ],
    )
    for party in (applicant, respondent, None):
        A.do_sign_agreement(case, world.hub_mediator, party=party, method=SignatureMethod.HANDWRITTEN)
    A.do_seal_agreement(case, world.hub_director)


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_court_plays_a_whole_exchange(sandbox, live_server, tmp_path):
    from pypdf import PdfReader

    from referrals.models import Referral

    world, institution, creds, port = sandbox
    # Wrong credentials: one line naming the cause, no traceback, nothing sent.
    err = io.StringIO()
    stored = json.loads(creds.read_text())
    wrong = ["send", "--base-url", live_server.url, "--client-id", stored["client_id"], "--client-secret", "wrong"]
    wrong += ["--webhook-secret", stored["webhook_secret"], "--port", str(port), "--credentials", str(creds)]
    real_stderr, sys.stderr = sys.stderr, err
    try:
        assert cc.main(wrong, out=io.StringIO()) == 2
    finally:
        sys.stderr = real_stderr
    assert "获取令牌失败：客户端凭证无效" in err.getvalue() and "Traceback" not in err.getvalue()
    assert not Referral.objects.exists()

    argv = ["send", "--base-url", live_server.url, "--credentials", str(creds), "--port", str(port)]
    argv += ["--poll", "0.5", "--timeout", "90", "--save-dir", str(tmp_path / "out")]
    court = Background(argv)
    m = court.wait_for(r"发送委派：.*→ HTTP 201，平台编号 \S+（id (\d+)，状态 待接收）")
    court.wait_for(r"重放同一请求（同一 Idempotency-Key）→ HTTP 201，返回已保存的同一响应，未重复创建")
    referral = Referral.objects.get(pk=int(m.group(1)))
    assert referral.institution == institution and referral.receiver == world.hub
    assert Referral.objects.filter(institution=institution).count() == 1  # the replay made nothing
    court.wait_for(r"收到推送 #1 referral\.received")

    drive_to_agreement(world, referral)
    court.thread.join(60)
    text = court.text()
    assert court.rc == 0, text
    pushed = re.findall(r"收到推送 #(\d+) (referral\.\w+)（.*?）：移送 id (\d+).*签名有效", text)
    assert [int(n) for n, _t, _r in pushed] == list(range(1, len(pushed) + 1))
    assert {int(r) for _n, _t, r in pushed} == {referral.pk}
    types = [t for _n, t, _r in pushed]
    assert types[0] == "referral.received" and types[-1] == "referral.concluded", text
    assert types == ["referral.received", "referral.accepted", "referral.party_contacted", "referral.concluded"]
    assert "查询进展" in text and "调解成功" in text
    referral.refresh_from_db()
    pdf = tmp_path / "out" / f"referral-{referral.pk}-agreement.pdf"
    assert f"已保存 {pdf}" in text
    pages = "".join(re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert referral.case.case_no and referral.case.case_no in pages
    assert "交换结束：共收到并验证推送 4 条（重复 0，拒收 0）" in text
