"""20 clients on separate connections race for one slot, 20 rounds (MySQL/MariaDB only).

Check-then-insert double-books here every time; the provider-row lock must make exactly one
booking per round win and every other attempt fail with a ValidationError, nothing else.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from appointments.models import Appointment
from appointments.selectors import available_slots
from appointments.services import appointment_book
from appointments.tests.factories import AppointmentTypeFactory, ProviderFactory, weekday_rules
from records.tests.factories import PatientFactory

THREADS = 20
ROUNDS = 20


def race(*, provider, kind, patients, start) -> tuple[int, int, list[BaseException]]:
    barrier = threading.Barrier(len(patients))
    won, lost, errors = [], [], []

    def attempt(patient) -> None:
        try:
            barrier.wait(timeout=30)
            appointment_book(
                patient=patient, provider=provider, start=start, appointment_type=kind, booked_by=patient.user
            )
            won.append(patient.pk)
        except ValidationError:
            lost.append(patient.pk)
        except BaseException as exc:  # noqa: BLE001 - every other error fails the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return len(won), len(lost), errors


@pytest.mark.mysql
def test_exactly_one_of_twenty_parallel_bookings_wins_each_round(transactional_db):
    provider = ProviderFactory()
    weekday_rules(provider, start=dt.time(0, 0), end=dt.time(23, 45), days=range(7))
    kind = AppointmentTypeFactory(duration_minutes=15)
    patients = [PatientFactory() for _ in range(THREADS)]
    now = timezone.now()
    slots = available_slots(provider=provider, appointment_type=kind, start=now, end=now + dt.timedelta(days=3))
    assert len(slots) >= ROUNDS
    for round_number, start in enumerate(slots[:ROUNDS]):
        won, lost, errors = race(provider=provider, kind=kind, patients=patients, start=start)
        assert errors == [], f"round {round_number}: {errors!r}"
        assert (won, lost) == (1, THREADS - 1), f"round {round_number}"
    assert Appointment.objects.count() == ROUNDS
    assert Appointment.objects.values("start").distinct().count() == ROUNDS


@pytest.mark.mysql
def test_offered_waitlist_slot_goes_to_exactly_one_of_the_patients_confirming_at_once(transactional_db):
    from appointments.models import WaitlistEntry
    from appointments.services import waitlist_accept, waitlist_join

    provider = ProviderFactory()
    weekday_rules(provider, start=dt.time(0, 0), end=dt.time(23, 45), days=range(7))
    kind = AppointmentTypeFactory(duration_minutes=15)
    now = timezone.now()
    start = available_slots(provider=provider, appointment_type=kind, start=now, end=now + dt.timedelta(days=3))[0]
    local_day = timezone.localdate(start)
    entries = [
        waitlist_join(
            patient=PatientFactory(),
            appointment_type=kind,
            provider=provider,
            earliest_date=local_day,
            latest_date=local_day + dt.timedelta(days=1),
        )
        for _ in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    won, lost, errors = [], [], []

    def accept(entry) -> None:
        try:
            barrier.wait(timeout=30)
            waitlist_accept(entry=entry, provider=provider, start=start)
            won.append(entry.pk)
        except ValidationError:
            lost.append(entry.pk)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(e,)) for e in entries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert (len(won), len(lost)) == (1, THREADS - 1)
    assert WaitlistEntry.objects.filter(status="booked").count() == 1
    assert Appointment.objects.filter(start=start).count() == 1
