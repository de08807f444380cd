"""Security probes of the scheduling admin: every staff page showing a patient's booking or
waiting-list place is an audited read (records.audit), like the appointment's own page."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


def _reads(user):
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user)


@pytest.mark.parametrize(
    ("kind", "view", "what"),
    [
        ("appointment", "history", "history:appointment"),
        ("waitlistentry", "change", "waitlistentry"),
        ("waitlistentry", "history", "history:waitlistentry"),
    ],
)
def test_staff_pages_about_a_patients_booking_are_audited(
    client, receptionist, patient, provider, gp_visit, kind, view, what
):
    if kind == "appointment":
        obj = AppointmentFactory(patient=patient, provider=provider, appointment_type=gp_visit)
    else:
        obj = WaitlistEntryFactory(patient=patient, appointment_type=gp_visit, reason="Knee pain, worse at night")
    client.force_login(receptionist)

    response = client.get(reverse(f"admin:appointments_{kind}_{view}", args=[obj.pk]))

    assert response.status_code == 200
    assert "Alice" in response.content.decode()  # the page shows the patient
    (read,) = _reads(receptionist)
    assert read.object_pk == str(patient.pk)
    assert read.additional_data["what"] == what
    assert read.additional_data["object_id"] == obj.pk


def test_a_missing_waitlist_entry_is_no_read(client, receptionist):
    client.force_login(receptionist)
    for view in ("change", "history"):
        assert client.get(reverse(f"admin:appointments_waitlistentry_{view}", args=[987654])).status_code == 302
    assert not _reads(receptionist).exists()
