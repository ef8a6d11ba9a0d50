from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("case/<int:pk>/", views.thread, name="thread"),
    path("case/<int:pk>/feed/", views.feed, name="feed"),
    path("case/<int:pk>/post/", views.post, name="post"),
    path("case/<int:pk>/booking/", views.booking, name="booking"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("attachment/<int:pk>/<slug:rendition>/", views.attachment, name="attachment_rendition"),
    path("booking/<int:pk>/propose/", views.propose, name="propose"),
    path("booking/<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
    path("availability/", views.availability, name="availability"),
    path("availability/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
