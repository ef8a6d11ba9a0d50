from django.urls import path

from portal.views import agreement, apply, auth, case, evidence, join, judicial, public

app_name = "portal"
urlpatterns = [
    path("", public.home, name="home"),
    path("roster/", public.roster_page, name="roster"),
    path("privacy/", public.privacy, name="privacy"),
    path("login/", auth.login_page, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("cases/", case.my_cases, name="cases"),
    path("notices/", case.notices, name="notices"),
    path("notices/read/", case.notices_read, name="notices_read"),
    path("apply/", apply.apply_start, name="apply"),
    path("apply/<slug:step>/", apply.apply_step, name="apply_step"),
    path("apply/<slug:step>/autosave/", apply.apply_autosave, name="apply_autosave"),
    path("evidence/<int:pk>/", evidence.evidence_file, name="evidence"),
    path("evidence/<int:pk>/remove/", evidence.evidence_remove, name="evidence_remove"),
    path("join/", join.join, name="join"),
    path("join/<str:token>/", join.join, name="join_link"),
    path("cases/<int:pk>/", case.case_page, name="case"),
    path("cases/<int:pk>/invite/", case.reinvite, name="reinvite"),
    path("cases/<int:pk>/withdraw/", case.withdraw, name="withdraw"),
    path("cases/<int:pk>/consent/", case.consent, name="consent"),
    path("cases/<int:pk>/agreement/", agreement.agreement_page, name="agreement"),
    path("cases/<int:pk>/judicial/", judicial.judicial, name="judicial"),
    path("cases/<int:pk>/rate/", case.rate, name="rate"),
]
