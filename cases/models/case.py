"""The case aggregate root, its parties and its append-only event history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import identity
from cases.enums import (
    ActorKind,
    AgreementForm,
    CaseAction,
    CaseSource,
    CaseStatus,
    CivilCapacity,
    CourtReferralType,
    DisputeType,
    Exclusion,
    Gender,
    MediatorChosenBy,
    Outcome,
    PartySide,
    PartyType,
    PerformanceStatus,
    RetentionClass,
    SystemJob,
    TerminationReason,
)
from tiaojie.models import AppendOnlyModel


class Case(models.Model):
    # Numbering: assigned at acceptance (mediation-domain.md §7); `registration_no` identifies intake cases.
    case_no = models.CharField(_("案号"), max_length=60, unique=True, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("序号"), null=True, blank=True)

    committee = models.ForeignKey(
        "registry.Committee", verbose_name=_("调委会"), on_delete=models.PROTECT, related_name="cases"
    )
    # Denormalised committee division code: every jurisdiction check is a prefix match on this indexed column.
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE, db_index=True
    )

    source = models.CharField(_("案件来源"), max_length=30, choices=CaseSource.choices)
    referral_body = models.CharField(_("移送单位"), max_length=100, blank=True)
    court = models.ForeignKey(
        "registry.Court",
        verbose_name=_("委派/委托法院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_cases",
    )
    court_mode = models.CharField(
        _("诉调对接方式"), max_length=10, choices=CourtReferralType.choices, blank=True, default=""
    )
    court_case_no = models.CharField(_("法院案号"), max_length=60, blank=True)

    dispute_type = models.CharField(_("纠纷类型"), max_length=30, choices=DisputeType.choices, db_index=True)
    brief_facts = models.TextField(_("纠纷简要情况"))
    claims = models.TextField(_("申请事项"))
    amount_involved = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, default=0)
    is_difficult = models.BooleanField(_("疑难复杂"), default=False)
    occurred_on = models.DateField(_("纠纷发生日期"), null=True, blank=True)
    # RGD 22: whether a court, arbitration body or administrative organ already has the dispute, or only a
    # specialised authority may handle it. Recorded at registration, confirmed by the director at acceptance.
    exclusion = models.CharField(_("不得受理情形"), max_length=20, choices=Exclusion.choices, blank=True, default="")
    exclusion_note = models.CharField(_("不得受理情形说明"), max_length=200, blank=True)
    # Kept by the actions at registration (cases.actions.intake): a party under 18, or an adult without full civil
    # capacity. Either tightens who sees the parties' data (docs/adr/0003-minors.md).
    involves_minor = models.BooleanField(_("涉及未成年人"), default=False, editable=False)
    involves_incapacity = models.BooleanField(_("涉及无或限制民事行为能力人"), default=False, editable=False)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    entered_at = models.DateTimeField(_("录入系统时间"), default=timezone.now)

    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True, db_index=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True)
    routes_informed = models.CharField(_("已告知的其他途径"), max_length=200, blank=True)
    transferred_to = models.CharField(_("移交至"), max_length=100, blank=True)

    presiding_mediator = models.ForeignKey(
        "registry.Mediator",
        verbose_name=_("主持调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presiding_cases",
    )
    co_mediators = models.ManyToManyField(
        "registry.Mediator", verbose_name=_("参与调解员"), blank=True, related_name="co_cases"
    )
    mediator_chosen_by = models.CharField(
        _("调解员产生方式"), max_length=10, choices=MediatorChosenBy.choices, blank=True, default=""
    )
    rights_notified_at = models.DateTimeField(_("权利义务告知时间"), null=True, blank=True)
    time_limit_due = models.DateField(_("调解期限"), null=True, blank=True, db_index=True)
    # Set by the system (cases.actions.system.do_mark_overdue) the morning after the limit passed: the first day
    # over it. Kept as history: the case is marked for its current limit while overdue_since > time_limit_due (an
    # extension or a resumption moves the limit past it).
    overdue_since = models.DateField(_("超期起始日"), null=True, blank=True, editable=False)

    outcome = models.CharField(_("调解结果"), max_length=10, choices=Outcome.choices, blank=True, default="")
    termination_reason = models.CharField(
        _("终止原因"), max_length=40, choices=TerminationReason.choices, blank=True, default=""
    )
    termination_note = models.TextField(_("终止说明"), blank=True)
    performance_status = models.CharField(
        _("履行情况"), max_length=30, choices=PerformanceStatus.choices, blank=True, default=""
    )

    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True, db_index=True)
    closing_summary = models.TextField(_("结案情况"), blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retention_class = models.CharField(
        _("保管期限"), max_length=10, choices=RetentionClass.choices, blank=True, default=""
    )
    dossier_pages = models.PositiveIntegerField(_("卷宗页数"), null=True, blank=True)
    # Prevention indicators of the MoJ statistics form (§5.10), each counted as 件/人: 0 means "not applicable",
    # n > 0 means this case prevented that outcome for n persons.
    prevented_suicide_persons = models.PositiveIntegerField(_("防止民间纠纷引起自杀（人）"), default=0)
    prevented_criminal_persons = models.PositiveIntegerField(_("防止民间纠纷转化为刑事案件（人）"), default=0)
    prevented_group_petition_persons = models.PositiveIntegerField(_("防止群体性上访（人）"), default=0)
    prevented_group_fight_persons = models.PositiveIntegerField(_("防止群体性械斗（人）"), default=0)
    disposed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    # issue 11 §5: the case this duplicate was merged into (status MERGED), set only by referrals.duplicates.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Per-case facts the statistics group on (insights.metrics.case_cube), kept here so that the monthly form is one
    # scan of the case table. Written only by cases.actions (registration, agreement taking effect, oral agreement,
    # re-mediation, historical import) and checked against the records by insights.checks.verify_case_facts.
    agreement_form = models.CharField(
        _("现行协议形式"), max_length=10, choices=AgreementForm.choices, blank=True, default="", editable=False
    )
    party_count = models.PositiveIntegerField(_("当事人数"), default=0, editable=False)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("纠纷案件")
        verbose_name_plural = _("纠纷案件")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "seq"], name="case_seq_unique_per_committee_year"),
        ]
        indexes = [
            models.Index(fields=["division_code", "status"]),
            models.Index(fields=["committee", "status"]),
            # Case lists (cases.listing): filter on the first column, newest first from the index, and the trailing
            # division_code (the jurisdiction prefix) lets the capped count run on the index alone.
            models.Index(fields=["registered_at", "division_code"], name="case_registered_division_idx"),
            models.Index(fields=["status", "registered_at", "division_code"], name="case_status_registered_idx"),
            models.Index(fields=["status", "time_limit_due", "division_code"], name="case_status_due_idx"),
            models.Index(fields=["dispute_type", "registered_at", "division_code"], name="case_dtype_registered_idx"),
            models.Index(
                fields=["source", "registered_at", "division_code", "committee"], name="case_source_registered_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.case_no or self.registration_no

    @property
    def registration_no(self) -> str:
        if not (self.pk and self.registered_at):
            return "—"
        return f"登记{timezone.localtime(self.registered_at):%Y}-{self.pk:06d}"

    @property
    def title(self) -> str:
        # A minor's or a ward's name is never spelled out in a title (lists, notices, SMS): 未成年人保护法 art. 103.
        names = [p.display_name for p in self.parties.all()[:3]]
        return f"{'与'.join(names[:2])}{self.get_dispute_type_display().split('—')[-1]}"

    @property
    def protected(self) -> bool:
        """A case whose parties' personal data only the assigned mediators and the director see in full."""
        return self.involves_minor or self.involves_incapacity

    @property
    def marked_overdue(self) -> bool:
        """The system marked the case over its current time limit (an extension since then clears the mark)."""
        return bool(self.overdue_since and self.time_limit_due and self.overdue_since > self.time_limit_due)

    def mediators(self) -> list:
        result = [self.presiding_mediator] if self.presiding_mediator_id else []
        return result + [m for m in self.co_mediators.all() if m.pk != self.presiding_mediator_id]


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    side = models.CharField(_("地位"), max_length=20, choices=PartySide.choices)
    party_type = models.CharField(_("类型"), max_length=20, choices=PartyType.choices, default=PartyType.NATURAL_PERSON)
    name = models.CharField(_("姓名/名称"), max_length=100)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    occupation = models.CharField(_("职业或职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住所或单位"), max_length=200, blank=True)
    id_number_encrypted = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人/负责人"), max_length=50, blank=True)
    guardian_name = models.CharField(_("法定代理人"), max_length=50, blank=True)
    capacity = models.CharField(
        _("民事行为能力"), max_length=10, choices=CivilCapacity.choices, default=CivilCapacity.FULL
    )
    is_minor = models.BooleanField(_("未成年人"), default=False, editable=False)
    # The guardian's consent to mediation (民法典 arts 23, 34; PIPL art. 31), recorded by do_record_guardian_consent.
    guardian_consent_at = models.DateTimeField(_("监护人同意调解时间"), null=True, blank=True, editable=False)
    guardian_consent_note = models.CharField(_("监护人同意情况"), max_length=200, blank=True, editable=False)
    identity_verified = models.BooleanField(_("身份已核验"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="party_roles"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case_id", "order", "id"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number_encrypted, self.id_number_hash, self.id_number_masked = identity.stored_id_number(value)

    def full_id_number(self) -> str:
        """Decrypts the ID number. Callers must have checked `can_view_full_id` and written the access log.
        A number that cannot be decrypted is logged (cases.identity) and shown as 无法解密, never as ""."""
        try:
            return identity.decrypt_id_number(self.id_number_encrypted)
        except identity.DecryptionError:
            return identity.UNDECRYPTABLE

    @property
    def needs_guardian(self) -> bool:
        """A minor, or an adult without full civil capacity (民法典 arts 21–22): acts through a guardian."""
        return self.is_person and (self.is_minor or self.capacity != CivilCapacity.FULL)

    @property
    def display_name(self) -> str:
        """The name as lists and notices show it: a ward's name reduced to surname + 某."""
        return mask_name(self.name) if self.needs_guardian else self.name

    @property
    def is_person(self) -> bool:
        return self.party_type == PartyType.NATURAL_PERSON


def mask_name(name: str) -> str:
    return (name[:1] + "某") if name else name


class CaseSequence(models.Model):
    """The last number issued per committee per year; incremented under a row lock (gap-free, never reused)."""

    committee = models.ForeignKey("registry.Committee", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="case_sequence_unique")]


class CaseEvent(AppendOnlyModel):
    """Append-only history of a case: every action writes one row (who, when, from → to, why)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=40, choices=CaseAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Every event names its actor: a person (actor), the system and which of its jobs, or an institution's API
    # client (the referral API, a later issue).
    actor_kind = models.CharField(_("操作者类型"), max_length=10, choices=ActorKind.choices, default=ActorKind.PERSON)
    system_job = models.CharField(_("系统作业"), max_length=30, choices=SystemJob.choices, blank=True, default="")
    at = models.DateTimeField(_("时间"), db_index=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("案件事件")
        verbose_name_plural = _("案件事件")

    @property
    def label(self) -> str:
        from cases.transitions import LABELS

        return LABELS.get(self.action, self.action)

    @property
    def actor_label(self) -> str:
        """Who did it, in Chinese: the person's name, or 系统（期限监控） for a job of the system."""
        if self.actor_kind == ActorKind.SYSTEM or self.actor_id is None:
            job = SystemJob(self.system_job or SystemJob.WORKFLOW)
            return f"系统（{job.label}）"
        return self.actor.display_name

    @property
    def changed_status(self) -> bool:
        return self.from_status != self.to_status


class RecusalRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="recusals")
    requested_by = models.ForeignKey(Party, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    replaced = models.ForeignKey("registry.Mediator", on_delete=models.PROTECT, related_name="+")
    replacement = models.ForeignKey("registry.Mediator", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("回避理由"))
    at = models.DateTimeField()


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # notifications.enums.NoticeKind: what the notice is about (a person's SMS preference is per kind).
    kind = models.CharField(max_length=30, default="CASE_PROGRESS")
    message = models.CharField(max_length=200)
    # A page the notice is about when it is not a case page (issue 12: a risk, a screening report); a path only.
    link = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
