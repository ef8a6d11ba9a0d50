"""Kinds of notice, channels and delivery states (one TextChoices each, Chinese labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What a notice is about. A person chooses, per kind, in-app only or also SMS (NoticePreference)."""

    CASE_PROGRESS = "CASE_PROGRESS", _("案件进展")
    MESSAGE = "MESSAGE", _("案件消息与预约")
    # Reminders before a deadline (cases.timers fires them).
    REMINDER_TIME_LIMIT = "REMINDER_TIME_LIMIT", _("调解期限提醒")
    REMINDER_EXTENSION = "REMINDER_EXTENSION", _("延长期限届满提醒")
    REMINDER_PERFORMANCE = "REMINDER_PERFORMANCE", _("履行期限提醒")
    REMINDER_FOLLOW_UP = "REMINDER_FOLLOW_UP", _("回访提醒")
    REMINDER_JC_WINDOW = "REMINDER_JC_WINDOW", _("司法确认申请期限提醒")
    REMINDER_REPLY = "REMINDER_REPLY", _("回复期限提醒")
    # What the system itself did when a deadline passed.
    CASE_OVERDUE = "CASE_OVERDUE", _("案件超期")
    AUTO_TERMINATED = "AUTO_TERMINATED", _("期满自动终止")
    # The supervision loop (督办、催办、反馈、升级).
    SUPERVISION = "SUPERVISION", _("督办")
    URGE = "URGE", _("催办")
    SUPERVISION_REPLY = "SUPERVISION_REPLY", _("督办反馈")
    SUPERVISION_ESCALATED = "SUPERVISION_ESCALATED", _("督办升级（黄牌、红牌）")
    # What supervisors are told of (data/notice_rules.json names who).
    RISK_TERMINATION = "RISK_TERMINATION", _("调解终止且有激化风险")
    REFERRAL_REFUSED = "REFERRAL_REFUSED", _("拒绝受理法院委派案件")
    SUPERVISION_UNANSWERED = "SUPERVISION_UNANSWERED", _("督办逾期未反馈")
    ENTRY_DEADLINE_MISSED = "ENTRY_DEADLINE_MISSED", _("案件录入逾期")
    # issue 11: referrals and the 矛调中心's dispatches (referrals.*)
    REFERRAL_RECEIVED = "REFERRAL_RECEIVED", _("收到移送纠纷")
    REFERRAL_CLOCK = "REFERRAL_CLOCK", _("移送答复与联系期限")
    REFERRAL_RETURNED = "REFERRAL_RETURNED", _("移送逾期未接收被退回")
    DISPATCH_RECEIVED = "DISPATCH_RECEIVED", _("收到分流交办")
    DISPATCH_ANSWERED = "DISPATCH_ANSWERED", _("分流交办的答复与上移")
    REFERRAL_ALERT = "REFERRAL_ALERT", _("对接时限预警（黄牌、红牌）")
    # issue 12: screening reports and risk escalation (screening.*)
    SCREENING_DUE = "SCREENING_DUE", _("排查报告报送提醒")
    SCREENING_OVERDUE = "SCREENING_OVERDUE", _("排查报告逾期未报")
    RISK_ALERT = "RISK_ALERT", _("矛盾纠纷风险预警")
    RISK_ACK_OVERDUE = "RISK_ACK_OVERDUE", _("风险预警逾期未签收")
    RISK_UPDATE = "RISK_UPDATE", _("风险研判动态（批示、等级变更、复核）")
    # SMS-only system texts to a phone (no account needed).
    LOGIN_CODE = "LOGIN_CODE", _("验证码")
    INVITATION = "INVITATION", _("邀请加入调解")


class Channel(models.TextChoices):
    SMS = "SMS", _("短信")
    WEBHOOK = "WEBHOOK", _("接口推送")


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", _("待发送")
    SENT = "SENT", _("已发送")
    FAILED = "FAILED", _("发送失败")
