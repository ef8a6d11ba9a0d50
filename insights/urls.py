from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("form/", views.monthly_form_view, name="monthly_form"),
    path("form.xlsx", views.monthly_form_xlsx, name="monthly_form_xlsx"),
    path("cases/", views.case_list, name="cases"),
]
