"""A patient's record as a FHIR R4 ``Bundle`` (type ``collection``), as plain JSON-ready dicts.

Entries marked entered-in-error are left out. Every entry's ``fullUrl`` is a stable
``urn:uuid`` (uuid5 of the MRN and the row), and references inside the bundle use it, so the
bundle resolves on its own. Validated in tests with ``fhir.resources`` (R4B models).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from records import selectors
from records.models import Allergy, Condition, Document, Encounter, Medication, Observation, Patient

_NAMESPACE = uuid.UUID("6f1c7a52-43a4-4c55-9a5e-4b0f2f1f6a01")
MRN_SYSTEM = "urn:clinic:mrn"
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"

_ENCOUNTER_CLASS = {
    Encounter.Type.AMBULATORY: ("AMB", "ambulatory"),
    Encounter.Type.EMERGENCY: ("EMER", "emergency"),
    Encounter.Type.VIRTUAL: ("VR", "virtual"),
    Encounter.Type.HOME: ("HH", "home health"),
    Encounter.Type.INPATIENT: ("IMP", "inpatient encounter"),
}
_ROUTE_SNOMED = {
    Medication.Route.ORAL: ("26643006", "Oral route"),
    Medication.Route.TOPICAL: ("6064005", "Topical route"),
    Medication.Route.INHALED: ("18679011000001101", "Inhalation"),
    Medication.Route.SUBCUTANEOUS: ("34206005", "Subcutaneous route"),
    Medication.Route.INTRAMUSCULAR: ("78421000", "Intramuscular route"),
    Medication.Route.INTRAVENOUS: ("47625008", "Intravenous route"),
}


def _ref(patient: Patient, kind: str, pk) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{patient.mrn}/{kind}/{pk}')}"


def _instant(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(value: date) -> str:
    return value.isoformat()


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    concept = {"coding": [coding]}
    if text:
        concept["text"] = text
    return concept


def _entry(full_url: str, resource: dict) -> dict:
    return {"fullUrl": full_url, "resource": resource}


def patient_resource(patient: Patient) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": f"patient-{patient.pk}",
        "identifier": [{"system": MRN_SYSTEM, "value": patient.mrn}],
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex,
        "birthDate": _day(patient.date_of_birth),
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    address = {
        key: value
        for key, value in (
            ("city", patient.city),
            ("postalCode", patient.postal_code),
            ("country", patient.country),
        )
        if value
    }
    if patient.address_line:
        address["line"] = [patient.address_line]
    if address:
        resource["address"] = [address]
    if patient.emergency_contact_name:
        contact = {"name": {"text": patient.emergency_contact_name}}
        if patient.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": patient.emergency_contact_phone}]
        resource["contact"] = [contact]
    if patient.preferred_language:
        resource["communication"] = [{"language": {"text": patient.preferred_language}, "preferred": True}]
    return resource


def encounter_resource(patient: Patient, encounter: Encounter) -> dict:
    code, display = _ENCOUNTER_CLASS[encounter.type]
    return {
        "resourceType": "Encounter",
        "id": f"encounter-{encounter.pk}",
        "status": encounter.status,
        "class": {"system": f"{TERMINOLOGY}/v3-ActCode", "code": code, "display": display},
        "subject": {"reference": _ref(patient, "patient", patient.pk)},
        "participant": [{"individual": {"display": encounter.provider.get_full_name() or encounter.provider.email}}],
        "period": {"start": _instant(encounter.start)},
        "reasonCode": [{"text": encounter.reason}],
    }


def condition_resource(patient: Patient, condition: Condition) -> dict:
    resource = {
        "resourceType": "Condition",
        "id": f"condition-{condition.pk}",
        "clinicalStatus": _concept(f"{TERMINOLOGY}/condition-clinical", condition.clinical_status),
        "verificationStatus": _concept(f"{TERMINOLOGY}/condition-ver-status", condition.verification),
        "code": _concept(ICD10CM, condition.icd10_code, condition.description, condition.description),
        "subject": {"reference": _ref(patient, "patient", patient.pk)},
        "recordedDate": _instant(condition.recorded_at),
    }
    if condition.encounter_id:
        resource["encounter"] = {"reference": _ref(patient, "encounter", condition.encounter_id)}
    if condition.onset:
        resource["onsetDateTime"] = _day(condition.onset)
    return resource


def allergy_resource(patient: Patient, allergy: Allergy) -> dict:
    resource = {
        "resourceType": "AllergyIntolerance",
        "id": f"allergy-{allergy.pk}",
        "clinicalStatus": _concept(f"{TERMINOLOGY}/allergyintolerance-clinical", allergy.clinical_status),
        "verificationStatus": _concept(f"{TERMINOLOGY}/allergyintolerance-verification", "confirmed"),
        "category": [allergy.category],
        "code": {"text": allergy.substance},
        "patient": {"reference": _ref(patient, "patient", patient.pk)},
        "recordedDate": _instant(allergy.recorded_at),
    }
    if allergy.reaction:
        resource["reaction"] = [{"manifestation": [{"text": allergy.reaction}], "severity": allergy.severity}]
    return resource


def medication_resource(patient: Patient, medication: Medication) -> dict:
    period = {"start": _day(medication.start)}
    if medication.end:
        period["end"] = _day(medication.end)
    dosage = {"text": f"{medication.dose} {medication.get_route_display().lower()}, {medication.frequency}"}
    if medication.route in _ROUTE_SNOMED:
        code, display = _ROUTE_SNOMED[medication.route]
        dosage["route"] = _concept("http://snomed.info/sct", code, display)
    resource = {
        "resourceType": "MedicationStatement",
        "id": f"medication-{medication.pk}",
        "status": medication.status,
        "medicationCodeableConcept": {"text": medication.drug},
        "subject": {"reference": _ref(patient, "patient", patient.pk)},
        "effectivePeriod": period,
        "dateAsserted": _instant(medication.recorded_at),
        "informationSource": {"display": medication.prescriber.get_full_name() or medication.prescriber.email},
        "dosage": [dosage],
    }
    if medication.encounter_id:
        resource["context"] = {"reference": _ref(patient, "encounter", medication.encounter_id)}
    return resource


def observation_resource(patient: Patient, observation: Observation) -> dict:
    category = "vital-signs" if observation.kind == Observation.Kind.VITALS else "laboratory"
    resource = {
        "resourceType": "Observation",
        "id": f"observation-{observation.pk}",
        "status": "final",
        "category": [_concept(f"{TERMINOLOGY}/observation-category", category)],
        "code": _concept(LOINC, observation.code, observation.display, observation.display),
        "subject": {"reference": _ref(patient, "patient", patient.pk)},
        "effectiveDateTime": _instant(observation.effective_at),
    }
    if observation.encounter_id:
        resource["encounter"] = {"reference": _ref(patient, "encounter", observation.encounter_id)}
    if observation.value_numeric is not None:
        quantity = {"value": _number(observation.value_numeric)}
        if observation.unit:
            quantity.update({"unit": observation.unit, "system": UCUM, "code": observation.unit})
        resource["valueQuantity"] = quantity
    else:
        resource["valueString"] = observation.value_text
    bounds = {}
    for key, value in (("low", observation.reference_low), ("high", observation.reference_high)):
        if value is not None:
            bounds[key] = {"value": _number(value), **({"unit": observation.unit} if observation.unit else {})}
    if bounds:
        resource["referenceRange"] = [bounds]
    if observation.abnormal:
        resource["interpretation"] = [
            _concept(
                f"{TERMINOLOGY}/v3-ObservationInterpretation",
                observation.abnormal,
                observation.get_abnormal_display(),
            )
        ]
    return resource


def document_resource(patient: Patient, document: Document) -> dict:
    resource = {
        "resourceType": "DocumentReference",
        "id": f"document-{document.pk}",
        "status": "current",
        "type": {"text": document.get_kind_display()},
        "subject": {"reference": _ref(patient, "patient", patient.pk)},
        "date": _instant(document.uploaded_at),
        "description": document.title,
        "content": [
            {
                "attachment": {
                    "contentType": document.content_type,
                    "title": document.title,
                    "size": document.size,
                    "creation": _instant(document.uploaded_at),
                }
            }
        ],
    }
    if document.encounter_id:
        resource["context"] = {"encounter": [{"reference": _ref(patient, "encounter", document.encounter_id)}]}
    return resource


def record_bundle(patient: Patient) -> dict:
    """The whole record of ``patient`` as a FHIR R4 collection Bundle (a JSON-ready dict)."""
    entries = [_entry(_ref(patient, "patient", patient.pk), patient_resource(patient))]
    for encounter in selectors.encounters_for_patient(patient=patient):
        entries.append(_entry(_ref(patient, "encounter", encounter.pk), encounter_resource(patient, encounter)))
    for condition in selectors.conditions_for_patient(patient=patient).exclude(
        verification=Condition.Verification.ENTERED_IN_ERROR
    ):
        entries.append(_entry(_ref(patient, "condition", condition.pk), condition_resource(patient, condition)))
    for allergy in Allergy.objects.filter(patient=patient, entered_in_error=False):
        entries.append(_entry(_ref(patient, "allergy", allergy.pk), allergy_resource(patient, allergy)))
    for medication in selectors.medications_for_patient(patient=patient):
        entries.append(_entry(_ref(patient, "medication", medication.pk), medication_resource(patient, medication)))
    for observation in selectors.observations_for_patient(patient=patient).order_by("effective_at"):
        entries.append(_entry(_ref(patient, "observation", observation.pk), observation_resource(patient, observation)))
    for document in selectors.documents_for_patient(patient=patient):
        entries.append(_entry(_ref(patient, "document", document.pk), document_resource(patient, document)))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(timezone.now()),
        "entry": entries,
    }
