"""Read-only admin views of triage: suggestions are written by the doors (triage.decisions), model versions by
`manage.py train_triage`; the admin can look but not touch."""

from django.contrib import admin

from referrals.admin import ReadOnly  # the project's look-but-not-touch ModelAdmin
from triage.models import TriageModelVersion, TriageSuggestion


@admin.register(TriageSuggestion)
class TriageSuggestionAdmin(ReadOnly):
    list_display = (
        "created_at",
        "subject",
        "division_code",
        "suggested_type",
        "decided_type",
        "suggested_level",
        "decided_level",
        "suggested_route",
        "decided_route",
        "model_version",
    )
    list_filter = ("subject", "suggested_level", "model_version")
    search_fields = ("division_code", "object_id")
    raw_id_fields = ("case", "decided_by")


@admin.register(TriageModelVersion)
class TriageModelVersionAdmin(ReadOnly):
    list_display = ("version", "trained_at", "corpus_lines", "platform_cases", "active")
