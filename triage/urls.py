from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("model/", views.model_page, name="model"),
    path("panel/register/", views.panel_register, name="panel_register"),
    path("panel/case/<int:pk>/", views.panel_case, name="panel_case"),
    path("panel/referral/<int:pk>/", views.panel_referral, name="panel_referral"),
    path("panel/finding/<int:pk>/", views.panel_finding, name="panel_finding"),
]
