from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from records.models import Patient
from records.tests.factories import REGISTRATION_PASSWORD, registration_form

pytestmark = pytest.mark.django_db


def _link(body: str) -> str:
    return "/records/verify/" + body.split("/records/verify/")[1].split()[0]


def test_registration_creates_an_inactive_login_and_its_patient_then_verifies(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("records:register"), registration_form())
    assert response.status_code == 302 and response["Location"] == reverse("records:register_done")
    user = User.objects.get(email="carol@example.org")
    assert not user.is_active
    assert Patient.objects.get(user=user).date_of_birth == dt.date(1985, 4, 12)
    assert user.groups.filter(name="Patient").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["carol@example.org"]
    link = _link(mail.outbox[0].body)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.is_active
    # A used link does nothing more (and never re-activates a login staff deactivate later).
    user.last_login = timezone.now()
    user.is_active = False
    user.save()
    assert client.get(link).status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_a_forged_verification_link_is_refused(client):
    assert client.get(reverse("records:verify", args=["not-a-token"])).status_code == 400


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"date_of_birth": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "date_of_birth"),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth"),
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"given_name": ""}, "given_name"),
        ({"sex": "dragon"}, "sex"),
    ],
)
def test_bad_input_is_answered_on_the_form_without_writing(client, patient_user, overrides, field):
    response = client.post(reverse("records:register"), registration_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Patient.objects.exists()
    assert User.objects.count() == 1
    assert not mail.outbox


def test_register_page_is_public_and_405_on_put(client):
    assert client.get(reverse("records:register")).status_code == 200
    assert client.put(reverse("records:register")).status_code == 405


def test_invitation_page_sets_the_password(client, django_capture_on_commit_callbacks):
    from records import services
    from records.tests.factories import PatientFactory

    walk_in = PatientFactory(email="dan@example.org", given_name="Dan")
    with django_capture_on_commit_callbacks(execute=True):
        services.patient_invite(patient=walk_in, link_base="http://testserver/")
    path = "/records/invitation/" + mail.outbox[0].body.split("/records/invitation/")[1].split()[0]
    assert "Dan" in client.get(path).content.decode()
    response = client.post(path, {"password1": REGISTRATION_PASSWORD, "password2": REGISTRATION_PASSWORD})
    assert response.status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.user.check_password(REGISTRATION_PASSWORD)
    assert client.get(path).status_code == 400


def test_names_entered_at_registration_come_back_escaped(client, django_capture_on_commit_callbacks):
    payload = "<script>alert(1)</script>"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("records:register"), registration_form(given_name=payload, email="xss@example.org"))
    user = User.objects.get(email="xss@example.org")
    user.is_active = True
    user.save()
    client.force_login(user)
    body = client.get(reverse("records:profile")).content.decode()
    assert payload not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
