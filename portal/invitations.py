"""Inviting the other party to an online case: a link and an 8-character code sent by SMS, stored only as keyed
hashes. Resending is limited (one invitation per party every 10 minutes)."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.models import Party
from portal.codes import PortalRefused
from portal.models import Invitation, secret_digest
from portal.sms import send_sms

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
RESEND_MINUTES = 10


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def invite_party(request: HttpRequest, party: Party, by) -> Invitation:
    """Create an invitation for `party` and text it to the party's phone."""
    if not party.phone:
        raise PortalRefused("对方没有手机号码，无法发送邀请")
    recent = Invitation.objects.filter(party=party, created_at__gte=timezone.now() - timedelta(minutes=RESEND_MINUTES))
    if recent.exists():
        raise PortalRefused(f"刚刚已发送过邀请，请{RESEND_MINUTES}分钟后再试")
    token, code = secrets.token_urlsafe(24), _code()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            party=party,
            token_hash=secret_digest(f"join-token:{token}"),
            code_hash=secret_digest(f"join-code:{code}"),
            phone=party.phone,
            created_by=by,
        )
    case = party.case
    applicants = "、".join(case.parties.filter(side="APPLICANT").values_list("name", flat=True))
    link = request.build_absolute_uri(reverse("portal:join_link", args=[token]))
    send_sms(
        party.phone,
        f"【人民调解】{applicants}向{case.committee.name}申请调解与您有关的纠纷。人民调解免费、自愿。"
        f"请打开 {link} 或登录调解平台输入邀请码 {code} 查看，并表明是否同意调解。",
    )
    return invitation


def find_invitation(*, token: str = "", code: str = "") -> Invitation | None:
    """An unused invitation matching the link token or the code (case-insensitive), or None."""
    qs = Invitation.objects.filter(accepted_at__isnull=True).select_related("party", "party__case")
    if token:
        return qs.filter(token_hash=secret_digest(f"join-token:{token}")).first()
    code = code.strip().upper().replace(" ", "")
    if len(code) != 8:
        return None
    return qs.filter(code_hash=secret_digest(f"join-code:{code}")).first()
