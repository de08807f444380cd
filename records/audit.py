"""Audit of reads: every staff look at a record, a document or an export leaves a row.

Changes are logged by django-auditlog's registry (``records/apps.py`` registers every model;
each model's ``get_additional_data`` stores ``{"patient_id": ...}``). Reads go through
``audit_read``, which sends auditlog's ``accessed`` signal for the **Patient** (so the row's
``content_type``/``object_pk`` are the patient's: indexed, cheap to filter per patient) with
``additional_data = {"patient_id", "what", "object_type", "object_id"}`` naming the exact thing read.
Pages and answers that show several patients at once go through ``audit_lookup``: one row per
view naming the patients shown, in their order, and none when it shows nobody (see there).

What is audited, by ``additional_data["what"]``:

- ``audit_read``, one row per patient read: the patient's admin page (``record`` or
  ``demographics``) and its history (``history:patient``); a clinical entry's, symptom check's,
  appointment's or waiting-list place's page (``encounter``, ``symptom_check``, ``appointment``
  ...) and history (``history:<model>``); a document (``document``); the clinical change lists
  and the symptom-check list (``list:<model>``, a row per patient shown); exports (``export:fhir``
  from the admin or the portal, ``export:fhir:command``, ``export:summary``, and every row of a
  CSV export, ``export:csv``); a break-the-glass opening (``break-the-glass``).
- ``audit_lookup``, one row per view: the admin's autocomplete
  (``autocomplete:<app>.<model>.<field>``); the change lists of patients, appointments, waiting
  list places, break-the-glass openings and logins (``list:records.patient``,
  ``list:appointments.appointment``, ``list:appointments.waitlistentry``,
  ``list:records.emergencyaccess``, ``list:accounts.user``: ``clinic.admin_widgets.
  AuditedChangelistMixin``, the ids from the page's rows as read); a patient's login page
  (``change:accounts.user``); the staff schedule (``schedule``); the dashboard's panels
  (``dashboard``: schedules, arrivals, requests, offers, no-shows, symptom checks, encounters
  without a diagnosis, the break-the-glass review).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from auditlog.signals import accessed
from django.contrib.contenttypes.models import ContentType

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


def audit_lookup(*, actor, patient_ids: Iterable[int], what: str) -> LogEntry | None:
    """Log that ``actor`` was shown these patients' names by a lookup (``what``, e.g.
    ``"autocomplete:records.encounter.patient"``); ``None`` when it showed nobody.

    Granularity: **one row per answer**, ``additional_data = {"what", "patient_ids"}`` with the
    ids in the order shown. An autocomplete asks again on every keystroke and answers with up
    to 20 patients, so a row per patient (as the clinical change lists write) would file about a hundred
    rows for typing one surname; one row per answer still says who saw which patients, when.
    The row is filed under the Patient content type with an empty ``object_pk``: it is about no
    single patient, so it is not in the indexed per-patient ``access_log_for_patient``.
    """
    ids = list(dict.fromkeys(patient_ids))
    if not ids:
        return None
    with _acting_as(actor):
        return LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Patient),
            object_pk="",
            object_repr=f"{len(ids)} patient(s) in {what}",
            action=LogEntry.Action.ACCESS,
            additional_data={"what": what, "patient_ids": ids},
            cid=get_cid(),
        )
