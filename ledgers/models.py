"""The shared base of both ledgers: the bureau's departments, who does what in a bureau, and the change log.

A bureau is a county or city justice bureau, identified by its Division (the county's or the city's code), as the
users of the console are (User.division). Nothing here is ever deleted: a department is closed (active=False), a
role is ended (ended_at); the change log is append-only.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiaojie.models import AppendOnlyModel, UndeletableModel


class BureauDepartment(UndeletableModel):
    """A department (科室) of a bureau: 办公室 (is_office), 人民参与和促进法治科, 公共法律服务科 …"""

    bureau = models.ForeignKey(
        "registry.Division", verbose_name=_("所属司法局"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("科室名称"), max_length=40)
    is_office = models.BooleanField(_("办公室"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["bureau", "order", "id"]
        verbose_name = _("局内科室")
        verbose_name_plural = _("局内科室")
        constraints = [models.UniqueConstraint(fields=["bureau", "name"], name="ledgers_department_name_unique")]

    def __str__(self) -> str:
        return self.name


class LedgerRoleKind(models.TextChoices):
    OFFICE = "OFFICE", _("办公室（登记、交办、督办）")
    LEADER = "LEADER", _("局领导")
    DEPARTMENT = "DEPARTMENT", _("科室承办人")
    REVIEWER = "REVIEWER", _("验收人")


# The kinds that see every item of their bureau; a DEPARTMENT role sees its department's items only.
BUREAU_WIDE = (LedgerRoleKind.OFFICE, LedgerRoleKind.LEADER, LedgerRoleKind.REVIEWER)


class LedgerRole(UndeletableModel):
    """What a user does in a bureau's ledgers. A user may hold several (a leader who also accepts rectifications).
    Ended, not deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="ledger_roles"
    )
    bureau = models.ForeignKey(
        "registry.Division", verbose_name=_("所属司法局"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("职责"), max_length=20, choices=LedgerRoleKind.choices)
    department = models.ForeignKey(
        BureauDepartment,
        verbose_name=_("所在科室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    title = models.CharField(_("职务"), max_length=40, blank=True)  # 副局长, 办公室主任, 科长 …
    granted_at = models.DateTimeField(_("起始时间"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)

    class Meta:
        ordering = ["bureau", "kind", "id"]
        verbose_name = _("台账职责")
        verbose_name_plural = _("台账职责")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="DEPARTMENT") | Q(department__isnull=False), name="ledgers_role_department_set"
            ),
            models.UniqueConstraint(
                fields=["user", "bureau", "kind", "department"],
                condition=Q(ended_at__isnull=True),
                name="ledgers_role_live_unique",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.department.name}" if self.department_id else ""
        return f"{self.user} · {self.get_kind_display()}{(' · ' + where) if where else ''}"


class LedgerName(models.TextChoices):
    BASE = "BASE", _("科室与职责")
    PROPOSALS = "PROPOSALS", _("建议提案办理")
    RECTIFICATION = "RECTIFICATION", _("整改台账")


class LedgerEvent(AppendOnlyModel):
    """Every change of either ledger: who (None for the clock), when, what (an action code, a sentence in Chinese
    and the changed fields as {field: [before, after]}), on which object (generic target) of which bureau."""

    ledger = models.CharField(_("台账"), max_length=20, choices=LedgerName.choices)
    bureau = models.ForeignKey(
        "registry.Division", verbose_name=_("所属司法局"), on_delete=models.PROTECT, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    action = models.CharField(_("操作"), max_length=40)
    summary = models.CharField(_("摘要"), max_length=300)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("台账变更记录")
        verbose_name_plural = _("台账变更记录")
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="ledgers_event_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"


from ledgers.models_proposals import (  # noqa: E402, F401  (the proposals ledger's models, in their own module)
    Proposal,
    ProposalContact,
    ProposalFeedback,
    ProposalFollowUp,
    ProposalReply,
)
