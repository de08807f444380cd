"""Fill an empty database with a believable demo clinic."""

from __future__ import annotations

import time
from importlib import import_module

from auditlog.context import disable_auditlog
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from faker import Faker

from accounts.backends import bump_permission_stamp
from accounts.demo import DEMO_STAFF, DemoContext
from clinic import bulk

DEFAULT_PASSWORD = "clinic-demo-2026"  # noqa: S105 - documented demo-only password

# Each app seeds its own data, lowest app first; each seeder is idempotent on its own.
SEEDERS = (
    "accounts.demo",
    "records.demo",
    "appointments.demo",
    "diagnosis.demo",
)


def _seeders():
    for module_name in SEEDERS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        yield module_name, module.seed


class Command(BaseCommand):
    help = "Create demo staff, patients and their data (idempotent: a second run adds nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--patients", type=int, default=20, help="Number of demo patient logins (default 20).")
        parser.add_argument(
            "--appointments", type=int, default=None, help="Number of demo appointments (default: 15 per patient)."
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help=f"Password of every demo login (default {DEFAULT_PASSWORD!r})."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable demo data.")

    def handle(self, *args, patients: int, appointments: int | None, password: str, seed: int, **options) -> None:
        if patients < 0:
            raise CommandError("--patients must be zero or more.")
        if appointments is not None and appointments < 0:
            raise CommandError("--appointments must be zero or more.")
        if not password:
            raise CommandError("--password must not be empty.")
        faker = Faker("en_GB")
        faker.seed_instance(seed)
        ctx = DemoContext(
            stdout=self.stdout,
            style=self.style,
            password=password,
            patients=patients,
            appointments=patients * 15 if appointments is None else appointments,
            seed=seed,
            faker=faker,
        )
        started = time.monotonic()
        # Demo rows are not clinical history: no audit entry per row (bulk inserts at the large
        # sizes would otherwise write as many log rows as data rows).
        with disable_auditlog():
            for name, seed_app in _seeders():
                self.stdout.write(f"Seeding {name} ...")
                with transaction.atomic():
                    seed_app(ctx)
                self.stdout.write(f"  {name} done ({time.monotonic() - started:.1f} s)")
        # Group memberships are bulk-inserted, without the signals that replace the permission
        # stamp: replace it here, so no worker keeps permissions read before the seed.
        bump_permission_stamp()

        if ctx.created:
            if bulk.can_analyze():
                # Fresh planner statistics, or the first queries over the new rows may pick bad plans.
                bulk.analyze(
                    model
                    for label in ("accounts", "records", "appointments", "diagnosis")
                    for model in apps.get_app_config(label).get_models(include_auto_created=True)
                )
                self.stdout.write(f"  statistics refreshed ({time.monotonic() - started:.1f} s)")
            else:
                # Called inside a caller's transaction (a test, say): on MySQL/MariaDB ANALYZE
                # would commit it, so that is left to the caller.
                self.stdout.write("  statistics not refreshed: inside a transaction (run ANALYZE TABLE after it)")
            summary = ", ".join(f"{n} {what}" for what, n in ctx.created.items())
            self.stdout.write(self.style.SUCCESS(f"Created {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already present: nothing added."))
        self.stdout.write(f"Demo logins (demo only, password {password!r}):")
        for person in DEMO_STAFF:
            self.stdout.write(f"  {person.role:<13} {person.email}")
        if patients:
            self.stdout.write(f"  {'Patient':<13} patient1@demo.clinic ... patient{patients}@demo.clinic")
