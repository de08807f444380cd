"""Benchmark: the admin dashboard (the admin index) of each role with 100,000 patients and
1,000,000 appointments stored.

    DATABASE_URL=sqlite:////tmp/clinic-dashboard-bench.sqlite3 .venv/bin/python bench/dashboard.py
    DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_dashboard_bench .venv/bin/python bench/dashboard.py

The first run migrates the database and fills it with plain ``executemany`` inserts (much faster
than ``bulk_create`` at this size): ``--patients`` patients (10 % of them with a portal login),
``--providers`` providers working Mon-Fri 09:00-17:00 (one week of time off each), and
``--appointments`` 15-minute appointments from about two years ago to 35 days ahead, ~80 % of
each 20-minute grid slot booked (past ones completed, with 5 % no-shows and 5 % cancelled;
today's partly checked in; future ones booked, a few requested), plus ``--checks`` symptom
checks. Later runs reuse the rows. Then it renders the admin index (``ClinicAdminSite.index``,
queries and template) ``--runs`` times for each role and prints the median and p95, plus the
query count (goal: under 200 ms, and the same count as on an empty clinic).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/clinic-dashboard-bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import roles  # noqa: E402
from accounts.models import User  # noqa: E402
from appointments.models import Appointment, AppointmentType, AvailabilityRule, Location, Provider, TimeOff  # noqa: E402
from appointments.selectors import clinic_zone  # noqa: E402
from clinic.bulk import RowWriter, analyze, db_time  # noqa: E402
from diagnosis.models import ModelVersion, SymptomCheck  # noqa: E402
from records.models import Patient  # noqa: E402

settings.DEBUG = False  # no query log while filling
EMAIL = "dash-bench-{}@bench.clinic"
SLOT = timedelta(minutes=20)
CONDITIONS = [
    ("Common cold", "J00"),
    ("Influenza", "J11.1"),
    ("Migraine", "G43.9"),
    ("Tension headache", "G44.2"),
    ("Gastroenteritis", "A09"),
    ("Urinary tract infection", "N39.0"),
    ("Asthma", "J45.909"),
    ("Acute bronchitis", "J20.9"),
    ("Low back pain", "M54.5"),
    ("Allergic rhinitis", "J30.9"),
    ("Hypertension", "I10"),
    ("Anxiety", "F41.9"),
    ("Sinusitis", "J32.9"),
    ("Otitis media", "H66.90"),
]
TRIAGE = ["self_care"] * 4 + ["routine"] * 4 + ["urgent"] * 2 + ["emergency"]


def staff(email: str, role: str, **names) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, is_staff=True, **names)
        user.groups.add(Group.objects.get(name=role))
    return user


def fill_patients(target: int, out) -> None:
    have = Patient.objects.count()
    if have >= target:
        return
    started = time.perf_counter()
    now = timezone.now()
    logins = list(User.objects.filter(email__startswith="dash-bench-patient").values_list("pk", flat=True))
    want_logins = target // 10
    if len(logins) < want_logins:
        stamp = db_time(now)
        login_columns = (
            "password",
            "is_superuser",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "date_joined",
        )
        with RowWriter(User, login_columns) as rows:
            for n in range(len(logins), want_logins):
                rows.add(("!", False, f"dash-bench-patient-{n}@bench.clinic", "Bench", f"P{n}", False, True, stamp))
        logins = list(User.objects.filter(email__startswith="dash-bench-patient").values_list("pk", flat=True))
    columns = (
        "mrn",
        "user_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "email",
        "phone",
        "address_line",
        "city",
        "postal_code",
        "country",
        "emergency_contact_name",
        "emergency_contact_phone",
        "preferred_language",
        "created_at",
        "updated_at",
    )
    rows = RowWriter(Patient, columns)
    for n in range(have, target):
        created = db_time(now - timedelta(minutes=n * 10))  # about two years, newest first
        rows.add(
            (
                f"MRN-D{n:07d}",
                logins[n] if n < len(logins) else None,
                "Bench",
                f"Patient{n}",
                "1980-01-01",
                "unknown",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "English",
                created,
                created,
            )
        )
    rows.flush()
    out.write(f"{target} patients in {time.perf_counter() - started:.0f} s\n")


def fill_providers(count: int) -> list[Provider]:
    location, _ = Location.objects.get_or_create(name="Bench room")
    providers = []
    for index in range(count):
        user = staff(EMAIL.format(index), roles.DOCTOR, first_name="Bench", last_name=f"Doctor {index}")
        provider, created = Provider.objects.get_or_create(
            user=user, defaults={"specialty": "general_practice", "default_location": location}
        )
        if created:
            AvailabilityRule.objects.bulk_create(
                AvailabilityRule(
                    provider=provider, weekday=d, start_time=clock(9), end_time=clock(17), location=location
                )
                for d in range(5)
            )
            off = timezone.now() - timedelta(days=7 + index % 21)
            TimeOff.objects.create(provider=provider, start=off, end=off + timedelta(days=5), reason="Leave")
        providers.append(provider)
    return providers


def fill_appointments(providers: list[Provider], target: int, out) -> None:
    have = Appointment.objects.count()
    if have >= target:
        out.write(f"{have} appointments already stored\n")
        return
    kind, _ = AppointmentType.objects.get_or_create(
        specialty="general_practice", name="Bench visit", defaults={"duration_minutes": 15, "buffer_after_minutes": 5}
    )
    location = providers[0].default_location_id
    zone = clinic_zone()
    today = timezone.localdate(timezone=zone)
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    stamp = db_time(timezone.now())
    columns = (
        "patient_id",
        "provider_id",
        "appointment_type_id",
        "location_id",
        "start",
        "end",
        "busy_until",
        "status",
        "reason",
        "cancellation_reason",
        "created_at",
        "updated_at",
        "checked_in_at",
    )
    per_provider = (target - have) // len(providers) + 1
    made, started, counter = have, time.perf_counter(), 0
    rows = RowWriter(Appointment, columns)
    for number, provider in enumerate(providers):
        mine, day = 0, today + timedelta(days=35)
        while mine < per_provider and made < target:
            if day.weekday() < 5:
                first = datetime.combine(day, clock(9), tzinfo=zone).astimezone(UTC)
                for slot in range(24):
                    counter += 1
                    if counter % 5 == 0:
                        continue
                    begin = first + slot * SLOT
                    end = begin + timedelta(minutes=15)
                    checked_in = None
                    if day < today:
                        status = "no_show" if counter % 20 == 1 else "cancelled" if counter % 20 == 2 else "completed"
                    elif day == today:
                        status = "checked_in" if slot < 6 else "booked"
                        checked_in = db_time(begin - timedelta(minutes=5)) if status == "checked_in" else None
                    else:
                        status = "requested" if counter % 50 == 3 else "booked"
                    # Each provider's patients are their own slice, so no patient is double-booked.
                    patient = patient_ids[(number * 997 + counter) % len(patient_ids)]
                    rows.add(
                        (
                            patient,
                            provider.pk,
                            kind.pk,
                            location,
                            db_time(begin),
                            db_time(end),
                            db_time(end + timedelta(minutes=5)),
                            status,
                            "",
                            "",
                            stamp,
                            stamp,
                            checked_in,
                        )
                    )
                    mine += 1
                    made += 1
                    if mine >= per_provider or made >= target:
                        break
            day -= timedelta(days=1)
        if number % 20 == 19:
            out.write(f"  {made} appointments ({time.perf_counter() - started:.0f} s)\n")
    rows.flush()
    out.write(f"{made} appointments in {time.perf_counter() - started:.0f} s\n")


def fill_checks(target: int, by: User, out) -> None:
    have = SymptomCheck.objects.count()
    if have >= target:
        return
    version, _ = ModelVersion.objects.get_or_create(
        file_name="dash-bench.joblib",
        defaults={"sha256": "0" * 64, "size": 1, "sklearn_version": "1.5", "kb_hash": "0"},
    )
    rng = random.Random(6)
    now = timezone.now()
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True)[:50_000])
    columns = (
        "patient_id",
        "created_by_id",
        "created_at",
        "text",
        "sex",
        "findings",
        "answers",
        "conditions",
        "triage",
        "triage_reasons",
        "model_version_id",
        "confirmed_icd10",
        "confirmed_at",
        "agrees_top3",
    )
    rows = RowWriter(SymptomCheck, columns)
    for n in range(have, target):
        ranked = rng.sample(CONDITIONS, 5)
        conditions = json.dumps([{"name": name, "icd10": code, "probability": 0.5} for name, code in ranked])
        created = now - timedelta(minutes=n * 20)
        confirmed = n % 3 == 0
        rows.add(
            (
                patient_ids[n % len(patient_ids)],
                by.pk,
                db_time(created),
                "",
                "unknown",
                "[]",
                "{}",
                conditions,
                rng.choice(TRIAGE),
                "[]",
                version.pk,
                ranked[0][1] if confirmed else "",
                db_time(created + timedelta(days=1)) if confirmed else None,
                (n % 4 != 0) if confirmed else None,
            )
        )
    rows.flush()
    out.write(f"{target} symptom checks stored\n")


def render_index(user: User) -> tuple[float, int]:
    request = RequestFactory().get("/admin/")
    request.user = user
    user.is_verified = lambda: True  # as django-otp's middleware sets it after the code
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    connection.force_debug_cursor = True
    reset_queries()
    began = time.perf_counter()
    response = admin.site.index(request)
    response.render()
    elapsed = (time.perf_counter() - began) * 1000
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    assert response.status_code == 200
    return elapsed, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--checks", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    out = sys.stdout
    call_command("migrate", verbosity=0)
    admin_user = staff("dash-bench-admin@bench.clinic", roles.CLINIC_ADMIN, first_name="Bench", last_name="Admin")
    personas = {
        "doctor": None,
        "nurse": staff("dash-bench-nurse@bench.clinic", roles.NURSE, first_name="Bench", last_name="Nurse"),
        "receptionist": staff("dash-bench-desk@bench.clinic", roles.RECEPTIONIST, first_name="Bench", last_name="Desk"),
        "clinic admin": admin_user,
    }
    fill_patients(args.patients, out)
    providers = fill_providers(args.providers)
    personas["doctor"] = providers[0].user
    fill_appointments(providers, args.appointments, out)
    fill_checks(args.checks, admin_user, out)
    # Planner statistics for the loaded tables (MariaDB otherwise keeps those of the empty tables
    # for a while and joins through the wrong index: the nurse's panel took 3.4 s, not 75 ms).
    analyze([Patient, Appointment, SymptomCheck, User])
    out.write(
        f"backend={connection.vendor} patients={Patient.objects.count()} "
        f"appointments={Appointment.objects.count()} symptom_checks={SymptomCheck.objects.count()}\n"
    )
    began = time.perf_counter()
    sum(i * i for i in range(1_000_000))
    out.write(
        f"CPU calibration: 1e6 squares summed in {(time.perf_counter() - began) * 1000:.0f} ms "
        "(about 40-50 ms on an idle modern core)\n"
    )
    for name, user in personas.items():
        user = User.objects.get(pk=user.pk)  # fresh: no cached roles or permissions
        render_index(user)  # warm caches
        timings, counts = [], set()
        for _ in range(args.runs):
            user = User.objects.get(pk=user.pk)
            elapsed, queries = render_index(user)
            timings.append(elapsed)
            counts.add(queries)
        timings.sort()
        out.write(
            f"{name:>13}: median {statistics.median(timings):6.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:6.1f} ms, min {timings[0]:6.1f} ms, queries {sorted(counts)}\n"
        )


if __name__ == "__main__":
    main()
