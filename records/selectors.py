"""Reads of the record. Callers pass a patient they already resolved through ``records.access``;
everything here is scoped to that patient and hides entries marked entered-in-error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import roles
from clinic.db import aware
from records import codes
from records.models import (
    Allergy,
    ClinicalNote,
    Condition,
    Document,
    EmergencyAccess,
    Encounter,
    Medication,
    Observation,
    Patient,
)


def encounters_for_patient(*, patient: Patient) -> QuerySet[Encounter]:
    return Encounter.objects.filter(patient=patient, entered_in_error=False).select_related("provider")


def active_conditions(*, patient: Patient) -> QuerySet[Condition]:
    return Condition.objects.filter(
        patient=patient, entered_in_error=False, clinical_status=Condition.ClinicalStatus.ACTIVE
    ).exclude(verification=Condition.Verification.ENTERED_IN_ERROR)


def allergies_for_patient(*, patient: Patient) -> QuerySet[Allergy]:
    return Allergy.objects.filter(
        patient=patient, entered_in_error=False, clinical_status=Allergy.ClinicalStatus.ACTIVE
    )


def current_medications(*, patient: Patient) -> QuerySet[Medication]:
    today = timezone.localdate()
    return (
        Medication.objects.filter(patient=patient, entered_in_error=False, status=Medication.Status.ACTIVE)
        .exclude(end__lt=today)
        .select_related("prescriber")
    )


def medications_for_patient(*, patient: Patient) -> QuerySet[Medication]:
    return Medication.objects.filter(patient=patient, entered_in_error=False).select_related("prescriber")


def conditions_for_patient(*, patient: Patient) -> QuerySet[Condition]:
    return Condition.objects.filter(patient=patient, entered_in_error=False)


def observations_for_patient(*, patient: Patient, kind: str | None = None) -> QuerySet[Observation]:
    qs = Observation.objects.filter(patient=patient, entered_in_error=False)
    return qs.filter(kind=kind) if kind else qs


def current_notes(*, patient: Patient) -> QuerySet[ClinicalNote]:
    """Notes as they read now: originals that were amended are replaced by their amendment
    (the originals stay in the table and in the audit trail)."""
    amended = ClinicalNote.objects.filter(amends=OuterRef("pk"), entered_in_error=False)
    return (
        ClinicalNote.objects.filter(patient=patient, entered_in_error=False)
        .exclude(Exists(amended))
        .select_related("author", "amends")
    )


def documents_for_patient(*, patient: Patient) -> QuerySet[Document]:
    return Document.objects.filter(patient=patient, entered_in_error=False).select_related("uploaded_by")


@dataclass
class RecordOverview:
    """The portal overview's lists as rows of the columns it shows (dicts, see ``record_overview``)."""

    conditions: list[dict]
    allergies: list[dict]
    medications: list[dict]
    encounters: list[dict]


def _label(choices: type[models.TextChoices], value: str) -> str:
    """A choice's label, or the stored value for one no longer listed (as ``get_FOO_display``)."""
    try:
        return choices(value).label
    except ValueError:
        return value


# The overview's four lists as plain SQL with parameters: the same rows as active_conditions,
# allergies_for_patient, current_medications and encounters_for_patient above (which
# records/tests/test_selectors.py checks). The overview is the portal's most viewed page, and
# building and compiling those four querysets was over a quarter of its time.
_OVERVIEW_CONDITIONS = (
    "SELECT icd10_code, description, verification FROM records_condition"
    " WHERE patient_id = %s AND entered_in_error = %s AND clinical_status = %s AND verification <> %s"
    " ORDER BY recorded_at DESC, id DESC"
)
_OVERVIEW_ALLERGIES = (
    "SELECT substance, reaction, severity FROM records_allergy"
    " WHERE patient_id = %s AND entered_in_error = %s AND clinical_status = %s"
    " ORDER BY substance, id"
)
_OVERVIEW_MEDICATIONS = (
    "SELECT m.drug, m.dose, m.route, m.frequency, m.start FROM records_medication m"
    " WHERE m.patient_id = %s AND m.entered_in_error = %s AND m.status = %s AND (m.end IS NULL OR m.end >= %s)"
    " ORDER BY m.start DESC, m.id DESC"
)
_OVERVIEW_ENCOUNTERS = (
    "SELECT e.id, e.start, e.reason, u.first_name, u.last_name"
    " FROM records_encounter e INNER JOIN accounts_user u ON u.id = e.provider_id"
    " WHERE e.patient_id = %s AND e.entered_in_error = %s"
    " ORDER BY e.start DESC, e.id DESC LIMIT %s"
)


def record_overview(*, patient: Patient, recent: int = 5) -> RecordOverview:
    """Active problems, allergies, current medications and the latest ``recent`` visits, as
    rows of the columns the overview shows.

    Rows: conditions ``icd10_code, description, verification``; allergies ``substance, reaction,
    severity, severity_display``; medications ``drug, dose, route, route_display, frequency,
    start``; encounters ``pk, start, reason, provider_name`` (``User.get_full_name``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _OVERVIEW_CONDITIONS,
            [patient.pk, False, Condition.ClinicalStatus.ACTIVE, Condition.Verification.ENTERED_IN_ERROR],
        )
        conditions = [
            {"icd10_code": code, "description": description, "verification": verification}
            for code, description, verification in cursor.fetchall()
        ]
        cursor.execute(_OVERVIEW_ALLERGIES, [patient.pk, False, Allergy.ClinicalStatus.ACTIVE])
        allergies = [
            {
                "substance": substance,
                "reaction": reaction,
                "severity": severity,
                "severity_display": _label(Allergy.Severity, severity),
            }
            for substance, reaction, severity in cursor.fetchall()
        ]
        cursor.execute(_OVERVIEW_MEDICATIONS, [patient.pk, False, Medication.Status.ACTIVE, timezone.localdate()])
        medications = [
            {
                "drug": drug,
                "dose": dose,
                "route": route,
                "route_display": _label(Medication.Route, route),
                "frequency": frequency,
                "start": start,
            }
            for drug, dose, route, frequency, start in cursor.fetchall()
        ]
        cursor.execute(_OVERVIEW_ENCOUNTERS, [patient.pk, False, recent])
        encounters = [
            {
                "pk": pk,
                "start": aware(start),
                "reason": reason,
                "provider_name": f"{first} {last}".strip(),
            }
            for pk, start, reason, first, last in cursor.fetchall()
        ]
    return RecordOverview(conditions=conditions, allergies=allergies, medications=medications, encounters=encounters)


def get_encounter_for_patient(*, patient: Patient, pk) -> Encounter:
    """One visit of this patient, with what was recorded on it; 404 for anything else."""
    qs = encounters_for_patient(patient=patient).prefetch_related(
        Prefetch("conditions", queryset=Condition.objects.filter(entered_in_error=False)),
        Prefetch("observations", queryset=Observation.objects.filter(entered_in_error=False)),
        Prefetch("medications", queryset=Medication.objects.filter(entered_in_error=False)),
        Prefetch("notes", queryset=current_notes(patient=patient)),
        Prefetch("documents", queryset=Document.objects.filter(entered_in_error=False)),
    )
    try:
        return qs.get(pk=pk)
    except (Encounter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_document_for_patient(*, patient: Patient, pk) -> Document:
    try:
        return documents_for_patient(patient=patient).select_related("patient").get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class VitalSeries:
    code: str
    display: str
    unit: str
    points: list[tuple[datetime, float]]


def vital_series(*, patient: Patient, codes_wanted: tuple[str, ...] = codes.CHARTED_VITALS) -> list[VitalSeries]:
    """Oldest-first values per charted vital sign, one query."""
    rows = (
        observations_for_patient(patient=patient, kind=Observation.Kind.VITALS)
        .filter(code__in=codes_wanted, value_numeric__isnull=False)
        .order_by("effective_at")
        .values_list("code", "effective_at", "value_numeric")
    )
    by_code: dict[str, list[tuple[datetime, float]]] = {code: [] for code in codes_wanted}
    for code, when, value in rows:
        by_code[code].append((when, float(value)))
    return [
        VitalSeries(code=code, display=codes.VITALS[code].display, unit=codes.VITALS[code].unit, points=points)
        for code, points in by_code.items()
        if points
    ]


# --- Audit reads -----------------------------------------------------------------------


def _patient_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Patient)


def access_log_for_patient(*, patient: Patient) -> QuerySet[LogEntry]:
    """Every read of this patient's record by staff (``records.audit.audit_read`` rows: they
    are filed under the patient's own content type and pk, an indexed lookup)."""
    return (
        LogEntry.objects.filter(
            content_type=_patient_content_type(), object_pk=str(patient.pk), action=LogEntry.Action.ACCESS
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )


@dataclass
class RecordAccess:
    staff_name: str
    role: str
    when: datetime
    what: str


def _role_label(user) -> str:
    if user is None:
        return ""
    names = roles.roles_of(user) & set(roles.STAFF_ROLES)
    return ", ".join(sorted(names))


def record_access_history(*, patient: Patient, limit: int | None = 200) -> list[RecordAccess]:
    """Who looked at this patient's record: staff name, role, when, what (newest first).
    The patient's own downloads are left out: this answers "who else read my record"."""
    entries = access_log_for_patient(patient=patient).prefetch_related("actor__groups")
    if patient.user_id is not None:
        entries = entries.exclude(actor_id=patient.user_id)
    if limit:
        entries = entries[:limit]
    history = []
    for entry in entries:
        actor = entry.actor
        if actor is not None:
            actor._clinic_roles = frozenset(g.name for g in actor.groups.all())
        history.append(
            RecordAccess(
                staff_name=actor.get_full_name() or actor.email if actor else (entry.actor_email or "system"),
                role=_role_label(actor),
                when=entry.timestamp,
                what=(entry.additional_data or {}).get("what", ""),
            )
        )
    return history


def emergency_accesses_for_review(*, since: datetime) -> QuerySet[EmergencyAccess]:
    """Break-the-glass openings since ``since``, newest first, for the clinic admins' review."""
    return EmergencyAccess.objects.filter(granted_at__gte=since).select_related("staff", "patient")
