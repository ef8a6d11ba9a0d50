"""URLs of screening, early warning and the screening form (namespace "screening", mounted at /screening/).
Each view module has one owner (TEAM.md); names are fixed: other pages and the tests reverse them."""

from django.urls import path

from screening import views_board, views_forms, views_policy, views_reports, views_risk

app_name = "screening"

urlpatterns = [
    # h-reports: a unit's reports and findings (phone first)
    path("", views_reports.home, name="home"),
    path("reports/<int:pk>/", views_reports.report, name="report"),
    path("reports/<int:pk>/zero/", views_reports.report_zero, name="report_zero"),
    path("reports/<int:pk>/submit/", views_reports.report_submit, name="report_submit"),
    path("reports/<int:pk>/correct/", views_reports.report_correct, name="report_correct"),
    path("reports/<int:pk>/findings/new/", views_reports.finding_new, name="finding_new"),
    path("findings/<int:pk>/", views_reports.finding, name="finding"),
    path("findings/<int:pk>/case/", views_reports.finding_to_case, name="finding_to_case"),
    path("findings/<int:pk>/resolve/", views_reports.finding_resolve, name="finding_resolve"),
    # h-policy: policy, special periods, campaigns, compliance
    path("policies/", views_policy.policies, name="policies"),
    path("policies/new/", views_policy.policy_new, name="policy_new"),
    path("special-periods/new/", views_policy.special_new, name="special_new"),
    path("special-periods/<int:pk>/cancel/", views_policy.special_cancel, name="special_cancel"),
    path("campaigns/", views_policy.campaigns, name="campaigns"),
    path("campaigns/new/", views_policy.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views_policy.campaign, name="campaign"),
    path("campaigns/<int:pk>/close/", views_policy.campaign_close, name="campaign_close"),
    path("compliance/", views_policy.compliance, name="compliance"),
    # h-risk: one risk, its chain and its actions
    path("risks/<int:pk>/", views_risk.risk, name="risk"),
    path("risks/new/case/<int:case_id>/", views_risk.risk_new_case, name="risk_new_case"),
    path("risks/new/finding/<int:finding_id>/", views_risk.risk_new_finding, name="risk_new_finding"),
    path("risks/<int:pk>/level/", views_risk.risk_level, name="risk_level"),
    path("risks/<int:pk>/update/", views_risk.risk_update, name="risk_update"),
    path("risks/<int:pk>/instruct/", views_risk.risk_instruct, name="risk_instruct"),
    path("risks/<int:pk>/review/", views_risk.risk_review, name="risk_review"),
    path("risks/<int:pk>/resolve/", views_risk.risk_resolve, name="risk_resolve"),
    path("hops/<int:pk>/acknowledge/", views_risk.hop_acknowledge, name="hop_acknowledge"),
    # h-board: the risk board, the area breakdown, meetings
    path("risks/", views_board.board, name="risks"),
    path("risks/areas/", views_board.areas, name="risk_areas"),
    path("meetings/", views_board.meetings, name="meetings"),
    path("meetings/new/", views_board.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views_board.meeting, name="meeting"),
    # h-form: the screening report form
    path("forms/", views_forms.forms, name="forms"),
    path("forms/new/", views_forms.form_new, name="form_new"),
    path("forms/<int:pk>/", views_forms.form, name="form"),
    path("forms/<int:pk>/submit/", views_forms.form_submit, name="form_submit"),
    path("forms/<int:pk>/correct/", views_forms.form_correct, name="form_correct"),
    path("forms/<int:pk>/xlsx/", views_forms.form_xlsx, name="form_xlsx"),
    path("forms/<int:pk>/pdf/", views_forms.form_pdf, name="form_pdf"),
]
