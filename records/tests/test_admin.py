from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from records.models import CareRelationship, ClinicalNote, Condition, EmergencyAccess, Encounter
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

STAFF_PERSONAS = ["doctor", "other_doctor", "nurse", "receptionist", "clinic_admin"]


def _reads(patient) -> int:
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(patient.pk)).count()


def _staff_urls(record, patient):
    return {
        "patient": reverse("admin:records_patient_change", args=[patient.pk]),
        "encounter": reverse("admin:records_encounter_change", args=[record["encounter"].pk]),
        "condition": reverse("admin:records_condition_change", args=[record["condition"].pk]),
        "note": reverse("admin:records_clinicalnote_change", args=[record["note"].pk]),
        "document": reverse("admin:records_patient_document", args=[patient.pk, record["document"].pk]),
        "export": reverse("admin:records_patient_export", args=[patient.pk]),
        "encounter_history": reverse("admin:records_encounter_history", args=[record["encounter"].pk]),
    }


# Expected status per persona and staff URL (Grace, the ``doctor``, recorded Alice's visit).
# 302 for "patient" = sent to break-the-glass; 302 elsewhere = the admin's "does not exist" redirect;
# 403 = the role has no permission on that model at all.
EXPECTED = {
    "doctor": {"patient": 200, "encounter": 200, "condition": 200, "note": 200, "document": 200, "export": 200},
    "other_doctor": {"patient": 302, "encounter": 302, "condition": 302, "note": 302, "document": 404, "export": 404},
    "nurse": {"patient": 302, "encounter": 302, "condition": 302, "note": 302, "document": 404, "export": 404},
    "receptionist": {"patient": 200, "encounter": 403, "condition": 403, "note": 403, "document": 404, "export": 404},
    "clinic_admin": {"patient": 200, "encounter": 200, "condition": 200, "note": 200, "document": 200, "export": 200},
}
# The change history of an entry is a read of it too.
for _persona, _expected in EXPECTED.items():
    _expected["encounter_history"] = _expected["encounter"]
EXPECTED["receptionist"]["encounter_history"] = 302  # sees no entry at all: "does not exist"


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_access_matrix_and_every_read_is_audited(client, request, record, patient, persona):
    user = request.getfixturevalue(persona)
    if persona == "nurse":
        CareRelationship.objects.filter(staff=user).delete()  # the nurse took vitals but has no relationship
    client.force_login(user)
    for key, url in _staff_urls(record, patient).items():
        before = _reads(patient)
        response = client.get(url)
        assert response.status_code == EXPECTED[persona][key], (persona, key)
        if response.status_code == 200:
            assert _reads(patient) == before + 1, (persona, key)
            entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("-pk").first()
            assert entry.actor == user
        else:
            assert _reads(patient) == before, (persona, key)


def test_a_doctor_without_relationship_is_sent_to_break_the_glass(client, other_doctor, record, patient):
    client.force_login(other_doctor)
    response = client.get(reverse("admin:records_patient_change", args=[patient.pk]))
    assert response["Location"] == reverse("admin:records_patient_break_glass", args=[patient.pk])
    page = client.get(response["Location"])
    assert "you have no care relationship" in page.content.decode().lower()
    assert "Headaches" not in page.content.decode()
    short = client.post(response["Location"], {"reason": "need it"})
    assert short.status_code == 200 and not EmergencyAccess.objects.exists()
    opened = client.post(response["Location"], {"reason": "Patient collapsed at reception, unresponsive"})
    assert opened["Location"] == reverse("admin:records_patient_change", args=[patient.pk])
    body = client.get(opened["Location"]).content.decode()
    assert "Essential (primary) hypertension" in body
    assert EmergencyAccess.objects.get().staff == other_doctor


@pytest.mark.parametrize("persona", ["patient_user", None])
def test_non_staff_never_reach_staff_urls(client, request, record, patient, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    for url in _staff_urls(record, patient).values():
        assert client.get(url).status_code in (302, 403), url
    assert _reads(patient) == 0


def test_the_receptionist_sees_demographics_without_clinical_content(client, receptionist, record, patient):
    client.force_login(receptionist)
    body = client.get(reverse("admin:records_patient_change", args=[patient.pk])).content.decode()
    assert patient.mrn in body
    assert "Essential (primary) hypertension" not in body and "Amlodipine" not in body
    assert client.get(reverse("admin:records_encounter_changelist")).status_code == 403


def test_a_doctor_lists_only_their_patients(client, doctor, record, patient, other_patient):
    client.force_login(doctor)
    body = client.get(reverse("admin:records_patient_changelist")).content.decode()
    assert patient.mrn in body and other_patient.mrn not in body


def test_search_by_date_of_birth(client, clinic_admin, patient, other_patient):
    client.force_login(clinic_admin)
    url = reverse("admin:records_patient_changelist") + f"?q={patient.date_of_birth.isoformat()}"
    body = client.get(url).content.decode()
    assert patient.mrn in body


def test_icd10_search_answers_staff_by_code_or_words(client, doctor, receptionist):
    client.force_login(doctor)
    url = reverse("admin:records_patient_icd10_search")
    codes = [r["code"] for r in client.get(url, {"q": "J06"}).json()["results"]]
    assert codes[0] == "J06" and "J06.9" in codes
    words = client.get(url, {"q": "essential hypertension"}).json()["results"]
    assert "I10" in [r["code"] for r in words]
    client.force_login(receptionist)
    assert client.get(url, {"q": "J06"}).status_code == 403


def test_adding_a_condition_validates_the_code_and_fills_the_description(client, doctor, record, patient):
    client.force_login(doctor)
    url = reverse("admin:records_condition_add")
    base = {"patient": patient.pk, "clinical_status": "active", "verification": "confirmed"}
    response = client.post(url, {**base, "icd10_code": "NOPE"})
    assert response.status_code == 200 and "not an ICD-10-CM code" in response.content.decode()
    response = client.post(url, {**base, "icd10_code": "e119", "encounter": record["encounter"].pk})
    assert response.status_code == 302
    condition = Condition.objects.get(icd10_code="E11.9")
    assert condition.description == "Type 2 diabetes mellitus without complications"
    assert condition.recorded_by == doctor


def test_a_doctor_cannot_add_entries_for_a_patient_they_do_not_see(client, doctor, other_patient):
    client.force_login(doctor)
    response = client.post(
        reverse("admin:records_condition_add"),
        {"patient": other_patient.pk, "icd10_code": "I10", "clinical_status": "active", "verification": "confirmed"},
    )
    assert response.status_code == 200
    assert not Condition.objects.exists()


def test_recording_an_encounter_in_the_admin_creates_the_care_relationship(client, clinic_admin, other_doctor):
    walk_in = PatientFactory()
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:records_encounter_add"),
        {
            "patient": walk_in.pk,
            "start_0": "2026-11-20",
            "start_1": "10:00",
            "type": "ambulatory",
            "reason": "Rash",
            "status": "finished",
            **{
                f"{prefix}-{k}": v
                for prefix in ("conditions", "observations", "notes")
                for k, v in (
                    ("TOTAL_FORMS", "0"),
                    ("INITIAL_FORMS", "0"),
                    ("MIN_NUM_FORMS", "0"),
                    ("MAX_NUM_FORMS", "1000"),
                )
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    encounter = Encounter.objects.get()
    assert encounter.provider == clinic_admin
    assert CareRelationship.objects.filter(patient=walk_in, staff=clinic_admin).exists()


def test_changing_a_note_saves_an_amendment_and_keeps_the_original(client, doctor, record):
    client.force_login(doctor)
    note = record["note"]
    response = client.post(reverse("admin:records_clinicalnote_change", args=[note.pk]), {"text": "Corrected."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text.startswith("Advised salt reduction.")
    assert ClinicalNote.objects.get(amends=note).text == "Corrected."


def test_clinical_entries_cannot_be_deleted_only_marked_in_error(client, doctor, record):
    client.force_login(doctor)
    condition = record["condition"]
    assert client.get(reverse("admin:records_condition_delete", args=[condition.pk])).status_code == 403
    response = client.post(
        reverse("admin:records_condition_changelist"),
        {"action": "mark_entered_in_error", "_selected_action": [condition.pk]},
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.entered_in_error and condition.verification == "entered-in-error"


def test_the_invitation_action_emails_a_signed_link(client, receptionist, django_capture_on_commit_callbacks):
    walk_in = PatientFactory(email="eve@example.org")
    client.force_login(receptionist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:records_patient_changelist"),
            {"action": "send_portal_invitation", "_selected_action": [walk_in.pk]},
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["eve@example.org"] and "/records/invitation/" in mail.outbox[0].body


def test_the_access_log_page_filters_reads_per_patient(client, clinic_admin, doctor, nurse, record, patient):
    from records.audit import audit_read

    audit_read(actor=doctor, patient=patient, what="record")
    audit_read(actor=nurse, patient=patient, what="document")
    client.force_login(clinic_admin)
    url = reverse("admin:records_patient_access_log", args=[patient.pk])
    response = client.get(url, {"staff": nurse.pk})
    entries = list(response.context["entries"])
    assert [e.actor for e in entries] == [nurse]
    assert len(client.get(url, {"what": "record"}).context["entries"]) == 1
    client.force_login(doctor)
    assert client.get(url).status_code == 403


def test_audit_rows_cannot_be_changed_or_deleted_in_the_admin(client, clinic_admin, doctor, patient):
    from records.audit import audit_read

    audit_read(actor=doctor, patient=patient, what="record")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    client.force_login(clinic_admin)
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    client.post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {"object_repr": "x"})
    entry.refresh_from_db()
    assert entry.object_repr != "x"


def test_the_receptionist_registers_a_walk_in_through_the_service(client, receptionist):
    from records.models import Patient

    client.force_login(receptionist)
    response = client.post(
        reverse("admin:records_patient_add"),
        {
            "given_name": "Frank",
            "family_name": "Fisher",
            "date_of_birth": "1970-05-06",
            "sex": "male",
            "preferred_language": "English",
        },
    )
    assert response.status_code == 302
    frank = Patient.objects.get(family_name="Fisher")
    assert frank.mrn.startswith("MRN-") and frank.user is None
    entry = LogEntry.objects.get_for_object(frank).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == receptionist


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"<html><body><script>alert(1)</script></body></html>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_the_admin_refuses_uploads_that_are_not_pdf_png_or_jpeg(client, doctor, record, patient, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.models import Document

    client.force_login(doctor)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("admin:records_document_add"),
        {"patient": patient.pk, "title": "Scan", "kind": "other", "upload": upload},
    )
    assert response.status_code == 200
    assert "Only PDF, PNG and JPEG" in response.content.decode()
    assert Document.objects.count() == 1  # the record fixture's own


def test_the_admin_stores_a_real_pdf_and_serves_it_as_an_attachment(client, doctor, record, patient):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.models import Document
    from records.tests.factories import PDF_BYTES

    client.force_login(doctor)
    upload = SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="text/html")
    response = client.post(
        reverse("admin:records_document_add"),
        {"patient": patient.pk, "title": "Referral letter", "kind": "letter", "upload": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get(title="Referral letter")
    assert document.content_type == "application/pdf" and document.uploaded_by == doctor
    download = client.get(reverse("admin:records_patient_document", args=[patient.pk, document.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "model", ["patient", "encounter", "condition", "allergy", "medication", "observation", "clinicalnote", "document"]
)
def test_every_records_admin_page_renders_for_the_clinic_admin(client, clinic_admin, record, model):
    client.force_login(clinic_admin)
    assert client.get(reverse(f"admin:records_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:records_{model}_add")).status_code == 200
    assert client.get(reverse(f"admin:records_{model}_changelist"), {"q": "a"}).status_code == 200


def test_emergency_access_review_list_renders_for_the_clinic_admin(client, clinic_admin, nurse, patient):
    from records.services import emergency_access_grant

    emergency_access_grant(staff=nurse, patient=patient, reason="Found unresponsive in the corridor")
    client.force_login(clinic_admin)
    body = client.get(reverse("admin:records_emergencyaccess_changelist")).content.decode()
    assert "Found unresponsive in the corridor" in body


def test_a_nurse_records_observations_but_cannot_change_a_prescription(client, nurse, record, patient):
    from records.models import Observation
    from records.services import care_relationship_ensure

    care_relationship_ensure(patient=patient, staff=nurse, source="appointment")
    client.force_login(nurse)
    response = client.post(
        reverse("admin:records_observation_add"),
        {
            "patient": patient.pk,
            "kind": "vitals",
            "code": "8867-4",
            "value_numeric": "118",
            "effective_at_0": "2026-11-20",
            "effective_at_1": "09:30",
        },
    )
    assert response.status_code == 302
    pulse = Observation.objects.get(code="8867-4", patient=patient)
    assert pulse.abnormal == "H" and pulse.display == "Heart rate" and pulse.recorded_by == nurse
    url = reverse("admin:records_medication_change", args=[record["medication"].pk])
    client.post(url, {"drug": "Something else", "dose": "1", "frequency": "daily", "start": "2026-11-01"})
    record["medication"].refresh_from_db()
    assert record["medication"].drug == "Amlodipine"


def test_recording_a_visit_with_its_diagnosis_vitals_and_note_inline(client, doctor, patient):
    from records.services import care_relationship_ensure

    care_relationship_ensure(patient=patient, staff=doctor, source="appointment")
    client.force_login(doctor)

    def management(prefix: str, total: int) -> dict:
        return {
            f"{prefix}-TOTAL_FORMS": str(total),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }

    response = client.post(
        reverse("admin:records_encounter_add"),
        {
            "patient": patient.pk,
            "start_0": "2026-11-20",
            "start_1": "10:00",
            "type": "ambulatory",
            "reason": "Fever and cough",
            "status": "finished",
            **management("conditions", 1),
            "conditions-0-icd10_code": "j111",
            "conditions-0-clinical_status": "active",
            "conditions-0-verification": "confirmed",
            **management("observations", 1),
            "observations-0-kind": "vitals",
            "observations-0-code": "8867-4",
            "observations-0-value_numeric": "88",
            "observations-0-effective_at_0": "2026-11-20",
            "observations-0-effective_at_1": "10:05",
            **management("notes", 1),
            "notes-0-text": "Likely flu. <script>alert(1)</script>",
            "_continue": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    encounter = Encounter.objects.get(patient=patient)
    condition = encounter.conditions.get()
    assert (condition.icd10_code, condition.verification, condition.recorded_by) == ("J11.1", "confirmed", doctor)
    assert condition.description.startswith("Influenza due to unidentified influenza virus")
    pulse = encounter.observations.get()
    assert pulse.display == "Heart rate" and pulse.abnormal == "N" and pulse.recorded_by == doctor
    assert encounter.notes.get().author == doctor
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in page
