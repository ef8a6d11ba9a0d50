"""What triage suggested and what a person decided (PIPL art. 24: explainable, a person decides), and which model
version was in use."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.enums import DisputeType
from screening.enums import RiskLevel
from tiaojie.models import UndeletableModel
from triage.enums import Route, Subject

# What was suggested: written once when the row is created, never changed afterwards (the decision is beside it).
SUGGESTED_FIELDS = (
    "subject",
    "model_version",
    "text_chars",
    "suggested_type",
    "type_confidence",
    "suggested_level",
    "level_confidence",
    "suggested_flags",
    "suggested_route",
    "route_confidence",
    "reasons",
    "created_at",
)


# What was decided: written once by triage.decisions.record_decision, never changed once decided_at is stored.
DECIDED_FIELDS = (
    "decided_type",
    "decided_level",
    "decided_flags",
    "decided_route",
    "decided_by_id",
    "decided_at",
    "decision_note",
)


class TriageModelVersion(models.Model):
    """One trained model file (data/triage/models/ or var/triage/): its version, checksum and evaluation figures.
    Exactly one row is active; the engine loads the active file."""

    version = models.CharField(_("版本"), max_length=60, unique=True)
    path = models.CharField(_("模型文件"), max_length=300)
    sha256 = models.CharField(max_length=64)
    trained_at = models.DateTimeField(_("训练时间"), default=timezone.now)
    trained_by = models.CharField(_("训练者"), max_length=60, blank=True)
    corpus_lines = models.PositiveIntegerField(_("语料条数"), default=0)
    platform_cases = models.PositiveIntegerField(_("本平台结案案件数"), default=0)
    metrics = models.JSONField(_("评估结果"), default=dict)
    active = models.BooleanField(_("在用"), default=False)

    class Meta:
        ordering = ["-trained_at"]
        verbose_name = _("分流模型版本")

    def __str__(self) -> str:
        return self.version


class TriageSuggestion(UndeletableModel):
    """One suggestion and, once taken, the decision. Both are kept: the suggestion is never overwritten (save()
    refuses a change of any SUGGESTED_FIELDS), and no row is ever deleted (PIPL art. 56 record)."""

    subject = models.CharField(_("来源"), max_length=20, choices=Subject.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="triage_suggestions"
    )
    # For subjects that are not (yet) a case: a referral or a screening finding, by app label and id.
    object_kind = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    division_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)
    created_at = models.DateTimeField(_("建议时间"), default=timezone.now)
    model_version = models.CharField(_("模型版本"), max_length=60)
    text_chars = models.PositiveIntegerField(_("文本字数"), default=0)

    suggested_type = models.CharField(_("建议类型"), max_length=30, choices=DisputeType.choices)
    type_confidence = models.FloatField(_("类型置信度"), default=0)
    suggested_level = models.CharField(_("建议风险等级"), max_length=10, choices=RiskLevel.choices)
    level_confidence = models.FloatField(_("等级置信度"), default=0)
    suggested_flags = models.JSONField(_("建议风险标签"), default=list)
    suggested_route = models.CharField(_("建议去向"), max_length=30, choices=Route.choices)
    route_confidence = models.FloatField(_("去向置信度"), default=0)
    reasons = models.JSONField(_("理由"), default=dict)

    decided_type = models.CharField(_("确定类型"), max_length=30, choices=DisputeType.choices, blank=True)
    decided_level = models.CharField(_("确定风险等级"), max_length=10, choices=RiskLevel.choices, blank=True)
    decided_flags = models.JSONField(_("确定风险标签"), null=True, blank=True)
    decided_route = models.CharField(_("确定去向"), max_length=30, choices=Route.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_kind", "object_id"])]
        verbose_name = _("智能分流建议")

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding and self.pk:
            # save() only: a queryset .update() bypasses this (no code path uses one on this model).
            stored = type(self).objects.filter(pk=self.pk).values(*SUGGESTED_FIELDS, *DECIDED_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in SUGGESTED_FIELDS):
                raise PermissionError("智能分流建议一经生成不得修改")
            if (
                stored
                and stored["decided_at"] is not None
                and any(stored[f] != getattr(self, f) for f in DECIDED_FIELDS)
            ):
                raise PermissionError("智能分流建议的决定一经作出不得修改")
        super().save(*args, **kwargs)

    @property
    def decided(self) -> bool:
        return self.decided_at is not None

    def __str__(self) -> str:
        return f"{self.subject} {self.suggested_type}/{self.suggested_level}/{self.suggested_route}"
