"""Security probes of the symptom checker's admin: a check's history page is a read of the
patient's record, audited like its change page and like the history of every clinical entry."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from diagnosis.models import ModelVersion, SymptomCheck
from records.tests.factories import CareRelationshipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(patient, patient_user):
    version = ModelVersion.objects.create(file_name="probe.joblib", sha256="0" * 64, size=1, kb_hash="0" * 64)
    return SymptomCheck.objects.create(
        patient=patient, created_by=patient_user, text="my chest hurts", triage="urgent", model_version=version
    )


def test_a_checks_history_page_is_an_audited_read(client, check, doctor, patient):
    CareRelationshipFactory(patient=patient, staff=doctor)
    client.force_login(doctor)

    response = client.get(reverse("admin:diagnosis_symptomcheck_history", args=[check.pk]))

    assert response.status_code == 200
    (read,) = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=doctor)
    assert read.object_pk == str(patient.pk)
    assert read.additional_data["what"] == "history:symptom_check"
    assert read.additional_data["object_id"] == check.pk


def test_a_clinician_outside_the_care_team_gets_no_history_and_no_read(client, check, other_doctor):
    client.force_login(other_doctor)
    response = client.get(reverse("admin:diagnosis_symptomcheck_history", args=[check.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=other_doctor).exists()
