"""Working-day calendar overrides (statutory holidays and 调休 makeup working days) and the record of their edits."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiaojie.models import AppendOnlyModel


class DayKind(models.TextChoices):
    HOLIDAY = "HOLIDAY", _("法定节假日（休息）")
    WORKDAY = "WORKDAY", _("调休上班日")


class CalendarOverride(models.Model):
    """A day whose status differs from the default (Mon–Fri work, Sat–Sun rest). Editable by administrators."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ChangeSource(models.TextChoices):
    CONSOLE = "CONSOLE", _("管理员界面")
    ADMIN = "ADMIN", _("系统管理后台")
    COMMAND = "COMMAND", _("批量导入节假日安排")


class HolidayChange(AppendOnlyModel):
    """One edit of the calendar: who, when, which day, what it was and what it became, and why. An edit moves the
    deadlines of every case counted over that day, so each is kept (append-only), written in the edit's
    transaction by workdays.services."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("修改时间"), default=timezone.now, db_index=True)
    source = models.CharField(_("途径"), max_length=10, choices=ChangeSource.choices, default=ChangeSource.CONSOLE)
    date = models.DateField(_("日期"), db_index=True)
    # Empty kind = the day had (before) or has (after) no override: the weekend rule applies.
    before_kind = models.CharField(_("原类型"), max_length=10, choices=DayKind.choices, blank=True)
    before_name = models.CharField(_("原说明"), max_length=40, blank=True)
    after_kind = models.CharField(_("新类型"), max_length=10, choices=DayKind.choices, blank=True)
    after_name = models.CharField(_("新说明"), max_length=40, blank=True)
    reason = models.CharField(_("修改理由"), max_length=200)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("节假日修改记录")
        verbose_name_plural = _("节假日修改记录")

    def __str__(self) -> str:
        return f"{self.date} {self.before_label} → {self.after_label}"

    @staticmethod
    def _label(kind: str, name: str) -> str:
        if not kind:
            return "默认（周一至周五工作）"
        text = DayKind(kind).label
        return f"{text}（{name}）" if name else str(text)

    @property
    def before_label(self) -> str:
        return self._label(self.before_kind, self.before_name)

    @property
    def after_label(self) -> str:
        return self._label(self.after_kind, self.after_name)

    @property
    def actor_label(self) -> str:
        if self.actor_id:
            return self.actor.display_name
        return f"系统（{self.get_source_display()}）"
