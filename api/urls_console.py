"""Included by console/urls.py at api/ in namespace console (issue 11): institutions, API clients, webhook
endpoints and deliveries (api.views_console; county and city administrators only)."""

from django.urls import path

from api import views_console as v

urlpatterns = [
    path("institutions/", v.institutions, name="institutions"),
    path("institutions/new/", v.institution_new, name="institution_new"),
    path("institutions/<int:pk>/", v.institution_detail, name="institution"),
    path("clients/", v.api_clients, name="api_clients"),
    path("clients/new/", v.api_client_new, name="api_client_new"),
    path("clients/<int:pk>/", v.api_client_detail, name="api_client"),
    path("clients/<int:pk>/rotate/", v.api_client_rotate, name="api_client_rotate"),
    path("clients/<int:pk>/revoke/", v.api_client_revoke, name="api_client_revoke"),
    path("endpoints/new/", v.webhook_endpoint_new, name="webhook_endpoint_new"),
    path("endpoints/<int:pk>/", v.webhook_endpoint, name="webhook_endpoint"),
    path("deliveries/", v.webhook_deliveries, name="webhook_deliveries"),
    path("deliveries/<int:pk>/", v.webhook_delivery, name="webhook_delivery"),
    path("deliveries/<int:pk>/replay/", v.webhook_replay, name="webhook_replay"),
]
