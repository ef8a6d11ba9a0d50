"""Organisations: create, edit, deactivate committees, their 备案 and change history.

Included by console.urls (namespace console)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
