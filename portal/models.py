"""What the party portal keeps beside the case: sign-in codes, application drafts and evidence, invitations of the
other party, and joint judicial-confirmation requests waiting for the other party's consent.

None of these changes a case: the case itself only ever changes through cases.actions."""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def secret_digest(value: str) -> str:
    """Codes and invitation tokens are stored as keyed hashes, so a copy of the database cannot be used to sign in
    or to join a case."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class PhoneCode(models.Model):
    """A one-time SMS verification code for signing in (and signing up) with a mobile number."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The session that asked for the code (sha256 of its key): only that session may use it (portal.codes).
    requester = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]


class ApplicationDraft(models.Model):
    """An online application being written (saved at every step, so closing the browser loses nothing), and after
    submission the record of which case it became (and from which address, for the rate limit)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_drafts")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-updated_at", "-id"]


class Evidence(models.Model):
    """An evidence file (image or PDF) uploaded with an application, checked by its real content and stored outside
    the web root (cases.uploads). Attached to the case once the application is submitted."""

    draft = models.ForeignKey(ApplicationDraft, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="portal_evidence"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Invitation(models.Model):
    """The other party's invitation to join an online case: a link and a short code, sent by SMS."""

    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="portal_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    phone = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a newer invitation of the same party replaces this one: only the latest SMS works.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class JoinFailure(models.Model):
    """One wrong invitation code or link tried by an account. Counted in the database (not a per-process cache),
    so the limit on guessing holds across every server process."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class JCRequestStatus(models.TextChoices):
    PENDING = "PENDING", _("等待对方同意")
    APPLIED = "APPLIED", _("已共同申请")
    DECLINED = "DECLINED", _("对方不同意")
    REFUSED = "REFUSED", _("未能提交")
    CANCELLED = "CANCELLED", _("已撤回")


class JCRequest(models.Model):
    """One party's request to apply jointly for judicial confirmation, waiting for the other party's consent; the
    application itself is made by cases.actions.do_apply_judicial_confirmation when the consent arrives."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="portal_jc_requests")
    agreement = models.ForeignKey("cases.Agreement", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    court = models.ForeignKey("registry.Court", verbose_name=_("受理法院"), on_delete=models.PROTECT, related_name="+")
    # Materials checklist (mediation-domain.md §6.12) ticked by each side, and each side's address for service.
    materials = models.JSONField(default=dict, blank=True)
    applicant_address = models.CharField(_("申请人送达地址"), max_length=200)
    consenting = models.ForeignKey("cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consenting_address = models.CharField(_("对方送达地址"), max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=JCRequestStatus.choices, default=JCRequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    confirmation = models.ForeignKey(
        "cases.JudicialConfirmation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
