"""Benchmark: ``available_slots`` for one provider over 30 days with 1,000,000 appointments stored.

    DATABASE_URL=sqlite:////tmp/clinic-bench.sqlite3 .venv/bin/python bench/slots.py
    DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_bench .venv/bin/python bench/slots.py

The first run migrates the database and fills it (``--appointments``, spread over
``--providers`` providers from about two years ago to 35 days ahead, ~80 % of each working
day's 20-minute grid booked, each provider with their own patients so no overlap rule is
broken); later runs reuse the rows. Then it times ``available_slots`` ``--runs`` times for one
provider over the next 30 days and prints the median (goal: <= 50 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from appointments.models import Appointment, AppointmentType, AvailabilityRule, Provider  # noqa: E402
from appointments.selectors import available_slots, clinic_zone  # noqa: E402
from clinic.bulk import RowWriter, analyze, db_time  # noqa: E402
from records.models import Patient  # noqa: E402

settings.DEBUG = False  # no query log: it would grow without end and skew the timings
EMAIL = "bench-provider-{}@bench.clinic"
PATIENTS_PER_PROVIDER = 200
SLOT = timedelta(minutes=20)


def bench_type() -> AppointmentType:
    kind, _ = AppointmentType.objects.get_or_create(
        specialty="general_practice", name="Bench visit", defaults={"duration_minutes": 15, "buffer_after_minutes": 5}
    )
    return kind


@transaction.atomic
def bench_providers(count: int) -> list[Provider]:
    providers = []
    for index in range(count):
        email = EMAIL.format(index)
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, first_name="Bench", last_name=f"Provider {index}", is_staff=True
        )
        provider, created = Provider.objects.get_or_create(user=user, defaults={"specialty": "general_practice"})
        if created:
            AvailabilityRule.objects.bulk_create(
                AvailabilityRule(provider=provider, weekday=day, start_time=clock(9), end_time=clock(17))
                for day in range(5)
            )
            Patient.objects.bulk_create(
                Patient(
                    mrn=f"MRN-B{index:04d}{n:04d}",  # the random default collides at this size
                    given_name=f"Bench{index}",
                    family_name=f"Patient{n}",
                    date_of_birth=datetime(1980, 1, 1).date(),
                    sex="unknown",
                )
                for n in range(PATIENTS_PER_PROVIDER)
            )
        providers.append(provider)
    return providers


COLUMNS = (
    "patient_id",
    "provider_id",
    "appointment_type_id",
    "start",
    "end",
    "busy_until",
    "status",
    "reason",
    "cancellation_reason",
    "created_at",
    "updated_at",
)


def fill(providers: list[Provider], kind: AppointmentType, target: int, out) -> None:
    """Add appointments until the bench providers hold ``target`` in all."""
    have = Appointment.objects.filter(provider__in=providers).count()
    if have >= target:
        out.write(f"{have} bench appointments already stored\n")
        return
    zone = clinic_zone()
    today = timezone.localdate(timezone=zone)
    patients = {
        provider.pk: list(
            Patient.objects.filter(given_name=f"Bench{index}").order_by("pk").values_list("pk", flat=True)
        )
        for index, provider in enumerate(providers)
    }
    stamp = db_time(timezone.now())
    per_provider = (target - have) // len(providers) + 1
    made, started = have, time.perf_counter()
    rows = RowWriter(Appointment, COLUMNS)
    for number, provider in enumerate(providers):
        mine, own_patients, day = 0, patients[provider.pk], today + timedelta(days=35)
        latest = Appointment.objects.filter(provider=provider).order_by("start").values_list("start", flat=True).first()
        if latest is not None:  # a previous, interrupted fill: continue before its earliest day
            day = latest.astimezone(zone).date() - timedelta(days=1)
        counter = 0
        while mine < per_provider and made < target:
            if day.weekday() < 5:
                start = datetime.combine(day, clock(9), tzinfo=zone).astimezone(UTC)
                for slot in range(24):
                    counter += 1
                    if counter % 5 == 0:  # ~80 % booked, a free slot now and then
                        continue
                    begin = start + slot * SLOT
                    end = begin + timedelta(minutes=15)
                    rows.add(
                        (
                            own_patients[counter % len(own_patients)],
                            provider.pk,
                            kind.pk,
                            db_time(begin),
                            db_time(end),
                            db_time(end + timedelta(minutes=5)),
                            "completed" if day < today else "booked",
                            "",
                            "",
                            stamp,
                            stamp,
                        )
                    )
                    mine += 1
                    made += 1
                    if mine >= per_provider or made >= target:
                        break
            day -= timedelta(days=1)
        if number % 10 == 9:
            out.write(f"  {made} appointments ({time.perf_counter() - started:.0f} s)\n")
    rows.flush()
    out.write(f"filled to {made} bench appointments in {time.perf_counter() - started:.0f} s\n")


def time_slots(provider: Provider, kind: AppointmentType, runs: int, days: int) -> list[float]:
    timings = []
    for _ in range(runs):
        now = timezone.now()
        began = time.perf_counter()
        slots = available_slots(provider=provider, appointment_type=kind, start=now, end=now + timedelta(days=days))
        timings.append((time.perf_counter() - began) * 1000)
    assert slots, "the bench provider should have free slots"
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    out = sys.stdout
    call_command("migrate", verbosity=0)
    providers = bench_providers(args.providers)
    kind = bench_type()
    fill(providers, kind, args.appointments, out)
    analyze([Appointment])
    total = Appointment.objects.count()
    provider = providers[0]
    in_window = Appointment.objects.filter(
        provider=provider, start__gte=timezone.now(), start__lt=timezone.now() + timedelta(days=args.days)
    ).count()
    time_slots(provider, kind, 3, args.days)  # warm caches
    timings = time_slots(provider, kind, args.runs, args.days)
    out.write(
        f"backend={connection.vendor} appointments={total} provider_appointments_in_window={in_window}\n"
        f"available_slots over {args.days} days, {args.runs} runs: median {statistics.median(timings):.1f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.1f} ms, min {min(timings):.1f} ms\n"
    )


if __name__ == "__main__":
    main()
