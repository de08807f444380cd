from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_landing_page_is_public_and_names_the_clinic(client, settings):
    settings.CLINIC_NAME = "Hilltop <Health>"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hilltop &lt;Health&gt;" in body
    assert "Hilltop <Health>" not in body


def test_staff_are_sent_from_the_landing_page_to_their_workplace(client, doctor):
    client.force_login(doctor)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_security_headers_on_every_page(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_authenticated_pages_are_not_cached(client, patient_user):
    client.force_login(patient_user)
    response = client.get(reverse("accounts:account"))
    assert "no-store" in response["Cache-Control"]


def test_healthz_reports_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_healthz_reports_a_failing_database(client, monkeypatch):
    from clinic import views

    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("gone")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "error"


def test_the_admin_header_is_the_clinic_name(client, clinic_admin, settings):
    settings.CLINIC_NAME = "Hilltop Health"
    client.force_login(clinic_admin)
    response = client.get(reverse("admin:login"), follow=True)
    assert b"Hilltop Health" in response.content
