from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from records import services
from records.tests.factories import DocumentFactory

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def record(patient, doctor, nurse):
    """Alice's record: one visit with Grace (the ``doctor``), a diagnosis, vitals over time,
    a lab panel with one abnormal result, a prescription, an allergy, a note and a document.
    Some free-text fields hold an XSS payload, which every page must show escaped."""
    now = timezone.now()
    encounter = services.encounter_record(
        patient=patient, provider=doctor, start=now - dt.timedelta(days=2), reason=f"Headaches {XSS}"
    )
    condition = services.condition_record(patient=patient, recorded_by=doctor, icd10_code="I10", encounter=encounter)
    for days, systolic in ((60, 150), (30, 142), (2, 128)):
        services.observation_record(
            patient=patient,
            recorded_by=nurse,
            code="8480-6",
            value_numeric=systolic,
            effective_at=now - dt.timedelta(days=days),
            encounter=encounter if days == 2 else None,
        )
        services.observation_record(
            patient=patient,
            recorded_by=nurse,
            code="8462-4",
            value_numeric=85,
            effective_at=now - dt.timedelta(days=days),
        )
    glucose = services.observation_record(
        patient=patient,
        recorded_by=doctor,
        code="2345-7",
        value_numeric=Decimal("131"),
        effective_at=now - dt.timedelta(days=2),
        encounter=encounter,
    )
    services.observation_record(
        patient=patient,
        recorded_by=doctor,
        code="718-7",
        value_numeric=Decimal("14.1"),
        effective_at=now - dt.timedelta(days=2),
        encounter=encounter,
    )
    medication = services.medication_prescribe(
        patient=patient,
        prescriber=doctor,
        drug="Amlodipine",
        dose="5 mg",
        frequency="once daily",
        start=timezone.localdate() - dt.timedelta(days=2),
        encounter=encounter,
    )
    allergy = services.allergy_record(
        patient=patient, recorded_by=doctor, substance="Penicillin", reaction=f"Rash {XSS}"
    )
    note = services.note_add(patient=patient, author=doctor, text=f"Advised salt reduction. {XSS}", encounter=encounter)
    document = DocumentFactory(patient=patient, encounter=encounter, uploaded_by=doctor, title="ECG report")
    return {
        "encounter": encounter,
        "condition": condition,
        "glucose": glucose,
        "medication": medication,
        "allergy": allergy,
        "note": note,
        "document": document,
    }
