from django.urls import path

from ledgers.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("<int:pk>/", views.inspection, name="inspection"),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("<int:pk>/import/", views.import_items, name="import"),
    path("<int:pk>/import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/meetings/", views.meetings, name="meetings"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/notices/new/", views.notice_new, name="notice_new"),
    path("items/<int:pk>/", views.item, name="item"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("public/notices/", views.public_notices, name="public_notices"),
    path("public/notices/<int:pk>/", views.public_notice, name="public_notice"),
    path("public/notices/<int:pk>/pdf/", views.public_pdf, name="public_pdf"),
]
