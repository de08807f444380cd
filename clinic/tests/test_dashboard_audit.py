"""The dashboard's panels name patients (schedules, arrivals, requests, offers, no-shows, symptom
checks, the break-the-glass review): each view is one audit row naming exactly the patients its
panels show, in the page's order, for one INSERT more; none when they show nobody.

The clinic (clinic/tests/dashboard_fixtures.py) on Wednesday 4 March 2026, 10:00 London."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.tests.factories import AppointmentFactory, ProviderFactory
from clinic.tests.dashboard_fixtures import NOW
from records.tests.factories import EmergencyAccessFactory
from records.tests.lookup_audit import assert_no_row, assert_one_row_naming, get_audited

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("london")]

AUDIT_AT = "clinic.dashboard.views.audit_lookup"
DASHBOARD = "/admin/"


def full_name(patient) -> str:
    return patient.full_name


def test_a_doctors_dashboard_names_the_patients_of_their_panels(client, monkeypatch, clinic, doctor):
    client.force_login(doctor)
    page = get_audited(client, monkeypatch, AUDIT_AT, DASHBOARD)
    # Next patient and waiting: Alice (checked in); today's schedule: Alice, Bob, Carol (cancelled);
    # symptom checks: Alice; encounters without a confirmed diagnosis: Carol, Alice.
    assert_one_row_naming(
        page, actor=doctor, what="dashboard", patients=[clinic.alice, clinic.bob, clinic.carol], shown_as=full_name
    )


def test_a_nurses_dashboard_names_the_patients_of_their_panels(client, monkeypatch, clinic, nurse):
    client.force_login(nurse)
    page = get_audited(client, monkeypatch, AUDIT_AT, DASHBOARD)
    # Waiting for vitals: Alice; still to come by location: Room 1 Alice, Bob; Room 2 Dave.
    assert_one_row_naming(
        page, actor=nurse, what="dashboard", patients=[clinic.alice, clinic.bob, clinic.dave], shown_as=full_name
    )


def test_the_front_desks_dashboard_names_the_patients_of_its_panels(client, monkeypatch, clinic, receptionist):
    client.force_login(receptionist)
    page = get_audited(client, monkeypatch, AUDIT_AT, DASHBOARD)
    # Arrivals: Bob; requests: Carol (tomorrow); waitlist offers: Bob; no-shows: Carol.
    assert_one_row_naming(
        page, actor=receptionist, what="dashboard", patients=[clinic.bob, clinic.carol], shown_as=full_name
    )


def test_a_clinic_admins_dashboard_names_the_patients_of_the_break_the_glass_review(
    client, monkeypatch, clinic, clinic_admin
):
    client.force_login(clinic_admin)
    page = get_audited(client, monkeypatch, AUDIT_AT, DASHBOARD)
    # Alice's record opened yesterday, shown by MRN; Bob's 60 days ago is outside the range.
    assert_one_row_naming(page, actor=clinic_admin, what="dashboard", patients=[clinic.alice], shown_as=lambda p: p.mrn)
    assert clinic.bob.mrn not in page.html


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist", "clinic_admin"])
def test_a_dashboard_that_names_nobody_writes_no_row(client, monkeypatch, request, frozen, doctor, patient, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert_no_row(get_audited(client, monkeypatch, AUDIT_AT, DASHBOARD))
    # Then one patient on a panel of each role: an opening to review, or a booking later today.
    if persona == "clinic_admin":
        EmergencyAccessFactory(patient=patient, granted_at=NOW - dt.timedelta(hours=1))
    else:
        AppointmentFactory(patient=patient, provider=ProviderFactory(user=doctor), start=NOW + dt.timedelta(hours=1))
    page = get_audited(client, monkeypatch, AUDIT_AT, DASHBOARD)
    shown_as = (lambda p: p.mrn) if persona == "clinic_admin" else full_name
    assert_one_row_naming(page, actor=user, what="dashboard", patients=[patient], shown_as=shown_as)
