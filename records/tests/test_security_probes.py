"""Security probes of the record's public pages: self-registration must not tell a stranger
which e-mail addresses have an account (the login form and the e-mail change keep that
private too)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from records.models import Patient
from records.tests.factories import registration_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("taken", ["alice@example.org", " ALICE@example.org"])
def test_registering_a_taken_address_answers_as_for_a_new_one(
    client, django_capture_on_commit_callbacks, patient_user, taken
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(reverse("records:register"), registration_form(email="newcomer@example.org"))
    mail.outbox.clear()
    users, patients = User.objects.count(), Patient.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        probed = client.post(reverse("records:register"), registration_form(email=taken))

    assert (probed.status_code, probed["Location"]) == (fresh.status_code, fresh["Location"])
    assert (User.objects.count(), Patient.objects.count()) == (users, patients)
    patient_user.refresh_from_db()
    assert (patient_user.first_name, patient_user.is_active) == ("Alice", True)
    # Only the owner of the address hears of it: they have an account already, and no link
    # that would confirm anything.
    (sent,) = mail.outbox
    assert sent.to == ["alice@example.org"]
    assert "already" in sent.body and "/records/verify/" not in sent.body
    assert reverse("accounts:password_reset") in sent.body
