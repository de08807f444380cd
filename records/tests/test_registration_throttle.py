"""Self-registration is rate-limited (clinic.throttle): over a limit the page answers as always,
but nothing is written and no e-mail is sent."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from records.models import Patient
from records.tests.factories import registration_form

pytestmark = pytest.mark.django_db

REGISTER = reverse("records:register")


def register(client, email: str, ip: str = "10.0.0.1", **extra):
    return client.post(REGISTER, registration_form(email=email), REMOTE_ADDR=ip, **extra)


def answer(response) -> tuple:
    return response.status_code, response.get("Location"), response.content


@pytest.fixture
def limits(settings):
    settings.EMAIL_RATE_PER_CLIENT = 2
    settings.EMAIL_RATE_PER_ADDRESS = 1
    return settings


def test_under_the_limits_each_registration_writes_and_sends(client, limits, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(client, "one@example.org")
        register(client, "two@example.org")
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]
    assert Patient.objects.count() == 2


def test_over_the_client_limit_nothing_is_written_or_sent_and_the_answer_is_the_same(
    client, limits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(client, "one@example.org")
        register(client, "two@example.org")
        over = register(client, "three@example.org")
    assert answer(over) == answer(first)
    assert answer(over)[:2] == (302, reverse("records:register_done"))
    assert not User.objects.filter(email="three@example.org").exists()
    assert Patient.objects.count() == 2
    assert len(mail.outbox) == 2


def test_over_the_address_limit_nothing_is_sent_from_another_client_or_in_another_case(
    client, limits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(client, "carol@example.org", ip="10.0.0.1")
        over = register(client, " CAROL@Example.ORG", ip="10.0.0.2")
    assert answer(over) == answer(first)
    assert len(mail.outbox) == 1  # not the second e-mail ("you have an account already")


def test_a_taken_address_over_the_limit_gets_no_mail_and_the_same_answer(
    client, limits, patient_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(client, patient_user.email, ip="10.0.0.1")
        over = register(client, patient_user.email, ip="10.0.0.2")
        new = register(client, "new@example.org", ip="10.0.0.3")
    assert len(mail.outbox) == 2 and mail.outbox[0].to == [patient_user.email]
    assert answer(over) == answer(first) == answer(new)


def test_the_limits_end_with_the_hour(client, limits, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to("2030-01-07 09:00Z", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        register(client, "one@example.org")
        register(client, "two@example.org")
        register(client, "three@example.org")
    assert len(mail.outbox) == 2
    time_machine.move_to("2030-01-07 09:59:50Z", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        register(client, "three@example.org")
    assert len(mail.outbox) == 2
    time_machine.move_to("2030-01-07 10:00:01Z", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        register(client, "three@example.org")
    assert [m.to for m in mail.outbox[2:]] == [["three@example.org"]]
    assert User.objects.filter(email="three@example.org").exists()


def test_clients_are_counted_apart(client, limits, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n, ip in enumerate(["10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"]):
            register(client, f"person{n}@example.org", ip=ip)
    assert len(mail.outbox) == 4


def test_x_forwarded_for_does_not_give_a_client_a_new_address(client, limits, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            register(client, f"person{n}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert len(mail.outbox) == 2


def test_a_refusal_is_logged_without_the_address_or_the_client(client, limits, caplog):
    register(client, "carol.secret@example.org", ip="10.0.0.1")
    with caplog.at_level(logging.WARNING, logger="clinic.throttle"):
        register(client, "carol.secret@example.org", ip="10.0.0.2")
    [record] = [r for r in caplog.records if r.name == "clinic.throttle"]
    assert record.levelno == logging.WARNING
    line = record.getMessage()
    assert "form=registration limit=address" in line
    for personal in ("carol", "secret", "example.org", "10.0.0"):
        assert personal not in line.lower()
