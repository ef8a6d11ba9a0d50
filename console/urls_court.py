"""The court liaison's queue of judicial-confirmation requests.

Included by console.urls (namespace console)."""

from django.urls import URLPattern, path

from console import court_queue

urlpatterns: list[URLPattern] = [
    path("queue/", court_queue.court_queue, name="court_queue"),
]
