"""Included by console/urls.py at referrals/board/ in namespace console (issue 11; h-board)."""

from django.urls import path

from referrals import views_board

urlpatterns = [
    path("", views_board.board, name="referral_board"),
    path("limits/", views_board.limits_table, name="referral_limits"),
    path("<int:pk>/supervise/", views_board.supervise, name="referral_supervise"),
    path("supervision/<int:pk>/", views_board.supervision, name="referral_supervision"),
]
