from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/", views.batch_view, name="batch"),
    path("<int:pk>/errors.xlsx", views.error_report, name="error_report"),
    path("export/cases.xlsx", views.export_cases, name="export_cases"),
]
