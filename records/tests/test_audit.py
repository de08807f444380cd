from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from records.audit import audit_read
from records.selectors import access_log_for_patient, emergency_accesses_for_review, record_access_history
from records.services import emergency_access_grant, encounter_record
from records.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_audit_read_writes_an_access_row_filed_under_the_patient(doctor, patient):
    document = DocumentFactory(patient=patient)
    audit_read(actor=doctor, patient=patient, obj=document, what="document")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == doctor
    assert entry.object_pk == str(patient.pk)
    assert entry.additional_data == {
        "patient_id": patient.pk,
        "what": "document",
        "object_type": "records.document",
        "object_id": document.pk,
    }
    assert list(access_log_for_patient(patient=patient)) == [entry]


def test_record_access_history_names_staff_role_when_and_what(doctor, nurse, patient, other_patient):
    audit_read(actor=doctor, patient=patient, what="record")
    audit_read(actor=nurse, patient=other_patient, what="record")
    history = record_access_history(patient=patient)
    assert len(history) == 1
    assert history[0].staff_name == "Grace Hopper"
    assert history[0].role == "Doctor"
    assert history[0].what == "record"


def test_changes_are_logged_with_the_patient_id(doctor, patient):
    from django.utils import timezone

    encounter = encounter_record(patient=patient, provider=doctor, start=timezone.now(), reason="Check-up")
    entry = LogEntry.objects.get_for_object(encounter).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.additional_data == {"patient_id": patient.pk}


def test_break_the_glass_is_audited_with_its_reason_and_listed_for_review(nurse, patient):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    with pytest.raises(ValidationError):
        emergency_access_grant(staff=nurse, patient=patient, reason="because")
    grant = emergency_access_grant(staff=nurse, patient=patient, reason="Patient unconscious in the car park")
    created = LogEntry.objects.get_for_object(grant).get()
    assert created.additional_data["reason"] == "Patient unconscious in the car park"
    assert record_access_history(patient=patient)[0].what == "break-the-glass"
    since = timezone.now() - timezone.timedelta(days=1)
    assert list(emergency_accesses_for_review(since=since)) == [grant]


def test_record_access_history_query_count_does_not_grow_with_rows(
    doctor, nurse, clinic_admin, patient, django_assert_num_queries
):
    for actor in (doctor, nurse, clinic_admin, doctor):
        audit_read(actor=actor, patient=patient, what="record")
    record_access_history(patient=patient)  # warms the content-type cache
    # access rows joined with their actor, then the actors' groups (one prefetch)
    with django_assert_num_queries(2):
        history = record_access_history(patient=patient)
    assert [h.role for h in history] == ["Doctor", "Clinic admin", "Nurse", "Doctor"]


def test_the_patients_own_downloads_are_not_in_their_access_history(patient_user, doctor, patient):
    audit_read(actor=patient_user, patient=patient, what="export:fhir")
    audit_read(actor=doctor, patient=patient, what="record")
    assert [h.staff_name for h in record_access_history(patient=patient)] == ["Grace Hopper"]
