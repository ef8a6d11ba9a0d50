from django.urls import path

from supervision import views, views_duban, views_spotcheck

app_name = "supervision"

urlpatterns = [
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("entry-notice/", views.entry_notice_page, name="entry_notice"),
    path("entry-notice/pdf/", views.entry_notice_pdf, name="entry_notice_pdf"),
    path("spot-checks/", views_spotcheck.spot_checks, name="spot_checks"),
    path("spot-checks/new/", views_spotcheck.spot_check_new, name="spot_check_new"),
    path("spot-checks/<int:pk>/", views_spotcheck.spot_check_detail, name="spot_check"),
    path("spot-checks/<int:pk>/cases/<int:entry_pk>/", views_spotcheck.spot_check_score, name="spot_check_score"),
    path("spot-checks/<int:pk>/publish/", views_spotcheck.spot_check_publish, name="spot_check_publish"),
    path("spot-checks/<int:pk>/correct/", views_spotcheck.spot_check_correct, name="spot_check_correct"),
    path("overdue/", views_duban.overdue, name="overdue"),
    path("duban/", views_duban.ledger, name="ledger"),
    path("duban/export/", views_duban.ledger_export, name="ledger_export"),
    path("duban/<int:pk>/reply/", views_duban.reply, name="reply"),
    path("results/", views_spotcheck.committee_results, name="committee_results"),
]
