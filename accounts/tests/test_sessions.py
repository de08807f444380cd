from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession

pytestmark = pytest.mark.django_db

ACCOUNT = "/accounts/"


def login(client: Client, user, password: str, ip: str = "10.2.0.1"):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    return response


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def test_login_issues_a_new_session_key(patient_user, password):
    client = Client()
    client.get(reverse("accounts:login"))
    session = client.session  # an anonymous session exists before login
    session["before_login"] = True
    session.save()
    before = session.session_key
    login(client, patient_user, password)
    after = session_key(client)
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_the_session_cookie_is_httponly_and_samesite_lax(patient_user, password):
    client = Client()
    response = login(client, patient_user, password)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_an_idle_session_is_gone_after_the_timeout(patient_user, password):
    client = Client()
    login(client, patient_user, password)
    key = session_key(client)
    assert client.get(ACCOUNT).status_code == 200
    with time_machine.travel(time.time() + settings.SESSION_IDLE_SECONDS + 61, tick=False):
        response = client.get(ACCOUNT)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    # The old cookie is worthless now, even back in time.
    assert client.get(ACCOUNT).status_code == 302


def test_activity_keeps_a_session_alive(patient_user, password):
    client = Client()
    login(client, patient_user, password)
    start = time.time()
    for step in range(1, 7):  # two hours, a page every 20 minutes
        with time_machine.travel(start + step * 20 * 60, tick=False):
            assert client.get(ACCOUNT).status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_however_active(patient_user, password):
    client = Client()
    login(client, patient_user, password)
    start = time.time()
    step_seconds = 20 * 60
    steps = settings.SESSION_COOKIE_AGE // step_seconds
    for step in range(1, steps):
        with time_machine.travel(start + step * step_seconds, tick=False):
            assert client.get(ACCOUNT).status_code == 200, step
    with time_machine.travel(start + settings.SESSION_COOKIE_AGE + 60, tick=False):
        assert client.get(ACCOUNT).status_code == 302


def test_logout_deletes_the_server_session(patient_user, password):
    client = Client()
    login(client, patient_user, password)
    key = session_key(client)
    assert Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.filter(session_key=key, user=patient_user).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()


def test_log_out_other_sessions_from_the_account_page(patient_user, password):
    laptop, phone = Client(), Client()
    login(laptop, patient_user, password, ip="10.2.0.1")
    login(phone, patient_user, password, ip="10.2.0.2")
    page = laptop.get(ACCOUNT).content.decode()
    assert "10.2.0.2" in page and "this session" in page
    response = laptop.post(reverse("accounts:sessions_end_others"))
    assert response.status_code == 302
    assert laptop.get(ACCOUNT).status_code == 200
    assert phone.get(ACCOUNT).status_code == 302
    assert UserSession.objects.filter(user=patient_user).count() == 1


def test_a_password_change_logs_out_the_other_sessions(patient_user, password):
    laptop, phone = Client(), Client()
    login(laptop, patient_user, password)
    login(phone, patient_user, password)
    phone_key = session_key(phone)
    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "a-brand-new-secret-77", "new_password2": "a-brand-new-secret-77"},
    )
    assert response.status_code == 302
    assert laptop.get(ACCOUNT).status_code == 200
    assert phone.get(ACCOUNT).status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    # The laptop's session got a new key with the new password and is still indexed under it.
    assert list(UserSession.objects.filter(user=patient_user).values_list("session_key", flat=True)) == [
        session_key(laptop)
    ]


def test_a_password_change_needs_a_recent_authentication(patient_user, password):
    client = Client()
    login(client, patient_user, password)
    with time_machine.travel(time.time() + settings.REAUTH_SECONDS + 120, tick=False):
        response = client.get(reverse("accounts:password_change"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:reauthenticate"))
        client.post(response.url, {"password": password})
        assert client.get(reverse("accounts:password_change")).status_code == 200


def test_a_password_reset_ends_every_session(client, patient_user, password):
    other = Client()
    login(other, patient_user, password)
    client.post(reverse("accounts:password_reset"), {"email": patient_user.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "reset-to-this-secret-9", "new_password2": "reset-to-this-secret-9"})
    assert other.get(ACCOUNT).status_code == 302
    assert not UserSession.objects.filter(user=patient_user).exists()


def test_the_email_change_needs_reauthentication_and_tells_both_addresses(
    patient_user, password, django_capture_on_commit_callbacks
):
    client = Client()
    login(client, patient_user, password)
    with time_machine.travel(time.time() + settings.REAUTH_SECONDS + 120, tick=False):
        response = client.post(reverse("accounts:email_change"), {"email": "new.alice@example.org"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:reauthenticate"))
        patient_user.refresh_from_db()
        assert patient_user.email == "alice@example.org"
        client.post(reverse("accounts:reauthenticate"), {"password": password})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:email_change"), {"email": "New.Alice@example.org"})
        assert response.status_code == 302
    patient_user.refresh_from_db()
    assert patient_user.email == "new.alice@example.org"
    assert set(mail.outbox[-1].to) == {"alice@example.org", "new.alice@example.org"}


def test_the_email_change_refuses_a_taken_address_without_saying_so(client, patient_user, other_patient_user):
    client.force_login(patient_user)
    response = client.post(reverse("accounts:email_change"), {"email": other_patient_user.email})
    assert response.status_code == 200
    assert "cannot be used" in response.content.decode()


def test_my_recent_logins_lists_my_logins_and_failures_only(patient_user, other_patient_user, password):
    client = Client()
    client.post(reverse("accounts:login"), {"username": patient_user.email, "password": "nope"}, REMOTE_ADDR="10.9.9.9")
    login(Client(), other_patient_user, password)
    login(client, patient_user, password, ip="10.2.0.5")
    page = client.get(reverse("accounts:login_history"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "10.9.9.9" in body and "10.2.0.5" in body
    assert "Failed log-in" in body
    assert len(page.context["events"]) == 2


def test_rows_of_sessions_that_expired_are_dropped_at_the_next_login(patient_user, password):
    old = Client()
    login(old, patient_user, password)
    Session.objects.filter(session_key=session_key(old)).delete()  # expired and cleared
    login(Client(), patient_user, password)
    assert UserSession.objects.filter(user=patient_user).count() == 1
