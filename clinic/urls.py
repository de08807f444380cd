from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clinic import views, views_access

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("my/access-history/", views_access.access_history, name="access_history"),
    path("records/", include("records.urls")),
    path("appointments/", include("appointments.urls")),
    path("symptom-checker/", include("diagnosis.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_FLOOR_VIEW:  # bench/pages.py only: the floor every page is compared with
    urlpatterns.append(path("bench/floor/", views.bench_floor, name="bench_floor"))
