"""Included by console/urls.py at /console/referrals/ in namespace console (issue 11): probable duplicates and their
merge (referrals.views_dupes), joint mediation of a case (cases.views_joint)."""

from django.urls import path

from cases import views_joint
from referrals import views_dupes

urlpatterns = [
    path("duplicates/", views_dupes.duplicates, name="duplicates"),
    path(
        "duplicates/<str:kind>/<int:pk>/merge/<int:into_pk>/",
        views_dupes.duplicate_merge,
        name="duplicate_merge",
    ),
    path("joint/<int:pk>/", views_joint.case_joint, name="case_joint"),
    path("joint/<int:pk>/invite/", views_joint.case_joint_invite, name="case_joint_invite"),
    path(
        "joint/<int:pk>/records/<int:record_pk>/attendance/",
        views_joint.case_joint_attendance,
        name="case_joint_attendance",
    ),
]
