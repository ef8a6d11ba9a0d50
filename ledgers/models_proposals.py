"""The suggestions and proposals ledger (建议提案办理, issue 16 §1–3): one row per item assigned to the bureau, as
lead (主办) or co-handling (会办) unit, with its replies (one per round: the first, then one per re-handling), the
contacts with the proposer, the proposer's ratings and the follow-up of items being solved. Changed only by
ledgers.actions.proposals (every change writes a LedgerEvent); nothing is deleted."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiaojie.models import UndeletableModel


class ProposalKind(models.TextChoices):
    NPC_SUGGESTION = "NPC", _("人大代表建议")
    CPPCC_PROPOSAL = "CPPCC", _("政协委员提案")


NOUN = {ProposalKind.NPC_SUGGESTION: "建议", ProposalKind.CPPCC_PROPOSAL: "提案"}


class HandlingRole(models.TextChoices):
    LEAD = "LEAD", _("主办")
    CO = "CO", _("会办")


class ProposalStatus(models.TextChoices):
    REGISTERED = "REGISTERED", _("待分办")
    HANDLING = "HANDLING", _("办理中")
    DRAFTED = "DRAFTED", _("答复待审签")
    APPROVED = "APPROVED", _("已签发待发出")
    REPLIED = "REPLIED", _("已答复待评价")
    REHANDLING = "REHANDLING", _("重新办理")
    FOLLOW_UP = "FOLLOW_UP", _("跟踪办理")
    CLOSED = "CLOSED", _("已办结")
    RETURNED = "RETURNED", _("已退回")


# Waiting for a reply (the handling clock runs) — the states before the first or a re-handling reply is sent.
AWAITING_REPLY = (
    ProposalStatus.REGISTERED,
    ProposalStatus.HANDLING,
    ProposalStatus.DRAFTED,
    ProposalStatus.APPROVED,
    ProposalStatus.REHANDLING,
)


class Proposal(UndeletableModel):
    bureau = models.ForeignKey(
        "registry.Division", verbose_name=_("承办司法局"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("办理年度"), db_index=True)
    kind = models.CharField(_("类别"), max_length=10, choices=ProposalKind.choices)
    session = models.CharField(_("会议届次"), max_length=60)  # 市政协九届四次会议
    number = models.CharField(_("编号"), max_length=20)  # 37, 020
    title = models.CharField(_("标题"), max_length=200)
    proposers = models.CharField(_("提出人"), max_length=200)  # 张某某代表、李某某委员
    content = models.TextField(_("主要内容"))
    assigning_body = models.CharField(_("交办单位"), max_length=100)  # 市政府督查室
    key_supervised = models.BooleanField(_("重点督办"), default=False)
    assigned_on = models.DateField(_("交办日期"))
    handling_role = models.CharField(_("承办方式"), max_length=10, choices=HandlingRole.choices)
    lead_unit = models.CharField(_("主办单位"), max_length=100, blank=True)  # when the bureau is 会办
    other_units = models.CharField(_("其他会办单位"), max_length=300, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "ledgers.BureauDepartment",
        verbose_name=_("承办科室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.REGISTERED, db_index=True
    )
    due_on = models.DateField(_("办理期限"))  # the reply (主办) or opinion (会办) deadline in force
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_approved_by = models.CharField(_("同意延期的单位"), max_length=100, blank=True)
    return_by = models.DateField(_("退回期限"))
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    first_replied_on = models.DateField(_("首次答复日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    replied_on = models.DateField(_("最近答复日期"), null=True, blank=True)
    result_class = models.CharField(_("办理结果"), max_length=8, blank=True)
    rehandle_round = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    rehandle_due_on = models.DateField(_("重新办理期限"), null=True, blank=True)
    solved_on = models.DateField(_("问题解决日期"), null=True, blank=True)
    published = models.BooleanField(_("已公开"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "kind", "number", "id"]
        verbose_name = _("建议提案")
        verbose_name_plural = _("建议提案")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "kind", "session", "number"], name="ledgers_proposal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session}第{self.number}号{self.noun}"

    @property
    def noun(self) -> str:
        return NOUN[ProposalKind(self.kind)]

    @property
    def is_lead(self) -> bool:
        return self.handling_role == HandlingRole.LEAD

    @property
    def reply_word(self) -> str:
        """What the bureau sends: a reply to the proposer (主办) or an opinion to the lead unit (会办)."""
        return "答复" if self.is_lead else "会办意见"

    @property
    def current_due(self):
        """The deadline the item is being handled against now (None when nothing is awaited)."""
        if self.status == ProposalStatus.REHANDLING or (self.rehandle_round and self.status in AWAITING_REPLY):
            return self.rehandle_due_on
        if self.status in AWAITING_REPLY:
            return self.due_on
        return None

    def is_overdue(self, today) -> bool:
        due = self.current_due
        return due is not None and today > due


class ReplyStatus(models.TextChoices):
    DRAFT = "DRAFT", _("草稿")
    APPROVED = "APPROVED", _("已签发")
    SENT = "SENT", _("已发出")


class ProposalReply(UndeletableModel):
    """One reply (主办) or co-handling opinion (会办): drafted by the department, approved and signed by the
    leader, sent by the office. Round 0 is the first; each re-handling adds one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    title = models.CharField(_("标题"), max_length=200)
    addressee = models.CharField(_("主送"), max_length=100)  # 市政府督查室 / the proposer / the lead unit
    body = models.TextField(_("正文"))
    result_class = models.CharField(_("办理结果"), max_length=8)
    doc_no = models.CharField(_("文号"), max_length=60, blank=True)
    signer = models.CharField(_("签发人"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    revision_note = models.TextField(_("退回修改意见"), blank=True)
    sent_on = models.DateField(_("发出日期"), null=True, blank=True)
    due_on = models.DateField(_("应答复日期"))
    on_time = models.BooleanField(_("按时"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "round", "id"]
        verbose_name = _("答复（会办意见）")
        verbose_name_plural = _("答复（会办意见）")


class ContactStage(models.TextChoices):
    BEFORE = "BEFORE", _("办前面商")
    DURING = "DURING", _("办理中沟通")
    AFTER = "AFTER", _("办结后回访")


class ContactMode(models.TextChoices):
    FACE = "FACE", _("当面见面")
    MEETING = "MEETING", _("座谈会")
    SITE = "SITE", _("实地调研")
    PHONE = "PHONE", _("电话")
    LETTER = "LETTER", _("书面函件")
    ONLINE = "ONLINE", _("网络或视频")


FACE_TO_FACE = (ContactMode.FACE, ContactMode.MEETING, ContactMode.SITE)


class ProposalContact(UndeletableModel):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="contacts")
    on = models.DateField(_("日期"))
    stage = models.CharField(_("阶段"), max_length=10, choices=ContactStage.choices)
    mode = models.CharField(_("方式"), max_length=10, choices=ContactMode.choices)
    participants = models.CharField(_("参加人员"), max_length=200, blank=True)
    note = models.TextField(_("沟通情况"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "on", "id"]
        verbose_name = _("沟通联系")
        verbose_name_plural = _("沟通联系")

    @property
    def face_to_face(self) -> bool:
        return self.mode in FACE_TO_FACE


class Rating(models.TextChoices):
    SATISFIED = "SATISFIED", _("满意")
    BASIC = "BASIC", _("基本满意")
    UNSATISFIED = "UNSATISFIED", _("不满意")


class ProposalFeedback(UndeletableModel):
    """The proposer's 征询意见表: the handling attitude and the result rated separately."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="feedbacks")
    reply = models.ForeignKey(ProposalReply, on_delete=models.PROTECT, related_name="feedbacks")
    received_on = models.DateField(_("收到日期"))
    attitude = models.CharField(_("办理态度"), max_length=12, choices=Rating.choices)
    result = models.CharField(_("办理结果"), max_length=12, choices=Rating.choices)
    comments = models.TextField(_("意见"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "received_on", "id"]
        verbose_name = _("征询意见")
        verbose_name_plural = _("征询意见")

    @property
    def unsatisfied(self) -> bool:
        return Rating.UNSATISFIED in (self.attitude, self.result)


class ProposalFollowUp(UndeletableModel):
    """Progress on a B or C item until the problem is solved (跟踪办理)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="follow_ups")
    on = models.DateField(_("日期"))
    progress = models.TextField(_("进展情况"))
    solved = models.BooleanField(_("已解决"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "on", "id"]
        verbose_name = _("跟踪办理")
        verbose_name_plural = _("跟踪办理")
