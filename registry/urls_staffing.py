"""Staffing against the rules per area; loading committee and mediator lists from Excel.

Included by console.urls (namespace console)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
