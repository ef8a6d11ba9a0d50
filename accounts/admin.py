from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import AccessLog, User


@admin.register(User)
class TiaojieUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "committee", "division", "court", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "phone")
    autocomplete_fields = ("committee", "division", "court")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("角色与管辖", {"fields": ("full_name", "phone", "role", "committee", "division", "court")}),
    )


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and cannot be edited or deleted."""

    list_display = ("at", "user", "action", "case", "party", "ip_address")
    list_filter = ("action",)
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
