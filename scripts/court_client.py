#!/usr/bin/env python3
"""The sandbox court (issue 11): plays a court's case system against a running platform, so that a newcomer sees
the whole exchange on one machine.

    .venv/bin/python scripts/court_client.py send     # send a 委派 referral, then watch it to its outcome
    .venv/bin/python scripts/court_client.py watch    # only receive and print webhooks (Ctrl-C stops)

It reads the sandbox client's credentials from --client-id / --client-secret / --webhook-secret, else from the
environment (TIAOJIE_SANDBOX_CLIENT_ID, TIAOJIE_SANDBOX_CLIENT_SECRET, TIAOJIE_SANDBOX_WEBHOOK_SECRET), else from
var/sandbox_court.json, which `make demo` (seed_demo) writes. It

1. gets an OAuth2 token (client credentials, HTTP basic) from /api/v1/oauth/token/;
2. listens for webhooks on http://127.0.0.1:8765/webhooks (the endpoint the demo registered for the sandbox
   court) and verifies each one with the `standardwebhooks` package (signature, timestamp), deduplicating on
   `webhook-id`;
3. sends a 委派 referral with an Idempotency-Key, then replays the same request once to show the stored response
   coming back;
4. polls /api/v1/referrals/{id}/ and /events/ and prints every webhook in order;
5. when the referral concludes, fetches /outcome/ and /agreement.pdf (saved under var/court_client/).

Only the standard library, httpx and standardwebhooks (both in requirements.txt). Expected failures (the platform
not running, wrong credentials, a port in use) print a Chinese message and exit with status 2, no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_PORT = 8765
DEFAULT_CREDENTIALS = ROOT / "var" / "sandbox_court.json"
DEFAULT_SAVE_DIR = ROOT / "var" / "court_client"
SCOPES = "referrals:write referrals:read outcomes:read"
ENV_PREFIX = "TIAOJIE_SANDBOX_"
CHINA = ZoneInfo("Asia/Shanghai")
WEBHOOK_GRACE_SECONDS = 15  # polling saw the end: wait this long for the webhook before fetching the outcome

# What each webhook event type means (the platform's api.webhooks.EVENT_TYPES; copied so that the script needs no
# Django). An unknown type is printed as it is.
EVENT_LABELS = {
    "referral.received": "平台已收到移送",
    "referral.accepted": "调解组织已接收",
    "referral.declined": "调解组织拒绝接收（附理由）",
    "referral.returned": "逾期未接收，已自动退回",
    "referral.withdrawn": "移送已撤回",
    "referral.party_contacted": "已联系对方当事人，同意调解",
    "referral.party_unreachable": "无法联系对方当事人",
    "referral.party_refused": "对方当事人拒绝调解",
    "referral.extended": "调解期限已延长（经全体当事人同意）",
    "referral.paused": "鉴定评估，调解期限中止",
    "referral.resumed": "鉴定评估结束，调解期限恢复",
    "referral.replied": "调解组织已反馈办理情况",
    "referral.merged": "已并入同一纠纷的调解案件",
    "referral.concluded": "调解结束（成功附协议，不成功附报告）",
    "referral.jc_requested": "当事人已申请司法确认",
    "referral.attachment_added": "已补充材料",
}
STATUS_LABELS = {
    "PENDING": "待接收",
    "ACCEPTED": "已接收，调解中",
    "DECLINED": "已拒绝接收",
    "RETURNED": "逾期未接收，已退回",
    "WITHDRAWN": "移送机构已撤回",
    "SUCCEEDED": "调解成功",
    "FAILED": "调解不成功",
}
ENDED = {"DECLINED", "RETURNED", "WITHDRAWN", "SUCCEEDED", "FAILED"}
ENDING_EVENTS = {"referral.concluded", "referral.declined", "referral.returned", "referral.withdrawn"}


class ClientError(Exception):
    """An expected failure: printed as one Chinese line, exit status 2."""


def say(text: str, *, out=None) -> None:
    """One line, stamped with China time (as the platform's own times are)."""
    out = out or sys.stdout
    print(f"[{datetime.now(CHINA):%H:%M:%S}] {text}", file=out, flush=True)


# Credentials ----------------------------------------------------------------------------------------------------
@dataclass
class Credentials:
    client_id: str
    client_secret: str
    webhook_secret: str = ""
    base_url: str = ""
    webhook_url: str = ""
    source: str = ""


def load_credentials(args: argparse.Namespace) -> Credentials:
    """Arguments first, then the environment, then the file the demo wrote (var/sandbox_court.json)."""
    stored: dict[str, Any] = {}
    path = Path(args.credentials)
    if path.exists():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ClientError(f"无法读取凭证文件 {path}：{exc}") from None

    def pick(name: str) -> tuple[str, str]:
        value = getattr(args, name, None)
        if value:
            return value, "命令行参数"
        value = os.environ.get(ENV_PREFIX + name.upper())
        if value:
            return value, "环境变量"
        return str(stored.get(name) or ""), str(path) if stored.get(name) else ""

    client_id, source = pick("client_id")
    client_secret, _ = pick("client_secret")
    webhook_secret, _ = pick("webhook_secret")
    if not client_id or not client_secret:
        raise ClientError(
            "没有沙箱法院的客户端凭证：请先运行 make demo（生成 var/sandbox_court.json），或用 --client-id / "
            "--client-secret 参数、TIAOJIE_SANDBOX_CLIENT_ID / TIAOJIE_SANDBOX_CLIENT_SECRET 环境变量提供"
        )
    return Credentials(
        client_id,
        client_secret,
        webhook_secret,
        base_url=str(stored.get("base_url") or ""),
        webhook_url=str(stored.get("webhook_url") or ""),
        source=source,
    )


# The webhook receiver -------------------------------------------------------------------------------------------
@dataclass
class Received:
    msg_id: str
    event_type: str
    payload: dict
    at: datetime = field(default_factory=lambda: datetime.now(CHINA))


class Receiver:
    """A local Standard Webhooks receiver on 127.0.0.1:<port>: verifies each delivery (signature and timestamp,
    standardwebhooks.Webhook.verify), answers 204, deduplicates on webhook-id and queues the verified events in
    order of arrival. A delivery with a bad signature gets 401 and is reported, never queued."""

    def __init__(self, secret: str, port: int = DEFAULT_PORT, path: str = "/webhooks", out=None) -> None:
        if not secret:
            raise ClientError("没有推送签名密钥（webhook_secret），无法验证推送：请检查 var/sandbox_court.json")
        try:
            self.webhook = Webhook(secret)
        except Exception as exc:  # a malformed whsec_ secret
            raise ClientError(f"推送签名密钥格式不正确：{exc}") from None
        self.path, self.out = path, out or sys.stdout
        self.events: queue.Queue[Received] = queue.Queue()
        self.seen: set[str] = set()
        self.duplicates = 0
        self.rejected = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 -- http.server's name
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the receiver prints its own lines
                return

        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise ClientError(f"无法在 127.0.0.1:{port} 接收推送（{exc.strerror or exc}）：端口已被占用？") from None
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        headers = {k.lower(): v for k, v in request.headers.items()}
        if request.path.split("?")[0] != self.path:
            request.send_response(404)
            request.end_headers()
            return
        try:
            payload = self.webhook.verify(body, headers)
        except WebhookVerificationError as exc:
            with self._lock:
                self.rejected += 1
            say(f"拒收一条推送：签名验证失败（{exc}），webhook-id={headers.get('webhook-id', '—')}", out=self.out)
            request.send_response(401)
            request.end_headers()
            return
        msg_id = headers["webhook-id"]
        with self._lock:
            duplicate = msg_id in self.seen
            self.seen.add(msg_id)
            if duplicate:
                self.duplicates += 1
        request.send_response(204)
        request.end_headers()
        if duplicate:  # a retry of an event already received: acknowledged, not processed twice
            say(f"重复推送（webhook-id={msg_id}），已确认，不重复处理", out=self.out)
            return
        self.events.put(Received(msg_id, str(payload.get("type", "")), payload))


# The API --------------------------------------------------------------------------------------------------------
def _error_text(response: httpx.Response) -> str:
    """The platform's JSON error ({"code", "message", "fields": {field: [messages]}}), or the bare status."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    code = body.get("code") or body.get("error")  # the token endpoint answers OAuth2's {"error": …}
    message = body.get("message") or body.get("error_description") or body.get("detail")
    text = f"HTTP {response.status_code}" + (f"，{code}" if code else "") + (f"：{message}" if message else "")
    fields = body.get("fields") or {}
    if isinstance(fields, dict) and fields:
        text += "（" + "；".join(f"{k}：{'、'.join(map(str, v))}" for k, v in fields.items()) + "）"
    return text


class Api:
    """The few calls a court's system makes, with the token it got."""

    def __init__(self, base_url: str, credentials: Credentials, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, follow_redirects=False)
        self.token = ""

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kw) -> httpx.Response:
        try:
            return self.http.request(method, path, **kw)
        except httpx.ConnectError:
            raise ClientError(
                f"无法连接平台 {self.base_url}：平台未启动？请先运行 make demo（或用 --base-url 指定地址）"
            ) from None
        except httpx.TimeoutException:
            raise ClientError(f"平台 {self.base_url} 响应超时（{method} {path}）") from None
        except httpx.HTTPError as exc:
            raise ClientError(f"请求平台失败（{method} {path}）：{exc}") from None

    def get_token(self) -> dict:
        response = self._call(
            "POST",
            "/api/v1/oauth/token/",
            data={"grant_type": "client_credentials", "scope": SCOPES},
            auth=(self.credentials.client_id, self.credentials.client_secret),
        )
        if response.status_code in (400, 401, 403):
            raise ClientError(f"获取令牌失败：客户端凭证无效、已更换或已停用（{_error_text(response)}）")
        if response.status_code != 200:
            raise ClientError(f"获取令牌失败（{_error_text(response)}）")
        body = response.json()
        self.token = body["access_token"]
        return body

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        response = self._call(method, path, headers=headers, **kw)
        if response.status_code == 401:  # the token expired (an hour): one more, then the call again
            self.get_token()
            headers["Authorization"] = f"Bearer {self.token}"
            response = self._call(method, path, headers=headers, **kw)
        return response

    def get_json(self, path: str) -> dict | list:
        response = self.request("GET", path)
        if response.status_code != 200:
            raise ClientError(f"查询 {path} 失败（{_error_text(response)}）")
        return response.json()


def demo_id_number(region: str, born: str, seq: int) -> str:
    """A checksum-valid (fictitious) resident ID number: 6-digit region, YYYYMMDD, 3-digit sequence, check digit."""
    body = f"{region}{born}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def referral_payload(external_no: str | None = None) -> dict:
    """A 委派 (before filing) from the sandbox court: a neighbours' dispute, both parties agreeing to mediation.
    The court case number is new on each run (a court number is unique per institution while its referral is
    open)."""
    now = datetime.now(CHINA)
    number = external_no or f"（{now:%Y}）鄂1202民诉前调{now:%m%d%H%M%S}号"
    return {
        "external_no": number,
        "referral_type": "WEIPAI",
        "procedure": "",
        "handler_name": "沙箱法官",
        "handler_phone": "0715-8000000",
        "dispute_type": "NEIGHBOR",
        "cause": "相邻关系纠纷",
        "brief_facts": (
            "原告与被告系同村邻居，被告翻修房屋时将建材堆放在共用排水沟上，致原告院内积水，"
            "双方多次协商未果，原告诉至法院。"
        ),
        "claims": "请求被告清除建材、疏通排水沟，并赔偿损失人民币二千元",
        "place": "咸安区温泉街道",
        "amount_involved": "2000.00",
        "consent_note": "双方当事人均书面同意诉前委派调解",
        "parties": [
            {
                "side": "APPLICANT",
                "name": "沙箱原告",
                "id_number": demo_id_number("421202", "19780315", 123),
                "phone": "13800000001",
                "service_address": "13800000001（短信）",
                "address": "咸安区温泉街道肖桥村三组",
                "consented": True,
                "consent_how": "书面同意",
            },
            {
                "side": "RESPONDENT",
                "name": "沙箱被告",
                "id_number": demo_id_number("421202", "19820611", 246),
                "phone": "13800000002",
                "service_address": "13800000002（短信）",
                "address": "咸安区温泉街道肖桥村三组",
                "consented": True,
                "consent_how": "书面同意",
            },
        ],
    }


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status or "—")


def _times(data: dict) -> str:
    """The clock fields of a payload, shown briefly."""
    names = {
        "accept_by": "接收答复期限",
        "contact_by": "联系期限",
        "mediation_due": "调解期限",
        "channel_due": "渠道期限",
        "case_no": "案号",
    }
    shown = [f"{label} {data[key]}" for key, label in names.items() if data.get(key)]
    return ("（" + "，".join(shown) + "）") if shown else ""


# The exchange ---------------------------------------------------------------------------------------------------
class Court:
    """One exchange: send, replay, watch, fetch the outcome. Lines go to `out`."""

    def __init__(self, api: Api, receiver: Receiver | None, *, save_dir: Path, poll: float, out=None) -> None:
        self.api, self.receiver, self.save_dir, self.poll = api, receiver, Path(save_dir), poll
        self.out = out or sys.stdout
        self.received: list[Received] = []
        self.status = ""

    def say(self, text: str) -> None:
        say(text, out=self.out)

    def connect(self) -> None:
        body = self.api.get_token()
        self.say(
            f"获取令牌：成功（客户端凭证，有效期 {body.get('expires_in', '—')} 秒，授权范围 {body.get('scope', '—')}）"
        )

    def send(self, payload: dict) -> dict:
        key = str(uuid.uuid4())
        headers = {"Idempotency-Key": key}
        response = self.api.request("POST", "/api/v1/referrals/", json=payload, headers=headers)
        if response.status_code not in (200, 201):
            raise ClientError(f"发送委派失败（{_error_text(response)}）")
        referral = response.json()
        self.status = referral.get("status", "")
        self.say(
            f"发送委派：{payload['external_no']}，Idempotency-Key={key} → HTTP {response.status_code}，"
            f"平台编号 {referral.get('reference', '—')}（id {referral['id']}，状态 {_label(self.status)}）"
        )
        replay = self.api.request("POST", "/api/v1/referrals/", json=payload, headers=headers)
        same = replay.status_code == response.status_code and replay.json().get("id") == referral["id"]
        replayed = replay.headers.get("Idempotent-Replayed") or replay.headers.get("Idempotency-Replayed")
        note = f"，响应头 Idempotent-Replayed: {replayed}" if replayed else ""
        verdict = "返回已保存的同一响应，未重复创建" if same else "响应与第一次不同！"
        self.say(
            f"重放同一请求（同一 Idempotency-Key）→ HTTP {replay.status_code}，{verdict}"
            f"（id {replay.json().get('id')}）{note}"
        )
        return referral

    def show_event(self, event: Received, index: int) -> None:
        data = event.payload.get("data") or {}
        label = EVENT_LABELS.get(event.event_type, "")
        status = f"，状态 {_label(data['status'])}" if data.get("status") else ""
        self.say(
            f"收到推送 #{index} {event.event_type}（{label or '未知事件'}）：移送 id {data.get('referral_id', '—')}"
            f"{status}{_times(data)}，签名有效，webhook-id={event.msg_id}"
        )

    def watch(self, referral_id: int | None, *, timeout: float | None, once: bool) -> bool:
        """Print every webhook in order of arrival and, for `referral_id`, the status changes seen by polling; when
        a referral ends, fetch its events and outcome. True when the watched referral (or, with `once`, any
        referral) has ended; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        last_poll = 0.0
        ended_by_webhook: set[int] = set()
        ended_polled_at = None  # when polling first saw the watched referral ended
        while True:
            if deadline is not None and time.monotonic() > deadline:
                return False
            if referral_id is not None and time.monotonic() - last_poll >= self.poll:
                last_poll = time.monotonic()
                current = self.api.get_json(f"/api/v1/referrals/{referral_id}/")
                status = current.get("status", "")
                if status != self.status:
                    self.say(
                        f"查询进展：GET /api/v1/referrals/{referral_id}/ → 状态 "
                        f"{_label(self.status)} → {_label(status)}"
                    )
                    self.status = status
                if status in ENDED and ended_polled_at is None:
                    ended_polled_at = time.monotonic()
            try:
                event = self.receiver.events.get(timeout=0.2) if self.receiver else None
            except queue.Empty:
                event = None
            if event is not None:
                self.received.append(event)
                self.show_event(event, len(self.received))
                rid = (event.payload.get("data") or {}).get("referral_id")
                if event.event_type in ENDING_EVENTS and rid is not None:
                    ended_by_webhook.add(int(rid))
                    if referral_id is None:  # watch mode: each referral's outcome as it ends
                        self.conclude(int(rid))
                        if once:
                            return True
            if referral_id is not None and self.status in ENDED:
                if referral_id in ended_by_webhook:
                    self.conclude(referral_id)
                    return True
                if time.monotonic() - ended_polled_at > WEBHOOK_GRACE_SECONDS:
                    self.say(f"查询显示已办结，但 {WEBHOOK_GRACE_SECONDS} 秒内未收到办结推送：推送地址是否登记正确？")
                    self.conclude(referral_id)
                    return True
            if referral_id is None and self.receiver is None:
                return False

    def conclude(self, referral_id: int) -> None:
        events = self.api.get_json(f"/api/v1/referrals/{referral_id}/events/")
        rows = events.get("results", events) if isinstance(events, dict) else events
        self.say(f"移送事件：GET /api/v1/referrals/{referral_id}/events/ → {len(rows)} 条")
        for row in rows:
            at = str(row.get("at") or "")[:19].replace("T", " ")
            pushed = f"（推送 {row['webhook_type']}）" if row.get("webhook_type") else "（不推送）"
            self.say(f"    {at}  {row.get('kind_label') or row.get('kind', '')}  {row.get('actor', '')}{pushed}")
        response = self.api.request("GET", f"/api/v1/referrals/{referral_id}/outcome/")
        if response.status_code != 200:
            self.say(f"调解结果：暂不可取（{_error_text(response)}）")
            return
        outcome = response.json()
        status = outcome.get("status", "")
        parts = [f"{outcome.get('status_label') or _label(status)}"]
        if outcome.get("case_no"):
            parts.append(f"案号 {outcome['case_no']}")
        if outcome.get("termination_ground_label"):
            parts.append(f"终止情形：{outcome['termination_ground_label']}")
        agreement = outcome.get("agreement") or {}
        if agreement:
            signed = "、".join(f"{s.get('role_label', '')}{s.get('name', '')}" for s in agreement.get("signatures", []))
            effective = str(agreement.get("effective_at") or "")[:19].replace("T", " ")
            parts.append(f"{agreement.get('form_label', '协议')}，{effective} 生效")
            if signed:
                parts.append(f"签署：{signed}")
        report = outcome.get("failure_report") or {}
        if report.get("reason"):
            parts.append(f"调解不成的原因：{report['reason']}")
        self.say(f"调解结果：GET /api/v1/referrals/{referral_id}/outcome/ → " + "；".join(parts))
        if status != "SUCCEEDED":
            return
        response = self.api.request("GET", f"/api/v1/referrals/{referral_id}/agreement.pdf")
        if response.status_code != 200:
            self.say(f"调解协议书：下载失败（{_error_text(response)}）")
            return
        if not response.content.startswith(b"%PDF"):
            self.say("调解协议书：返回的不是 PDF 文件")
            return
        self.save_dir.mkdir(parents=True, exist_ok=True)
        path = self.save_dir / f"referral-{referral_id}-agreement.pdf"
        path.write_bytes(response.content)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        self.say(
            f"调解协议书：GET /api/v1/referrals/{referral_id}/agreement.pdf → 已保存 {shown}"
            f"（{len(response.content)} 字节）"
        )


# The command line -----------------------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="court_client.py",
        description="沙箱法院：通过接口向调解平台委派纠纷，接收并验证推送，获取调解结果和协议书。",
    )
    p.add_argument("mode", choices=["send", "watch"], help="send：发送委派并跟踪到办结；watch：只接收推送")
    p.add_argument("--base-url", help=f"平台地址（默认 {DEFAULT_BASE_URL}，或凭证文件中的 base_url）")
    p.add_argument("--client-id", help="客户端 ID（默认取环境变量或凭证文件）")
    p.add_argument("--client-secret", help="客户端密钥")
    p.add_argument("--webhook-secret", help="推送签名密钥（whsec_…）")
    p.add_argument("--credentials", default=str(DEFAULT_CREDENTIALS), help="凭证文件（默认 var/sandbox_court.json）")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"本地接收推送的端口（默认 {DEFAULT_PORT}）")
    p.add_argument("--external-no", help="法院案号（默认按当前时间生成）")
    p.add_argument("--poll", type=float, default=3.0, help="查询进展的间隔秒数（默认 3）")
    p.add_argument("--timeout", type=float, help="最长等待秒数（默认一直等待，Ctrl-C 结束）")
    p.add_argument("--once", action="store_true", help="一次交换结束即退出（watch：第一件办结后退出；测试用）")
    p.add_argument("--save-dir", default=str(DEFAULT_SAVE_DIR), help="协议书保存目录（默认 var/court_client/）")
    return p


def main(argv: list[str] | None = None, out=None) -> int:
    args = parser().parse_args(argv)
    out = out or sys.stdout
    receiver = api = None
    try:
        credentials = load_credentials(args)
        base_url = args.base_url or credentials.base_url or DEFAULT_BASE_URL
        receiver = Receiver(credentials.webhook_secret, args.port, out=out).start()
        say(f"沙箱法院：平台 {base_url}，客户端 {credentials.client_id}（凭证来自 {credentials.source}）", out=out)
        say(f"本地接收推送：{receiver.url}（Standard Webhooks 签名验证）", out=out)
        if credentials.webhook_url and credentials.webhook_url != receiver.url:
            say(f"注意：平台登记的推送地址是 {credentials.webhook_url}，与本地接收地址不同", out=out)
        api = Api(base_url, credentials)
        court = Court(api, receiver, save_dir=Path(args.save_dir), poll=args.poll, out=out)
        court.connect()
        if args.mode == "send":
            referral = court.send(referral_payload(args.external_no))
            say("等待调解组织处理：在浏览器中以矛调中心、调委会账号登录，分流、接收、调解……（Ctrl-C 结束）", out=out)
            done = court.watch(int(referral["id"]), timeout=args.timeout, once=True)
        else:
            say("等待推送……（Ctrl-C 结束）", out=out)
            done = court.watch(None, timeout=args.timeout, once=args.once)
        if not done and args.timeout is not None:
            say(f"{args.timeout:g} 秒内未办结，退出（共收到推送 {len(court.received)} 条）", out=out)
            return 1
        say(
            f"交换结束：共收到并验证推送 {len(court.received)} 条"
            f"（重复 {receiver.duplicates}，拒收 {receiver.rejected}）",
            out=out,
        )
        return 0
    except ClientError as exc:
        say(f"错误：{exc}", out=sys.stderr)
        return 2
    except KeyboardInterrupt:
        say("已停止", out=out)
        return 130
    finally:
        if receiver is not None:
            receiver.stop()
        if api is not None:
            api.close()


if __name__ == "__main__":
    sys.exit(main())
