"""Referrals (issue 11): a dispute an institution (court, police, petition office, 12345, another department) sends
to the mediation bodies, the handshake and the clocks around it, and the dispatches of a 矛调中心.

A Referral is the institution's request; it becomes (or joins) a Case when a mediation body accepts it. One Case may
carry several referrals (the same dispute by 110, 12345 and a walk-in): each keeps its own channel, clock and reply
(references-2.md §A.7). Every change goes through referrals.services and writes an append-only ReferralEvent in the
same transaction; what the institution must hear of goes out as a webhook from the outbox (api.webhooks.emit).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import identity
from cases.enums import ActorKind, CourtReferralType, DisputeType, MediatorChosenBy, PartySide, PartyType
from referrals.enums import (
    Channel,
    ContactResult,
    CourtTermination,
    DispatchKind,
    DispatchStatus,
    ParticipantRole,
    Procedure,
    ReferralEventKind,
    ReferralStatus,
    Tier,
)
from tiaojie.models import AppendOnlyModel


class Institution(models.Model):
    """An institution that refers disputes (or receives dispatched matters): a court, a police station, a petition
    office, the 12345 centre, another department. Its people sign in as liaisons (accounts.User.institution); its
    systems through OAuth2 clients (api.ApiClient)."""

    kind = models.CharField(_("机构类别"), max_length=20, choices=Channel.choices)
    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    code = models.CharField(_("机构代码"), max_length=30, unique=True)
    division = models.ForeignKey(
        "registry.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="institutions"
    )
    # A court institution is the registry's court (judicial confirmation, 特邀调解 roster).
    court = models.OneToOneField(
        "registry.Court",
        verbose_name=_("对应法院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institution",
    )
    # Where a referral that names no committee goes: normally the 矛调中心 of the institution's area.
    default_receiver = models.ForeignKey(
        "registry.Committee",
        verbose_name=_("默认接收的调解组织（矛调中心）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_sandbox = models.BooleanField(_("演示沙箱机构"), default=False)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["division_id", "kind", "name"]
        verbose_name = _("对接机构")
        verbose_name_plural = _("对接机构")

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    institution = models.ForeignKey(
        Institution, verbose_name=_("移送机构"), on_delete=models.PROTECT, related_name="referrals"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices, db_index=True)
    referral_type = models.CharField(
        _("诉调对接方式"), max_length=10, choices=CourtReferralType.choices, blank=True, default=""
    )
    procedure = models.CharField(_("审理程序"), max_length=10, choices=Procedure.choices, blank=True, default="")
    # The institution's own number: 诉前调 / filed case number, petition number, 12345 ticket, police incident number.
    external_no = models.CharField(_("来文编号（法院案号、信访件号、工单号、警情号）"), max_length=60)
    handler_name = models.CharField(_("承办人（法官、书记员、民警、经办人）"), max_length=50, blank=True)
    handler_phone = models.CharField(_("承办人电话"), max_length=30, blank=True)

    dispute_type = models.CharField(_("纠纷类型"), max_length=30, choices=DisputeType.choices, blank=True, default="")
    cause = models.CharField(_("案由"), max_length=100, blank=True)
    brief_facts = models.TextField(_("简要案情"))
    claims = models.TextField(_("诉讼请求或申请事项"))
    place = models.CharField(_("纠纷发生地"), max_length=200, blank=True)
    occurred_on = models.DateField(_("纠纷发生日期"), null=True, blank=True)
    amount_involved = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, default=0)
    consent_note = models.CharField(_("当事人同意调解情况"), max_length=300, blank=True)

    designated_committee = models.ForeignKey(
        "registry.Committee",
        verbose_name=_("指定调解组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    designated_mediator = models.ForeignKey(
        "registry.Mediator",
        verbose_name=_("指定调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_by = models.CharField(
        _("调解组织或调解员产生方式"), max_length=10, choices=MediatorChosenBy.choices, blank=True, default=""
    )
    # The body that holds the referral now (the designated committee, else the institution's 矛调中心; a dispatch
    # moves it) and its division code, for scoping (a prefix match, as Case.division_code).
    receiver = models.ForeignKey(
        "registry.Committee", verbose_name=_("当前接收单位"), on_delete=models.PROTECT, related_name="referrals"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)

    status = models.CharField(
        _("状态"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PENDING, db_index=True
    )
    sent_at = models.DateTimeField(_("移送时间"))
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, db_index=True)
    # The handshake (在线调解规则 art. 12): accept or decline with reasons by accept_by (3 working days).
    accept_by = models.DateField(_("接收答复期限"))
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(_("拒绝或退回时间"), null=True, blank=True)
    decline_reason = models.TextField(_("拒绝接收理由"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("调解案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    # After acceptance: the other party contacted by contact_by (art. 15: 3 working days).
    contact_by = models.DateField(_("联系对方当事人期限"), null=True, blank=True)
    contact_result = models.CharField(
        _("联系结果"), max_length=12, choices=ContactResult.choices, blank=True, default=""
    )
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    # The mediation clock of the referral (art. 24: 委派 30 days; 委托 15 ordinary / 7 simple), from acceptance,
    # moved by extensions (every party's consent) and by appraisal pauses (art. 26).
    mediation_due = models.DateField(_("调解期限"), null=True, blank=True, db_index=True)
    paused_since = models.DateField(_("鉴定评估中止起始日"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("已中止天数"), default=0)
    # The channel's own clock on top of the mediation clock (信访 60 days, 12345 3/13 working days, 110 24 hours):
    # data/referral_channels.json. Satisfied by the first reply (replied_at) or the conclusion.
    channel_due = models.DateTimeField(_("渠道办理期限"), null=True, blank=True, db_index=True)
    replied_at = models.DateTimeField(_("已反馈时间"), null=True, blank=True)
    reply_text = models.TextField(_("反馈内容"), blank=True)

    # The outcome reported back (arts 19–21, 25; 特邀调解规定 arts 19–21, 26).
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    termination_ground = models.CharField(
        _("终止调解情形"), max_length=20, choices=CourtTermination.choices, blank=True, default=""
    )
    report_course = models.TextField(_("调解的基本经过"), blank=True)
    report_reason = models.TextField(_("调解不成的原因"), blank=True)
    report_cost_conduct = models.TextField(_("导致其他当事人诉讼成本增加的行为"), blank=True)
    report_other = models.TextField(_("需要向人民法院提示的其他情形"), blank=True)
    undisputed_facts = models.TextField(_("无争议事实"), blank=True)
    materials_returned = models.TextField(_("退回材料情况"), blank=True)
    agreement = models.ForeignKey(
        "cases.Agreement",
        verbose_name=_("调解协议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_with_court = models.BooleanField(_("委派调解协议已向法院备案"), default=False)
    jc_requested = models.BooleanField(_("已申请司法确认"), default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_client = models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("接口客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("移送纠纷")
        verbose_name_plural = _("移送纠纷")
        constraints = [
            # One referral per institution and number (a second send of the same court case is refused, 409).
            models.UniqueConstraint(
                fields=["institution", "external_no"],
                condition=~Q(status__in=["DECLINED", "RETURNED", "WITHDRAWN"]),
                name="referral_live_external_no_unique",
            )
        ]
        indexes = [
            models.Index(fields=["status", "accept_by"], name="referral_status_accept_idx"),
            models.Index(fields=["channel", "received_at", "division_code"], name="referral_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.institution.name} {self.external_no}"

    @property
    def reference(self) -> str:
        """Our number for it, as pages and the API show it: 移送2026-000123."""
        if not self.pk:
            return "—"
        return f"移送{timezone.localtime(self.received_at):%Y}-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class ReferralParty(models.Model):
    """A party as the institution sent them (在线调解规则 art. 8: identity, phone, electronic service address,
    consent). Copied into cases.Party when the referral is accepted."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="parties")
    side = models.CharField(_("地位"), max_length=20, choices=PartySide.choices)
    party_type = models.CharField(_("类型"), max_length=20, choices=PartyType.choices, default=PartyType.NATURAL_PERSON)
    name = models.CharField(_("姓名/名称"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    service_address = models.CharField(_("电子送达地址"), max_length=200, blank=True)
    address = models.CharField(_("住所或单位"), max_length=200, blank=True)
    id_number_encrypted = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True)
    consented = models.BooleanField(_("同意调解"), default=False)
    consent_how = models.CharField(_("同意方式"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["referral_id", "order", "id"]
        verbose_name = _("移送当事人")
        verbose_name_plural = _("移送当事人")

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number_encrypted, self.id_number_hash, self.id_number_masked = identity.stored_id_number(value)


class ReferralAttachment(models.Model):
    """A file the institution sent with the referral (complaint, evidence), stored under PRIVATE_FILES_ROOT."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField(_("材料名称"), max_length=100)
    stored_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_client = models.ForeignKey(
        "api.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["referral_id", "uploaded_at", "id"]
        verbose_name = _("移送材料")
        verbose_name_plural = _("移送材料")


class ReferralEvent(AppendOnlyModel):
    """Append-only history of a referral. Every event names its actor: a person, the system (which job), or the
    institution's API client."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=ReferralEventKind.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(_("操作者类型"), max_length=10, choices=ActorKind.choices, default=ActorKind.PERSON)
    api_client = models.ForeignKey("api.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    append_only_message = "移送事件记录不可修改或删除"

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("移送事件")
        verbose_name_plural = _("移送事件")

    @property
    def actor_label(self) -> str:
        if self.actor_kind == ActorKind.API_CLIENT:
            return f"{self.referral.institution.name}（接口）"
        if self.actor_kind == ActorKind.SYSTEM or self.actor_id is None:
            return "系统（对接期限监控）"
        return self.actor.display_name


class Dispatch(models.Model):
    """A 矛调中心's dispatch of a matter (a pending referral or a case still in intake) to a body, or a transfer
    between levels (上传下派): a request the receiver accepts or sends back with a reason; unaccepted past its
    deadline it moves up (referrals.hub)."""

    kind = models.CharField(_("类别"), max_length=20, choices=DispatchKind.choices, default=DispatchKind.DISPATCH)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="dispatches")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="dispatches")
    tier = models.CharField(_("分级"), max_length=12, choices=Tier.choices, blank=True, default="")
    lead_official = models.CharField(_("包案领导"), max_length=50, blank=True)
    from_committee = models.ForeignKey(
        "registry.Committee", verbose_name=_("交办单位"), on_delete=models.PROTECT, related_name="+"
    )
    to_committee = models.ForeignKey(
        "registry.Committee",
        verbose_name=_("承办调解组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_dispatches",
    )
    to_institution = models.ForeignKey(
        Institution,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_dispatches",
    )
    # The receiver's division code (scoping: the receiver and the supervisors above it see the dispatch).
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    note = models.TextField(_("交办意见"), blank=True)
    deadline = models.DateTimeField(_("接收期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.PENDING, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退回理由"), blank=True)
    escalated_to = models.ForeignKey(
        "self", verbose_name=_("上移后的交办"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("分流交办")
        verbose_name_plural = _("分流交办")
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False) | Q(case__isnull=False), name="dispatch_has_subject"
            ),
            models.CheckConstraint(
                condition=Q(to_committee__isnull=False) | Q(to_institution__isnull=False), name="dispatch_has_receiver"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="dispatch_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_committee or self.to_institution}"


class JointParticipant(models.Model):
    """Someone who takes part in a joint mediation (联合调解 / 集中会诊) without being one of the case's mediators:
    a judge, a lawyer, a department's officer, an expert. Mediators of other bodies join as co-mediators of the
    case (cases.Case.co_mediators); each participant is recorded on the sessions they attended."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="joint_participants")
    role = models.CharField(_("身份"), max_length=10, choices=ParticipantRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    body = models.CharField(_("所在单位"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    sessions = models.ManyToManyField(
        "cases.MediationRecord", verbose_name=_("参加的调解"), blank=True, related_name="joint_participants"
    )

    class Meta:
        ordering = ["case_id", "invited_at", "id"]
        verbose_name = _("联合调解参加人员")
        verbose_name_plural = _("联合调解参加人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.body}）"
