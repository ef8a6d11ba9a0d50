"""Finding the invitation a party opens (link) or types (code), with wrong tries counted in the database so that the
limit on guessing holds across every server process. Joining itself is cases.actions.do_accept_invitation."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from cases.identity import mask_phone
from portal.invitations import find_invitation
from portal.models import Invitation, JoinFailure


def failures_last_hour(user: User) -> int:
    return JoinFailure.objects.filter(user=user, created_at__gte=timezone.now() - timedelta(hours=1)).count()


def look_up(user: User, *, token: str = "", code: str = "") -> tuple[Invitation | None, str]:
    """(invitation, "") when the link or code is usable by this account, else (None, the Chinese reason)."""
    if failures_last_hour(user) >= int(settings.TIAOJIE["JOIN_FAILURES_PER_HOUR"]):
        return None, "输错次数过多，请一小时后再试"
    invitation = find_invitation(token=token) if token else find_invitation(code=code)
    if invitation is None:
        JoinFailure.objects.create(user=user)
        return None, "邀请码不正确、已使用或已过期。请核对最新一条邀请短信，或联系调委会。"
    if invitation.phone != user.phone:
        # The invitation went to one number: whoever holds the code must also hold that number.
        return None, (
            f"该邀请发送给手机号{mask_phone(invitation.phone)}，请退出后用该手机号登录再加入。"
            "如您已更换手机号，请联系调委会。"
        )
    return invitation, ""
