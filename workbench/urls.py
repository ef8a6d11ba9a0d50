from django.urls import path

from workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("cases/", views.case_list, name="cases"),
]
