from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/do/<slug:action>/", views.case_action, name="action"),
    path("<int:pk>/parties/<int:party_pk>/id-number/", views.reveal_id_number, name="reveal_id"),
    path("<int:pk>/parties/<int:party_pk>/phone/", views.reveal_phone, name="reveal_phone"),
]
