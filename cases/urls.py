from django.urls import path

from cases import views, views_joint, views_scans
from referrals import views_dupes, views_hub

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("<int:pk>/", views.case_detail, name="detail"),
    # The attach_scan action offered on the case page (cases:action … attach_scan) is the scans page's upload: this
    # literal comes before the generic action pattern.
    path("<int:pk>/do/attach_scan/", views_scans.case_scans, name="scan_attach"),
    # Issue 11: the dispatch action of a 矛调中心's intake case is the hub's dispatch form (referrals.views_hub).
    path("<int:pk>/do/dispatch/", views_hub.case_dispatch_action, name="dispatch_action"),
    # Issue 11: 并案 and joint mediation have pages of their own (referrals.views_dupes, cases.views_joint).
    path("<int:pk>/do/merge/", views_dupes.case_merge, name="merge"),
    path("<int:pk>/do/joint_mediator/", views_joint.case_joint, name="joint_mediator"),
    path("<int:pk>/do/invite_participant/", views_joint.case_joint_invite, name="invite_participant"),
    path("<int:pk>/do/<slug:action>/", views.case_action, name="action"),
    path("<int:pk>/scans/", views_scans.case_scans, name="scans"),
    path("<int:pk>/scans/<int:scan_pk>/file/", views_scans.scan_file, name="scan_file"),
    path("<int:pk>/scans/<int:scan_pk>/thumb/", views_scans.scan_thumb, name="scan_thumb"),
    path("<int:pk>/scans/<int:scan_pk>/withdraw/", views_scans.scan_withdraw, name="scan_withdraw"),
    path("<int:pk>/parties/<int:party_pk>/id-number/", views.reveal_id_number, name="reveal_id"),
    path("<int:pk>/parties/<int:party_pk>/phone/", views.reveal_phone, name="reveal_phone"),
]
