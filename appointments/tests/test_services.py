from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from appointments.models import Appointment
from appointments.selectors import available_slots
from appointments.services import (
    SLOT_TAKEN,
    appointment_approve,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_start,
)
from appointments.tests.conftest import at
from appointments.tests.factories import AppointmentTypeFactory, ProviderFactory, TimeOffFactory
from records.models import CareRelationship

pytestmark = pytest.mark.django_db


def book(patient, provider, start, kind, by, **kwargs):
    return appointment_book(
        patient=patient, provider=provider, start=start, appointment_type=kind, booked_by=by, **kwargs
    )


def test_it_books_a_free_slot_and_grants_the_provider_care_access(frozen, patient, provider, gp_visit):
    appointment = book(patient, provider, at(2, 10), gp_visit, patient.user, reason="Cough")
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.end == at(2, 10, 15)
    assert appointment.location == provider.default_location
    assert appointment.booked_by == patient.user
    assert CareRelationship.objects.filter(patient=patient, staff=provider.user, source="appointment").exists()
    assert at(2, 10) not in available_slots(provider=provider, appointment_type=gp_visit, start=at(2, 0), end=at(3, 0))


def test_it_rejects_a_taken_slot(frozen, patient, other_patient, provider, gp_visit):
    book(patient, provider, at(2, 10), gp_visit, patient.user)
    with pytest.raises(ValidationError) as excinfo:
        book(other_patient, provider, at(2, 10), gp_visit, other_patient.user)
    assert excinfo.value.code == SLOT_TAKEN
    assert Appointment.objects.count() == 1


def test_it_rejects_an_overlap_inside_the_buffer(frozen, patient, other_patient, provider, long_visit, receptionist):
    book(patient, provider, at(2, 10, 20), long_visit, patient.user)  # busy until 11:00
    with pytest.raises(ValidationError) as excinfo:
        book(other_patient, provider, at(2, 10, 55), long_visit, receptionist)
    assert excinfo.value.code == SLOT_TAKEN


def test_a_patient_cannot_be_in_two_places_at_once(frozen, patient, provider, other_provider, gp_visit):
    book(patient, provider, at(2, 10), gp_visit, patient.user)
    with pytest.raises(ValidationError, match="already have an appointment"):
        book(patient, other_provider, at(2, 10), gp_visit, patient.user)


def test_patients_cannot_book_too_soon_or_in_the_past(frozen, patient, provider, gp_visit):
    for start in (at(2, 9), at(2, 9, 45), at(1, 10)):
        with pytest.raises(ValidationError, match="too soon"):
            book(patient, provider, start, gp_visit, patient.user)


def test_an_offered_slot_stays_bookable_for_a_while_after_the_notice_passes_it(frozen, patient, provider, gp_visit):
    # 10:00 was offered at 08:00 (the first start after two hours' notice).
    frozen.move_to(at(2, 8, 11))  # past the ten-minute hold: too late for 10:00
    with pytest.raises(ValidationError, match="too soon"):
        book(patient, provider, at(2, 10), gp_visit, patient.user)
    frozen.move_to(at(2, 8, 5))  # within it: the patient still gets the slot they chose
    assert book(patient, provider, at(2, 10), gp_visit, patient.user).start == at(2, 10)


def test_a_patient_never_books_a_start_in_the_past(frozen, settings, patient, provider, gp_visit):
    settings.BOOKING_MIN_NOTICE_MINUTES = 0  # the hold reaches back before now: still refused
    frozen.move_to(at(2, 10, 1))
    with pytest.raises(ValidationError, match="too soon"):
        book(patient, provider, at(2, 10), gp_visit, patient.user)


def test_staff_can_book_a_walk_in_now(frozen, patient, provider, gp_visit, receptionist):
    frozen.move_to(at(2, 9, 7))
    appointment = book(patient, provider, at(2, 9, 7), gp_visit, receptionist)
    assert appointment.booked_by == receptionist


def test_staff_cannot_book_in_the_past(frozen, patient, provider, gp_visit, receptionist):
    frozen.move_to(at(2, 12))
    with pytest.raises(ValidationError, match="past"):
        book(patient, provider, at(2, 9), gp_visit, receptionist)


def test_patients_cannot_book_beyond_the_horizon(frozen, settings, patient, provider, gp_visit):
    settings.BOOKING_HORIZON_DAYS = 7
    with pytest.raises(ValidationError, match="too far ahead"):
        book(patient, provider, at(10, 10), gp_visit, patient.user)


def test_it_rejects_times_outside_availability(frozen, patient, provider, gp_visit, receptionist):
    for start in (at(2, 16, 50), at(2, 18), at(7, 10)):  # visit overruns 17:00, evening, Saturday
        with pytest.raises(ValidationError, match="not available"):
            book(patient, provider, start, gp_visit, receptionist)


def test_it_rejects_time_off(frozen, patient, provider, gp_visit):
    TimeOffFactory(provider=provider, start=at(3, 0), end=at(4, 0))
    with pytest.raises(ValidationError, match="not available"):
        book(patient, provider, at(3, 10), gp_visit, patient.user)


def test_it_rejects_the_wrong_specialty(frozen, patient, provider):
    cardiology = AppointmentTypeFactory(specialty="cardiology", duration_minutes=30)
    with pytest.raises(ValidationError, match="does not offer"):
        book(patient, provider, at(2, 10), cardiology, patient.user)


def test_patients_book_only_offered_times_but_staff_may_book_off_grid(frozen, patient, provider, gp_visit, nurse):
    with pytest.raises(ValidationError, match="offered times"):
        book(patient, provider, at(2, 10, 5), gp_visit, patient.user)
    assert book(patient, provider, at(2, 10, 5), gp_visit, nurse).start == at(2, 10, 5)


def test_online_booking_rules_of_type_and_provider(frozen, patient, provider, gp_visit, receptionist):
    phone_only = AppointmentTypeFactory(bookable_online=False)
    with pytest.raises(ValidationError, match="cannot be booked online"):
        book(patient, provider, at(2, 10), phone_only, patient.user)
    assert book(patient, provider, at(2, 10), phone_only, receptionist).status == "booked"

    other = ProviderFactory(accepting_new_patients=False)
    other.availability_rules.create(weekday=0, start_time=dt.time(9), end_time=dt.time(17))
    with pytest.raises(ValidationError, match="not accepting new patients"):
        book(patient, other, at(2, 11), gp_visit, patient.user)


def test_a_type_needing_approval_is_requested_and_staff_approve_it(frozen, patient, provider, receptionist):
    kind = AppointmentTypeFactory(requires_approval=True)
    appointment = book(patient, provider, at(2, 10), kind, patient.user)
    assert appointment.status == Appointment.Status.REQUESTED
    appointment_approve(appointment=appointment, approved_by=receptionist)
    assert appointment.status == Appointment.Status.BOOKED


def test_naive_datetimes_are_rejected(frozen, patient, provider, gp_visit):
    with pytest.raises(ValidationError):
        book(patient, provider, dt.datetime(2026, 3, 2, 10), gp_visit, patient.user)


# --- cancel and reschedule ----------------------------------------------------------------


def test_a_patient_cancels_before_the_cutoff_and_the_slot_frees(frozen, patient, provider, gp_visit):
    appointment = book(patient, provider, at(4, 10), gp_visit, patient.user)
    appointment_cancel(appointment=appointment, cancelled_by=patient.user, reason="Feeling better")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.cancelled_by == patient.user
    assert appointment.cancellation_reason == "Feeling better"
    assert appointment.cancelled_at is not None
    slots = available_slots(provider=provider, appointment_type=gp_visit, start=at(4, 10), end=at(4, 11))
    assert at(4, 10) in slots
    # The freed time can be booked again.
    assert book(patient, provider, at(4, 10), gp_visit, patient.user).status == "booked"


def test_a_patient_cannot_cancel_after_the_cutoff_but_staff_can(frozen, patient, provider, gp_visit, receptionist):
    appointment = book(patient, provider, at(2, 15), gp_visit, patient.user)
    with pytest.raises(ValidationError, match="24 hours"):
        appointment_cancel(appointment=appointment, cancelled_by=patient.user)
    appointment_cancel(appointment=appointment, cancelled_by=receptionist, reason="Doctor ill")
    assert appointment.status == "cancelled"


def test_the_cutoff_is_configurable(frozen, settings, patient, provider, gp_visit):
    settings.CANCEL_CUTOFF_HOURS = 2
    appointment = book(patient, provider, at(2, 15), gp_visit, patient.user)
    appointment_cancel(appointment=appointment, cancelled_by=patient.user)
    assert appointment.status == "cancelled"


def test_a_finished_appointment_cannot_be_cancelled(frozen, patient, provider, gp_visit, receptionist):
    appointment = book(patient, provider, at(2, 10), gp_visit, receptionist)
    appointment_check_in(appointment=appointment, checked_in_by=receptionist)
    appointment_complete(appointment=appointment, completed_by=receptionist)
    with pytest.raises(ValidationError, match="no longer"):
        appointment_cancel(appointment=appointment, cancelled_by=receptionist)


def test_reschedule_moves_the_appointment_and_frees_the_old_time(frozen, patient, other_patient, provider, gp_visit):
    appointment = book(patient, provider, at(4, 10), gp_visit, patient.user)
    appointment.reminder_sent_at = at(2, 8)
    appointment.save()
    appointment_reschedule(appointment=appointment, new_start=at(5, 11), rescheduled_by=patient.user)
    appointment.refresh_from_db()
    assert (appointment.start, appointment.end) == (at(5, 11), at(5, 11, 15))
    assert appointment.reminder_sent_at is None
    assert book(other_patient, provider, at(4, 10), gp_visit, other_patient.user).start == at(4, 10)


def test_reschedule_into_a_taken_slot_is_rejected(frozen, patient, other_patient, provider, gp_visit):
    mine = book(patient, provider, at(4, 10), gp_visit, patient.user)
    book(other_patient, provider, at(4, 11), gp_visit, other_patient.user)
    with pytest.raises(ValidationError) as excinfo:
        appointment_reschedule(appointment=mine, new_start=at(4, 11), rescheduled_by=patient.user)
    assert excinfo.value.code == SLOT_TAKEN
    mine.refresh_from_db()
    assert mine.start == at(4, 10)


def test_reschedule_into_an_overlap_with_itself_is_allowed(frozen, patient, provider, long_visit):
    appointment = book(patient, provider, at(4, 10, 20), long_visit, patient.user)
    appointment_reschedule(appointment=appointment, new_start=at(4, 11), rescheduled_by=patient.user)
    assert appointment.start == at(4, 11)


def test_a_patient_cannot_reschedule_after_the_cutoff(frozen, patient, provider, gp_visit):
    appointment = book(patient, provider, at(2, 15), gp_visit, patient.user)
    with pytest.raises(ValidationError, match="24 hours"):
        appointment_reschedule(appointment=appointment, new_start=at(5, 11), rescheduled_by=patient.user)


# --- the visit ----------------------------------------------------------------------------


def test_the_visit_goes_through_check_in_start_and_completion(frozen, patient, provider, gp_visit, nurse, doctor):
    appointment = book(patient, provider, at(2, 10), gp_visit, patient.user)
    appointment_check_in(appointment=appointment, checked_in_by=nurse)
    assert appointment.status == "checked_in" and appointment.checked_in_at is not None
    appointment_start(appointment=appointment, started_by=doctor)
    appointment_complete(appointment=appointment, completed_by=doctor)
    appointment.refresh_from_db()
    assert appointment.status == "completed" and appointment.completed_at is not None


def test_impossible_status_changes_are_rejected(frozen, patient, provider, gp_visit, nurse):
    appointment = book(patient, provider, at(2, 10), gp_visit, patient.user)
    with pytest.raises(ValidationError):
        appointment_complete(appointment=appointment, completed_by=nurse)
    with pytest.raises(ValidationError, match="not started"):
        appointment_mark_no_show(appointment=appointment, marked_by=nurse)
    frozen.move_to(at(2, 10, 30))
    appointment_mark_no_show(appointment=appointment, marked_by=nurse)
    assert appointment.status == "no_show"


def test_status_changes_are_audited(frozen, patient, provider, gp_visit, nurse):
    from auditlog.models import LogEntry

    appointment = book(patient, provider, at(2, 10), gp_visit, patient.user)
    appointment_check_in(appointment=appointment, checked_in_by=nurse)
    entries = LogEntry.objects.get_for_object(appointment)
    assert any("status" in (entry.changes_dict or {}) for entry in entries)
