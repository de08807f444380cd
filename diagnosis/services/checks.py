"""Symptom checks: run one for a patient, answer / correct it, and the clinician's feedback."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diagnosis.models import SymptomCheck
from diagnosis.services.runtime import get_checker
from records import icd10
from records.models import Condition, Encounter, Patient

TOP_STORED = 10


def patient_age(patient: Patient, today: date | None = None) -> int:
    today = today or timezone.localdate()
    dob = patient.date_of_birth
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def patient_sex(patient: Patient) -> str | None:
    return patient.sex if patient.sex in (Patient.Sex.FEMALE, Patient.Sex.MALE) else None


def _prediction_fields(predictor, prediction, answers: Mapping[str, bool]) -> dict[str, Any]:
    kb = predictor.kb
    conditions = []
    for c in prediction.conditions[:TOP_STORED]:
        condition = kb.conditions[c.id]
        conditions.append({
            "id": c.id,
            "name": c.name,
            "lay_name": c.lay_name,
            "icd10": c.icd10,
            "icd10_codes": list(c.icd10_codes),
            "probability": round(float(c.probability), 4),
            "specialty": c.specialty,
            "urgency": c.urgency,
            "explanation": condition.explanation,
            "next_steps": condition.next_steps,
        })
    findings = [
        {
            "code": f.code,
            "label": f.label,
            "lay": kb.findings[f.code].lay,
            "present": bool(f.present),
            "source": "answer" if f.code in answers else "text",
        }
        for f in prediction.findings
    ]
    return {
        "conditions": conditions,
        "findings": findings,
        "triage": prediction.triage.level,
        "triage_reasons": list(prediction.triage.reasons),
    }


def _run(check: SymptomCheck) -> SymptomCheck:
    version, predictor = get_checker()
    answers = {str(k): bool(v) for k, v in (check.answers or {}).items()}
    prediction = predictor.predict(
        check.text, age=check.age, sex=check.sex or None, extra_findings=list(answers.items()), top=TOP_STORED
    )
    for name, value in _prediction_fields(predictor, prediction, answers).items():
        setattr(check, name, value)
    check.model_version = version
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def symptom_check_run(
    *, patient: Patient, created_by: User, text: str, findings: Mapping[str, bool] | None = None
) -> SymptomCheck:
    """Run the checker on what the patient wrote plus findings they picked, and save it on
    their record. Raises ``CheckerUnavailable`` when no model can answer."""
    check = SymptomCheck(
        patient=patient,
        created_by=created_by,
        text=text.strip(),
        age=patient_age(patient),
        sex=patient_sex(patient) or "",
        answers={str(k): bool(v) for k, v in (findings or {}).items()},
    )
    return _run(check)


@transaction.atomic
def symptom_check_answer(*, check: SymptomCheck, code: str, present: bool) -> SymptomCheck:
    """Record a yes/no answer (to a follow-up question, or correcting a misread finding) and
    run the check again with it."""
    check = SymptomCheck.objects.select_for_update().get(pk=check.pk)
    answers = dict(check.answers or {})
    answers[str(code)] = bool(present)
    check.answers = answers
    return _run(check)


def _agrees_top3(check: SymptomCheck, code: str) -> bool:
    wanted = icd10.normalise(code).replace(".", "")
    for condition in check.conditions[:3]:
        codes = condition.get("icd10_codes") or [condition.get("icd10", "")]
        for predicted in codes:
            predicted = (predicted or "").replace(".", "").upper()
            if predicted and (predicted.startswith(wanted) or wanted.startswith(predicted)):
                return True
    return False


@transaction.atomic
def symptom_check_link_encounter(*, check: SymptomCheck, encounter: Encounter) -> SymptomCheck:
    if encounter.patient_id != check.patient_id:
        raise ValidationError({"encounter": _("That visit belongs to another patient.")})
    check.encounter = encounter
    check.full_clean()
    check.save(update_fields=["encounter"])
    return check


@transaction.atomic
def symptom_check_confirm(
    *, check: SymptomCheck, encounter: Encounter, icd10_code: str, confirmed_by: User
) -> SymptomCheck:
    """Store the clinician's confirmed diagnosis on the check (``agrees_top3``: the code matches
    one of the checker's top three by prefix, either way) and record it as a confirmed
    Condition on the encounter."""
    from records.services import condition_record

    code = icd10.normalise(icd10_code)
    if not icd10.is_valid(code):
        raise ValidationError({"icd10_code": _("“%(code)s” is not an ICD-10-CM code.") % {"code": icd10_code}})
    if encounter.patient_id != check.patient_id:
        raise ValidationError({"encounter": _("That visit belongs to another patient.")})
    condition_record(
        patient=check.patient,
        recorded_by=confirmed_by,
        icd10_code=code,
        encounter=encounter,
        verification=Condition.Verification.CONFIRMED,
    )
    return _store_confirmation(check=check, encounter=encounter, code=code, by=confirmed_by)


def _store_confirmation(*, check: SymptomCheck, encounter: Encounter, code: str, by: User | None) -> SymptomCheck:
    check.encounter = encounter
    check.confirmed_icd10 = code
    check.confirmed_at = timezone.now()
    check.confirmed_by = by
    check.agrees_top3 = _agrees_top3(check, code)
    check.full_clean()
    check.save(update_fields=["encounter", "confirmed_icd10", "confirmed_at", "confirmed_by", "agrees_top3"])
    return check


@transaction.atomic
def symptom_checks_sync_confirmed() -> int:
    """Pick up confirmed diagnoses entered directly on a visit (records admin) for checks linked
    to that visit and not confirmed yet; returns how many checks were updated."""
    updated = 0
    pending = SymptomCheck.objects.select_for_update().filter(encounter__isnull=False, confirmed_icd10="")
    for check in pending.select_related("encounter"):
        condition = (
            Condition.objects.filter(
                encounter=check.encounter, verification=Condition.Verification.CONFIRMED, entered_in_error=False
            )
            .order_by("recorded_at", "pk")
            .first()
        )
        if condition is None:
            continue
        _store_confirmation(check=check, encounter=check.encounter, code=condition.icd10_code, by=condition.recorded_by)
        updated += 1
    return updated
