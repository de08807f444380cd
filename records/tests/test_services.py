from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from records import services
from records.models import CareRelationship, ClinicalNote, Condition, Observation
from records.selectors import current_notes
from records.tests.factories import PDF_BYTES, ClinicalNoteFactory, EncounterFactory

pytestmark = pytest.mark.django_db


def test_recording_an_encounter_creates_the_care_relationship(doctor, patient):
    services.encounter_record(patient=patient, provider=doctor, start=timezone.now(), reason="Sore throat")
    assert CareRelationship.objects.filter(patient=patient, staff=doctor, source="encounter").exists()


def test_a_condition_takes_its_description_from_the_code_table(doctor, patient):
    condition = services.condition_record(patient=patient, recorded_by=doctor, icd10_code="j069")
    assert condition.icd10_code == "J06.9"
    assert condition.description == "Acute upper respiratory infection, unspecified"
    assert condition.verification == Condition.Verification.CONFIRMED


@pytest.mark.parametrize("code", ["XYZ", "NOPE", "J0699", "J06.99", "A00-A09", ""])
def test_a_condition_with_an_unknown_code_is_refused(doctor, patient, code):
    with pytest.raises(ValidationError):
        services.condition_record(patient=patient, recorded_by=doctor, icd10_code=code)


def test_an_encounter_of_another_patient_is_refused(doctor, patient, other_patient):
    encounter = EncounterFactory(patient=other_patient)
    with pytest.raises(ValidationError):
        services.condition_record(patient=patient, recorded_by=doctor, icd10_code="I10", encounter=encounter)


@pytest.mark.parametrize(("value", "flag"), [("182", "H"), ("120", "N"), ("80", "L")])
def test_observations_are_flagged_against_the_reference_range(nurse, patient, value, flag):
    obs = services.observation_record(
        patient=patient, recorded_by=nurse, code="8480-6", value_numeric=value, effective_at=timezone.now()
    )
    assert obs.abnormal == flag
    assert obs.unit == "mm[Hg]"
    assert obs.kind == Observation.Kind.VITALS


def test_a_lab_result_uses_the_labs_own_range(nurse, patient):
    obs = services.observation_record(
        patient=patient,
        recorded_by=nurse,
        code="2345-7",
        value_numeric=Decimal("105"),
        reference_low=Decimal("70"),
        reference_high=Decimal("110"),
        effective_at=timezone.now(),
    )
    assert obs.kind == Observation.Kind.LAB
    assert obs.abnormal == Observation.Flag.NORMAL


def test_an_amendment_keeps_the_original_note(doctor, patient):
    note = ClinicalNoteFactory(patient=patient, text="Original text")
    amendment = services.note_amend(note=note, author=doctor, text="Corrected text")
    note.refresh_from_db()
    assert note.text == "Original text"
    assert amendment.amends == note
    assert list(current_notes(patient=patient)) == [amendment]
    assert ClinicalNote.objects.count() == 2


def test_entered_in_error_keeps_the_row_and_says_why(doctor, patient):
    condition = services.condition_record(patient=patient, recorded_by=doctor, icd10_code="I10")
    services.entry_mark_entered_in_error(entry=condition, actor=doctor, reason="Wrong patient")
    condition.refresh_from_db()
    assert condition.entered_in_error
    assert condition.verification == Condition.Verification.ENTERED_IN_ERROR
    assert condition.entered_in_error_by == doctor
    with pytest.raises(ValidationError):
        services.entry_mark_entered_in_error(entry=ClinicalNoteFactory(patient=patient), actor=doctor, reason=" ")


def test_entry_update_refuses_fields_outside_the_correctable_set(doctor, patient):
    condition = services.condition_record(patient=patient, recorded_by=doctor, icd10_code="I10")
    services.entry_update(entry=condition, actor=doctor, changes={"clinical_status": "resolved"})
    assert Condition.objects.get().clinical_status == "resolved"
    with pytest.raises(ValidationError):
        services.entry_update(entry=condition, actor=doctor, changes={"patient": None})


def test_a_pdf_upload_is_stored_under_a_random_name(doctor, patient, settings):
    upload = SimpleUploadedFile("my report.pdf", PDF_BYTES, content_type="application/pdf")
    document = services.document_upload(patient=patient, uploaded_by=doctor, uploaded_file=upload, title="Report")
    assert document.content_type == "application/pdf"
    assert "my report" not in document.file.name
    assert (settings.PRIVATE_MEDIA_ROOT / document.file.name).read_bytes() == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("fake.png", b"GIF89a....."),
    ],
)
def test_uploads_that_are_not_pdf_png_or_jpeg_by_their_bytes_are_refused(doctor, patient, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.document_upload(patient=patient, uploaded_by=doctor, uploaded_file=upload, title="x")


@override_settings(DOCUMENT_MAX_BYTES=100)
def test_an_oversized_upload_is_refused(doctor, patient):
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200, content_type="application/pdf")
    with pytest.raises(ValidationError, match="too large"):
        services.document_upload(patient=patient, uploaded_by=doctor, uploaded_file=upload, title="x")


def test_invitation_creates_the_login_once(patient_user, django_capture_on_commit_callbacks):
    from records.tests.factories import PatientFactory

    walk_in = PatientFactory(email="walkin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.patient_invite(patient=walk_in, link_base="http://testserver")
    assert len(mail.outbox) == 1
    token = mail.outbox[0].body.split("/records/invitation/")[1].split("/")[0]
    user = services.invitation_accept(token=token, password="a-long-enough-password-1")
    walk_in.refresh_from_db()
    assert walk_in.user == user
    assert user.groups.filter(name="Patient").exists()
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password="a-long-enough-password-1")
