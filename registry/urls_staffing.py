"""Staffing against the rules per area; loading committee and mediator lists from Excel.

Included by console.urls (namespace console)."""

from django.urls import URLPattern, path

from registry import views_staffing as v

urlpatterns: list[URLPattern] = [
    path("staffing/", v.staffing, name="registry_staffing"),
    path("import/", v.roster_import, name="registry_import"),
    path("import/template/<str:kind>/", v.roster_template, name="registry_import_template"),
    path("import/preview/<str:token>/", v.roster_preview, name="registry_import_preview"),
]
