"""The patient record: demographics, care access, clinical entries and documents."""

from __future__ import annotations

from records.models.clinical import (
    Allergy,
    ClinicalNote,
    Condition,
    Encounter,
    EnteredInError,
    Medication,
    Observation,
)
from records.models.documents import Document, private_storage
from records.models.patient import CareRelationship, EmergencyAccess, Patient, generate_mrn

__all__ = [
    "Allergy",
    "CareRelationship",
    "ClinicalNote",
    "Condition",
    "Document",
    "EmergencyAccess",
    "Encounter",
    "EnteredInError",
    "Medication",
    "Observation",
    "Patient",
    "generate_mrn",
    "private_storage",
]
