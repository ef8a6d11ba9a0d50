"""Read-only admin views of the referrals app: every change goes through referrals.services (and institutions are
administered on the console pages), so the admin can look but not touch. Encrypted ID numbers are never shown."""

from django.contrib import admin
from django.http import HttpRequest

from referrals.models import Dispatch, Institution, Referral, ReferralAttachment, ReferralEvent, ReferralParty


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


class PartyInline(ReadOnlyInline):
    model = ReferralParty
    fields = ("order", "side", "party_type", "name", "id_number_masked", "consented")


class EventInline(ReadOnlyInline):
    model = ReferralEvent
    fields = ("at", "kind", "actor_kind", "actor", "api_client", "note")


@admin.register(Institution)
class InstitutionAdmin(ReadOnly):
    list_display = ("name", "kind", "code", "division", "default_receiver", "is_sandbox", "is_active")
    list_filter = ("kind", "is_active", "is_sandbox")
    search_fields = ("name", "code")


@admin.register(Referral)
class ReferralAdmin(ReadOnly):
    list_display = ("id", "institution", "channel", "external_no", "receiver", "status", "received_at", "accept_by")
    list_filter = ("channel", "status", "referral_type")
    search_fields = ("external_no", "institution__name")
    date_hierarchy = "received_at"
    inlines = [PartyInline, EventInline]


@admin.register(ReferralAttachment)
class ReferralAttachmentAdmin(ReadOnly):
    list_display = ("referral", "title", "content_type", "size", "uploaded_at")
    exclude = ("stored_path",)


@admin.register(Dispatch)
class DispatchAdmin(ReadOnly):
    list_display = ("id", "kind", "from_committee", "to_committee", "to_institution", "status", "deadline")
    list_filter = ("kind", "status")
