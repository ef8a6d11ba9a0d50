"""Files an institution sends with a referral (complaint, evidence): checked by their real content and size
(cases.uploads / cases.filechecks), hashed, stored under PRIVATE_FILES_ROOT/referrals/<id>/ with a random name."""

from datetime import datetime

from django.core.exceptions import ValidationError

from cases import uploads
from referrals.models import Referral, ReferralAttachment

ATTACHMENT_KINDS = uploads.EVIDENCE_KINDS  # JPEG, PNG, WebP images and PDF


def store_attachment(
    referral: Referral, upload, title: str, *, user=None, client=None, at: datetime
) -> ReferralAttachment:
    """Check and store `upload`; ActionRefused (field `file`) when it is empty, too large or not what it claims."""
    from cases.actions.base import ActionRefused

    try:
        checked = uploads.check_upload(upload, ATTACHMENT_KINDS)
    except ValidationError as exc:
        raise ActionRefused(" ".join(exc.messages), "file") from exc
    digest = uploads.sha256_of(upload)
    rel = uploads.store(upload, checked, f"referrals/{referral.pk}")
    return ReferralAttachment.objects.create(
        referral=referral,
        title=title,
        stored_path=rel,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest,
        uploaded_at=at,
        uploaded_by=user if client is None else None,
        uploaded_by_client=client,
    )
