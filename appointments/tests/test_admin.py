from __future__ import annotations

import pytest
from django.urls import reverse

from appointments.models import Appointment
from appointments.services import appointment_book
from appointments.tests.conftest import at
from appointments.tests.factories import AppointmentFactory
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def add_data(patient, provider, kind, day, time, reason=""):
    return {
        "patient": patient.pk,
        "provider": provider.pk,
        "appointment_type": kind.pk,
        "start_0": day,
        "start_1": time,
        "reason": reason,
    }


def test_receptionist_books_a_walk_in_through_the_service(client, frozen, receptionist, provider, gp_visit):
    walk_in = PatientFactory(user=None)
    frozen.move_to(at(2, 9, 3))
    client.force_login(receptionist)
    page = client.get(reverse("admin:appointments_appointment_add"))
    assert page.status_code == 200
    assert 'aria-label="Start date"' in page.content.decode()
    assert 'aria-label="Start time"' in page.content.decode()
    response = client.post(
        reverse("admin:appointments_appointment_add"), add_data(walk_in, provider, gp_visit, "2026-03-02", "09:00")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.start, appointment.booked_by) == (walk_in, at(2, 9), receptionist)
    assert appointment.busy_until == at(2, 9, 15)


def test_a_taken_time_is_a_form_error_not_a_500(client, frozen, receptionist, patient, provider, gp_visit):
    appointment_book(
        patient=patient, provider=provider, start=at(2, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    client.force_login(receptionist)
    response = client.post(
        reverse("admin:appointments_appointment_add"),
        add_data(PatientFactory(), provider, gp_visit, "2026-03-02", "10:05"),
    )
    assert response.status_code == 200
    assert "just taken" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_changing_the_start_reschedules(client, frozen, receptionist, patient, provider, gp_visit):
    appointment = appointment_book(
        patient=patient, provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    client.force_login(receptionist)
    url = reverse("admin:appointments_appointment_change", args=[appointment.pk])
    assert client.get(url).status_code == 200
    from auditlog.models import LogEntry

    read = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=receptionist).latest("pk")
    assert read.additional_data["what"] == "appointment"
    assert read.additional_data["object_id"] == appointment.pk
    response = client.post(url, {"start_0": "2026-03-04", "start_1": "11:30", "reason": "Moved by phone"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.start, appointment.end, appointment.reason) == (at(4, 11, 30), at(4, 11, 45), "Moved by phone")


def test_status_actions_go_through_the_services(client, frozen, nurse, patient, provider, gp_visit):
    first = appointment_book(
        patient=patient, provider=provider, start=at(2, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    future = AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(9, 10))
    client.force_login(nurse)
    changelist = reverse("admin:appointments_appointment_changelist")
    client.post(changelist, {"action": "check_in", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == "checked_in"
    response = client.post(changelist, {"action": "mark_no_show", "_selected_action": [future.pk]}, follow=True)
    future.refresh_from_db()
    assert future.status == "booked"
    assert "not started" in response.content.decode()


def test_the_changelist_filters_today_in_few_queries(
    client, frozen, receptionist, provider, gp_visit, django_assert_max_num_queries
):
    for hour in (9, 10, 11):
        AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(2, hour))
    AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(3, 10))
    client.force_login(receptionist)
    # session, user, OTP device, groups/permissions, counts, the page of rows with its joins, filters.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:appointments_appointment_changelist"), {"when": "today"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


def test_schedule_day_and_week_views(client, frozen, receptionist, provider, other_provider, gp_visit):
    AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(2, 9))
    AppointmentFactory(provider=other_provider, appointment_type=gp_visit, start=at(2, 9))
    AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(4, 9))
    client.force_login(receptionist)
    url = reverse("admin:appointments_schedule")
    day = client.get(url, {"date": "2026-03-02"})
    assert day.status_code == 200
    assert sum(len(rows) for _d, rows in day.context["days"]) == 2
    week = client.get(url, {"date": "2026-03-04", "view": "week", "provider": provider.pk})
    assert [len(rows) for _d, rows in week.context["days"]] == [1, 0, 1, 0, 0, 0, 0]
    assert "Grace Hopper" in week.content.decode()


def test_the_schedule_is_for_staff_only(client, patient_user):
    client.force_login(patient_user)
    response = client.get(reverse("admin:appointments_schedule"))
    assert response.status_code == 302  # to the admin login


def test_appointments_cannot_be_deleted(client, frozen, clinic_admin, provider, gp_visit):
    appointment = AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(2, 9))
    client.force_login(clinic_admin)
    response = client.get(reverse("admin:appointments_appointment_delete", args=[appointment.pk]))
    assert response.status_code == 403
