"""Screening (矛盾纠纷排查), zero reports, findings, risk assessment (研判), escalation and the screening report form.

Every change goes through screening.actions (the `do_*` functions); every read starts from screening.scoping. A risk
exists with or without a case (a screening finding), and is independent of the case's status (mediation-domain.md
§11). Skeleton: h-core; models are shared, changes to them go through h-core."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.enums import DisputeType
from registry.models import DivisionLevel
from screening.enums import (
    Cadence,
    EscalationStep,
    FindingStatus,
    FormPeriod,
    FormStatus,
    HopStatus,
    ReportStatus,
    RiskEventKind,
    RiskLevel,
    RiskStatus,
)
from tiaojie.models import AppendOnlyModel

# The levels a reporting unit can be at (the level of its committee's division).
UNIT_LEVELS = [
    (DivisionLevel.VILLAGE, _("村（社区）")),
    (DivisionLevel.TOWNSHIP, _("乡镇（街道）")),
    (DivisionLevel.COUNTY, _("县（市、区）")),
]


class ScreeningPolicy(models.Model):
    """The screening rule a county (or the city, as the default of its counties) sets for one level of reporting
    unit. Versioned: a new version takes effect on `effective_from` and closes the previous one
    (`effective_to` = the day before); rows are never edited after they take effect."""

    division = models.ForeignKey(
        "registry.Division", verbose_name=_("制定区划"), on_delete=models.PROTECT, related_name="screening_policies"
    )
    unit_level = models.PositiveSmallIntegerField(_("报送单位层级"), choices=UNIT_LEVELS)
    cadence = models.CharField(_("排查周期"), max_length=20, choices=Cadence.choices)
    # The report of a period is due this many working days after the period's last day, at due_time.
    due_offset_workdays = models.PositiveSmallIntegerField(_("报送期限（期末后工作日数）"), default=1)
    due_time = models.TimeField(_("报送截止时刻"), default="18:00")
    zero_report_required = models.BooleanField(_("实行零报告"), default=True)
    include_industry = models.BooleanField(_("行业性专业性调委会也须报送"), default=False)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    document_no = models.CharField(_("依据文件文号"), max_length=60, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["division_id", "unit_level", "-effective_from"]
        verbose_name = _("排查制度")
        verbose_name_plural = _("排查制度")
        constraints = [
            models.UniqueConstraint(
                fields=["division", "unit_level", "effective_from"], name="screening_policy_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division}{self.get_unit_level_display()}{self.get_cadence_display()}"


class SpecialPeriod(models.Model):
    """A special period (节假日、敏感时期) in which units of the given levels screen at a higher cadence."""

    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("制定区划"),
        on_delete=models.PROTECT,
        related_name="screening_special_periods",
    )
    name = models.CharField(_("名称"), max_length=60)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    cadence = models.CharField(_("特殊时期排查周期"), max_length=20, choices=Cadence.choices, default=Cadence.DAILY)
    unit_levels = models.JSONField(_("适用层级"), default=list)  # DivisionLevel values; empty = every level
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("特殊时期")
        verbose_name_plural = _("特殊时期")

    def __str__(self) -> str:
        return self.name


class ScreeningCampaign(models.Model):
    """A special screening campaign (专项排查): a theme, areas and dates; the units in the areas report at the
    campaign's cadence, and their findings carry the campaign."""

    division = models.ForeignKey(
        "registry.Division", verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="screening_campaigns"
    )
    theme = models.CharField(_("专项排查主题"), max_length=100)
    description = models.TextField(_("工作要求"), blank=True)
    area_codes = models.JSONField(_("排查区域"), default=list)  # division codes inside `division`; empty = all
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    cadence = models.CharField(_("报送周期"), max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("专项排查")
        verbose_name_plural = _("专项排查")

    def __str__(self) -> str:
        return self.theme


class ScreeningReport(models.Model):
    """One unit's screening report for one period (or one campaign period): its findings, or an explicit zero
    report. Rows are created by the scan (screening.schedule) when a period begins, PENDING; past due_at and not
    submitted they are OVERDUE. A submitted report is frozen; a correction is a new version (`supersedes`)."""

    committee = models.ForeignKey(
        "registry.Committee", verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="screening_reports"
    )
    division_code = models.CharField(max_length=12, db_index=True)  # the committee's division, for scoping
    unit_level = models.PositiveSmallIntegerField(_("报送单位层级"), choices=UNIT_LEVELS)
    policy = models.ForeignKey(ScreeningPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        ScreeningCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    special_period = models.ForeignKey(SpecialPeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cadence = models.CharField(_("周期"), max_length=20, choices=Cadence.choices)
    period_start = models.DateField(_("排查期间起"))
    period_end = models.DateField(_("排查期间止"))
    due_at = models.DateTimeField(_("报送截止时间"), db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    is_zero = models.BooleanField(_("零报告"), default=False)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_late = models.BooleanField(_("逾期报送"), default=False)
    participants = models.CharField(_("排查人员"), max_length=200, blank=True)
    method = models.CharField(_("排查方式"), max_length=100, blank=True)
    note = models.TextField(_("情况说明"), blank=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    # The findings as they were when the report was submitted (a frozen copy: findings live on and change).
    snapshot = models.JSONField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "committee_id", "-version"]
        verbose_name = _("排查报告")
        verbose_name_plural = _("排查报告")
        indexes = [models.Index(fields=["committee", "period_start"], name="screening_report_unit_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "cadence", "period_start", "period_end", "version"],
                condition=Q(campaign__isnull=True),
                name="screening_report_routine",
            ),
            models.UniqueConstraint(
                fields=["committee", "campaign", "period_start", "period_end", "version"],
                condition=Q(campaign__isnull=False),
                name="screening_report_campaign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.period_start}—{self.period_end}"

    @property
    def is_open(self) -> bool:
        return self.status in (ReportStatus.PENDING, ReportStatus.OVERDUE)


class Finding(models.Model):
    """A dispute or risk found by screening: it becomes a case (source PROACTIVE, `case`), is resolved on the spot,
    or stays a watched risk without a case."""

    report = models.ForeignKey(
        ScreeningReport, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    committee = models.ForeignKey(
        "registry.Committee", verbose_name=_("发现单位"), on_delete=models.PROTECT, related_name="screening_findings"
    )
    division_code = models.CharField(_("发生地区划"), max_length=12, db_index=True)
    campaign = models.ForeignKey(
        ScreeningCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    found_on = models.DateField(_("发现日期"), db_index=True)
    place = models.CharField(_("发生地点"), max_length=200)
    parties = models.CharField(_("涉及当事人或群体"), max_length=300)
    headcount = models.PositiveIntegerField(_("涉及人数"), default=2)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    dispute_type = models.CharField(_("纠纷类型"), max_length=40, choices=DisputeType.choices)
    facts = models.TextField(_("基本情况"))
    risk_signs = models.TextField(_("风险苗头"), blank=True)
    measures = models.TextField(_("已采取措施"), blank=True)
    is_major = models.BooleanField(_("重大矛盾纠纷"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.WATCHING)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="screening_finding"
    )
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    resolution_note = models.TextField(_("化解情况"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("排查发现")
        verbose_name_plural = _("排查发现")

    def __str__(self) -> str:
        return f"{self.place}：{self.get_dispute_type_display()}"


class RiskAssessment(models.Model):
    """研判 of a case or a finding: flags, level, reasons, owner (包案领导), measures, review date. The level is
    raised by anyone on the case and lowered only by the owner or above (screening.permissions)."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="risks")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="risks")
    committee = models.ForeignKey(
        "registry.Committee", verbose_name=_("责任调委会"), on_delete=models.PROTECT, related_name="risks"
    )
    division_code = models.CharField(_("发生地区划"), max_length=12, db_index=True)
    title = models.CharField(_("风险事项"), max_length=120)
    flags = models.JSONField(_("风险标识"), default=list)  # RiskFlag values
    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, db_index=True)
    reasons = models.TextField(_("研判理由"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_risks",
    )
    measures = models.TextField(_("稳控措施"), blank=True)
    review_on = models.DateField(_("复核日期"), null=True, blank=True)
    headcount = models.PositiveIntegerField(_("涉及人数"), default=0)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN, db_index=True
    )
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    resolution_note = models.TextField(_("化解情况"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("风险研判")
        verbose_name_plural = _("风险研判")
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=False) | Q(finding__isnull=False), name="risk_has_subject")
        ]

    def __str__(self) -> str:
        return self.title


class EscalationHop(models.Model):
    """One push of a risk up the ladder: who it reached (recipient_ids, at push time), by when they must
    acknowledge, and what happened. The RISK_ACK_DUE timer of a PENDING hop moves the risk to the next rung."""

    risk = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="hops")
    seq = models.PositiveSmallIntegerField(_("序号"))
    step = models.CharField(_("层级"), max_length=20, choices=EscalationStep.choices)
    label = models.CharField(_("报送对象"), max_length=120)  # e.g. "温泉街道调委会和司法所"
    level = models.CharField(_("上报时风险等级"), max_length=10, choices=RiskLevel.choices)
    division_code = models.CharField(max_length=12, db_index=True)  # the area of the rung (e.g. the township)
    institution = models.ForeignKey(
        "referrals.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="risk_hops"
    )  # the police station of a POLICE hop
    recipient_ids = models.JSONField(default=list)  # users told at push time
    reason = models.CharField(_("上报方式"), max_length=60)  # 逐级上报 / 逾期未签收自动上报 / 治安风险直报公安
    pushed_at = models.DateTimeField(_("上报时间"))
    ack_due_at = models.DateTimeField(_("签收期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=HopStatus.choices, default=HopStatus.PENDING)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ack_note = models.TextField(_("签收意见"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # timed out or cancelled

    class Meta:
        ordering = ["risk_id", "seq"]
        verbose_name = _("预警上报")
        verbose_name_plural = _("预警上报")
        constraints = [models.UniqueConstraint(fields=["risk", "seq"], name="escalation_hop_seq")]

    def __str__(self) -> str:
        return f"{self.risk} → {self.label}"


class RiskEvent(AppendOnlyModel):
    """The history of a risk: assessment, every level change with its reason, every push, acknowledgement,
    instruction, time-out, hand-off, review, meeting and resolution. Written once."""

    risk = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=RiskEventKind.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=60, blank=True)  # "系统（预警签收计时）" when actor is None
    hop = models.ForeignKey(EscalationHop, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    from_level = models.CharField(max_length=10, blank=True)
    to_level = models.CharField(max_length=10, blank=True)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("风险处置记录")
        verbose_name_plural = _("风险处置记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class RiskMeeting(AppendOnlyModel):
    """Minutes of a 研判 meeting (weekly, or ad hoc), attached to the risks it discussed. Written once; a
    correction is a further meeting record."""

    division = models.ForeignKey(
        "registry.Division", verbose_name=_("召开区划"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=120)
    chair = models.CharField(_("主持人"), max_length=50)
    attendees = models.CharField(_("参会人员"), max_length=300)
    minutes = models.TextField(_("会议纪要"))
    risks = models.ManyToManyField(RiskAssessment, verbose_name=_("研判事项"), related_name="meetings", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("研判会议")
        verbose_name_plural = _("研判会议")

    def __str__(self) -> str:
        return self.title


class ScreeningForm(models.Model):
    """The periodic 矛盾纠纷排查情况表 of an area, generated from the records (screening.form). A DRAFT shows the
    live figures; submitting freezes them into `data` (and the signer and preparer). A correction is a new version;
    the old one becomes SUPERSEDED."""

    division = models.ForeignKey(
        "registry.Division", verbose_name=_("填报区划"), on_delete=models.PROTECT, related_name="+"
    )
    period_kind = models.CharField(_("报表类型"), max_length=20, choices=FormPeriod.choices)
    period_start = models.DateField(_("统计期间起"))
    period_end = models.DateField(_("统计期间止"))
    status = models.CharField(_("状态"), max_length=20, choices=FormStatus.choices, default=FormStatus.DRAFT)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reporting_unit = models.CharField(_("填报单位"), max_length=100)
    signer = models.CharField(_("签发人"), max_length=50, blank=True)
    preparer = models.CharField(_("制表人"), max_length=50, blank=True)
    data = models.JSONField(null=True, blank=True)  # the frozen table (screening.form.compute) once submitted
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "division_id", "-version"]
        verbose_name = _("矛盾纠纷排查情况表")
        verbose_name_plural = _("矛盾纠纷排查情况表")
        constraints = [
            models.UniqueConstraint(
                fields=["division", "period_kind", "period_start", "version"], name="screening_form_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division}{self.get_period_kind_display()}"
