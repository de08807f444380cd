from __future__ import annotations

import json
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from fhir.resources.R4B.bundle import Bundle

from records import services
from records.fhir import record_bundle

pytestmark = pytest.mark.django_db


def _export(mrn: str) -> dict:
    out = StringIO()
    call_command("export_record", mrn, "--format", "fhir", stdout=out)
    return json.loads(out.getvalue())


def test_the_bundle_validates_as_r4_and_holds_every_kind_of_entry(record, patient):
    data = _export(patient.mrn)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds[0] == "Patient"
    assert set(kinds) == {
        "Patient",
        "Encounter",
        "Condition",
        "AllergyIntolerance",
        "MedicationStatement",
        "Observation",
        "DocumentReference",
    }


def test_references_resolve_inside_the_bundle(record, patient):
    data = record_bundle(patient)
    full_urls = {entry["fullUrl"] for entry in data["entry"]}
    for entry in data["entry"]:
        resource = entry["resource"]
        for key in ("subject", "patient", "encounter"):
            if isinstance(resource.get(key), dict):
                assert resource[key]["reference"] in full_urls


def test_vitals_carry_loinc_codes_units_and_flags(record, patient):
    observations = [
        e["resource"] for e in record_bundle(patient)["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    systolic = next(o for o in observations if o["code"]["coding"][0]["code"] == "8480-6")
    assert systolic["code"]["coding"][0]["system"] == "http://loinc.org"
    assert systolic["category"][0]["coding"][0]["code"] == "vital-signs"
    assert systolic["valueQuantity"]["unit"] == "mm[Hg]"
    glucose = next(o for o in observations if o["code"]["coding"][0]["code"] == "2345-7")
    assert glucose["interpretation"][0]["coding"][0]["code"] == "H"
    assert glucose["referenceRange"][0] == {
        "low": {"value": 70, "unit": "mg/dL"},
        "high": {"value": 99, "unit": "mg/dL"},
    }


def test_entries_in_error_are_left_out(record, patient, doctor):
    services.entry_mark_entered_in_error(entry=record["condition"], actor=doctor, reason="Wrong code")
    kinds = [e["resource"]["resourceType"] for e in record_bundle(patient)["entry"]]
    assert "Condition" not in kinds


def test_a_patient_without_clinical_data_still_exports(patient):
    Bundle.model_validate(_export(patient.mrn))


def test_the_command_audits_the_export_and_refuses_an_unknown_mrn(patient):
    _export(patient.mrn.lower())
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.additional_data["what"] == "export:fhir:command"
    with pytest.raises(CommandError, match="No patient"):
        _export("MRN-NOPE")
