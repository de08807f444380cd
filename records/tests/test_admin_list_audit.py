"""The patient list and the break-the-glass list show patients' names and MRNs: each view is one
audit row naming exactly the patients on that page (clinic.admin_widgets.AuditedChangelistMixin),
for one INSERT more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from records.tests.factories import CareRelationshipFactory, EmergencyAccessFactory, PatientFactory
from records.tests.lookup_audit import assert_no_row, assert_one_row_naming, get_audited

pytestmark = pytest.mark.django_db

AUDIT_AT = "clinic.admin_widgets.audit_lookup"
PATIENTS = reverse("admin:records_patient_changelist")


def mrn(patient) -> str:
    return patient.mrn


@pytest.fixture
def archers(patient, other_patient):
    """Alice Archer (with a login) and two Archers without one; Bob Baker matches no search here."""
    return [
        patient,
        PatientFactory(given_name="Carol", family_name="Archer"),
        PatientFactory(given_name="Dan", family_name="Archer"),
    ]


def shown(page) -> list:
    return list(page.response.context["cl"].result_list)


def test_a_search_of_the_patient_list_is_one_row_naming_the_patients_found(
    client, monkeypatch, receptionist, archers, other_patient
):
    client.force_login(receptionist)
    page = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS, {"q": "archer"})
    assert set(shown(page)) == set(archers)
    assert_one_row_naming(page, actor=receptionist, what="list:records.patient", patients=shown(page), shown_as=mrn)


def test_each_page_of_the_patient_list_names_only_its_own_patients(client, monkeypatch, clinic_admin, archers):
    monkeypatch.setattr("records.admin.patients.PatientAdmin.list_per_page", 2)
    client.force_login(clinic_admin)
    first = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS, {"q": "archer"})
    second = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS, {"q": "archer", "p": 2})
    assert len(shown(first)) == 2 and len(shown(second)) == 1
    assert set(shown(first) + shown(second)) == set(archers)
    for page in (first, second):
        assert_one_row_naming(page, actor=clinic_admin, what="list:records.patient", patients=shown(page), shown_as=mrn)


def test_a_filtered_patient_list_names_the_patients_the_filter_keeps(client, monkeypatch, clinic_admin, archers):
    client.force_login(clinic_admin)
    page = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS, {"login": "no"})  # the two walk-ins
    assert set(shown(page)) == set(archers[1:])
    assert_one_row_naming(page, actor=clinic_admin, what="list:records.patient", patients=shown(page), shown_as=mrn)


def test_a_doctors_patient_list_names_only_the_patients_in_their_care(client, monkeypatch, doctor, archers):
    CareRelationshipFactory(staff=doctor, patient=archers[1])
    client.force_login(doctor)
    page = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS)
    assert_one_row_naming(page, actor=doctor, what="list:records.patient", patients=[archers[1]], shown_as=mrn)


def test_a_patient_list_that_shows_nobody_writes_no_row(client, monkeypatch, receptionist, archers):
    client.force_login(receptionist)
    page = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS, {"q": "nobody-by-that-name"})
    assert shown(page) == []
    assert_no_row(page)
    found = get_audited(client, monkeypatch, AUDIT_AT, PATIENTS, {"q": "carol"})  # the same search, a name
    assert_one_row_naming(found, actor=receptionist, what="list:records.patient", patients=[archers[1]], shown_as=mrn)


def test_the_break_the_glass_list_names_the_patients_opened(client, monkeypatch, clinic_admin, doctor, archers):
    now = timezone.now()
    EmergencyAccessFactory(staff=doctor, patient=archers[2], granted_at=now - dt.timedelta(hours=2))
    EmergencyAccessFactory(staff=doctor, patient=archers[0], granted_at=now - dt.timedelta(hours=1))
    client.force_login(clinic_admin)
    page = get_audited(client, monkeypatch, AUDIT_AT, reverse("admin:records_emergencyaccess_changelist"))
    assert_one_row_naming(
        page,
        actor=clinic_admin,
        what="list:records.emergencyaccess",
        patients=[archers[0], archers[2]],  # newest first
        shown_as=mrn,
    )
