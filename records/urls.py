from __future__ import annotations

from django.urls import path

from records.views import portal, registration

app_name = "records"

urlpatterns = [
    path("", portal.overview, name="overview"),
    path("visits/", portal.visits, name="visits"),
    path("visits/<int:pk>/", portal.visit_detail, name="visit_detail"),
    path("results/", portal.results, name="results"),
    path("vitals/", portal.vitals, name="vitals"),
    path("documents/", portal.documents, name="documents"),
    path("documents/<int:pk>/download/", portal.document_download, name="document_download"),
    path("profile/", portal.profile, name="profile"),
    path("export/fhir/", portal.export_fhir, name="export_fhir"),
    path("summary/", portal.summary, name="summary"),
    path("register/", registration.register, name="register"),
    path("register/sent/", registration.register_done, name="register_done"),
    path("verify/<str:token>/", registration.verify, name="verify"),
    path("invitation/<str:token>/", registration.invitation, name="invitation"),
]
