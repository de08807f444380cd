"""The admin's autocomplete shows patients' names and MRNs: scoped, and every answer audited."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from records.tests.factories import CareRelationshipFactory, EncounterFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _autocomplete(client, *, model_name: str, field_name: str = "patient", term: str = "", app_label="records"):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [int(result["id"]) for result in response.json()["results"]]


def _lookup_rows():
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk="").order_by("pk")


@pytest.fixture
def cared_for(doctor, patient):
    """Alice and a second patient of Grace's (the ``doctor``); Bob is not in her care."""
    CareRelationshipFactory(staff=doctor, patient=patient)
    second = PatientFactory(given_name="Carol", family_name="Archer")
    CareRelationshipFactory(staff=doctor, patient=second)
    return [patient, second]


@pytest.mark.parametrize("model_name", ["encounter", "observation", "condition"])
def test_a_doctors_patient_autocomplete_is_one_audit_row_naming_exactly_the_patients_shown(
    client, doctor, cared_for, other_patient, model_name
):
    client.force_login(doctor)
    shown = _autocomplete(client, model_name=model_name, term="Archer")
    assert sorted(shown) == sorted(p.pk for p in cared_for)
    (row,) = _lookup_rows()
    assert row.actor == doctor
    assert row.additional_data == {"what": f"autocomplete:records.{model_name}.patient", "patient_ids": shown}
    assert other_patient.pk not in row.additional_data["patient_ids"]


def test_the_autocomplete_never_shows_or_logs_a_patient_outside_the_doctors_care(
    client, doctor, cared_for, other_patient
):
    client.force_login(doctor)
    assert _autocomplete(client, model_name="encounter", term="Baker") == []  # Bob exists, not in her care
    assert other_patient.pk not in _autocomplete(client, model_name="encounter")  # the empty first search
    rows = list(_lookup_rows())
    assert len(rows) == 1  # the answer that named nobody wrote nothing
    assert set(rows[0].additional_data["patient_ids"]) == {p.pk for p in cared_for}


def test_an_autocomplete_page_logs_only_that_page(client, clinic_admin):
    PatientFactory.create_batch(25, family_name="Archer")
    client.force_login(clinic_admin)
    first = _autocomplete(client, model_name="encounter", term="Archer")
    assert len(first) == 20  # Django's autocomplete pages by 20
    assert _lookup_rows().get().additional_data["patient_ids"] == first


def test_an_encounter_autocomplete_logs_the_encounters_patients(client, doctor, patient, other_patient):
    mine = EncounterFactory(patient=patient, provider=doctor, reason="Headache")
    EncounterFactory(patient=other_patient, reason="Headache")
    CareRelationshipFactory(staff=doctor, patient=patient)
    client.force_login(doctor)
    assert _autocomplete(client, model_name="condition", field_name="encounter", term="Headache") == [mine.pk]
    assert _lookup_rows().get().additional_data == {
        "what": "autocomplete:records.condition.encounter",
        "patient_ids": [patient.pk],
    }


def test_a_receptionists_appointment_patient_search_is_audited(client, receptionist, patient, other_patient):
    client.force_login(receptionist)
    shown = _autocomplete(client, app_label="appointments", model_name="appointment", term="Baker")
    assert shown == [other_patient.pk]
    assert _lookup_rows().get().additional_data["patient_ids"] == [other_patient.pk]


def test_an_autocomplete_of_non_patient_data_writes_no_audit_row(client, clinic_admin, doctor):
    client.force_login(clinic_admin)
    assert doctor.pk in _autocomplete(client, app_label="appointments", model_name="provider", field_name="user")
    assert not _lookup_rows().exists()
