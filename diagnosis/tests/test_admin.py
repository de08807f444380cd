from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from diagnosis import services
from diagnosis.models import ModelVersion, SymptomCheck
from diagnosis.tests.support import install_model
from records.models import Condition
from records.tests.factories import CareRelationshipFactory, EncounterFactory

pytestmark = pytest.mark.django_db

TEXT = "really bad headache since this morning, threw up twice, no fever, light hurts my eyes"


@pytest.fixture
def check(active_model, patient, patient_user, doctor):
    CareRelationshipFactory(patient=patient, staff=doctor)
    return services.symptom_check_run(patient=patient, created_by=patient_user, text=TEXT)


def test_a_clinician_sees_only_checks_of_their_patients(client, check, other_doctor, doctor):
    client.force_login(other_doctor)
    assert client.get(reverse("admin:diagnosis_symptomcheck_change", args=[check.pk])).status_code == 302
    assert check.pk not in [c.pk for c in client.get(
        reverse("admin:diagnosis_symptomcheck_changelist")).context["cl"].result_list]
    client.force_login(doctor)
    response = client.get(reverse("admin:diagnosis_symptomcheck_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [check.pk]
    assert "checker-agreement" in response.content.decode()


def test_a_staff_read_of_a_check_is_audited(client, check, doctor, patient):
    client.force_login(doctor)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    response = client.get(reverse("admin:diagnosis_symptomcheck_change", args=[check.pk]))
    assert response.status_code == 200
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("-pk").first()
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    assert entry.actor == doctor and entry.additional_data["what"] == "symptom_check"
    assert entry.additional_data["object_id"] == check.pk


def test_a_receptionist_cannot_open_checks(client, check, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("admin:diagnosis_symptomcheck_changelist")).status_code == 403


def test_the_doctor_confirms_a_diagnosis_on_a_visit(client, check, doctor, patient):
    encounter = EncounterFactory(patient=patient, provider=doctor)
    client.force_login(doctor)
    url = reverse("admin:diagnosis_symptomcheck_confirm", args=[check.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"encounter": encounter.pk, "icd10_code": "g43909"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.confirmed_icd10 == "G43.909" and check.confirmed_by == doctor and check.encounter == encounter
    assert Condition.objects.filter(encounter=encounter, icd10_code="G43.909").exists()


def test_confirm_rejects_a_bad_code_and_another_patients_visit(client, check, doctor, patient, other_patient):
    CareRelationshipFactory(patient=other_patient, staff=doctor)
    foreign = EncounterFactory(patient=other_patient, provider=doctor)
    client.force_login(doctor)
    url = reverse("admin:diagnosis_symptomcheck_confirm", args=[check.pk])
    assert client.post(url, {"encounter": foreign.pk, "icd10_code": "G43.909"}).status_code == 200
    own = EncounterFactory(patient=patient, provider=doctor)
    assert client.post(url, {"encounter": own.pk, "icd10_code": "XYZ"}).status_code == 200
    check.refresh_from_db()
    assert check.confirmed_icd10 == ""


def test_a_nurse_cannot_confirm(client, check, nurse, patient):
    CareRelationshipFactory(patient=patient, staff=nurse)
    client.force_login(nurse)
    assert client.get(reverse("admin:diagnosis_symptomcheck_confirm", args=[check.pk])).status_code == 403


def test_the_model_card_shows_metrics_intended_use_and_limitations(client, clinic_admin, active_model):
    client.force_login(clinic_admin)
    response = client.get(reverse("admin:diagnosis_modelversion_change", args=[active_model.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Model card", "Intended use", "Limitations", "Held-out synthetic test set",
                 "Bayes posterior of the generator (ceiling)", "Our vignette set", "Semigran"):
        assert text in body


def test_activate_and_roll_back_from_the_admin(client, clinic_admin, trained_model, active_model):
    newer = install_model(trained_model, name="newer.joblib", active=False, vignette_top3=0.9)
    client.force_login(clinic_admin)
    response = client.post(reverse("admin:diagnosis_modelversion_activate", args=[newer.pk]))
    assert response.status_code == 302
    assert ModelVersion.objects.get(is_active=True) == newer
    client.post(reverse("admin:diagnosis_modelversion_rollback"))
    assert ModelVersion.objects.get(is_active=True) == active_model


def test_a_worse_model_is_refused_in_the_admin_without_force(client, clinic_admin, trained_model, active_model):
    worse = install_model(trained_model, name="worse.joblib", active=False, vignette_top3=0.1)
    client.force_login(clinic_admin)
    response = client.post(reverse("admin:diagnosis_modelversion_activate", args=[worse.pk]), follow=True)
    assert "scores worse" in response.content.decode()
    assert ModelVersion.objects.get(is_active=True) == active_model
    client.post(reverse("admin:diagnosis_modelversion_activate", args=[worse.pk]), {"force": "1"})
    assert ModelVersion.objects.get(is_active=True) == worse


def test_a_doctor_cannot_activate_models(client, doctor, trained_model, active_model):
    other = install_model(trained_model, name="other.joblib", active=False, vignette_top3=0.9)
    client.force_login(doctor)
    assert client.post(reverse("admin:diagnosis_modelversion_activate", args=[other.pk])).status_code == 403
    assert client.get(reverse("admin:diagnosis_modelversion_activate", args=[other.pk])).status_code == 405


def test_checks_cannot_be_added_or_deleted_in_the_admin(client, clinic_admin, check):
    client.force_login(clinic_admin)
    assert client.get(reverse("admin:diagnosis_symptomcheck_add")).status_code == 403
    assert client.get(reverse("admin:diagnosis_symptomcheck_delete", args=[check.pk])).status_code == 403
    assert SymptomCheck.objects.filter(pk=check.pk).exists()
