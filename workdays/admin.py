from django.contrib import admin

from workdays.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Administrators enter each year's State Council notice here (or run `manage.py load_holidays`)."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["date"]
