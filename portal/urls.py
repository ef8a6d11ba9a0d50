from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("roster/", views.roster_page, name="roster"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("cases/", views.my_cases, name="cases"),
    path("notices/", views.notices, name="notices"),
    path("apply/", views.apply_start, name="apply"),
    path("apply/<slug:step>/", views.apply_step, name="apply_step"),
    path("apply/<slug:step>/autosave/", views.apply_autosave, name="apply_autosave"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("join/", views.join, name="join"),
    path("join/<str:token>/", views.join, name="join_link"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/invite/", views.reinvite, name="reinvite"),
    path("cases/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<int:pk>/consent/", views.consent, name="consent"),
    path("cases/<int:pk>/agreement/", views.agreement_page, name="agreement"),
    path("cases/<int:pk>/judicial/", views.judicial, name="judicial"),
    path("cases/<int:pk>/rate/", views.rate, name="rate"),
]
