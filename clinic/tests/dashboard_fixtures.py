"""A known clinic for the dashboard tests, on Wednesday 4 March 2026, 10:00 London (= UTC).

Hand-computed numbers for the default range (the last 30 days: Tue 3 Feb - Wed 4 Mar 2026):

- appointments in the range: Alice 09:00 today checked in (Grace), Bob 10:30 today booked
  (Grace), Carol 11:00 today cancelled (Grace), Dave 09:30 today checked in with vitals since
  (Julius), Carol yesterday no-show (Grace), Bob on Monday completed (Grace); a requested one
  tomorrow is outside the range. So: booked 6 (all but requests), completed 1, cancelled 1,
  no-show rate 1 / (1 completed + 1 no-show) = 50 %.
- utilisation: 22 weekdays in the range; Grace 09:00-17:00 (480 min) minus 4 h time off on
  Tue 10 Feb = 22 * 480 - 240 = 10,320 min; Julius 09:00-13:00 = 22 * 240 = 5,280 min;
  15,600 available. Booked: five 15-minute visits hold time (the cancelled one does not) =
  75 min (Grace 60, Julius 15).
- patients: 4 (Alice and Bob with a login), Dave registered 60 days ago: new 3, adoption 50 %.
- symptom checks in the range: Alice urgent (Migraine first), Dave routine (Migraine first);
  one from 40 days ago is outside. Agreement: two confirmed in the range, one in the top 3: 50 %.
- review: one break-the-glass opening yesterday (one 60 days ago is outside), one lockout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from axes.models import AccessAttempt

from appointments.models import Appointment, Provider
from appointments.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    TimeOffFactory,
    WaitlistEntryFactory,
    weekday_rules,
)
from diagnosis.models import ModelVersion, SymptomCheck
from records.models import Condition, Observation, Patient
from records.tests.factories import (
    CareRelationshipFactory,
    ConditionFactory,
    EmergencyAccessFactory,
    EncounterFactory,
    ObservationFactory,
    PatientFactory,
)

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@dataclass
class Clinic:
    alice: Patient
    bob: Patient
    carol: Patient
    dave: Patient
    grace: Provider
    julius: Provider
    waiting: Appointment
    next_booked: Appointment
    requested: Appointment
    no_show: Appointment
    undiagnosed_reason: str


def model_version() -> ModelVersion:
    return ModelVersion.objects.get_or_create(
        file_name="dashboard-test.joblib",
        defaults={"sha256": "0" * 64, "size": 1, "sklearn_version": "1.5", "kb_hash": "0" * 64},
    )[0]


def symptom_check(patient: Patient, *, by, created_at, triage: str, name: str, icd10: str, **extra) -> SymptomCheck:
    check = SymptomCheck.objects.create(
        patient=patient,
        created_by=patient.user or by,
        triage=triage,
        conditions=[{"name": name, "icd10": icd10, "probability": 0.6}, {"name": "Tension headache", "icd10": "G44.2"}],
        model_version=model_version(),
        **extra,
    )
    SymptomCheck.objects.filter(pk=check.pk).update(created_at=created_at)
    return check


def build_clinic(*, doctor, other_doctor, nurse, patient, other_patient) -> Clinic:
    room1, room2 = LocationFactory(name="Room 1"), LocationFactory(name="Room 2")
    grace = ProviderFactory(user=doctor, default_location=room1)
    julius = ProviderFactory(user=other_doctor, default_location=room2)
    weekday_rules(grace, location=room1)
    weekday_rules(julius, end=dt.time(13, 0), location=room2)
    TimeOffFactory(provider=grace, start=at(10, 9, month=2), end=at(10, 13, month=2))
    visit = AppointmentTypeFactory(name="Consultation", duration_minutes=15)

    alice, bob = patient, other_patient
    carol = PatientFactory(given_name="Carol", family_name="Cole")
    dave = PatientFactory(given_name="Dave", family_name="Dunn")
    Patient.objects.filter(pk=dave.pk).update(created_at=NOW - dt.timedelta(days=60))
    for p in (alice, bob, carol):
        CareRelationshipFactory(patient=p, staff=doctor)
    CareRelationshipFactory(patient=dave, staff=other_doctor)

    def book(who, provider, start, status, **extra):
        return AppointmentFactory(
            patient=who,
            provider=provider,
            appointment_type=visit,
            start=start,
            status=status,
            location=provider.default_location,
            **extra,
        )

    S = Appointment.Status
    waiting = book(alice, grace, at(4, 9), S.CHECKED_IN, checked_in_at=at(4, 8, 55), reason="Headaches")
    next_booked = book(bob, grace, at(4, 10, 30), S.BOOKED)
    book(carol, grace, at(4, 11), S.CANCELLED)
    book(dave, julius, at(4, 9, 30), S.CHECKED_IN, checked_in_at=at(4, 9, 20))
    ObservationFactory(patient=dave, recorded_by=nurse, effective_at=at(4, 9, 25))
    # Alice's vitals are from before she checked in: she still needs them.
    ObservationFactory(patient=alice, recorded_by=nurse, effective_at=at(1, 12))
    requested = book(carol, julius, at(5, 11), S.REQUESTED)
    no_show = book(carol, grace, at(3, 15), S.NO_SHOW)
    book(bob, grace, at(2, 9), S.COMPLETED)
    WaitlistEntryFactory(
        patient=bob,
        appointment_type=visit,
        provider=grace,
        status="offered",
        offered_at=at(4, 8),
        offered_start=at(6, 9),
        offered_provider=grace,
    )

    symptom_check(
        alice,
        by=nurse,
        created_at=at(3, 20),
        triage="urgent",
        name="Migraine",
        icd10="G43.9",
        confirmed_icd10="G43.9",
        confirmed_at=at(4, 9, 10),
        agrees_top3=True,
    )
    symptom_check(
        dave,
        by=nurse,
        created_at=at(2, 8),
        triage="routine",
        name="Migraine",
        icd10="G43.9",
        confirmed_icd10="J06.9",
        confirmed_at=at(3, 9),
        agrees_top3=False,
    )
    symptom_check(
        bob, by=nurse, created_at=NOW - dt.timedelta(days=40), triage="self_care", name="Common cold", icd10="J00"
    )

    diagnosed = EncounterFactory(patient=bob, provider=doctor, start=at(2, 9), reason="Follow-up")
    ConditionFactory(
        patient=bob, encounter=diagnosed, recorded_by=doctor, verification=Condition.Verification.CONFIRMED
    )
    EncounterFactory(patient=carol, provider=doctor, start=at(3, 14), reason="Dizzy spells")
    provisional = EncounterFactory(patient=alice, provider=doctor, start=at(1, 14), reason="Back pain")
    ConditionFactory(
        patient=alice, encounter=provisional, recorded_by=doctor, verification=Condition.Verification.PROVISIONAL
    )

    EmergencyAccessFactory(staff=other_doctor, patient=alice, granted_at=at(3, 22))
    EmergencyAccessFactory(staff=other_doctor, patient=bob, granted_at=NOW - dt.timedelta(days=60))
    AccessAttempt.objects.create(
        username="mallory@example.org",
        ip_address="203.0.113.9",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=5,
        attempt_time=at(3, 7),
    )
    return Clinic(
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        grace=grace,
        julius=julius,
        waiting=waiting,
        next_booked=next_booked,
        requested=requested,
        no_show=no_show,
        undiagnosed_reason="Dizzy spells",
    )


def grow_clinic(clinic: Clinic, *, nurse, extra: int = 15) -> None:
    """More of everything (past and today), to prove the query count does not follow the data."""
    visit = clinic.next_booked.appointment_type
    for i in range(extra):
        who = PatientFactory()
        AppointmentFactory(
            patient=who,
            provider=clinic.julius,
            appointment_type=visit,
            start=at(4, 11) + dt.timedelta(minutes=15 * i),
            status="booked",
        )
        AppointmentFactory(
            patient=who,
            provider=clinic.grace,
            appointment_type=visit,
            start=at(2, 13) + dt.timedelta(minutes=15 * i),
            status="completed",
        )
        AppointmentFactory(
            patient=who,
            provider=clinic.grace,
            appointment_type=visit,
            start=at(4, 12) + dt.timedelta(minutes=15 * i),
            status="checked_in",
            checked_in_at=at(4, 9),
        )
        AppointmentFactory(
            patient=who,
            provider=clinic.julius,
            appointment_type=visit,
            start=at(6, 9) + dt.timedelta(minutes=15 * i),
            status="requested",
        )
        symptom_check(who, by=nurse, created_at=at(3, 10), triage="emergency", name=f"Condition {i}", icd10="R51")
        EncounterFactory(patient=who, provider=clinic.grace.user, start=at(1, 9))
        ObservationFactory(patient=who, recorded_by=nurse, effective_at=at(1, 9), kind=Observation.Kind.VITALS)
        EmergencyAccessFactory(staff=clinic.julius.user, patient=who, granted_at=at(2, 10))
