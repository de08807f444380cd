"""The patient's e-mails when an appointment is booked, requested, approved, moved or cancelled."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from icalendar import Calendar

from appointments import emails
from appointments.models import Appointment
from appointments.services import (
    appointment_approve,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    waitlist_accept,
    waitlist_join,
)
from appointments.tests.conftest import at
from appointments.tests.factories import AppointmentTypeFactory
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

REASON = "Chest pain since Tuesday"


def book(patient, provider, kind, start, *, by):
    return appointment_book(
        patient=patient, provider=provider, start=start, appointment_type=kind, booked_by=by, reason=REASON
    )


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def calendar_of(message):
    """(the METHOD of the attached .ics, its one event, the attachment's MIME type)."""
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics")
    calendar = Calendar.from_ical(content if isinstance(content, str) else content.decode())
    return str(calendar["method"]), calendar.walk("VEVENT")[0], mimetype


def assert_no_clinical_detail(message) -> None:
    for text in (message.subject, message.body, html_of(message)):
        assert "Chest pain" not in text
        assert "GP appointment" not in text  # the type can reveal the reason too
    if message.attachments:
        assert "Chest pain" not in str(message.attachments[0][1])


@pytest.fixture
def booked(frozen, patient, provider, gp_visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, gp_visit, at(4, 10), by=patient.user)
    return appointment


def test_a_portal_booking_e_mails_what_when_where_with_whom_and_how_to_change_it(booked, patient):
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "Appointment confirmed: Wed 4 Mar, 10:00"
    manage_url = f"https://clinic.example/appointments/{booked.pk}/"
    for text in (message.body, html_of(message)):
        assert "Wednesday 4 March 2026, 10:00 (GMT)" in text
        assert "Grace Hopper" in text
        assert "Room 1, 1 High Street" in text
        assert "15 minutes" in text
        assert manage_url in text
        assert "24 hours before" in text
    assert f'href="{manage_url}"' in html_of(message)
    assert_no_clinical_detail(message)


def test_the_booking_e_mail_carries_a_calendar_request(booked, patient):
    method, event, mimetype = calendar_of(mail.outbox[0])
    assert method == "REQUEST"
    assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    assert str(event["uid"]) == f"appointment-{booked.pk}@clinic"
    assert event.decoded("dtstart") == at(4, 10)
    assert event.decoded("dtend") == at(4, 10, 15)
    assert str(event["attendee"]) == f"mailto:{patient.email}"
    assert str(event["organizer"]).startswith("mailto:")
    assert str(event["status"]) == "CONFIRMED"


def test_the_portal_booking_view_sends_it_once(
    client, frozen, patient, provider, gp_visit, django_capture_on_commit_callbacks
):
    client.force_login(patient.user)
    query = {"provider": provider.pk, "appointment_type": gp_visit.pk, "start": int(at(2, 10).timestamp())}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("appointments:book_confirm"), {**query, "reason": REASON})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "Appointment confirmed: Mon 2 Mar, 10:00"
    assert_no_clinical_detail(message)


def test_a_booking_by_staff_in_the_admin_e_mails_the_patient(
    client, frozen, receptionist, patient, provider, gp_visit, django_capture_on_commit_callbacks
):
    client.force_login(receptionist)
    data = {
        "patient": patient.pk,
        "provider": provider.pk,
        "appointment_type": gp_visit.pk,
        "start_0": "2026-03-05",
        "start_1": "11:30",
        "reason": REASON,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:appointments_appointment_add"), data)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert "Thursday 5 March 2026, 11:30" in message.body
    assert calendar_of(message)[0] == "REQUEST"


def test_a_walk_in_booked_at_the_desk_gets_no_e_mail(
    frozen, receptionist, patient, provider, gp_visit, django_capture_on_commit_callbacks
):
    frozen.move_to(at(2, 9, 3))
    with django_capture_on_commit_callbacks(execute=True):
        book(patient, provider, gp_visit, at(2, 9), by=receptionist)
    assert mail.outbox == []


def test_confirming_a_waitlist_offer_e_mails_the_booking(
    frozen, provider, gp_visit, django_capture_on_commit_callbacks
):
    waiting = PatientFactory()
    entry = waitlist_join(
        patient=waiting,
        appointment_type=gp_visit,
        specialty="general_practice",
        earliest_date=dt.date(2026, 3, 3),
        latest_date=dt.date(2026, 3, 6),
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = waitlist_accept(entry=entry, provider=provider, start=at(4, 11))
    [message] = mail.outbox
    assert message.to == [waiting.email]
    assert message.subject == "Appointment confirmed: Wed 4 Mar, 11:00"
    assert str(calendar_of(message)[1]["uid"]) == f"appointment-{appointment.pk}@clinic"


def test_nothing_is_sent_before_the_booking_commits(
    frozen, patient, provider, gp_visit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        book(patient, provider, gp_visit, at(4, 10), by=patient.user)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []  # captured, not run: the transaction never committed


def test_a_rolled_back_booking_sends_nothing(frozen, patient, provider, gp_visit, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        book(patient, provider, gp_visit, at(4, 10), by=patient.user)
        raise RuntimeError("a later step of the same request failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Appointment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_sends_and_a_real_rollback_does_not(frozen, patient, provider, gp_visit):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(patient, provider, gp_visit, at(4, 10), by=patient.user)
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    book(patient, provider, gp_visit, at(4, 10), by=patient.user)
    assert [m.subject for m in mail.outbox] == ["Appointment confirmed: Wed 4 Mar, 10:00"]


def test_a_failing_mail_server_does_not_break_the_booking_and_logs_no_personal_data(
    frozen, patient, provider, gp_visit, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({patient.email: (550, b"No such user: Alice Archer")})

    monkeypatch.setattr(emails.EmailMultiAlternatives, "send", refuse)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, gp_visit, at(4, 10), by=patient.user)
    assert Appointment.objects.get().status == "booked"
    [record] = [r for r in caplog.records if r.name == "appointments.services.notifications"]
    logged = record.getMessage()
    assert f"appointment {appointment.pk}" in logged and "SMTPRecipientsRefused" in logged
    assert record.exc_info is None  # a traceback would quote the refused address
    for secret in (patient.email, "Alice", "Archer", "Chest pain"):
        assert secret not in caplog.text


def test_a_patient_without_an_e_mail_address_gets_nothing(
    frozen, provider, gp_visit, receptionist, django_capture_on_commit_callbacks
):
    walk_in = PatientFactory(user=None, email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        appointment = book(walk_in, provider, gp_visit, at(4, 10), by=receptionist)
        appointment_cancel(appointment=appointment, cancelled_by=receptionist)
    assert mail.outbox == []
    assert len(callbacks) == 1  # only the waitlist offer of the freed time


def test_a_request_gets_a_received_e_mail_and_the_approval_a_confirmation(
    frozen, patient, provider, receptionist, django_capture_on_commit_callbacks
):
    kind = AppointmentTypeFactory(name="Minor surgery", requires_approval=True, duration_minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, kind, at(4, 10), by=patient.user)
    [received] = mail.outbox
    assert appointment.status == "requested"
    assert received.subject == "Appointment request received: Wed 4 Mar, 10:00"
    assert "not confirmed yet" in received.body and "not confirmed yet" in html_of(received)
    assert received.attachments == []  # no calendar entry for a time that is not confirmed
    assert "Minor surgery" not in received.body

    frozen.shift(dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_approve(appointment=appointment, approved_by=receptionist)
    confirmed = mail.outbox[1]
    assert confirmed.subject == "Appointment confirmed: Wed 4 Mar, 10:00"
    method, event, _mimetype = calendar_of(confirmed)
    assert method == "REQUEST" and str(event["uid"]) == f"appointment-{appointment.pk}@clinic"


def test_a_reschedule_e_mails_the_new_time_and_updates_the_same_calendar_event(
    booked, frozen, receptionist, django_capture_on_commit_callbacks
):
    _method, first_event, _mimetype = calendar_of(mail.outbox[0])
    frozen.shift(dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=booked, new_start=at(5, 14, 30), rescheduled_by=receptionist)
    moved = mail.outbox[-1]
    assert moved.subject == "Appointment moved to Thu 5 Mar, 14:30"
    assert "Wednesday 4 March 2026 at 10:00 has moved" in moved.body
    assert "Thursday 5 March 2026, 14:30" in moved.body and "Thursday 5 March 2026, 14:30" in html_of(moved)
    method, event, _mimetype = calendar_of(moved)
    assert method == "REQUEST"
    assert event["uid"] == first_event["uid"]
    assert event["sequence"] > first_event["sequence"]
    assert event.decoded("dtstart") == at(5, 14, 30)
    assert_no_clinical_detail(moved)


def test_a_cancellation_e_mails_a_calendar_cancel_for_the_same_event(
    booked, frozen, patient, django_capture_on_commit_callbacks
):
    _method, first_event, _mimetype = calendar_of(mail.outbox[0])
    frozen.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, cancelled_by=patient.user, reason="Feeling better, chest pain gone")
    cancelled = mail.outbox[-1]
    assert cancelled.to == [patient.email]
    assert cancelled.subject == "Appointment cancelled: Wed 4 Mar, 10:00"
    assert "https://clinic.example/appointments/book/" in cancelled.body
    method, event, mimetype = calendar_of(cancelled)
    assert method == "CANCEL" and "method=CANCEL" in mimetype
    assert event["uid"] == first_event["uid"]
    assert event["sequence"] > first_event["sequence"]
    assert str(event["status"]) == "CANCELLED"
    for text in (cancelled.body, html_of(cancelled)):
        assert "Feeling better" not in text
    assert_no_clinical_detail(cancelled)


def test_a_cancelled_request_needs_no_calendar_file(frozen, patient, provider, django_capture_on_commit_callbacks):
    kind = AppointmentTypeFactory(requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, kind, at(4, 10), by=patient.user)
        appointment_cancel(appointment=appointment, cancelled_by=patient.user)
    assert [m.subject for m in mail.outbox] == [
        "Appointment request received: Wed 4 Mar, 10:00",
        "Appointment cancelled: Wed 4 Mar, 10:00",
    ]
    assert mail.outbox[1].attachments == []


def test_names_are_escaped_in_the_html_and_plain_in_the_text(
    frozen, patient, provider, gp_visit, django_capture_on_commit_callbacks
):
    provider.user.first_name = "<script>alert(1)</script>"
    provider.user.last_name = "O'Neil & Co"
    provider.user.save()
    provider.default_location.name = "Room <b>2</b>"
    provider.default_location.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(patient, provider, gp_visit, at(4, 10), by=patient.user)
    [message] = mail.outbox
    html = html_of(message)
    assert "<script>" not in html and "<b>2</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Neil &amp; Co" in html
    assert "Room &lt;b&gt;2&lt;/b&gt;" in html
    assert "<script>alert(1)</script> O'Neil & Co" in message.body  # plain text is not HTML
    assert "<" not in message.subject


def test_times_are_in_the_clinic_zone_whatever_zone_is_active(
    settings, frozen, patient, provider, gp_visit, receptionist, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "UTC"
    summer = at(2, 9, month=6)  # 09:00 BST = 08:00 UTC
    with django_capture_on_commit_callbacks(execute=True):
        book(patient, provider, gp_visit, summer, by=receptionist)
    [message] = mail.outbox
    assert message.subject == "Appointment confirmed: Tue 2 Jun, 09:00"
    assert "Tuesday 2 June 2026, 09:00 (BST)" in message.body
    assert calendar_of(message)[1].decoded("dtstart") == summer


def test_each_e_mail_describes_the_appointment_as_its_own_write_left_it(
    frozen, patient, provider, gp_visit, receptionist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, gp_visit, at(4, 10), by=patient.user)
        appointment_reschedule(appointment=appointment, new_start=at(5, 10), rescheduled_by=receptionist)
    assert [m.subject for m in mail.outbox] == [
        "Appointment confirmed: Wed 4 Mar, 10:00",
        "Appointment moved to Thu 5 Mar, 10:00",
    ]
