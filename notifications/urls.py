from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("delivery/", views.delivery_log, name="delivery_log"),
    path("delivery/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("delivery/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
