from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from appointments import links
from appointments.models import Appointment
from appointments.services import appointment_book, appointment_reschedule
from appointments.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow(frozen, patient, provider, gp_visit):
    appointment = appointment_book(
        patient=patient,
        provider=provider,
        start=at(3, 9),
        appointment_type=gp_visit,
        booked_by=provider.user,
        reason="Chest pain since Tuesday",
    )
    frozen.move_to(at(2, 10))  # the appointment is 23 hours ahead
    return appointment


def urls_in(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip().startswith("https://clinic.example/")]


def test_it_reminds_each_appointment_in_the_window_once(tomorrow, frozen, patient, provider, gp_visit, capsys):
    later = appointment_book(
        patient=patient, provider=provider, start=at(3, 11), appointment_type=gp_visit, booked_by=provider.user
    )  # 25 hours ahead: outside the 24-hour window
    call_command("send_appointment_reminders")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    tomorrow.refresh_from_db()
    later.refresh_from_db()
    assert tomorrow.reminder_sent_at is not None and later.reminder_sent_at is None

    call_command("send_appointment_reminders")
    assert len(mail.outbox) == 1  # idempotent
    assert "0 reminder(s) sent" in capsys.readouterr().out


def test_dry_run_lists_and_sends_nothing(tomorrow, capsys):
    call_command("send_appointment_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert f"would remind: appointment {tomorrow.pk} at 2026-03-03 09:00" in out
    assert not mail.outbox
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is None


def test_only_booked_appointments_are_reminded(tomorrow):
    Appointment.objects.filter(pk=tomorrow.pk).update(status="cancelled")
    call_command("send_appointment_reminders")
    assert not mail.outbox


def test_the_reminder_has_an_ics_file_and_no_clinical_detail(tomorrow):
    call_command("send_appointment_reminders")
    message = mail.outbox[0]
    assert "09:00" in message.body and "Grace Hopper" in message.body and "Room 1" in message.body
    assert "Chest pain" not in message.body and "GP appointment" not in message.body
    assert "Chest pain" not in message.subject
    name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar"
    text = content if isinstance(content, str) else content.decode()
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(3, 9)
    assert "Chest pain" not in text
    assert len(urls_in(message.body)) == 2


def test_a_failed_send_is_retried_next_run(tomorrow, monkeypatch):
    from appointments import emails

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(emails, "send_reminder", broken)
    call_command("send_appointment_reminders")
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is None
    monkeypatch.undo()
    call_command("send_appointment_reminders")
    assert len(mail.outbox) == 1


def _links(client_appointment):
    call_command("send_appointment_reminders")
    confirm, cancel = urls_in(mail.outbox[0].body)
    return confirm.removeprefix("https://clinic.example"), cancel.removeprefix("https://clinic.example")


def test_the_confirm_link_works_without_logging_in(client, tomorrow):
    confirm, _cancel = _links(tomorrow)
    page = client.get(confirm)
    assert page.status_code == 200
    tomorrow.refresh_from_db()
    assert tomorrow.confirmed_at is None  # a GET (mail scanner) changes nothing
    assert client.post(confirm).status_code == 200
    tomorrow.refresh_from_db()
    assert tomorrow.confirmed_at is not None


def test_the_cancel_link_cancels_even_inside_the_cutoff(client, tomorrow):
    _confirm, cancel = _links(tomorrow)
    response = client.post(cancel)
    assert response.status_code == 200
    tomorrow.refresh_from_db()
    assert tomorrow.status == "cancelled"
    assert tomorrow.cancelled_by == tomorrow.patient.user


def test_an_expired_link_is_a_clear_400(client, tomorrow):
    confirm, _cancel = _links(tomorrow)
    with time_machine.travel(at(2, 10) + dt.timedelta(hours=49), tick=False):
        response = client.post(confirm)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    tomorrow.refresh_from_db()
    assert tomorrow.confirmed_at is None


def test_a_tampered_link_is_a_clear_400(client, tomorrow, other_patient, provider, gp_visit):
    confirm, _cancel = _links(tomorrow)
    token = confirm.rstrip("/").rsplit("/", 1)[-1]
    forged = signing.TimestampSigner(salt="wrong").sign_object({"a": tomorrow.pk, "x": "cancel", "s": 0})
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = client.post(reverse("appointments:reminder_link", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    tomorrow.refresh_from_db()
    assert tomorrow.status == "booked"


def test_a_link_from_before_a_reschedule_no_longer_acts(client, tomorrow, provider):
    _confirm, cancel = _links(tomorrow)
    appointment_reschedule(appointment=tomorrow, new_start=at(3, 9, 30), rescheduled_by=provider.user)
    response = client.post(cancel)
    assert response.status_code == 400
    tomorrow.refresh_from_db()
    assert tomorrow.status == "booked"


def test_reminder_tokens_name_the_action(tomorrow):
    pk, action, start = links.read_reminder_token(links.reminder_token(tomorrow, "cancel"))
    assert (pk, action, start) == (tomorrow.pk, "cancel", tomorrow.start)
