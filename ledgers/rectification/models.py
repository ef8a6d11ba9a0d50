"""The rectification ledger (整改台账, 挂账销号): an inspection's problem list and each item's way to 销号.

An `Inspection` (巡察, 审计, 督察) of a bureau carries its `RectificationItem`s; each item has a responsible leader,
a department (ledgers.BureauDepartment), measures, `Milestone`s, a deadline and a named reviewer, and moves
挂账 → 整改中 → 申请销号 → 已验收 → 已销号 (a returned closure goes back to 整改中) only through
ledgers.rectification.actions. The department's `ProgressReport`s carry `Evidence` (checked uploads); every
申请销号 is a `ClosureRequest` with the reviewer's decision; the monthly `ReviewMeeting` records its decisions
(`MeetingDecision`, one per item discussed); a `ProgressNotice` (整改进展情况通报) is a published snapshot.
Nothing here is deleted; every change is a ledgers.LedgerEvent written by the action that made it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiaojie.models import UndeletableModel


class InspectionKind(models.TextChoices):
    XUNCHA = "XUNCHA", _("巡察")
    SHENJI = "SHENJI", _("审计")
    DUCHA = "DUCHA", _("督察")


class ItemStatus(models.TextChoices):
    LISTED = "LISTED", _("挂账")
    IN_PROGRESS = "IN_PROGRESS", _("整改中")
    CLOSURE_REQUESTED = "CLOSURE_REQUESTED", _("申请销号")
    ACCEPTED = "ACCEPTED", _("已验收")
    CLOSED = "CLOSED", _("已销号")


# How the progress notice groups the states: 已完成 (销号), 正在整改, 未启动.
DONE = (ItemStatus.CLOSED,)
UNDER_WAY = (ItemStatus.IN_PROGRESS, ItemStatus.CLOSURE_REQUESTED, ItemStatus.ACCEPTED)
NOT_STARTED = (ItemStatus.LISTED,)
OPEN = (*NOT_STARTED, *UNDER_WAY)
# Past its deadline in one of these, an item is overdue (red): accepted items wait only for the office's 销号.
RUNNING = (ItemStatus.LISTED, ItemStatus.IN_PROGRESS, ItemStatus.CLOSURE_REQUESTED)


class Inspection(UndeletableModel):
    bureau = models.ForeignKey(
        "registry.Division", verbose_name=_("被检查司法局"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=InspectionKind.choices, default=InspectionKind.XUNCHA)
    name = models.CharField(_("名称"), max_length=120)
    body = models.CharField(_("检查机关"), max_length=80)  # 市委第六巡察组, 市审计局 …
    feedback_on = models.DateField(_("反馈日期"))
    issuer = models.CharField(_("通报署名"), max_length=60, blank=True)  # 中共平顶山市司法局党委
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-feedback_on", "-id"]
        verbose_name = _("检查反馈")
        verbose_name_plural = _("检查反馈")

    def __str__(self) -> str:
        return self.name


class RectificationItem(UndeletableModel):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="items")
    # The inspection's bureau, kept on the item for ledgers.scoping (items carry their bureau).
    bureau = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("序号"))
    problem = models.TextField(_("问题"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任领导"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "ledgers.BureauDepartment", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("验收人"), on_delete=models.PROTECT, related_name="+"
    )
    measures = models.TextField(_("整改措施"))
    deadline = models.DateField(_("整改时限"))
    long_term = models.BooleanField(_("长期整改任务"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.LISTED)
    started_at = models.DateTimeField(_("开始整改时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "number", "id"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="rectification_item_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.problem[:30]}"

    def is_overdue(self, today) -> bool:
        return self.status in RUNNING and self.deadline < today


class Milestone(UndeletableModel):
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="milestones")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("阶段目标"), max_length=200)
    due_on = models.DateField(_("完成时间"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        ordering = ["item", "order", "id"]
        verbose_name = _("阶段目标")
        verbose_name_plural = _("阶段目标")

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d} {self.title}"


class ProgressReport(UndeletableModel):
    """What the department reports: written once, never edited (a correction is a new report)."""

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    text = models.TextField(_("进展情况"))
    milestone_done = models.ForeignKey(
        Milestone, verbose_name=_("完成的阶段目标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["item", "at", "id"]
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")


class Evidence(UndeletableModel):
    """A supporting document or photo of a report, checked and stored by cases.uploads (never served inline)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="evidence")
    path = models.CharField(max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10)  # cases.uploads.KINDS key: jpeg, png, webp, pdf
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpeg", "png", "webp")


class ClosureOutcome(models.TextChoices):
    PENDING = "PENDING", _("待验收")
    ACCEPTED = "ACCEPTED", _("验收通过")
    RETURNED = "RETURNED", _("退回整改")


class ClosureRequest(UndeletableModel):
    """One 申请销号 and the named reviewer's decision on it."""

    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="closures")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(_("整改完成情况"))
    outcome = models.CharField(
        _("验收结果"), max_length=10, choices=ClosureOutcome.choices, default=ClosureOutcome.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opinion = models.TextField(_("验收意见"), blank=True)

    class Meta:
        ordering = ["item", "requested_at", "id"]
        verbose_name = _("销号申请")
        verbose_name_plural = _("销号申请")


class ReviewMeeting(UndeletableModel):
    """The monthly review meeting (整改推进会): who met, what was on the table, and what it decided."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=120)
    chair = models.CharField(_("主持人"), max_length=50)
    attendees = models.CharField(_("参会人员"), max_length=300)
    decisions = models.TextField(_("会议决定"))
    # The open items and their progress since the previous meeting as they stood when it met (meetings.agenda).
    agenda = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "-held_on", "-id"]
        verbose_name = _("整改调度会")
        verbose_name_plural = _("整改调度会")


class MeetingDecision(UndeletableModel):
    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.PROTECT, related_name="item_decisions")
    item = models.ForeignKey(RectificationItem, on_delete=models.PROTECT, related_name="meeting_decisions")
    text = models.CharField(_("研究意见"), max_length=500)

    class Meta:
        ordering = ["meeting", "item__number", "id"]
        verbose_name = _("事项研究意见")
        verbose_name_plural = _("事项研究意见")


class ProgressNotice(UndeletableModel):
    """整改进展情况通报: the figures and the list as they stood when issued, kept as issued (snapshot); shown on a
    public page while `published`."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=150)
    issuer = models.CharField(_("署名"), max_length=60)
    issued_on = models.DateField(_("通报日期"))
    intro = models.TextField(_("导语"), blank=True)
    snapshot = models.JSONField(default=dict)
    published = models.BooleanField(_("向社会公布"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "-issued_on", "-id"]
        verbose_name = _("整改进展情况通报")
        verbose_name_plural = _("整改进展情况通报")
