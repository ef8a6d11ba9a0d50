"""Included by console/urls.py in namespace console (issue 11); filled by its owner."""

urlpatterns: list = []
