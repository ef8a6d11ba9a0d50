"""Read-only admin pages: departments and roles change only through the office's page (/ledgers/roles/,
ledgers.actions.base), which checks them and writes the LedgerEvent."""

from django.contrib import admin

from ledgers.models import BureauDepartment, LedgerRole
from referrals.admin import ReadOnly


@admin.register(BureauDepartment)
class BureauDepartmentAdmin(ReadOnly):
    list_display = ("name", "bureau", "is_office", "active", "order")
    list_filter = ("is_office", "active")


@admin.register(LedgerRole)
class LedgerRoleAdmin(ReadOnly):
    list_display = ("user", "bureau", "kind", "department", "title", "ended_at")
    list_filter = ("kind",)
