"""Benchmark: booking throughput with 20 concurrent clients (MySQL/MariaDB; SQLite works too).

    DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_bench .venv/bin/python bench/booking.py

Each client is a thread with its own database connection and its own patients. Two scenarios:

- ``spread``: every client books the next free slots of a random provider among
  ``--providers`` (the usual load: contention only when two pick the same provider);
- ``hot``: all clients race for the same provider's next free slot (the worst case: the
  provider-row lock serialises them, one wins each slot, the others get "taken").

Prints bookings per second, the latency of ``appointment_book`` (median and p95), and checks
that no provider ends up with overlapping live appointments.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from appointments.models import Appointment, AppointmentType, AvailabilityRule, Provider  # noqa: E402
from appointments.selectors import available_slots  # noqa: E402
from appointments.services import appointment_book  # noqa: E402
from records.models import Patient  # noqa: E402

settings.DEBUG = False
EMAIL = "bench-booking-{}-{}@bench.clinic"


@transaction.atomic
def make_providers(run: str, count: int) -> list[Provider]:
    providers = []
    for index in range(count):
        user = User.objects.create_user(EMAIL.format(run, index), None, last_name=f"Booking {index}", is_staff=True)
        provider = Provider.objects.create(user=user, specialty="general_practice")
        AvailabilityRule.objects.bulk_create(
            AvailabilityRule(provider=provider, weekday=day, start_time=clock(0), end_time=clock(23, 55))
            for day in range(7)
        )
        providers.append(provider)
    return providers


def run_scenario(name: str, run: str, providers, kind, clients: int, per_client: int, out) -> None:
    patients_per_client = [
        list(
            Patient.objects.bulk_create(
                Patient(
                    mrn=f"BK{run[-6:]}{name[0]}{c:02d}{n:03d}",
                    given_name=f"Booker{c}",
                    family_name=f"{name}{n}",
                    date_of_birth="1990-01-01",
                    sex="unknown",
                )
                for n in range(per_client)
            )
        )
        for c in range(clients)
    ]
    barrier = threading.Barrier(clients)
    latencies: list[float] = []
    won = [0] * clients
    lost = [0] * clients
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(number)
        try:
            barrier.wait()
            for patient in patients_per_client[number]:
                provider = providers[0] if name == "hot" else rng.choice(providers)
                now = timezone.now()
                slots = available_slots(
                    provider=provider, appointment_type=kind, start=now, end=now + timedelta(days=2)
                )
                start = slots[0] if name == "hot" else rng.choice(slots[:5])
                began = time.perf_counter()
                try:
                    appointment_book(
                        patient=patient, provider=provider, start=start, appointment_type=kind, booked_by=None
                    )
                    won[number] += 1
                except ValidationError:
                    lost[number] += 1
                with lock:
                    latencies.append((time.perf_counter() - began) * 1000)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    booked = sum(won)
    p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1] if latencies else 0
    out.write(
        f"{name}: {clients} clients x {per_client} attempts in {elapsed:.1f} s -> {booked} booked "
        f"({booked / elapsed:.0f}/s), {sum(lost)} taken, {len(errors)} other errors; "
        f"appointment_book median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms\n"
    )
    for error in errors[:5]:
        out.write(f"  error: {error}\n")


def check_no_overlaps(providers) -> int:
    overlaps = 0
    for provider in providers:
        rows = list(
            Appointment.objects.filter(provider=provider, status__in=Appointment.LIVE_STATUSES)
            .order_by("start")
            .values_list("start", "busy_until")
        )
        overlaps += sum(1 for a, b in zip(rows, rows[1:], strict=False) if b[0] < a[1])
    return overlaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=25, help="bookings each client attempts per scenario")
    parser.add_argument("--providers", type=int, default=20)
    args = parser.parse_args()
    out = sys.stdout
    call_command("migrate", verbosity=0)
    run = str(int(time.time()))
    kind, _ = AppointmentType.objects.get_or_create(
        specialty="general_practice", name="Bench visit", defaults={"duration_minutes": 15, "buffer_after_minutes": 5}
    )
    out.write(f"backend={connection.vendor} appointments already stored={Appointment.objects.count()}\n")
    spread_providers = make_providers(f"{run}s", args.providers)
    run_scenario("spread", run, spread_providers, kind, args.clients, args.attempts, out)
    hot_providers = make_providers(f"{run}h", 1)
    run_scenario("hot", run, hot_providers, kind, args.clients, args.attempts, out)
    out.write(f"overlapping live appointments: {check_no_overlaps(spread_providers + hot_providers)}\n")


if __name__ == "__main__":
    main()
