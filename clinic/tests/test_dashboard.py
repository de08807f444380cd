"""The admin index as each role's dashboard: the right panels, the right numbers, nothing of
another role's confidential panels, and a query count that does not follow the data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from records.tests.factories import ConditionFactory, EncounterFactory

# The clinic time zone, frozen clock and fixture clinic come from clinic/tests/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("london")]

INDEX = "/admin/"

DOCTOR_PANELS = (
    "panel-next-patient",
    "panel-doctor-waiting",
    "panel-doctor-schedule",
    "panel-doctor-symptom-checks",
    "panel-doctor-undiagnosed",
)
NURSE_PANELS = ("panel-nurse-vitals", "panel-nurse-schedule")
RECEPTION_PANELS = (
    "panel-reception-arrivals",
    "panel-reception-requests",
    "panel-reception-offers",
    "panel-reception-no-shows",
)
ADMIN_PANELS = ("panel-kpis", "panel-admin-review", "chart-appointments-per-day")
ALL_PANELS = DOCTOR_PANELS + NURSE_PANELS + RECEPTION_PANELS + ADMIN_PANELS


def page(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(INDEX + query)
    assert response.status_code == 200
    return response.content.decode()


def panels_on(html: str) -> set[str]:
    return {panel for panel in ALL_PANELS if f'id="{panel}"' in html}


def test_a_doctor_sees_their_day_and_no_other_roles_panels(client, clinic, doctor):
    html = page(client, doctor)
    assert panels_on(html) == set(DOCTOR_PANELS)
    # The next patient is Alice, already waiting, linked to her record.
    patient_url = reverse("admin:records_patient_change", args=[clinic.alice.pk])
    next_panel = html.split('id="panel-next-patient"')[1].split('id="panel-doctor-waiting"')[0]
    assert patient_url in next_panel and "Alice Archer" in next_panel
    schedule = html.split('id="panel-doctor-schedule"')[1].split('id="panel-doctor-symptom-checks"')[0]
    assert "Bob Baker" in schedule and "Carol Cole" in schedule
    assert "Dave Dunn" not in schedule  # Julius's patient
    checks = html.split('id="panel-doctor-symptom-checks"')[1].split('id="panel-doctor-undiagnosed"')[0]
    assert "Migraine (G43.9)" in checks and "Alice Archer" in checks
    assert "Common cold" not in checks  # Bob's check is 40 days old
    undiagnosed = html.split('id="panel-doctor-undiagnosed"')[1]
    assert "Dizzy spells" in undiagnosed and "Back pain" in undiagnosed  # provisional is not confirmed
    assert "Follow-up" not in undiagnosed


def test_the_next_patient_is_the_next_booking_when_nobody_waits(client, clinic, doctor):
    clinic.waiting.status = "completed"
    clinic.waiting.save()
    html = page(client, doctor)
    next_panel = html.split('id="panel-next-patient"')[1].split('id="panel-doctor-waiting"')[0]
    assert "Bob Baker" in next_panel and "Nobody is waiting." in html


def test_a_doctor_without_appointments_gets_empty_panels(client, frozen, other_doctor):
    html = page(client, other_doctor)
    assert panels_on(html) == set(DOCTOR_PANELS)
    assert "No more patients booked for today." in html


def test_a_nurse_sees_who_needs_vitals_and_the_schedule_by_location(client, clinic, nurse):
    html = page(client, nurse)
    assert panels_on(html) == set(NURSE_PANELS)
    vitals = html.split('id="panel-nurse-vitals"')[1].split('id="panel-nurse-schedule"')[0]
    assert "Alice Archer" in vitals  # vitals only from before her check-in
    assert "Dave Dunn" not in vitals  # measured after he checked in
    schedule = html.split('id="panel-nurse-schedule"')[1]
    assert schedule.index("Room 1") < schedule.index("Alice Archer") < schedule.index("Room 2")
    assert schedule.index("Room 2") < schedule.index("Dave Dunn")
    assert "Carol Cole" not in schedule  # her appointment today is cancelled
    assert "Migraine" not in html and "kpi-booked" not in html


def test_a_receptionist_sees_the_desk_and_nothing_clinical(client, clinic, receptionist):
    html = page(client, receptionist)
    assert panels_on(html) == set(RECEPTION_PANELS)
    arrivals = html.split('id="panel-reception-arrivals"')[1].split('id="panel-reception-requests"')[0]
    assert "Bob Baker" in arrivals and "Alice Archer" not in arrivals  # Alice already checked in
    assert reverse("admin:dashboard_check_in", args=[clinic.next_booked.pk]) in arrivals
    requests = html.split('id="panel-reception-requests"')[1].split('id="panel-reception-offers"')[0]
    assert reverse("admin:dashboard_approve", args=[clinic.requested.pk]) in requests
    assert "Bob Baker" in html.split('id="panel-reception-offers"')[1].split('id="panel-reception-no-shows"')[0]
    assert "Carol Cole" in html.split('id="panel-reception-no-shows"')[1]
    # No clinical content: no symptom checks, diagnoses, vitals, encounters or reasons.
    for clinical in ("Migraine", "G43.9", "Dizzy spells", "Back pain", "Headaches", "Waiting for vitals"):
        assert clinical not in html


def test_a_clinic_admin_sees_the_kpis_and_charts_and_no_desk_or_clinical_panels(client, clinic, clinic_admin):
    html = page(client, clinic_admin)
    assert panels_on(html) == set(ADMIN_PANELS)
    assert "Dizzy spells" not in html and "Headaches" not in html


def test_a_user_with_two_roles_sees_both(client, clinic, doctor):
    from django.contrib.auth.models import Group

    doctor.groups.add(Group.objects.get(name="Receptionist"))
    html = page(client, doctor)
    assert panels_on(html) == set(DOCTOR_PANELS) | set(RECEPTION_PANELS)


def test_patients_and_anonymous_users_get_no_dashboard(client, clinic, patient_user):
    assert client.get(INDEX).status_code == 302
    client.force_login(patient_user)
    response = client.get(INDEX)
    assert response.status_code in (302, 403)
    assert b"panel-" not in response.content


def test_undiagnosed_lists_each_encounter_once_until_a_live_confirmed_diagnosis(client, doctor):
    two_provisional = EncounterFactory(provider=doctor, reason="Two maybes")
    for _ in range(2):
        ConditionFactory(encounter=two_provisional, patient=two_provisional.patient, verification="provisional")
    struck = EncounterFactory(provider=doctor, reason="Struck out")
    ConditionFactory(encounter=struck, patient=struck.patient, verification="confirmed", entered_in_error=True)
    done = EncounterFactory(provider=doctor, reason="Settled twice")
    for _ in range(2):
        ConditionFactory(encounter=done, patient=done.patient, verification="confirmed")
    undiagnosed = page(client, doctor).split('id="panel-doctor-undiagnosed"')[1]
    assert undiagnosed.count("Two maybes") == 1
    assert "Struck out" in undiagnosed  # the only confirmed diagnosis was entered in error
    assert "Settled twice" not in undiagnosed
