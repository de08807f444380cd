from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from appointments import links
from appointments.models import Appointment, WaitlistEntry
from appointments.services import (
    SLOT_TAKEN,
    appointment_book,
    appointment_cancel,
    waitlist_accept,
    waitlist_join,
    waitlist_offer_slot,
)
from appointments.tests.conftest import at
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def join(patient, kind, *, provider=None, first=dt.date(2026, 3, 3), last=dt.date(2026, 3, 6)):
    return waitlist_join(
        patient=patient,
        appointment_type=kind,
        specialty="" if provider else "general_practice",
        provider=provider,
        earliest_date=first,
        latest_date=last,
    )


@pytest.fixture
def taken(frozen, provider, gp_visit):
    """Wednesday 10:00 is booked by someone who will cancel."""
    holder = PatientFactory()
    return appointment_book(
        patient=holder, provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=provider.user
    )


def offers() -> list:
    """The waitlist offers sent (the cancelled patient's own notice is not one)."""
    return [message for message in mail.outbox if message.subject.startswith("An appointment is free")]


def urls_in(message) -> list[str]:
    return [line.strip() for line in message.body.splitlines() if line.strip().startswith("https://clinic.example/")]


def test_a_freed_slot_is_offered_in_order_of_joining(
    taken, frozen, provider, gp_visit, receptionist, django_capture_on_commit_callbacks, settings
):
    settings.WAITLIST_OFFER_BATCH = 2
    waiting = []
    for _ in range(3):
        frozen.shift(dt.timedelta(minutes=1))
        waiting.append(join(PatientFactory(), gp_visit))
    outside = join(PatientFactory(), gp_visit, first=dt.date(2026, 3, 5), last=dt.date(2026, 3, 6))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=taken, cancelled_by=receptionist)
    assert [m.to[0] for m in offers()] == [waiting[0].patient.email, waiting[1].patient.email]
    statuses = dict(WaitlistEntry.objects.values_list("pk", "status"))
    assert statuses[waiting[0].pk] == statuses[waiting[1].pk] == "offered"
    assert statuses[waiting[2].pk] == "waiting"
    assert statuses[outside.pk] == "waiting"
    assert "10:00" in offers()[0].body


def test_entries_for_another_provider_or_specialty_are_not_offered(taken, frozen, other_provider, gp_visit):
    join(PatientFactory(), gp_visit, provider=other_provider)
    cardiology = PatientFactory()
    WaitlistEntry.objects.create(
        patient=cardiology,
        appointment_type=gp_visit,
        specialty="cardiology",
        earliest_date=dt.date(2026, 3, 3),
        latest_date=dt.date(2026, 3, 6),
    )
    assert waitlist_offer_slot(provider_id=taken.provider_id, start=at(4, 11)) == []


def test_first_to_confirm_gets_the_slot_and_the_second_is_told_it_is_taken(
    taken, frozen, provider, gp_visit, receptionist, django_capture_on_commit_callbacks
):
    first, second = join(PatientFactory(), gp_visit), join(PatientFactory(), gp_visit)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=taken, cancelled_by=receptionist)
    assert len(offers()) == 2
    # The second patient to be e-mailed answers first: confirming is what counts.
    appointment = waitlist_accept(entry=second, provider=provider, start=at(4, 10))
    assert appointment.patient == second.patient and appointment.status == "booked"
    with pytest.raises(ValidationError) as excinfo:
        waitlist_accept(entry=first, provider=provider, start=at(4, 10))
    assert excinfo.value.code == SLOT_TAKEN
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "waiting"  # the offer was withdrawn: on the list for the next one
    assert first.offered_start is None
    assert second.status == "booked" and second.appointment == appointment
    assert Appointment.objects.filter(start=at(4, 10), status="booked").count() == 1


def test_the_offer_link_books_without_logging_in(
    client, taken, frozen, provider, gp_visit, receptionist, django_capture_on_commit_callbacks
):
    entry = join(PatientFactory(), gp_visit)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=taken, cancelled_by=receptionist)
    path = urls_in(offers()[0])[0].removeprefix("https://clinic.example")
    assert client.get(path).status_code == 200
    assert not Appointment.objects.filter(patient=entry.patient).exists()
    response = client.post(path)
    assert response.status_code == 200
    assert Appointment.objects.get(patient=entry.patient).start == at(4, 10)
    # A second click on the same link does not book twice.
    assert client.post(path).status_code == 400


def test_an_offer_link_expires(
    client, taken, frozen, provider, gp_visit, receptionist, django_capture_on_commit_callbacks
):
    entry = join(PatientFactory(), gp_visit)
    token = links.waitlist_token(entry, provider_id=provider.pk, start=at(4, 10))
    path = f"/appointments/w/{token}/"
    with time_machine.travel(at(2, 8) + dt.timedelta(hours=13), tick=False):
        response = client.post(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert client.post(f"/appointments/w/{token}x/").status_code == 400


def test_a_taken_offer_shows_a_clear_message(client, taken, frozen, provider, gp_visit):
    entry = join(PatientFactory(), gp_visit)
    token = links.waitlist_token(entry, provider_id=provider.pk, start=at(4, 10))  # still taken
    response = client.post(f"/appointments/w/{token}/")
    assert response.status_code == 409
    assert "just taken" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_joining_needs_a_target_and_a_sane_range(frozen, patient, gp_visit):
    with pytest.raises(ValidationError):
        waitlist_join(
            patient=patient,
            appointment_type=gp_visit,
            earliest_date=dt.date(2026, 3, 3),
            latest_date=dt.date(2026, 3, 6),
        )
    with pytest.raises(ValidationError):
        join(patient, gp_visit, first=dt.date(2026, 3, 6), last=dt.date(2026, 3, 3))
