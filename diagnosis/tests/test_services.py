from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from diagnosis import selectors, services
from diagnosis.models import ModelVersion, SymptomCheck
from diagnosis.tests.support import install_model
from records.models import Condition
from records.tests.factories import EncounterFactory

pytestmark = pytest.mark.django_db

MIGRAINE_TEXT = "really bad headache since this morning, threw up twice, no fever, light hurts my eyes"


@pytest.fixture
def check(active_model, patient, patient_user):
    return services.symptom_check_run(patient=patient, created_by=patient_user, text=MIGRAINE_TEXT)


def test_a_check_is_saved_on_the_patients_record(check, patient, active_model):
    assert check.patient == patient
    assert check.model_version == active_model
    assert check.age is not None and check.sex in ("female", "male", "")
    assert len(check.conditions) == 10
    top = check.conditions[0]
    assert set(top) >= {"id", "name", "icd10", "probability", "specialty", "urgency"}
    assert [c["probability"] for c in check.conditions] == sorted((c["probability"] for c in check.conditions),
                                                                  reverse=True)
    assert check.triage in SymptomCheck.Triage.values
    codes = {f["code"]: f["present"] for f in check.findings}
    assert codes.get("fever") is False
    assert any(present for present in codes.values())


def test_picked_findings_count_as_present(active_model, patient, patient_user):
    check = services.symptom_check_run(patient=patient, created_by=patient_user, text="",
                                       findings={"fever": True})
    assert {"code": "fever", "present": True} in [{"code": f["code"], "present": f["present"]} for f in check.findings]
    assert check.answers == {"fever": True}


def test_an_answer_reruns_and_is_saved(check):
    services.symptom_check_answer(check=check, code="fever", present=True)
    check.refresh_from_db()
    assert check.answers["fever"] is True
    fever = next(f for f in check.findings if f["code"] == "fever")
    assert fever["present"] is True and fever["source"] == "answer"


def test_the_check_text_is_not_kept_in_the_change_log(check):
    from auditlog.models import LogEntry

    entries = LogEntry.objects.get_for_object(check)
    assert entries.exists()
    assert all("text" not in (e.changes_dict or {}) for e in entries)


def test_confirming_stores_the_code_and_records_a_condition(check, doctor, patient):
    encounter = EncounterFactory(patient=patient, provider=doctor)
    top_code = check.conditions[0]["icd10"]
    services.symptom_check_confirm(check=check, encounter=encounter, icd10_code=top_code, confirmed_by=doctor)
    check.refresh_from_db()
    assert check.confirmed_icd10 == top_code
    assert check.agrees_top3 is True
    assert check.encounter == encounter
    condition = Condition.objects.get(encounter=encounter)
    assert condition.icd10_code == top_code and condition.verification == Condition.Verification.CONFIRMED


def test_a_code_outside_the_top3_disagrees(check, doctor, patient):
    encounter = EncounterFactory(patient=patient, provider=doctor)
    services.symptom_check_confirm(check=check, encounter=encounter, icd10_code="S52.501A", confirmed_by=doctor)
    check.refresh_from_db()
    assert check.agrees_top3 is False


def test_confirming_refuses_another_patients_visit(check, doctor, other_patient):
    encounter = EncounterFactory(patient=other_patient, provider=doctor)
    with pytest.raises(ValidationError):
        services.symptom_check_confirm(check=check, encounter=encounter, icd10_code="G43.909", confirmed_by=doctor)
    assert not Condition.objects.filter(encounter=encounter).exists()


def test_sync_picks_up_a_diagnosis_entered_on_the_visit(check, doctor, patient):
    from records.services import condition_record

    encounter = EncounterFactory(patient=patient, provider=doctor)
    services.symptom_check_link_encounter(check=check, encounter=encounter)
    condition_record(patient=patient, recorded_by=doctor, icd10_code="G43.909", encounter=encounter)
    assert services.symptom_checks_sync_confirmed() == 1
    check.refresh_from_db()
    assert check.confirmed_icd10 == "G43.909"
    assert check.confirmed_by == doctor
    assert services.symptom_checks_sync_confirmed() == 0


def test_agreement_by_month(check, doctor, patient, patient_user):
    encounter = EncounterFactory(patient=patient, provider=doctor)
    services.symptom_check_confirm(check=check, encounter=encounter, icd10_code=check.conditions[0]["icd10"],
                                   confirmed_by=doctor)
    other = services.symptom_check_run(patient=patient, created_by=patient_user, text=MIGRAINE_TEXT)
    services.symptom_check_confirm(check=other, encounter=encounter, icd10_code="S52.501A", confirmed_by=doctor)
    now = timezone.now()
    rows = selectors.checker_agreement(start=now - timedelta(days=40), end=now + timedelta(days=1))
    assert len(rows) == 1
    assert rows[0]["confirmed"] == 2 and rows[0]["in_top3"] == 1 and rows[0]["share"] == 0.5


def test_confirmed_cases_become_training_rows(check, doctor, patient, trained_model):
    from diagnosis.ml.knowledge import load_knowledge_base
    from diagnosis.tests.support import FIXTURE_KB

    encounter = EncounterFactory(patient=patient, provider=doctor)
    services.symptom_check_confirm(check=check, encounter=encounter, icd10_code="G43.909", confirmed_by=doctor)
    cases = selectors.confirmed_training_cases(kb=load_knowledge_base(FIXTURE_KB))
    assert cases == [{"condition_id": "migraine", "age": check.age, "sex": check.sex,
                      "findings": {f["code"]: f["present"] for f in check.findings}}]


def test_activation_keeps_one_active_and_refuses_a_worse_model(db, trained_model, clinic_admin):
    good = install_model(trained_model, name="good.joblib", active=False, vignette_top3=0.8)
    worse = install_model(trained_model, name="worse.joblib", active=False, vignette_top3=0.6)
    services.model_version_activate(version=good, by=clinic_admin)
    with pytest.raises(ValidationError, match="scores worse"):
        services.model_version_activate(version=worse, by=clinic_admin)
    assert list(ModelVersion.objects.filter(is_active=True)) == [good]
    services.model_version_activate(version=worse, by=clinic_admin, force=True)
    assert list(ModelVersion.objects.filter(is_active=True)) == [worse]
    worse.refresh_from_db()
    assert worse.activated_by == clinic_admin


def test_held_out_top3_breaks_a_vignette_tie(db, trained_model):
    a = install_model(trained_model, name="a.joblib", active=False, vignette_top3=0.8, heldout_top3=0.9)
    b = install_model(trained_model, name="b.joblib", active=False, vignette_top3=0.8, heldout_top3=0.85)
    services.model_version_activate(version=a, by=None)
    with pytest.raises(ValidationError):
        services.model_version_activate(version=b, by=None)


def test_a_model_that_does_not_load_is_never_activated(db, trained_model, fresh_checker_cache):
    from pathlib import Path

    from django.conf import settings

    broken = install_model(trained_model, name="broken.joblib", active=False)
    (Path(settings.MODEL_DIR) / "broken.joblib").unlink()
    with pytest.raises(ValidationError, match="cannot be activated"):
        services.model_version_activate(version=broken, by=None, force=True)
    assert not ModelVersion.objects.filter(is_active=True).exists()


def test_rollback_returns_to_the_previous_version(db, trained_model, clinic_admin):
    first = install_model(trained_model, name="first.joblib", active=False, vignette_top3=0.5)
    second = install_model(trained_model, name="second.joblib", active=False, vignette_top3=0.7)
    services.model_version_activate(version=first, by=clinic_admin)
    services.model_version_activate(version=second, by=clinic_admin)
    assert services.model_version_rollback(by=clinic_admin) == first
    assert list(ModelVersion.objects.filter(is_active=True)) == [first]


def test_rollback_without_an_earlier_version_is_refused(active_model):
    with pytest.raises(ValidationError):
        services.model_version_rollback(by=None)
