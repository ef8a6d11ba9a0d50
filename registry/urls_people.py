"""Mediators and login accounts: add, edit, leave, accounts, password reset, terms ending.

Included by console.urls (namespace console)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
