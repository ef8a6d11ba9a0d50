"""督办 and 催办 on a case (issue 8 §3): the instruction a supervisor sends to a committee, its reply deadline, the
card it has earned, and the chain of escalations to the next level; with an append-only history of what happened
to each record (issued, replied, escalated). The case timeline (CaseEvent) records the same acts; the ledger
counts these rows, so its figures and the timeline agree by construction."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class SupervisionKind(models.TextChoices):
    DUBAN = "DUBAN", _("督办")
    URGE = "URGE", _("催办")


class SupervisionLevel(models.TextChoices):
    SFS = "SFS", _("司法所")
    COUNTY = "COUNTY", _("县级")
    CITY = "CITY", _("市级")


class SupervisionStatus(models.TextChoices):
    PENDING = "PENDING", _("待反馈")
    REPLIED = "REPLIED", _("已反馈")
    ESCALATED = "ESCALATED", _("已升级")


class CardLevel(models.TextChoices):
    NONE = "", _("无")
    YELLOW = "YELLOW", _("黄牌")
    RED = "RED", _("红牌")


CARD_RANK = {CardLevel.NONE: 0, CardLevel.YELLOW: 1, CardLevel.RED: 2}
LEVEL_OF_ROLE = {
    Role.SFS_OFFICER: SupervisionLevel.SFS,
    Role.COUNTY_ADMIN: SupervisionLevel.COUNTY,
    Role.CITY_ADMIN: SupervisionLevel.CITY,
}
ROLE_OF_LEVEL = {level: role for role, level in LEVEL_OF_ROLE.items()}
# Length of the division code of each level's unit (township 9, county 6, city 4).
CODE_LENGTH = {SupervisionLevel.SFS: 9, SupervisionLevel.COUNTY: 6, SupervisionLevel.CITY: 4}
NEXT_LEVEL = {SupervisionLevel.SFS: SupervisionLevel.COUNTY, SupervisionLevel.COUNTY: SupervisionLevel.CITY}


class Supervision(models.Model):
    """One 督办 or 催办. Changed only by cases.actions.supervision (status, card, reply time) — or, for a referral
    still waiting to be accepted (no case yet), by supervision.referral_duban: then `case` is empty and `referral`
    names it (issue 11 §7)."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="supervisions")
    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("移送纠纷"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=SupervisionKind.choices)
    level = models.CharField(_("督办层级"), max_length=10, choices=SupervisionLevel.choices)
    # The issuing unit's division (the township, county or city), for the ledger's area filter.
    division_code = models.CharField(_("督办单位区划"), max_length=12, db_index=True)
    # None: raised by the system when an unanswered 督办 was escalated to this level.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instruction = models.TextField(_("督办意见"))
    reply_deadline = models.DateField(_("反馈期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SupervisionStatus.choices, default=SupervisionStatus.PENDING, db_index=True
    )
    card = models.CharField(_("警示"), max_length=10, choices=CardLevel.choices, blank=True, default="")
    escalated_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_to", verbose_name=_("升级自")
    )
    issued_at = models.DateTimeField(_("下发时间"), db_index=True)
    replied_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("督办催办")
        verbose_name_plural = _("督办催办")
        indexes = [models.Index(fields=["case", "status"], name="supervision_case_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(referral__isnull=False),
                name="supervision_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_kind_display()}"

    @property
    def issuer_label(self) -> str:
        if self.issued_by_id is None:
            return f"系统（{self.get_level_display()}升级督办）"
        return self.issued_by.display_name

    @property
    def subject_label(self) -> str:
        """What is supervised: the case number, or the referral's number while it has no case."""
        if self.case_id is not None:
            return self.case.case_no or self.case.registration_no
        return self.referral.reference

    def root(self) -> "Supervision":
        node = self
        while node.escalated_from_id is not None:
            node = node.escalated_from
        return node

    def head(self) -> "Supervision":
        """The latest record of this record's escalation chain (the one that waits for the reply)."""
        node = self
        while True:
            nxt = Supervision.objects.filter(escalated_from=node).first()
            if nxt is None:
                return node
            node = nxt

    def chain(self) -> list["Supervision"]:
        nodes, node = [], self.root()
        while node is not None:
            nodes.append(node)
            node = Supervision.objects.filter(escalated_from=node).first()
        return nodes


class SupervisionEventKind(models.TextChoices):
    ISSUED = "ISSUED", _("下发")
    REPLIED = "REPLIED", _("反馈")
    ESCALATED = "ESCALATED", _("逾期升级")
    CARD = "CARD", _("逾期亮牌")


class SupervisionEvent(models.Model):
    """Append-only history of a record: the instruction issued, each reply (反馈) with its text, each escalation."""

    supervision = models.ForeignKey(Supervision, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=10, choices=SupervisionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    text = models.TextField(_("内容"), blank=True)
    card = models.CharField(_("警示"), max_length=10, choices=CardLevel.choices, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("SupervisionEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise PermissionError("SupervisionEvent is append-only")

    @property
    def actor_label(self) -> str:
        return self.actor.display_name if self.actor_id else "系统（督办监控）"


class EntryDeadlineNotice(models.Model):
    """That the township office and the county were told of late entries of a unit's month (sent once)."""

    division_code = models.CharField(_("单位区划"), max_length=12)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    late_count = models.PositiveIntegerField(_("逾期录入件数"))
    sent_at = models.DateTimeField(_("通知时间"))

    class Meta:
        ordering = ["-year", "-month", "division_code"]
        constraints = [
            models.UniqueConstraint(fields=["division_code", "year", "month"], name="entry_deadline_notice_once")
        ]
