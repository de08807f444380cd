from __future__ import annotations

import io
from collections import defaultdict

import pytest
from faker import Faker

from accounts import demo as accounts_demo
from accounts.demo import DemoContext
from appointments import demo
from appointments.models import Appointment, AppointmentType, AvailabilityRule, Provider
from records.models import CareRelationship, Patient
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def context(appointments: int) -> DemoContext:
    from django.core.management.base import OutputWrapper
    from django.core.management.color import no_style

    return DemoContext(
        stdout=OutputWrapper(io.StringIO()),
        style=no_style(),
        password="demo-pass-for-tests-1",
        patients=8,
        appointments=appointments,
        seed=7,
        faker=Faker("en_GB"),
    )


def seeded(appointments: int = 400) -> DemoContext:
    ctx = context(appointments)
    accounts_demo.seed(ctx)
    for user in ctx.patient_users:
        if not Patient.objects.filter(user=user).exists():
            PatientFactory(user=user, email=user.email)
    demo.seed(ctx)
    return ctx


def overlaps(rows) -> bool:
    rows = sorted(rows)
    return any(b[0] < a[1] for a, b in zip(rows, rows[1:], strict=False))


def test_demo_creates_providers_hours_types_and_believable_appointments():
    ctx = seeded()
    assert Provider.objects.count() == 4
    assert Provider.objects.filter(bookable_online=False).count() == 1  # the nurse
    assert set(Provider.objects.values_list("specialty", flat=True)) == {
        "general_practice",
        "cardiology",
        "dermatology",
    }
    assert AvailabilityRule.objects.filter(weekday__gte=5).count() == 0
    assert AppointmentType.objects.filter(specialty="general_practice", duration_minutes=15).exists()
    assert Appointment.objects.count() == ctx.created["appointments"] == 400
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"completed", "no_show", "cancelled", "booked"} <= statuses
    assert CareRelationship.objects.exists()

    live = Appointment.objects.filter(status__in=Appointment.LIVE_STATUSES)
    by_provider, by_patient = defaultdict(list), defaultdict(list)
    for provider_id, patient_id, start, end, busy_until in live.values_list(
        "provider_id", "patient_id", "start", "end", "busy_until"
    ):
        by_provider[provider_id].append((start, busy_until))
        by_patient[patient_id].append((start, end))
    assert not any(overlaps(rows) for rows in by_provider.values())
    assert not any(overlaps(rows) for rows in by_patient.values())


def test_demo_is_idempotent():
    seeded()
    counts = (Provider.objects.count(), AppointmentType.objects.count(), Appointment.objects.count())
    ctx = seeded()
    assert (Provider.objects.count(), AppointmentType.objects.count(), Appointment.objects.count()) == counts
    assert "appointments" not in ctx.created


def test_large_demos_spread_appointments_over_extra_clinicians_with_their_own_panels(monkeypatch):
    monkeypatch.setattr(demo, "PATIENTS_PER_CLINICIAN", 1)  # 8 patients -> 8 clinicians: 4 demo + 4 extra
    ctx = seeded(appointments=600)

    extra = Provider.objects.filter(user__email__startswith="clinician")
    assert extra.count() == 4 == ctx.created["extra clinician logins"]
    assert extra.filter(bookable_online=False).count() == 0  # every fifth is a nurse: none among four
    for provider in extra:
        assert provider.user.is_staff
        assert provider.user.groups.filter(name="Doctor").exists()
        assert AvailabilityRule.objects.filter(provider=provider).count() >= 8  # 4-5 days, two sessions
        assert Appointment.objects.filter(provider=provider).exists()
    assert Appointment.objects.count() == 600

    # Mostly their own panel (here one patient each): not a uniform draw over the eight patients.
    seen = defaultdict(list)
    for provider_id, patient_id in Appointment.objects.values_list("provider_id", "patient_id"):
        seen[provider_id].append(patient_id)
    for patients in seen.values():
        assert max(patients.count(p) for p in set(patients)) > len(patients) / 2

    again = seeded(appointments=600)
    assert Provider.objects.count() == 8 and "extra clinician logins" not in again.created
