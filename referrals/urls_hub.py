"""Included by console/urls.py at hub/ in namespace console (issue 11 §4): the 矛调中心 pages (views_hub)."""

from django.urls import path

from referrals import views_hub

urlpatterns = [
    path("", views_hub.hub_queue, name="hub"),
    path("referrals/<int:pk>/dispatch/", views_hub.dispatch_referral, name="hub_dispatch_referral"),
    path("cases/<int:pk>/dispatch/", views_hub.dispatch_case, name="hub_dispatch_case"),
    path("cases/<int:pk>/transfer/", views_hub.case_transfer_request, name="case_transfer_request"),
    path("dispatches/", views_hub.dispatches, name="dispatches"),
    path("dispatches/<int:pk>/", views_hub.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/accept/", views_hub.dispatch_accept, name="dispatch_accept"),
    path("dispatches/<int:pk>/return/", views_hub.dispatch_return, name="dispatch_return"),
]
