"""/api/v1/ (issue 11): the OAuth2 token endpoint, the referral endpoints, the institution's events, the schema and
its docs (Swagger UI from drf-spectacular-sidecar: no CDN). The schema and the docs are public (they carry no
personal data); everything else needs a client-credentials token with the right scope."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from api import views, views_triage
from api.errors import not_found

app_name = "api"

public = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("oauth/token/", views.TokenView.as_view(), name="token"),
    path("referrals/", views.ReferralListView.as_view(), name="referrals"),
    path("referrals/<str:id>/", views.ReferralDetailView.as_view(), name="referral"),
    path("referrals/<str:id>/events/", views.ReferralEventsView.as_view(), name="referral_events"),
    path("referrals/<str:id>/outcome/", views.ReferralOutcomeView.as_view(), name="referral_outcome"),
    path("referrals/<str:id>/agreement.pdf", views.ReferralAgreementView.as_view(), name="referral_agreement"),
    path("referrals/<str:id>/attachments/", views.ReferralAttachmentsView.as_view(), name="referral_attachments"),
    path("referrals/<str:id>/withdraw/", views.ReferralWithdrawView.as_view(), name="referral_withdraw"),
    path("events/", views.EventListView.as_view(), name="events"),
    path("triage/", views_triage.TriageView.as_view(), name="triage"),
    path("schema/", SpectacularAPIView.as_view(**public), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema", **public), name="docs"),
    re_path(r"^.*$", not_found),
]
