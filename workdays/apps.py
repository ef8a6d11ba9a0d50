from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WorkdaysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from workdays.calendar import invalidate_on_change
        from workdays.models import CalendarOverride

        post_save.connect(invalidate_on_change, sender=CalendarOverride, dispatch_uid="workdays-override-saved")
        post_delete.connect(invalidate_on_change, sender=CalendarOverride, dispatch_uid="workdays-override-deleted")
