from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_doctors_change_the_clinical_record(doctor):
    assert doctor.has_perms(["records.change_medication", "records.add_condition", "records.view_patient"])
    assert not doctor.has_perm("records.change_patient")


def test_nurses_record_observations_and_notes_but_do_not_prescribe(nurse):
    assert nurse.has_perms(["records.add_observation", "records.change_clinicalnote", "records.view_medication"])
    assert not nurse.has_perm("records.change_medication")
    assert not nurse.has_perm("records.add_medication")


def test_receptionists_keep_demographics_only(receptionist):
    assert receptionist.has_perms(["records.view_patient", "records.add_patient", "records.change_patient"])
    assert not receptionist.has_perm("records.view_encounter")
    assert not receptionist.has_perm("records.view_observation")


def test_clinic_admins_read_the_audit_log(clinic_admin, doctor):
    assert clinic_admin.has_perms(["auditlog.view_logentry", "records.view_emergencyaccess"])
    assert not doctor.has_perm("auditlog.view_logentry")
