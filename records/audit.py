"""Audit of reads: every staff look at a record, a document or an export leaves a row.

Changes are logged by django-auditlog's registry (``records/apps.py`` registers every model;
each model's ``get_additional_data`` stores ``{"patient_id": ...}``). Reads go through
``audit_read``, which sends auditlog's ``accessed`` signal for the **Patient** (so the row's
``content_type``/``object_pk`` are the patient's: indexed, cheap to filter per patient) with
``additional_data = {"patient_id", "what", "object_type", "object_id"}`` naming the exact thing read.
"""

from __future__ import annotations

import contextlib

from auditlog.context import auditlog_value, set_actor
from auditlog.signals import accessed

from records.models import Patient


@contextlib.contextmanager
def _acting_as(actor):
    """Attribute log rows to ``actor``, then put back whatever audit context was there (the
    request's own): auditlog's ``set_actor`` leaves its own context behind when it exits."""
    if actor is None:
        yield
        return
    token = auditlog_value.set(None)
    try:
        with set_actor(actor):
            yield
    finally:
        auditlog_value.reset(token)


def audit_read(*, actor, patient: Patient, obj=None, what: str) -> None:
    """Log that ``actor`` read ``what`` (``"record"``, ``"document"``, ``"export:fhir"`` ...)
    of ``patient``; ``obj`` is the exact object read, when there is one."""
    patient._audit_access = {
        "what": what,
        "object_type": obj._meta.label_lower if obj is not None else "records.patient",
        "object_id": obj.pk if obj is not None else patient.pk,
    }
    try:
        with _acting_as(actor):
            accessed.send(sender=Patient, instance=patient)
    finally:
        del patient._audit_access
