"""The court liaison's queue of judicial-confirmation requests.

Included by console.urls (namespace console)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
