"""Inviting the other party to an online case: a link and an 8-character code sent by SMS, stored only as keyed
hashes.

The SMS goes out under the 【人民调解】 sender, so it carries no text typed by a user (a name typed by the applicant
could be a phishing link): only the committee's name, a masked surname and a neutral phrase. Resending is limited
(an interval, a daily cap per party and per case), a new invitation replaces the earlier ones of that party, every
invitation expires, and it can be used only by an account with the number it was sent to."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Party
from notifications.enums import NoticeKind
from notifications.services import queue_sms
from portal.codes import PortalRefused
from portal.models import Invitation, secret_digest

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
RESEND_MINUTES = 10
CJK = re.compile(r"[\u4e00-\u9fff]")


def cfg(name: str) -> int:
    return int(settings.TIAOJIE[name])


def ttl() -> timedelta:
    """How long an invitation can be used (settings.TIAOJIE["INVITATION_TTL_DAYS"])."""
    return timedelta(days=cfg("INVITATION_TTL_DAYS"))


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def masked_surname(name: str) -> str:
    """ "张**" from "张三丰": one Chinese character at most, so that nothing a user typed can form a link or a
    message. A name not starting with a Chinese character gives "" (the SMS then names no one)."""
    name = (name or "").strip()
    return name[0] + "**" if name and CJK.fullmatch(name[0]) else ""


def invitation_text(case: Case, link: str, code: str) -> str:
    """The invitation SMS: committee name (entered by the bureau), a masked surname, a neutral phrase."""
    applicant = case.parties.filter(side="APPLICANT").order_by("order", "id").first()
    who = masked_surname(applicant.name if applicant else "")
    by = f"（申请人：{who}）" if who else ""
    return (
        f"【人民调解】{case.committee.name}收到一件与您有关的纠纷调解申请{by}。人民调解免费、自愿。"
        f"请打开 {link} 或登录调解平台输入邀请码 {code} 查看，并表明是否同意调解。"
        f"邀请{cfg('INVITATION_TTL_DAYS')}天内有效。"
    )


def invite_party(request: HttpRequest, party: Party, by) -> Invitation:
    """Create an invitation for `party` (replacing the party's earlier ones) and text it to the party's phone."""
    if not party.phone:
        raise PortalRefused("对方没有手机号码，无法发送邀请")
    now = timezone.now()
    token, code = secrets.token_urlsafe(24), _code()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=party.case_id)  # concurrent resends serialise on the case
        sent = Invitation.objects.filter(party__case=case, created_at__gte=now - timedelta(days=1))
        if sent.filter(party=party, created_at__gte=now - timedelta(minutes=RESEND_MINUTES)).exists():
            raise PortalRefused(f"刚刚已发送过邀请，请{RESEND_MINUTES}分钟后再试")
        if sent.filter(party=party).count() >= cfg("INVITATIONS_PER_PARTY_PER_DAY"):
            raise PortalRefused("今天向对方发送邀请的次数已达上限，请明天再试，或联系调委会通知对方")
        if sent.count() >= cfg("INVITATIONS_PER_CASE_PER_DAY"):
            raise PortalRefused("本案今天发送邀请的次数已达上限，请明天再试，或联系调委会通知对方")
        Invitation.objects.filter(party=party, accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        invitation = Invitation.objects.create(
            party=party,
            token_hash=secret_digest(f"join-token:{token}"),
            code_hash=secret_digest(f"join-code:{code}"),
            phone=party.phone,
            created_by=by,
            created_at=now,
        )
    link = request.build_absolute_uri(reverse("portal:join_link", args=[token]))
    queue_sms(party.phone, invitation_text(case, link, code), NoticeKind.INVITATION, user=party.user, case=case)
    return invitation


def find_invitation(*, token: str = "", code: str = "") -> Invitation | None:
    """The usable invitation matching the link token or the code (case-insensitive), or None: not accepted, not
    replaced by a newer one, not expired."""
    qs = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, created_at__gte=timezone.now() - ttl()
    ).select_related("party", "party__case")
    if token:
        if len(token) > 100:
            return None
        return qs.filter(token_hash=secret_digest(f"join-token:{token}")).first()
    code = code.strip().upper().replace(" ", "")
    if len(code) != 8:
        return None
    return qs.filter(code_hash=secret_digest(f"join-code:{code}")).first()
