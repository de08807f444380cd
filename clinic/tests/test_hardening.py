"""Hardening review: open redirects, CSRF, and no SQL built from input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import otp_device_for, totp_code

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
HOSTILE_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def assert_stays_on_site(response) -> None:
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/"), location
    assert not location.startswith("//") and not location.startswith("/\\"), location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_ignores_a_hostile_next(patient_user, password, target):
    client = Client()
    url = reverse("accounts:login")
    response = client.post(url, {"username": patient_user.email, "password": password, "next": target})
    assert_stays_on_site(response)
    client.logout()
    response = client.post(f"{url}?next={target}", {"username": patient_user.email, "password": password})
    assert_stays_on_site(response)


def test_login_follows_a_local_next(patient_user, password):
    response = Client().post(
        reverse("accounts:login"), {"username": patient_user.email, "password": password, "next": "/accounts/logins/"}
    )
    assert response.url == "/accounts/logins/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_two_factor_step_ignores_a_hostile_next(doctor, password, target):
    client = Client()
    device = otp_device_for(doctor)
    client.post(reverse("accounts:login"), {"username": doctor.email, "password": password})
    response = client.post(reverse("accounts:otp_verify"), {"token": totp_code(device), "next": target})
    assert_stays_on_site(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_reauthentication_and_logout_ignore_a_hostile_next(client, patient_user, password, target):
    client.force_login(patient_user)
    assert_stays_on_site(client.post(reverse("accounts:reauthenticate"), {"password": password, "next": target}))
    assert_stays_on_site(client.post(reverse("accounts:logout"), {"next": target}))


def test_the_admin_login_redirect_cannot_be_pointed_off_site():
    response = Client().get(reverse("admin:login") + "?next=//evil.example")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- CSRF -----------------------------------------------------------------------------------


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_login_without_a_csrf_token_is_refused(patient_user, password):
    response = csrf_client().post(reverse("accounts:login"), {"username": patient_user.email, "password": password})
    assert response.status_code == 403


def test_login_with_the_csrf_token_works(patient_user, password):
    client = csrf_client()
    client.get(reverse("accounts:login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("accounts:login"),
        {"username": patient_user.email, "password": password, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "url_name", ["accounts:logout", "accounts:sessions_end_others", "accounts:otp_backup_codes", "accounts:otp_disable"]
)
def test_state_changing_account_posts_need_the_csrf_token(patient_user, url_name):
    client = csrf_client()
    client.force_login(patient_user)
    assert client.post(reverse(url_name)).status_code == 403


def test_admin_actions_need_the_csrf_token(clinic_admin, nurse):
    from django_otp import DEVICE_ID_SESSION_KEY

    client = csrf_client()
    client.force_login(clinic_admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = otp_device_for(clinic_admin).persistent_id
    session.save()
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [nurse.pk]}
    )
    assert response.status_code == 403


def test_the_csrf_cookie_is_httponly_and_the_session_cookie_samesite():
    assert settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


# --- SQL --------------------------------------------------------------------------------------

RAW_SQL = re.compile(r"\.raw\(|\.extra\(|\bRawSQL\(")


def test_no_raw_sql_from_the_orm_escape_hatches():
    """Raw SQL goes through cursor.execute with parameters only (ruff's S608 and bandit check the
    strings); the ORM's raw()/extra()/RawSQL are not used at all."""
    offenders = []
    for app in ("accounts", "records", "appointments", "diagnosis", "clinic"):
        for path in (BASE_DIR / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if RAW_SQL.search(line):
                    offenders.append(f"{path.relative_to(BASE_DIR)}:{number}")
    assert offenders == []


ORDER_FROM_INPUT = re.compile(r"order_by\([^)]*\b(request|GET|POST|params|cleaned_data)\b")


def test_no_ordering_taken_straight_from_the_request():
    """Sorting chosen by the user must map through an allowlist, never reach order_by() as is.
    (The admin's own ``?o=`` is checked by Django against list_display.)"""
    offenders = []
    for app in ("accounts", "records", "appointments", "diagnosis", "clinic"):
        for path in (BASE_DIR / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if ORDER_FROM_INPUT.search(line):
                    offenders.append(f"{path.relative_to(BASE_DIR)}:{number}")
    assert offenders == []
