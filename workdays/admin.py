from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from workdays.models import CalendarOverride, ChangeSource, HolidayChange
from workdays.services import do_clear_day, do_set_day

ADMIN_REASON = "在系统管理后台修改"


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Administrators enter each year's State Council notice here (or run `manage.py load_holidays`). Every save
    and delete goes through workdays.services, so it is recorded as a HolidayChange."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["date"]

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form, change: bool) -> None:  # noqa: ANN001
        if change and "date" in form.changed_data:
            # Moving a setting to another day is a removal and an addition.
            do_clear_day(request.user, form.initial["date"], ADMIN_REASON, source=ChangeSource.ADMIN)
        saved = do_set_day(request.user, obj.date, obj.kind, obj.name, ADMIN_REASON, source=ChangeSource.ADMIN)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        do_clear_day(request.user, obj.date, ADMIN_REASON, source=ChangeSource.ADMIN)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for day in queryset.values_list("date", flat=True):
            do_clear_day(request.user, day, ADMIN_REASON, source=ChangeSource.ADMIN)


@admin.register(HolidayChange)
class HolidayChangeAdmin(admin.ModelAdmin):
    """Read-only: the record of calendar edits."""

    list_display = ["at", "date", "before_kind", "after_kind", "actor", "source", "reason"]
    list_filter = ["source"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: HolidayChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: HolidayChange | None = None) -> bool:
        return False
