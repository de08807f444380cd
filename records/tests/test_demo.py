from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from fhir.resources.R4B.bundle import Bundle

from records import icd10
from records.fhir import record_bundle
from records.models import Condition, Encounter, Observation, Patient

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--patients", "6", *args, stdout=out)
    return out.getvalue()


def test_every_demo_patient_gets_a_realistic_record_once():
    _seed()
    patients = list(Patient.objects.select_related("user"))
    assert len(patients) == 6 and all(p.user is not None for p in patients)
    for patient in patients:
        assert patient.encounters.count() >= 2
        assert patient.conditions.filter(verification="confirmed").exists()
        vitals = patient.observations.filter(kind=Observation.Kind.VITALS, code="8480-6")
        assert vitals.count() >= 2
        labs = patient.observations.filter(kind=Observation.Kind.LAB)
        assert labs.filter(abnormal__in=["H", "L"]).count() >= 1
        assert patient.notes.exists()
        assert patient.care_relationships.exists()
    assert all(icd10.is_valid(code) for code in Condition.objects.values_list("icd10_code", flat=True))
    counts = (Patient.objects.count(), Encounter.objects.count(), Observation.objects.count())
    _seed()
    assert (Patient.objects.count(), Encounter.objects.count(), Observation.objects.count()) == counts


def test_a_demo_patients_export_validates_with_three_kinds_of_clinical_resource():
    _seed()
    patient = Patient.objects.first()
    bundle = Bundle.model_validate(record_bundle(patient))
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert "Patient" in kinds
    assert len(kinds & {"Encounter", "Condition", "Observation", "MedicationStatement", "AllergyIntolerance"}) >= 3
