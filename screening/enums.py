"""Enumerations of screening (排查), findings, risk assessment (研判) and escalation (mediation-domain.md §11, §5.11;
references-2.md §B). Labels are the UI's Chinese; codes are stored."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    """How often a unit screens and reports. DAILY is meant for special periods (节假日、敏感时期)."""

    DAILY = "DAILY", _("每日")
    WEEKLY = "WEEKLY", _("每周")
    TEN_DAYS = "TEN_DAYS", _("每旬")
    HALF_MONTH = "HALF_MONTH", _("每半月")
    MONTHLY = "MONTHLY", _("每月")
    QUARTERLY = "QUARTERLY", _("每季度")


class ReportStatus(models.TextChoices):
    """A unit's screening report for one period. PENDING until its due time, then OVERDUE while missing; SUBMITTED
    (on time or late: `is_late`) is frozen; a correction is a new version and the old one becomes SUPERSEDED."""

    PENDING = "PENDING", _("待报送")
    OVERDUE = "OVERDUE", _("逾期未报")
    SUBMITTED = "SUBMITTED", _("已报送")
    SUPERSEDED = "SUPERSEDED", _("已更正（旧版本）")


class FindingStatus(models.TextChoices):
    WATCHING = "WATCHING", _("持续关注")
    IN_CASE = "IN_CASE", _("已登记调解")
    RESOLVED = "RESOLVED", _("已就地化解")


class RiskFlag(models.TextChoices):
    """mediation-domain.md §5.11."""

    CIVIL_TO_CRIMINAL = "CIVIL_TO_CRIMINAL", _("可能民转刑")
    SUICIDE_RISK = "SUICIDE_RISK", _("可能引发自杀")
    GROUP_PETITION = "GROUP_PETITION", _("可能引发群体性上访")
    GROUP_FIGHT = "GROUP_FIGHT", _("可能引发群体性械斗")
    PUBLIC_SECURITY = "PUBLIC_SECURITY", _("涉及治安问题")
    UNNATURAL_DEATH = "UNNATURAL_DEATH", _("涉及非正常死亡")
    MASS_PARTIES = "MASS_PARTIES", _("涉及人数众多")
    LARGE_AMOUNT = "LARGE_AMOUNT", _("涉及金额巨大")
    LITIGATION_PETITION = "LITIGATION_PETITION", _("涉法涉诉")


class RiskLevel(models.TextChoices):
    """The colour tiers (mediation-domain.md §11): red report immediately, orange handle the same day, yellow
    resolve on site. ORDER ranks them for "raise" and "lower"."""

    RED = "RED", _("红色（立即报告）")
    ORANGE = "ORANGE", _("橙色（当日处置）")
    YELLOW = "YELLOW", _("黄色（就地化解）")


LEVEL_RANK = {RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}

# The short colour word of a level, for badges and SMS.
LEVEL_WORD = {RiskLevel.RED: "红色", RiskLevel.ORANGE: "橙色", RiskLevel.YELLOW: "黄色"}


class RiskStatus(models.TextChoices):
    OPEN = "OPEN", _("稳控中")
    RESOLVED = "RESOLVED", _("已化解")
    HANDED_OVER = "HANDED_OVER", _("已移交处置")


class HopStatus(models.TextChoices):
    PENDING = "PENDING", _("待签收")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("已签收")
    TIMED_OUT = "TIMED_OUT", _("逾期未签收")
    CANCELLED = "CANCELLED", _("已撤销")


class EscalationStep(models.TextChoices):
    """The rungs of the escalation ladder (data/risk_escalation.json names who each one reaches, per area)."""

    COMMITTEE = "COMMITTEE", _("本调委会")
    TOWNSHIP = "TOWNSHIP", _("乡镇（街道）调委会和司法所")
    TOWNSHIP_GOV = "TOWNSHIP_GOV", _("乡镇（街道）党委政府、综治中心")
    COUNTY = "COUNTY", _("县（市、区）司法局")
    POLICE = "POLICE", _("公安机关")


class RiskEventKind(models.TextChoices):
    ASSESSED = "ASSESSED", _("风险研判")
    LEVEL_RAISED = "LEVEL_RAISED", _("调高风险等级")
    LEVEL_LOWERED = "LEVEL_LOWERED", _("调低风险等级")
    FLAGS_CHANGED = "FLAGS_CHANGED", _("变更风险标识")
    UPDATED = "UPDATED", _("变更包案领导、稳控措施或复核日期")
    PUSHED = "PUSHED", _("预警上报")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("签收")
    INSTRUCTED = "INSTRUCTED", _("批示与指令")
    TIMED_OUT = "TIMED_OUT", _("逾期未签收，自动上报")
    POLICE_HANDOFF = "POLICE_HANDOFF", _("移交公安机关")
    CHAIN_STOPPED = "CHAIN_STOPPED", _("停止上报")
    REVIEW_DUE = "REVIEW_DUE", _("复核提醒")
    REVIEWED = "REVIEWED", _("复核研判")
    DISCUSSED = "DISCUSSED", _("研判会议")
    RESOLVED = "RESOLVED", _("已化解")
    HANDED_OVER = "HANDED_OVER", _("已移交处置")
    REOPENED = "REOPENED", _("重新研判")


class FormPeriod(models.TextChoices):
    """The periods of the screening report form (矛盾纠纷排查情况表, references-2.md §B)."""

    MONTH = "MONTH", _("月报")
    QUARTER = "QUARTER", _("季报")
    HALF_YEAR = "HALF_YEAR", _("半年报")
    YEAR = "YEAR", _("年报")


class FormStatus(models.TextChoices):
    DRAFT = "DRAFT", _("已编制")
    SUBMITTED = "SUBMITTED", _("已上报")
    SUPERSEDED = "SUPERSEDED", _("已更正（旧版本）")
