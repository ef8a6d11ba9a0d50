"""Organisations: create, edit, deactivate committees, their 备案 and change history.

Included by console.urls (namespace console)."""

from django.urls import URLPattern, path

from registry import views_orgs as v

urlpatterns: list[URLPattern] = [
    path("committees/new/", v.committee_new, name="registry_committee_new"),
    path("committees/<int:pk>/edit/", v.committee_edit, name="registry_committee_edit"),
    path("committees/<int:pk>/deactivate/", v.committee_deactivate, name="registry_committee_deactivate"),
    path("committees/<int:pk>/reactivate/", v.committee_reactivate, name="registry_committee_reactivate"),
    path("committees/<int:pk>/filing/", v.committee_filing, name="registry_committee_filing"),
    path("filing-files/<int:pk>/", v.filing_file, name="registry_filing_file"),
    path("changes/", v.registry_changes, name="registry_changes"),
]
