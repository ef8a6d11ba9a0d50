"""Sign-in by mobile number and SMS code: sending (rate-limited per requester and per number, see
docs/adr/0004-sms-throttle.md), checking (bound to the session that asked, expiring, single-use, a few attempts),
and the application rate limits. Limits come from settings.TIAOJIE."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.clientip import client_ip  # noqa: F401  (the portal's views import it from here)
from notifications.enums import NoticeKind
from notifications.services import queue_sms
from portal.models import ApplicationDraft, PhoneCode, secret_digest

PHONE = re.compile(r"^1[3-9]\d{9}$")


class PortalRefused(Exception):
    """A refusal shown to the citizen next to the field (Chinese)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def cfg(name: str) -> int:
    return int(settings.TIAOJIE[name])


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "").removeprefix("+86")
    if not PHONE.match(phone):
        raise PortalRefused("请输入11位手机号码，例如 13912345678", "phone")
    return phone


def _hash(phone: str, code: str) -> str:
    return secret_digest(f"sms:{phone}:{code}")


@dataclass(frozen=True)
class Requester:
    """Who asks for a code: the client address (accounts.clientip) and the browser session (a hash of its key)."""

    ip: str | None
    session: str = ""


def requester(request) -> Requester:
    """The requester of `request`; gives an anonymous visitor a session so that the code is bound to it."""
    if not request.session.session_key:
        request.session.save()
    return Requester(client_ip(request), hashlib.sha256(request.session.session_key.encode()).hexdigest())


def _as_requester(who: Requester | str | None) -> Requester:
    return who if isinstance(who, Requester) else Requester(who)


def known_addresses(phone: str, now) -> list[str]:
    """Addresses from which this number signed in within SMS_KNOWN_ADDRESS_DAYS: codes asked from them are not held
    back by the per-number cap (docs/adr/0004-sms-throttle.md), because only the phone's holder can make one known."""
    since = now - timedelta(days=cfg("SMS_KNOWN_ADDRESS_DAYS"))
    rows = PhoneCode.objects.filter(phone=phone, used_at__gte=since, ip_address__isnull=False)
    return list(rows.values_list("ip_address", flat=True).distinct()[:50])


def send_code(phone: str, who: Requester | str | None) -> PhoneCode:
    """Send a fresh 6-digit code, bound to the requester's session, unless one of the caps refuses it (see
    docs/adr/0004-sms-throttle.md): this requester asked for this number too recently; this address asked for too
    many codes in the last hour (any numbers); this address asked for this number too often today; or this number
    had too many codes today from addresses it has never signed in from."""
    who = _as_requester(who)
    now = timezone.now()
    day = now - timedelta(days=1)
    with transaction.atomic():
        recent = PhoneCode.objects.select_for_update().filter(phone=phone, created_at__gte=day)
        mine = Q(ip_address=who.ip) if who.ip else Q()
        if who.session:
            mine |= Q(requester=who.session)
        last = recent.filter(mine).first() if mine else recent.first()
        interval = cfg("SMS_CODE_INTERVAL_SECONDS")
        if last is not None and (now - last.created_at).total_seconds() < interval:
            wait = interval - int((now - last.created_at).total_seconds())
            raise PortalRefused(f"验证码刚刚已发送，请{wait}秒后再获取", "phone")
        if who.ip:
            hour = PhoneCode.objects.filter(ip_address=who.ip, created_at__gte=now - timedelta(hours=1))
            if hour.count() >= cfg("SMS_CODES_PER_IP_PER_HOUR"):
                raise PortalRefused("操作过于频繁，请一小时后再试", "phone")
            if recent.filter(ip_address=who.ip).count() >= cfg("SMS_CODES_PER_PHONE_PER_ADDRESS_PER_DAY"):
                raise PortalRefused(
                    "该手机号在当前网络今天获取验证码的次数已达上限，请明天再试或到调委会现场申请", "phone"
                )
        known = known_addresses(phone, now)
        if who.ip not in known and recent.exclude(ip_address__in=known).count() >= cfg("SMS_CODES_PER_PHONE_PER_DAY"):
            raise PortalRefused(
                "该手机号今天获取验证码的次数已达上限，请明天再试、在以前登录过的网络上获取，或到调委会现场申请",
                "phone",
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        row = PhoneCode.objects.create(
            phone=phone,
            code_hash=_hash(phone, code),
            ip_address=who.ip,
            requester=who.session,
            created_at=now,
            expires_at=now + timedelta(seconds=cfg("SMS_CODE_TTL_SECONDS")),
        )
    minutes = max(1, cfg("SMS_CODE_TTL_SECONDS") // 60)
    queue_sms(phone, f"【人民调解】您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。", NoticeKind.LOGIN_CODE)
    return row


@dataclass
class Verified:
    phone: str


def verify_code(phone: str, code: str, who: Requester | None = None) -> Verified:
    """Accept the latest code this requester's session asked for `phone`, once: refused when wrong, expired, already
    used or tried too often. Binding the code to the session that asked for it means nobody else can use up its
    attempts or replace it with a newer code of their own."""
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise PortalRefused("请输入短信中的6位数字验证码", "code")
    now = timezone.now()
    refusal: str | None = None
    with transaction.atomic():  # the refusal is raised after commit, so a failed attempt stays counted
        rows = PhoneCode.objects.select_for_update().filter(phone=phone)
        if who is not None and who.session:
            rows = rows.filter(requester=who.session)
        row = rows.first()
        limit = cfg("SMS_CODE_MAX_ATTEMPTS")
        if row is None:
            refusal = "请先获取验证码"
        elif row.used_at is not None:
            refusal = "该验证码已使用过，请重新获取"
        elif row.expires_at < now:
            refusal = "验证码已过期，请重新获取"
        elif row.attempts >= limit:
            refusal = "输错次数过多，该验证码已失效，请重新获取"
        elif not secrets.compare_digest(row.code_hash, _hash(phone, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = limit - row.attempts
            refusal = f"验证码不正确，还可以再试{left}次" if left > 0 else "输错次数过多，该验证码已失效，请重新获取"
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
    if refusal:
        raise PortalRefused(refusal, "code")
    return Verified(phone=phone)


def check_application_limits(user, ip: str | None) -> None:
    """At most N online applications per account and M per address in 24 hours (against floods, not citizens: the
    committee also takes applications in person and by phone)."""
    since = timezone.now() - timedelta(days=1)
    done = ApplicationDraft.objects.filter(submitted_at__gte=since)
    if done.filter(user=user).count() >= cfg("APPLICATIONS_PER_ACCOUNT_PER_DAY"):
        raise PortalRefused("您今天提交的申请已达上限。如有急事，请直接联系当地调委会。")
    if ip and done.filter(submitted_ip=ip).count() >= cfg("APPLICATIONS_PER_IP_PER_DAY"):
        raise PortalRefused("该网络今天提交的申请过多，请明天再试，或直接联系当地调委会。")
