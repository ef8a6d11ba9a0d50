from django.contrib import admin

from registry.models import Committee, Court, Division, Mediator


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


class MediatorInline(admin.TabularInline):
    model = Mediator
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "committee_type", "kind", "division", "is_active")
    list_filter = ("committee_type", "kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("division",)
    inlines = [MediatorInline]


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("name", "committee", "role", "category", "term_end", "is_active")
    list_filter = ("role", "category", "is_active")
    search_fields = ("name", "committee__name")
    raw_id_fields = ("committee", "user")


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ("name", "division")
    search_fields = ("name",)
    autocomplete_fields = ("division",)
