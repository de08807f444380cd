"""Clinical entries: record, correct, and mark entered-in-error (never delete)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from records import codes, icd10
from records.models import (
    Allergy,
    ClinicalNote,
    Condition,
    Encounter,
    Medication,
    Observation,
    Patient,
)
from records.services.care import care_relationship_ensure


def _save(entry: models.Model) -> models.Model:
    entry.full_clean()
    entry.save()
    return entry


def _check_encounter(patient: Patient, encounter: Encounter | None) -> None:
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ValidationError({"encounter": _("That visit belongs to another patient.")})


@transaction.atomic
def encounter_record(
    *,
    patient: Patient,
    provider: User,
    start: datetime,
    reason: str,
    type: str = Encounter.Type.AMBULATORY,
    status: str = Encounter.Status.FINISHED,
) -> Encounter:
    """Record a visit; the provider gains a care relationship with the patient."""
    encounter = _save(
        Encounter(patient=patient, provider=provider, start=start, reason=reason, type=type, status=status)
    )
    care_relationship_ensure(patient=patient, staff=provider, source="encounter")
    return encounter


@transaction.atomic
def condition_record(
    *,
    patient: Patient,
    recorded_by: User,
    icd10_code: str,
    encounter: Encounter | None = None,
    clinical_status: str = Condition.ClinicalStatus.ACTIVE,
    verification: str = Condition.Verification.CONFIRMED,
    onset: date | None = None,
) -> Condition:
    """Record a diagnosis; the description comes from the ICD-10-CM table, never from input."""
    _check_encounter(patient, encounter)
    code = icd10.normalise(icd10_code)
    if not icd10.is_valid(code):
        raise ValidationError({"icd10_code": _("“%(code)s” is not an ICD-10-CM code.") % {"code": icd10_code}})
    return _save(
        Condition(
            patient=patient,
            encounter=encounter,
            icd10_code=code,
            description=icd10.describe(code)[:255],
            clinical_status=clinical_status,
            verification=verification,
            onset=onset,
            recorded_by=recorded_by,
        )
    )


@transaction.atomic
def allergy_record(
    *,
    patient: Patient,
    recorded_by: User,
    substance: str,
    category: str = Allergy.Category.MEDICATION,
    reaction: str = "",
    severity: str = Allergy.Severity.MODERATE,
) -> Allergy:
    return _save(
        Allergy(
            patient=patient,
            recorded_by=recorded_by,
            substance=substance,
            category=category,
            reaction=reaction,
            severity=severity,
        )
    )


@transaction.atomic
def medication_prescribe(
    *,
    patient: Patient,
    prescriber: User,
    drug: str,
    dose: str,
    frequency: str,
    start: date,
    route: str = Medication.Route.ORAL,
    end: date | None = None,
    encounter: Encounter | None = None,
    status: str = Medication.Status.ACTIVE,
) -> Medication:
    _check_encounter(patient, encounter)
    if end is not None and end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    return _save(
        Medication(
            patient=patient,
            prescriber=prescriber,
            drug=drug,
            dose=dose,
            route=route,
            frequency=frequency,
            start=start,
            end=end,
            encounter=encounter,
            status=status,
        )
    )


def observation_flag(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> str:
    """``L``/``H`` outside the reference range, ``N`` inside, empty without a range or number."""
    if value is None or (low is None and high is None):
        return Observation.Flag.UNKNOWN
    if low is not None and value < low:
        return Observation.Flag.LOW
    if high is not None and value > high:
        return Observation.Flag.HIGH
    return Observation.Flag.NORMAL


def observation_build(
    *,
    patient: Patient,
    recorded_by: User,
    code: str,
    effective_at: datetime,
    value_numeric: Decimal | float | str | None = None,
    value_text: str = "",
    kind: str | None = None,
    display: str = "",
    unit: str = "",
    reference_low: Decimal | None = None,
    reference_high: Decimal | None = None,
    encounter: Encounter | None = None,
) -> Observation:
    """An unsaved observation with defaults from the code table and its flag computed
    (shared by ``observation_record`` and the bulk demo seeder)."""
    known = codes.ALL.get(code)
    if kind is None:
        kind = Observation.Kind.VITALS if code in codes.VITALS else Observation.Kind.LAB
    if known is not None:
        display = display or known.display
        unit = unit or known.unit
        if reference_low is None and reference_high is None:
            reference_low, reference_high = known.low, known.high
    value = None if value_numeric in (None, "") else Decimal(str(value_numeric))
    return Observation(
        patient=patient,
        encounter=encounter,
        kind=kind,
        code=code,
        display=display or code,
        value_numeric=value,
        value_text=value_text,
        unit=unit,
        reference_low=reference_low,
        reference_high=reference_high,
        abnormal=observation_flag(value, reference_low, reference_high),
        effective_at=effective_at,
        recorded_by=recorded_by,
    )


@transaction.atomic
def observation_record(*, patient: Patient, recorded_by: User, **fields) -> Observation:
    """Record a vital sign or lab result (see ``observation_build`` for the fields)."""
    _check_encounter(patient, fields.get("encounter"))
    if fields.get("value_numeric") in (None, "") and not fields.get("value_text"):
        raise ValidationError({"value_numeric": _("Give a value.")})
    return _save(observation_build(patient=patient, recorded_by=recorded_by, **fields))


@transaction.atomic
def note_add(*, patient: Patient, author: User, text: str, encounter: Encounter | None = None) -> ClinicalNote:
    _check_encounter(patient, encounter)
    return _save(ClinicalNote(patient=patient, author=author, text=text, encounter=encounter))


@transaction.atomic
def note_amend(*, note: ClinicalNote, author: User, text: str) -> ClinicalNote:
    """An amendment is a new note pointing at the one it corrects; the original stays as written."""
    if note.entered_in_error:
        raise ValidationError(_("A note entered in error cannot be amended."))
    return _save(ClinicalNote(patient=note.patient, encounter=note.encounter, author=author, text=text, amends=note))


# Fields a correction may change, per model: never the patient, the author or the audit fields.
_UPDATABLE = {
    Encounter: {"start", "type", "reason", "status"},
    Condition: {"clinical_status", "verification", "onset", "encounter"},
    Allergy: {"substance", "category", "reaction", "severity", "clinical_status"},
    Medication: {"drug", "dose", "route", "frequency", "start", "end", "status", "encounter"},
    Observation: {"effective_at", "encounter"},
}


@transaction.atomic
def entry_update(*, entry: models.Model, actor: User, changes: dict) -> models.Model:
    """Correct a clinical entry (the change, with ``actor``, lands in the audit log). Notes are
    amended, not edited; values of observations are re-recorded, not edited."""
    allowed = _UPDATABLE.get(type(entry), set())
    refused = set(changes) - allowed
    if refused:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(refused))})
    if "encounter" in changes:
        _check_encounter(entry.patient, changes["encounter"])
    for name, value in changes.items():
        setattr(entry, name, value)
    if isinstance(entry, Condition) and entry.verification == Condition.Verification.ENTERED_IN_ERROR:
        _mark(entry, actor, _("Verification set to entered in error."))
    return _save(entry)


def _mark(entry: models.Model, actor: User, reason: str) -> None:
    entry.entered_in_error = True
    entry.entered_in_error_reason = reason[:200]
    entry.entered_in_error_at = timezone.now()
    entry.entered_in_error_by = actor
    if isinstance(entry, Condition):
        entry.verification = Condition.Verification.ENTERED_IN_ERROR


@transaction.atomic
def entry_mark_entered_in_error(*, entry: models.Model, actor: User, reason: str) -> models.Model:
    """The only way to take a clinical entry out of the record: it stays, flagged."""
    if not (reason or "").strip():
        raise ValidationError(_("Say why the entry is in error."))
    if entry.entered_in_error:
        return entry
    _mark(entry, actor, reason.strip())
    return _save(entry)
