"""The access log of API reads of personal data (issue 11): every read of a referral's parties, its outcome or its
agreement PDF is one row (AccessKind.API_READ) written as the client's service account, through the one door
(accounts.access.log_access): who (the client's account), what (the referral and what was served), the path, from
where. Webhook payloads carry no personal data, so these rows are the whole record of what an institution read."""

from accounts.access import log_access
from accounts.models import AccessKind, AccessLog
from referrals.models import Referral


def log_api_read(request, referral: Referral, what: str) -> AccessLog | None:
    """One API_READ row for `referral` (its case, when it has one): `what` names what was served, in Chinese."""
    client = request.api_client
    detail = f"{client.institution.name}（接口·{client.name}）读取{referral.reference}的{what}"
    return log_access(request, AccessKind.API_READ, case_id=referral.case_id, detail=detail)
