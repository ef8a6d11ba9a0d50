"""Deadlines are data: one row per clock a case (or an object of it) runs, written by the actions when they start
a clock and cancelled when it stops; a periodic scan (cases.timers) fires the due ones through cases.actions as
the SYSTEM actor. A row fires at most once (fired_at), so running the scan twice fires nothing twice."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimerKind(models.TextChoices):
    TIME_LIMIT_REMINDER = "TIME_LIMIT_REMINDER", _("调解期限提醒")
    TIME_LIMIT_OVERDUE = "TIME_LIMIT_OVERDUE", _("调解期限届满（标记超期）")
    AUTO_TERMINATE = "AUTO_TERMINATE", _("期满自动终止")
    EXTENSION_REMINDER = "EXTENSION_REMINDER", _("延长期限届满提醒")
    PERFORMANCE_REMINDER = "PERFORMANCE_REMINDER", _("履行期限提醒")
    FOLLOW_UP_REMINDER = "FOLLOW_UP_REMINDER", _("回访提醒")
    JC_WINDOW_REMINDER = "JC_WINDOW_REMINDER", _("司法确认申请期限提醒")
    REPLY_REMINDER = "REPLY_REMINDER", _("回复期限提醒")
    SUPERVISION_DEADLINE = "SUPERVISION_DEADLINE", _("督办回复期限")
    # issue 11: the clocks of referrals (referrals.clocks) and of dispatches (referrals.hub)
    REFERRAL_ACCEPT_DUE = "REFERRAL_ACCEPT_DUE", _("移送接收答复期限（逾期自动退回）")
    REFERRAL_CONTACT_DUE = "REFERRAL_CONTACT_DUE", _("联系对方当事人期限")
    REFERRAL_MEDIATION_DUE = "REFERRAL_MEDIATION_DUE", _("诉调对接调解期限")
    REFERRAL_CHANNEL_DUE = "REFERRAL_CHANNEL_DUE", _("渠道办理期限")
    REFERRAL_STAGE_ALERT = "REFERRAL_STAGE_ALERT", _("对接时限预警（黄牌、红牌）")
    DISPATCH_DUE = "DISPATCH_DUE", _("分流接收期限（逾期上移）")
    # issue 12: screening reports (screening.schedule) and risk escalation (screening.escalation)
    SCREENING_REPORT_DUE = "SCREENING_REPORT_DUE", _("排查报告报送期限")
    RISK_ACK_DUE = "RISK_ACK_DUE", _("预警签收期限（逾期上报上一级）")
    RISK_REVIEW_DUE = "RISK_REVIEW_DUE", _("风险复核日期")
    # issue 16: the bureau's ledgers (ledgers.proposal_clock, ledgers.rectification.clock)
    LEDGER_PROPOSAL_REPLY = "LEDGER_PROPOSAL_REPLY", _("建议提案答复（会办意见）期限")
    LEDGER_PROPOSAL_REHANDLE = "LEDGER_PROPOSAL_REHANDLE", _("建议提案重新办理期限")
    LEDGER_PROPOSAL_RETURN = "LEDGER_PROPOSAL_RETURN", _("建议提案退回期限")
    RECT_REMINDER = "RECT_REMINDER", _("整改时限临近提醒")
    RECT_DUBAN = "RECT_DUBAN", _("整改逾期督办")


class Timer(models.Model):
    kind = models.CharField(_("类别"), max_length=30, choices=TimerKind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="timers")
    # The object the clock belongs to when it is not the case itself ("cases.Instalment", "supervision.…").
    target_type = models.CharField(max_length=60, blank=True, default="")
    # 0 when the clock is the case's own (not NULL: NULLs never collide in the uniqueness constraint below).
    target_id = models.BigIntegerField(default=0)
    deadline = models.DateField(_("所涉期限"))
    fire_at = models.DateTimeField(_("触发时间"), db_index=True)
    # The configuration rule that produced it (e.g. "TIME_LIMIT_REMINDER:-3"), for the record and for idempotence.
    rule = models.CharField(_("规则"), max_length=60, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    fired_at = models.DateTimeField(_("已触发时间"), null=True, blank=True)
    result = models.CharField(_("触发结果"), max_length=200, blank=True, default="")
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["fire_at", "id"]
        verbose_name = _("期限计时")
        verbose_name_plural = _("期限计时")
        indexes = [models.Index(fields=["fired_at", "cancelled_at", "fire_at"], name="timer_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "case", "target_type", "target_id", "deadline", "rule"],
                condition=Q(cancelled_at__isnull=True),
                name="timer_live_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.deadline}"
