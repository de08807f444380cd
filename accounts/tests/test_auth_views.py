from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password(client, patient_user, password):
    response = client.post(
        reverse("accounts:login"), {"username": "ALICE@example.org", "password": password}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == patient_user


def test_a_wrong_password_and_an_unknown_account_get_the_same_message(client, patient_user):
    wrong = client.post(reverse("accounts:login"), {"username": patient_user.email, "password": "nope-nope-nope"})
    unknown = client.post(reverse("accounts:login"), {"username": "ghost@example.org", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_logout_needs_post_and_ends_the_session(client, patient_user):
    client.force_login(patient_user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, patient_user, password):
    client.force_login(patient_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "a-brand-new-secret-77", "new_password2": "a-brand-new-secret-77"},
    )
    assert response.status_code == 302
    patient_user.refresh_from_db()
    assert patient_user.check_password("a-brand-new-secret-77")


def test_password_change_refuses_a_short_password(client, patient_user, password):
    client.force_login(patient_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "short-1", "new_password2": "short-1"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors


def test_password_reset_by_email_round_trip(client, patient_user):
    response = client.post(reverse("accounts:password_reset"), {"email": patient_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "reset-to-this-secret-9", "new_password2": "reset-to-this-secret-9"}
    )
    assert response.status_code == 302
    patient_user.refresh_from_db()
    assert patient_user.check_password("reset-to-this-secret-9")


def test_password_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_anonymous_users_are_sent_to_login_from_a_protected_page(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_account_page_shows_the_user(client, patient_user):
    client.force_login(patient_user)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    assert patient_user.email in response.content.decode()
