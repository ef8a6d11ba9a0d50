"""Dossier-quality spot checks (卷宗评查): a reproducible random sample of closed cases, scored item by item against
the configured checklist, published per committee. A published check is immutable; a correction is a new version
that points to the one it corrects, and every step is written to an append-only audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiaojie.models import AppendOnlyModel


class SpotCheckStatus(models.TextChoices):
    DRAFT = "DRAFT", _("评查中")
    PUBLISHED = "PUBLISHED", _("已发布")


class PublishedError(PermissionError):
    """Raised on any attempt to change a published spot check (corrections are new versions)."""


class SpotCheck(models.Model):
    title = models.CharField(_("评查名称"), max_length=100)
    area = models.ForeignKey(
        "registry.Division", verbose_name=_("评查范围"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("结案日期自"))
    period_end = models.DateField(_("结案日期至"))
    sample_size = models.PositiveIntegerField(_("抽取件数"))
    seed = models.BigIntegerField(_("随机种子"))
    population_count = models.PositiveIntegerField(_("可抽案件数"))
    population_digest = models.CharField(max_length=64)
    drawn_ids = models.JSONField(_("抽中案件"), default=list)
    checklist = models.JSONField(_("评查标准（快照）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SpotCheckStatus.choices, default=SpotCheckStatus.DRAFT, db_index=True
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction", verbose_name=_("更正的版本")
    )
    correction_reason = models.TextField(_("更正理由"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("卷宗评查")
        verbose_name_plural = _("卷宗评查")

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）" if self.version > 1 else self.title

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = SpotCheck.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == SpotCheckStatus.PUBLISHED:
                raise PublishedError("已发布的评查结果不能修改，请新建更正版本")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise PublishedError("评查记录不能删除")

    @property
    def is_published(self) -> bool:
        return self.status == SpotCheckStatus.PUBLISHED


class SpotCheckCase(models.Model):
    """One drawn case and its review: item scores, the reviewer's findings, the total."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="entries")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey("registry.Committee", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField()
    findings = models.TextField(_("评查意见"), blank=True)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["spot_check_id", "order"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "case"], name="spot_check_case_once")]

    def save(self, *args, **kwargs) -> None:
        if (
            self.spot_check_id
            and SpotCheck.objects.filter(pk=self.spot_check_id, status=SpotCheckStatus.PUBLISHED).exists()
        ):
            raise PublishedError("已发布的评查结果不能修改，请新建更正版本")
        super().save(*args, **kwargs)


class SpotCheckScore(models.Model):
    entry = models.ForeignKey(SpotCheckCase, on_delete=models.PROTECT, related_name="scores")
    item_key = models.CharField(max_length=40)
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    note = models.TextField(_("扣分理由/说明"), blank=True)
    suggested_points = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    suggestion = models.TextField(blank=True)

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [models.UniqueConstraint(fields=["entry", "item_key"], name="spot_check_score_once")]

    def save(self, *args, **kwargs) -> None:
        if SpotCheckCase.objects.filter(pk=self.entry_id, spot_check__status=SpotCheckStatus.PUBLISHED).exists():
            raise PublishedError("已发布的评查结果不能修改，请新建更正版本")
        super().save(*args, **kwargs)


class SpotCheckResult(AppendOnlyModel):
    """The published result of one committee in one check: written once, at publication."""

    append_only_error = PublishedError
    append_only_message = "已发布的评查结果不能修改"

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="results")
    committee = models.ForeignKey("registry.Committee", on_delete=models.PROTECT, related_name="spot_check_results")
    cases = models.PositiveIntegerField(_("评查件数"))
    average = models.DecimalField(_("平均分"), max_digits=6, decimal_places=1)
    grade = models.CharField(_("等次"), max_length=20)

    class Meta:
        ordering = ["spot_check_id", "-average", "committee_id"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "committee"], name="spot_check_result_once")]


class SpotCheckLog(AppendOnlyModel):
    """Append-only audit of a spot check: creation and draw, each scoring, publication, correction."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=20)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def label(self) -> str:
        return {"create": "创建并抽样", "score": "评分", "publish": "发布", "correct": "新建更正版本"}.get(
            self.action, self.action
        )


from supervision.models_duban import (  # noqa: E402, F401  (the 督办 models live in their own module)
    EntryDeadlineNotice,
    Supervision,
    SupervisionEvent,
)
