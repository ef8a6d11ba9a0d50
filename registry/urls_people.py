"""Mediators and login accounts: add, edit, leave, accounts, password reset, terms ending.

Included by console.urls (namespace console)."""

from django.urls import URLPattern, path

from registry import views_people as v

urlpatterns: list[URLPattern] = [
    path("committees/<int:pk>/mediators/new/", v.mediator_new, name="registry_mediator_new"),
    path("mediators/<int:pk>/", v.mediator_detail, name="registry_mediator"),
    path("mediators/<int:pk>/edit/", v.mediator_edit, name="registry_mediator_edit"),
    path("mediators/<int:pk>/leave/", v.mediator_leave, name="registry_mediator_leave"),
    path("mediators/<int:pk>/account/", v.account_new, name="registry_account_new"),
    path("accounts/", v.accounts, name="registry_accounts"),
    path("accounts/new/", v.staff_account_new, name="registry_staff_account_new"),
    path("accounts/<int:pk>/", v.account_detail, name="registry_account"),
    path("accounts/<int:pk>/reset/", v.account_reset, name="registry_account_reset"),
    path("accounts/<int:pk>/deactivate/", v.account_deactivate, name="registry_account_deactivate"),
    path("accounts/<int:pk>/reactivate/", v.account_reactivate, name="registry_account_reactivate"),
    path("terms/", v.terms, name="registry_terms"),
]
