from django.urls import include, path

from console import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("committees/", views.committees, name="committees"),
    path("committees/<int:pk>/", views.committee_detail, name="committee"),
    path("mediators/", views.mediators, name="mediators"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    # Issue 9: administration of organisations, people and accounts (registry.*), the court's queue.
    path("registry/", include("registry.urls_orgs")),
    path("registry/", include("registry.urls_people")),
    path("registry/", include("registry.urls_staffing")),
    path("court/", include("console.urls_court")),
    # Issue 11: referrals (pages of receivers and liaisons), the 矛调中心, the supervision board, duplicates and
    # joint mediation, API clients and webhooks.
    path("referrals/", include("referrals.urls")),
    path("hub/", include("referrals.urls_hub")),
    path("referrals/board/", include("referrals.urls_board")),
    path("referrals/", include("referrals.urls_dupes")),
    path("api/", include("api.urls_console")),
]
