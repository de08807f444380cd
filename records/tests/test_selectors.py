from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from records import selectors
from records.models import Allergy, Condition, Medication
from records.tests.factories import (
    AllergyFactory,
    ConditionFactory,
    EncounterFactory,
    MedicationFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_record(patient, other_patient, doctor):
    """Entries the overview shows and entries it must not: resolved, in error, ended, stopped,
    older than the latest five visits, or another patient's."""
    now, today = timezone.now(), timezone.localdate()
    visits = [
        EncounterFactory(patient=patient, provider=doctor, start=now - dt.timedelta(days=days), reason=f"Visit {days}")
        for days in (1, 3, 5, 8, 13, 21, 34)
    ]
    EncounterFactory(patient=patient, provider=doctor, start=now, entered_in_error=True, reason="Wrong chart")
    EncounterFactory(patient=other_patient, start=now, reason="Bob's visit")
    visit = visits[0]
    for code, status, verification, in_error in (
        ("I10", Condition.ClinicalStatus.ACTIVE, Condition.Verification.CONFIRMED, False),
        ("J45", Condition.ClinicalStatus.ACTIVE, Condition.Verification.PROVISIONAL, False),
        ("K21", Condition.ClinicalStatus.RESOLVED, Condition.Verification.CONFIRMED, False),
        ("E11", Condition.ClinicalStatus.ACTIVE, Condition.Verification.ENTERED_IN_ERROR, False),
        ("N39", Condition.ClinicalStatus.ACTIVE, Condition.Verification.CONFIRMED, True),
    ):
        ConditionFactory(
            patient=patient,
            encounter=visit,
            icd10_code=code,
            clinical_status=status,
            verification=verification,
            entered_in_error=in_error,
        )
    ConditionFactory(patient=other_patient, icd10_code="F32")
    for substance, status, in_error in (
        ("Penicillin", Allergy.ClinicalStatus.ACTIVE, False),
        ("Latex", Allergy.ClinicalStatus.ACTIVE, False),
        ("Peanut", Allergy.ClinicalStatus.RESOLVED, False),
        ("Aspirin", Allergy.ClinicalStatus.ACTIVE, True),
    ):
        AllergyFactory(
            patient=patient,
            substance=substance,
            clinical_status=status,
            entered_in_error=in_error,
            severity=Allergy.Severity.SEVERE,
        )
    AllergyFactory(patient=other_patient, substance="Sesame")
    for drug, started, end, status, in_error in (
        ("Amlodipine", 30, None, Medication.Status.ACTIVE, False),
        ("Salbutamol", 20, today, Medication.Status.ACTIVE, False),  # its last day is today: still current
        ("Amoxicillin", 10, today - dt.timedelta(days=1), Medication.Status.ACTIVE, False),
        ("Ramipril", 40, None, Medication.Status.STOPPED, False),
        ("Metformin", 5, None, Medication.Status.ACTIVE, True),
    ):
        MedicationFactory(
            patient=patient,
            prescriber=doctor,
            drug=drug,
            start=today - dt.timedelta(days=started),
            end=end,
            status=status,
            entered_in_error=in_error,
            route=Medication.Route.INHALED,
        )
    MedicationFactory(patient=other_patient, drug="Sertraline")
    return visits


def test_the_overview_lists_what_the_selectors_define(patient, mixed_record):
    """The overview reads its lists with plain SQL; they must be exactly what the ORM selectors
    that define an active problem, an active allergy, a current medication and a visit return."""
    overview = selectors.record_overview(patient=patient)

    assert [(c["icd10_code"], c["description"], c["verification"]) for c in overview.conditions] == [
        (c.icd10_code, c.description, c.verification) for c in selectors.active_conditions(patient=patient)
    ]
    assert [c["icd10_code"] for c in overview.conditions] == ["J45", "I10"]

    assert [(a["substance"], a["reaction"], a["severity"], a["severity_display"]) for a in overview.allergies] == [
        (a.substance, a.reaction, a.severity, a.get_severity_display())
        for a in selectors.allergies_for_patient(patient=patient)
    ]
    assert [a["substance"] for a in overview.allergies] == ["Latex", "Penicillin"]

    assert [
        (m["drug"], m["dose"], m["route"], m["route_display"], m["frequency"], m["start"]) for m in overview.medications
    ] == [
        (m.drug, m.dose, m.route, m.get_route_display(), m.frequency, m.start)
        for m in selectors.current_medications(patient=patient)
    ]
    assert [m["drug"] for m in overview.medications] == ["Salbutamol", "Amlodipine"]

    assert overview.encounters == [
        {"pk": e.pk, "start": e.start, "reason": e.reason, "provider_name": e.provider.get_full_name()}
        for e in selectors.encounters_for_patient(patient=patient)[:5]
    ]
    assert [e["pk"] for e in overview.encounters] == [visit.pk for visit in mixed_record[:5]]
    assert overview.encounters[0]["start"].tzinfo is not None


def test_the_overview_of_an_empty_record_is_empty(mixed_record):
    overview = selectors.record_overview(patient=PatientFactory())
    assert (overview.conditions, overview.allergies, overview.medications, overview.encounters) == ([], [], [], [])
