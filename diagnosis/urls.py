from __future__ import annotations

from django.urls import path

from diagnosis import views

app_name = "diagnosis"

urlpatterns = [
    path("", views.check, name="check"),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.result, name="result"),
    path("<int:pk>/answer/", views.answer, name="answer"),
]
