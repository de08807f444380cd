"""Writes to the patient record. Every function here is the only way its data changes.

Changes are audited by django-auditlog (registered in ``records.apps``) in the same
transaction; e-mails go out on commit.
"""

from __future__ import annotations

from records.services.access import emergency_access_grant
from records.services.care import care_relationship_ensure
from records.services.clinical import (
    allergy_record,
    condition_record,
    encounter_record,
    entry_mark_entered_in_error,
    entry_update,
    medication_prescribe,
    note_add,
    note_amend,
    observation_flag,
    observation_record,
)
from records.services.documents import document_upload
from records.services.patients import (
    invitation_accept,
    invitation_patient,
    patient_contact_update,
    patient_create,
    patient_invite,
    patient_self_register,
    patient_update,
    registration_verify,
)

__all__ = [
    "allergy_record",
    "care_relationship_ensure",
    "condition_record",
    "document_upload",
    "emergency_access_grant",
    "encounter_record",
    "entry_mark_entered_in_error",
    "entry_update",
    "invitation_accept",
    "invitation_patient",
    "medication_prescribe",
    "note_add",
    "note_amend",
    "observation_flag",
    "observation_record",
    "patient_contact_update",
    "patient_create",
    "patient_invite",
    "patient_self_register",
    "patient_update",
    "registration_verify",
]
