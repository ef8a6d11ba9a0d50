"""Working-day calendar overrides (statutory holidays and 调休 makeup working days)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
