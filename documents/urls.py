from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    # Literal before the pattern: "dossier" is not a kind.
    path("case/<int:pk>/dossier.pdf", views.dossier, name="dossier"),
    path("case/<int:pk>/<slug:kind>.pdf", views.case_document, name="case_document"),
]
