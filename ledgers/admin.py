from django.contrib import admin

from ledgers.models import BureauDepartment, LedgerRole


@admin.register(BureauDepartment)
class BureauDepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "bureau", "is_office", "active", "order")
    list_filter = ("is_office", "active")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerRole)
class LedgerRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "bureau", "kind", "department", "title", "ended_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "granted_by")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
