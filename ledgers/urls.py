from django.urls import path

from ledgers import views, views_proposals

app_name = "ledgers"

urlpatterns = [
    path("", views.home, name="home"),
    path("roles/", views.roles, name="roles"),
    path("proposals/", views_proposals.proposals, name="proposals"),
    path("proposals/new/", views_proposals.proposal_new, name="proposal_new"),
    path("proposals/report/", views_proposals.proposal_report, name="proposal_report"),
    path("proposals/report/xlsx/", views_proposals.proposal_report_xlsx, name="proposal_report_xlsx"),
    path("proposals/report/pdf/", views_proposals.proposal_report_pdf, name="proposal_report_pdf"),
    path("proposals/<int:pk>/", views_proposals.proposal, name="proposal"),
    path("proposals/<int:pk>/<slug:action>/", views_proposals.proposal_action, name="proposal_action"),
    path("public/<str:code>/proposals/", views_proposals.public_proposals, name="public_proposals"),
    path("public/<str:code>/proposals/<int:pk>/", views_proposals.public_proposal, name="public_proposal"),
]
