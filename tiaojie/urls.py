from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import security
from accounts import views as account_views
from accounts.forms import LoginForm

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/notifications/", account_views.notifications, name="notifications"),
    path("accounts/notifications/read/", account_views.notifications_read, name="notifications_read"),
    path("accounts/password/", security.password_change, name="password_change"),
    path("accounts/totp/", security.totp_setup, name="totp_setup"),
    path("accounts/totp/verify/", security.totp_verify, name="totp_verify"),
    path("cases/", include("cases.urls")),
    path("workbench/", include("workbench.urls")),
    path("console/", include("console.urls")),
    path("documents/", include("documents.urls")),
    path("portal/", include("portal.urls")),
    path("messages/", include("messaging.urls")),
    path("insights/", include("insights.urls")),
    path("supervision/", include("supervision.urls")),
    path("imports/", include("imports.urls")),
    path("screening/", include("screening.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("api.urls")),
    path("search/", include("search.urls")),
    path("triage/", include("triage.urls")),
    path("ledgers/rectification/", include("ledgers.rectification.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("admin/", admin.site.urls),
]
