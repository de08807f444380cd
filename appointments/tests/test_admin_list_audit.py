"""The appointment list, the waiting list and the schedule show patients by name: each view is
one audit row naming exactly the patients on that page, for one INSERT more."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appointments.models import Appointment, WaitlistEntry
from appointments.tests.conftest import at
from appointments.tests.factories import AppointmentFactory, WaitlistEntryFactory
from records.tests.factories import PatientFactory
from records.tests.lookup_audit import assert_no_row, assert_one_row_naming, get_audited

pytestmark = pytest.mark.django_db

LIST_AUDIT_AT = "clinic.admin_widgets.audit_lookup"
APPOINTMENTS = reverse("admin:appointments_appointment_changelist")
WAITLIST = reverse("admin:appointments_waitlistentry_changelist")
SCHEDULE = reverse("admin:appointments_schedule")


def mrn(patient) -> str:
    return patient.mrn


def full_name(patient) -> str:
    return patient.full_name


@pytest.fixture
def day(frozen, provider, gp_visit, patient, other_patient):
    """Tuesday 3 March: Alice 09:00, Carol 10:00 (cancelled), Bob 11:00, all with Grace;
    Dan on Wednesday."""
    carol = PatientFactory(given_name="Carol", family_name="Cole")
    dan = PatientFactory(given_name="Dan", family_name="Dunn")

    def book(who, start, status=Appointment.Status.BOOKED):
        return AppointmentFactory(patient=who, provider=provider, appointment_type=gp_visit, start=start, status=status)

    book(patient, at(3, 9))
    book(carol, at(3, 10), Appointment.Status.CANCELLED)
    book(other_patient, at(3, 11))
    book(dan, at(4, 9))
    return {"alice": patient, "bob": other_patient, "carol": carol, "dan": dan}


def shown(page) -> list:
    return [row.patient for row in page.response.context["cl"].result_list]


def test_the_appointment_list_is_one_row_naming_its_patients_in_order(client, monkeypatch, receptionist, day):
    client.force_login(receptionist)
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS)
    alice, bob, carol, dan = day["alice"], day["bob"], day["carol"], day["dan"]
    assert shown(page) == [alice, carol, bob, dan]  # by start
    assert_one_row_naming(
        page, actor=receptionist, what="list:appointments.appointment", patients=[alice, carol, bob, dan], shown_as=mrn
    )


def test_a_filtered_appointment_list_names_the_patients_the_filter_keeps(client, monkeypatch, receptionist, day):
    client.force_login(receptionist)
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS, {"status__exact": "cancelled"})
    assert_one_row_naming(
        page, actor=receptionist, what="list:appointments.appointment", patients=[day["carol"]], shown_as=mrn
    )


def test_a_searched_appointment_list_names_the_patients_found(client, monkeypatch, receptionist, day):
    client.force_login(receptionist)
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS, {"q": "baker"})
    assert_one_row_naming(
        page, actor=receptionist, what="list:appointments.appointment", patients=[day["bob"]], shown_as=mrn
    )


def test_each_page_of_the_appointment_list_names_only_its_own_patients(client, monkeypatch, clinic_admin, day):
    monkeypatch.setattr("appointments.admin.AppointmentAdmin.list_per_page", 2)
    client.force_login(clinic_admin)
    first = get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS)
    second = get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS, {"p": 2})
    for page, patients in ((first, [day["alice"], day["carol"]]), (second, [day["bob"], day["dan"]])):
        assert shown(page) == patients
        assert_one_row_naming(
            page, actor=clinic_admin, what="list:appointments.appointment", patients=patients, shown_as=mrn
        )


def test_an_empty_appointment_list_writes_no_row(client, monkeypatch, receptionist, day):
    client.force_login(receptionist)
    assert_no_row(get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS, {"status__exact": "no_show"}))
    Appointment.objects.filter(patient=day["dan"]).update(status=Appointment.Status.NO_SHOW)
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, APPOINTMENTS, {"status__exact": "no_show"})
    assert_one_row_naming(
        page, actor=receptionist, what="list:appointments.appointment", patients=[day["dan"]], shown_as=mrn
    )


def test_the_waiting_list_is_one_row_naming_its_patients(client, monkeypatch, receptionist, frozen, gp_visit, day):
    WaitlistEntryFactory(patient=day["dan"], appointment_type=gp_visit)
    frozen.shift(60)
    WaitlistEntryFactory(patient=day["alice"], appointment_type=gp_visit)
    WaitlistEntryFactory(patient=day["bob"], appointment_type=gp_visit, status=WaitlistEntry.Status.CANCELLED)
    client.force_login(receptionist)
    waiting = get_audited(client, monkeypatch, LIST_AUDIT_AT, WAITLIST, {"status__exact": "waiting"})
    assert_one_row_naming(
        waiting,
        actor=receptionist,
        what="list:appointments.waitlistentry",
        patients=[day["dan"], day["alice"]],  # in the order they joined
        shown_as=mrn,
    )
    assert_no_row(get_audited(client, monkeypatch, LIST_AUDIT_AT, WAITLIST, {"status__exact": "offered"}))


def test_the_schedule_is_one_row_naming_the_patients_of_the_days_shown(client, monkeypatch, receptionist, day):
    client.force_login(receptionist)
    tuesday = get_audited(client, monkeypatch, "appointments.admin.audit_lookup", SCHEDULE, {"date": "2026-03-03"})
    assert_one_row_naming(
        tuesday,
        actor=receptionist,
        what="schedule",
        patients=[day["alice"], day["carol"], day["bob"]],
        shown_as=full_name,
    )
    sunday = get_audited(client, monkeypatch, "appointments.admin.audit_lookup", SCHEDULE, {"date": "2026-03-08"})
    assert_no_row(sunday)
