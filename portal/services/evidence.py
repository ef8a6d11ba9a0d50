"""Evidence uploaded with an online application: checked by content (cases.uploads), capped per draft (removed files
count: nothing is hard-deleted) and in bytes per account per day, stored outside the web root. Files belong to the
draft until the application is submitted; cases.actions.do_submit_online_application attaches them to the case."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from cases.uploads import EVIDENCE_KINDS, check_upload, max_bytes, store
from portal.models import ApplicationDraft, Evidence

MAX_FILES = 20


def max_mb() -> int:
    return max_bytes() // 1048576


def _used_today(user: User) -> int:
    since = timezone.now() - timedelta(days=1)
    return Evidence.objects.filter(uploaded_by=user, uploaded_at__gte=since).aggregate(total=Sum("size"))["total"] or 0


def accept_uploads(draft: ApplicationDraft, user: User, files) -> tuple[list[str], list[str]]:
    """Store each acceptable file on the draft. Returns (names accepted, Chinese reasons for those refused)."""
    refused: list[str] = []
    accepted: list[str] = []
    present = draft.files.filter(removed_at__isnull=True).count()
    # Removed files stay on disk (nothing is hard-deleted), so they count against the per-draft total, and the bytes
    # an account uploads are capped per day: upload–remove–repeat cannot fill the disk.
    uploaded = draft.files.count()
    total_cap = int(settings.TIAOJIE["EVIDENCE_FILES_PER_DRAFT"])
    bytes_cap = int(settings.TIAOJIE["EVIDENCE_BYTES_PER_ACCOUNT_PER_DAY"])
    used = _used_today(user)
    for f in files:
        if present >= MAX_FILES:
            refused.append(f"“{f.name}”未上传：每份申请最多{MAX_FILES}个文件。")
            continue
        if uploaded >= total_cap:
            refused.append(
                f"“{f.name}”未上传：本申请已上传过{total_cap}个文件（含已移除的），不能再上传。"
                "其余材料请在调解时交给调解员。"
            )
            continue
        try:
            checked = check_upload(f, EVIDENCE_KINDS)
        except ValidationError as err:
            refused.append(" ".join(err.messages))
            continue
        if used + checked.size > bytes_cap:
            refused.append(
                f"“{f.name}”未上传：今天上传的文件已达{bytes_cap // 1048576}MB上限，请明天再上传，"
                "或在调解时交给调解员。"
            )
            continue
        path = store(f, checked, f"evidence/{timezone.localdate():%Y%m}")
        Evidence.objects.create(
            draft=draft,
            uploaded_by=user,
            path=path,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
        )
        present, uploaded, used = present + 1, uploaded + 1, used + checked.size
        accepted.append(checked.original_name)
    return accepted, refused


def remove_from_draft(evidence: Evidence) -> None:
    """Take a file off a draft not yet submitted (kept on disk and in the table: nothing is hard-deleted)."""
    evidence.removed_at = timezone.now()
    evidence.save(update_fields=["removed_at"])
