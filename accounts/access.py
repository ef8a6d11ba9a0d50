"""The one way a view of personal data is written to the access log (个人信息保护法, 等保; mediation-domain.md §13):
who (the signed-in user), when (the row's time), what (the kind, the case or party, and the path actually served),
from where (accounts.clientip.client_ip, which believes a forwarded header only from a trusted proxy).

The detail is composed here from what the server served, never from the request's parameters, so a link cannot
make an entry say something other than the view that happened."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from accounts.clientip import client_ip
from accounts.models import AccessKind, AccessLog


def log_access(
    request: HttpRequest,
    kind: AccessKind | str,
    *,
    case=None,
    party=None,
    detail: str = "",
    case_id: int | None = None,
    once_per_minutes: int | None = None,
) -> AccessLog | None:
    """Write one access-log row for the signed-in user: `kind` (an AccessKind member), the case or party seen, and
    `detail` (what was shown, in Chinese) followed by the request's method and path (without its query string).
    With `once_per_minutes`, nothing is written when the same user already has a row of that kind for the same case
    and path within that many minutes (a page that refreshes itself). Returns the row written, or None."""
    kind = AccessKind(kind)
    if case is not None:
        case_id = case.pk
    path = request.path[:120]
    text = f"{detail} · {request.method} {path}" if detail else f"{request.method} {path}"
    text = text[:200]
    if once_per_minutes:
        since = timezone.now() - timedelta(minutes=once_per_minutes)
        recent = AccessLog.objects.filter(user=request.user, action=kind, case_id=case_id, detail=text, at__gte=since)
        if recent.exists():
            return None
    return AccessLog.objects.create(
        user=request.user,
        action=AccessKind(kind),
        case_id=case_id,
        party=party,
        ip_address=client_ip(request),
        detail=text,
    )
