from __future__ import annotations

import pytest
from django.urls import reverse

from records.audit import audit_read

pytestmark = pytest.mark.django_db

URL = "/my/access-history/"


def test_the_url(db):
    assert reverse("access_history") == URL


def test_a_patient_sees_who_opened_their_record(client, patient, other_patient, doctor, nurse, patient_user):
    audit_read(actor=doctor, patient=patient, what="record")
    audit_read(actor=nurse, patient=other_patient, what="record")
    client.force_login(patient_user)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Grace Hopper" in body and "Doctor" in body
    assert "Florence Night" not in body  # a read of someone else's record
    assert len(response.context["history"]) == 1


def test_it_is_linked_from_the_account_page(client, patient, patient_user):
    client.force_login(patient_user)
    assert URL in client.get(reverse("accounts:account")).content.decode()


def test_the_page_costs_a_fixed_number_of_queries(
    client, patient, patient_user, doctor, nurse, django_assert_num_queries
):
    for actor in (doctor, nurse, doctor):
        audit_read(actor=actor, patient=patient, what="record")
    client.force_login(patient_user)
    client.get(URL)  # warm the content-type cache
    # session, user, patient, log entries, their actors' groups (prefetch); the user's own roles
    # (nav) are kept between requests with their permissions (accounts.backends)
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_login_without_a_patient_record_gets_404(client, doctor):
    client.force_login(doctor)
    assert client.get(URL).status_code == 404


def test_post_is_not_allowed(client, patient, patient_user):
    client.force_login(patient_user)
    assert client.post(URL).status_code == 405
