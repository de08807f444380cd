"""Writes to the patient record. Every function here is the only way its data changes."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from records.models import CareRelationship, Patient


@transaction.atomic
def care_relationship_ensure(*, patient: Patient, staff: User, source: str) -> CareRelationship:
    """Record that ``staff`` cares for ``patient`` (idempotent). Called when an encounter is
    recorded or an appointment booked; the access rules read these rows."""
    relationship, _ = CareRelationship.objects.get_or_create(patient=patient, staff=staff, defaults={"source": source})
    return relationship
