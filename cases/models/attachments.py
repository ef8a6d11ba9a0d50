"""Scans and photos of what was signed or handed over on paper, filed in the case's dossier (卷宗扫描件).

Each scan is filed under one dossier checklist key (data/dossier_checklist.json): the signed 权利义务告知书, ID copies
(身份证明), the signed agreement, receipts (履行凭证), other materials. The file was checked by its content
(cases.uploads: PDF, JPEG or PNG only, size limit) and lives under PRIVATE_FILES_ROOT; the row keeps its SHA-256 so
that the bound dossier can be traced back to the exact file. Nothing is deleted: a scan filed by mistake is
withdrawn (who, when, why) and leaves the dossier, its row and file stay.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseAttachmentQuerySet(models.QuerySet):
    def current(self) -> "CaseAttachmentQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class CaseAttachment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="attachments")
    # A key of data/dossier_checklist.json (checked by cases.actions.attachments against the configuration).
    kind = models.CharField(_("卷宗材料类别"), max_length=40)
    title = models.CharField(_("材料名称"), max_length=100)
    path = models.CharField(max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    # Pages it adds to the bound dossier: a PDF's page count, 1 for an image.
    pages = models.PositiveIntegerField(_("页数"), default=1)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)

    objects = CaseAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "uploaded_at", "id"]
        verbose_name = _("卷宗扫描件")
        verbose_name_plural = _("卷宗扫描件")

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
