"""Legacy ledger imports: one batch per uploaded file, its staged rows, and the keys of rows already imported.

The staged row payloads hold personal data (ID numbers) between validation and import, so they are stored
encrypted (imports.crypto) and cleared once a row is imported or skipped; the uploaded file itself is deleted as
soon as its rows are staged.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    UPLOADED = "UPLOADED", _("待确认列对应")
    VALIDATED = "VALIDATED", _("已校验，待确认导入")
    RUNNING = "RUNNING", _("导入中")
    DONE = "DONE", _("已完成")
    CANCELLED = "CANCELLED", _("已取消")


class RowStatus(models.TextChoices):
    VALID = "VALID", _("待导入")
    ERROR = "ERROR", _("有错误")
    DUPLICATE = "DUPLICATE", _("文件内重复")
    SKIPPED = "SKIPPED", _("已导入，跳过")
    IMPORTED = "IMPORTED", _("已导入")
    FAILED = "FAILED", _("导入失败")


class ImportBatch(models.Model):
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(_("文件哈希"), max_length=64, db_index=True)
    file_size = models.PositiveIntegerField(_("文件大小"), default=0)
    stored_path = models.CharField(max_length=200, blank=True)  # emptied once the rows are staged
    sheet_name = models.CharField(_("工作表"), max_length=100, blank=True)
    header_row = models.PositiveSmallIntegerField(default=1)
    headers = models.JSONField(default=list)
    mapping_name = models.CharField(max_length=50, default="default")
    mapping = models.JSONField(default=dict)  # field -> column index
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    validated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("开始导入"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # What the bureau should know about the file as a whole (gaps in a committee's number series), from staging.
    warnings = models.JSONField(_("提示"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("台账导入批次")
        verbose_name_plural = _("台账导入批次")

    def __str__(self) -> str:
        return f"导入批次{self.pk}：{self.file_name}"

    @property
    def processed_rows(self) -> int:
        return self.imported_rows + self.failed_rows

    @property
    def progress_percent(self) -> int:
        if not self.valid_rows:
            return 100
        return min(100, round(100 * self.processed_rows / self.valid_rows))


class ImportRow(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"))  # the spreadsheet row number, as the user sees it
    status = models.CharField(max_length=10, choices=RowStatus.choices, db_index=True)
    key = models.CharField(max_length=64, blank=True, db_index=True)
    sort_key = models.CharField(max_length=40, blank=True)
    raw = models.TextField(blank=True)  # encrypted JSON list of the original cell values (for the error report)
    payload = models.TextField(blank=True)  # encrypted JSON of the validated values (until imported)
    message = models.TextField(_("说明"), blank=True)
    # A valid row's warnings (short facts, a ledger number rewritten or not kept): reported, not refused.
    warning = models.TextField(_("提示"), blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["batch_id", "row_number"]
        indexes = [models.Index(fields=["batch", "status", "sort_key"])]


class ImportedKey(models.Model):
    """The stable key of every imported legacy row and the case it became: re-importing the same row adds nothing.
    Unique, so that two batches running at once cannot both create the case."""

    key = models.CharField(max_length=64, unique=True)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField()
    legacy_no = models.CharField(_("原台账编号"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
