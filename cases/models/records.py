"""Records kept during and after mediation: investigations, sessions, extensions, performance, follow-ups,
judicial confirmation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.enums import FollowUpOutcome, JCStatus, RecordKind, Satisfaction


class MediationRecord(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("记录类型"), max_length=20, choices=RecordKind.choices)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    subject = models.CharField(_("被调查人/参加人"), max_length=200, blank=True)
    content = models.TextField(_("记录内容"))
    result = models.TextField(_("结果"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_at", "id"]


class Extension(models.Model):
    """Extension of the mediation time limit, only with every party's recorded consent (RGD 33; local rules)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="extensions")
    old_due = models.DateField()
    new_due = models.DateField(_("延长至"))
    reason = models.TextField(_("延长理由"))
    consent_record = models.TextField(_("当事人同意情况"))
    consenting_parties = models.ManyToManyField("cases.Party", related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()


class PerformanceRecord(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="performance_records")
    kind = models.CharField(max_length=30)  # IMMEDIATE, PAYMENT, NOT_PERFORMED, URGED, ADVISED_LITIGATION
    on = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    instalment = models.ForeignKey(
        "cases.Instalment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "id"]


class FollowUp(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="follow_ups")
    visited_on = models.DateField(_("回访日期"))
    party = models.ForeignKey("cases.Party", verbose_name=_("被回访人"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("履行情况"), max_length=20, choices=FollowUpOutcome.choices)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices)
    notes = models.TextField(_("回访情况"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["visited_on", "id"]


class JudicialConfirmation(models.Model):
    """司法确认 sub-process (mediation-domain.md §4.3). One per agreement application."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="judicial_confirmations")
    agreement = models.ForeignKey("cases.Agreement", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("司法确认状态"), max_length=20, choices=JCStatus.choices, default=JCStatus.APPLIED)
    court = models.ForeignKey(
        "registry.Court", verbose_name=_("受理法院"), on_delete=models.PROTECT, related_name="confirmations"
    )
    applied_on = models.DateField(_("申请日期"))
    applicant = models.ForeignKey("cases.Party", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    consenting = models.ForeignKey(
        "cases.Party", verbose_name=_("同意申请的当事人"), on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(_("法院受理日期"), null=True, blank=True)
    court_case_no = models.CharField(_("法院案号"), max_length=60, blank=True)
    decided_on = models.DateField(_("裁定日期"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applied_on", "-id"]


class Rating(models.Model):
    """A party's satisfaction rating (满意度) of the service, given after the case is closed. One per party."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("满意度评分"))  # 1 (very dissatisfied) … 5 (very satisfied)
    comment = models.TextField(_("评价"), blank=True)
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="rating_one_per_party"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5"),
        ]
