"""Demo scheduling data for ``seed_demo``: providers, hours, appointment types, appointments.

Appointments are generated on each provider's real slot grid (so no provider or patient ever
has two overlapping live appointments) and written with ``bulk_create`` in batches: the same
code fills a database with a million rows for the benchmarks (``--appointments 1000000``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from accounts.demo import DEMO_STAFF, DemoContext
from accounts.models import User
from appointments import services
from appointments.models import Appointment, AppointmentType, AvailabilityRule, Location, Provider
from appointments.selectors import clinic_zone
from clinic import bulk
from clinic.bulk import db_time
from records.models import CareRelationship, Patient

BATCH = 5000
FUTURE_DAYS = 60
FUTURE_FILL = 0.45  # leave free times in the coming weeks, so the demo can book
PAST_FILL = 0.8

LOCATIONS = [
    ("Room 1", "Ground floor"),
    ("Room 2", "Ground floor"),
    ("Room 3", "First floor"),
    ("Treatment room", "Ground floor"),
]

# name, specialty, minutes, buffer, online, new patients, needs approval
TYPES = [
    ("GP appointment", "general_practice", 15, 0, True, True, False),
    ("Long GP appointment", "general_practice", 30, 0, True, True, False),
    ("Nurse appointment", "general_practice", 15, 5, False, True, False),
    ("Cardiology consultation", "cardiology", 30, 10, True, True, False),
    ("Cardiology follow-up", "cardiology", 20, 10, True, False, False),
    ("Dermatology consultation", "dermatology", 30, 0, True, True, False),
    ("Skin check follow-up", "dermatology", 15, 0, True, False, False),
    ("Minor skin procedure", "dermatology", 45, 15, True, False, True),
]

# email -> (weekdays, [(start, end)], location, bookable online)
HOURS = {
    "dr.patel@demo.clinic": (range(5), [(time(8, 30), time(12, 30)), (time(13, 30), time(17, 30))], "Room 1", True),
    "dr.okafor@demo.clinic": ((0, 2, 3), [(time(9), time(13)), (time(14), time(17))], "Room 2", True),
    "dr.lindqvist@demo.clinic": ((1, 2, 4), [(time(9), time(12, 30)), (time(13, 30), time(16))], "Room 3", True),
    "nurse.garcia@demo.clinic": (range(5), [(time(8), time(12)), (time(13), time(16))], "Treatment room", False),
}

REASONS = [
    "Follow-up",
    "Routine check",
    "Persistent cough",
    "Blood pressure review",
    "Skin rash",
    "Medication review",
    "Back pain",
    "Vaccination",
    "",
]


PATIENTS_PER_CLINICIAN = 1000
EXTRA_SPECIALTIES = ["general_practice", "general_practice", "cardiology", "general_practice", "dermatology"]
EXTRA_HOURS = [
    ((time(8, 30), time(12, 30)), (time(13, 30), time(17, 30))),
    ((time(9), time(13)), (time(14), time(17))),
    ((time(9), time(12, 30)), (time(13, 30), time(18))),
]
PANEL_SHARE = 0.85  # share of a clinician's appointments with their own panel of patients


@dataclass
class _Plan:
    provider: Provider
    types: list[AppointmentType]
    rules: list[tuple[int, time, time, Location | None]]


def _providers(ctx: DemoContext) -> list[Provider]:
    locations = {}
    for name, address in LOCATIONS:
        locations[name], created = Location.objects.get_or_create(name=name, defaults={"address": address})
        if created:
            ctx.count("locations")
    providers = []
    for person in DEMO_STAFF:
        if person.role not in (roles.DOCTOR, roles.NURSE) or person.email not in HOURS:
            continue
        user = ctx.staff[person.email]
        weekdays, windows, room, online = HOURS[person.email]
        provider, created = Provider.objects.get_or_create(
            user=user,
            defaults={
                "specialty": person.specialty or "general_practice",
                "default_location": locations[room],
                "bookable_online": online,
            },
        )
        if created:
            ctx.count("providers")
            AvailabilityRule.objects.bulk_create(
                AvailabilityRule(
                    provider=provider, weekday=day, start_time=start, end_time=end, location=locations[room]
                )
                for day in weekdays
                for start, end in windows
            )
            ctx.count("availability rules", len(weekdays) * len(windows))
        providers.append(provider)
    return providers + _extra_clinicians(ctx, locations)


def _extra_clinicians(ctx: DemoContext, locations: dict[str, Location]) -> list[Provider]:
    """At large sizes, a clinic group's worth of extra doctors and nurses (one clinician per
    ``PATIENTS_PER_CLINICIAN`` patients), so a million appointments spread over ~100 diaries
    and ~1.5 years, not over four diaries and decades. Their logins share one password hash and
    have no two-factor device (they would enrol at first login)."""
    wanted = ctx.patients // PATIENTS_PER_CLINICIAN - len(HOURS)
    if wanted <= 0:
        return []
    emails = [f"clinician{i}@demo.clinic" for i in range(1, wanted + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password_hash = make_password(ctx.password)
    new = [
        User(
            email=email,
            password=password_hash,
            is_staff=True,
            first_name=ctx.faker.first_name(),
            last_name=ctx.faker.last_name(),
        )
        for email in emails
        if email not in existing
    ]
    User.objects.bulk_create(new)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    groups = {g.name: g for g in Group.objects.filter(name__in=(roles.DOCTOR, roles.NURSE))}
    rooms = [locations[name] for name, _address in LOCATIONS]
    existing_providers = {p.user_id: p for p in Provider.objects.filter(user__in=users.values())}
    providers, rules, members = [], [], []
    for i, email in enumerate(emails):
        user = users[email]
        nurse = i % 5 == 4
        specialty = "general_practice" if nurse else EXTRA_SPECIALTIES[i % len(EXTRA_SPECIALTIES)]
        provider = existing_providers.get(user.pk)
        if provider is None:
            provider = Provider.objects.create(
                user=user, specialty=specialty, default_location=rooms[i % len(rooms)], bookable_online=not nurse
            )
            group = groups[roles.NURSE if nurse else roles.DOCTOR]
            members.append(User.groups.through(user_id=user.pk, group_id=group.pk))
            weekdays = [d for d in range(5) if d != i % 7] if i % 7 < 5 else range(5)  # most have a day off
            morning, afternoon = EXTRA_HOURS[i % len(EXTRA_HOURS)]
            rules.extend(
                AvailabilityRule(
                    provider=provider, weekday=day, start_time=start, end_time=end, location=rooms[i % len(rooms)]
                )
                for day in weekdays
                for start, end in (morning, afternoon)
            )
        providers.append(provider)
    User.groups.through.objects.bulk_create(members, ignore_conflicts=True)
    AvailabilityRule.objects.bulk_create(rules)
    if new:
        ctx.count("extra clinician logins", len(new))
    if rules:
        ctx.count("availability rules", len(rules))
    return providers


def _types(ctx: DemoContext) -> list[AppointmentType]:
    kinds = []
    for name, specialty, minutes, buffer, online, new_ok, approval in TYPES:
        kind, created = AppointmentType.objects.get_or_create(
            specialty=specialty,
            name=name,
            defaults={
                "duration_minutes": minutes,
                "buffer_after_minutes": buffer,
                "bookable_online": online,
                "new_patients_allowed": new_ok,
                "requires_approval": approval,
            },
        )
        if created:
            ctx.count("appointment types")
        kinds.append(kind)
    return kinds


def _types_for(provider: Provider, kinds: list[AppointmentType]) -> list[AppointmentType]:
    if not provider.bookable_online:  # the nurse
        return [k for k in kinds if k.name == "Nurse appointment"]
    return [k for k in kinds if k.specialty == provider.specialty and k.name != "Nurse appointment"]


INSERT_COLUMNS = (
    "patient_id",
    "provider_id",
    "appointment_type_id",
    "location_id",
    "start",
    "end",
    "busy_until",
    "status",
    "reason",
    "booked_by_id",
    "cancelled_at",
    "cancellation_reason",
    "checked_in_at",
    "completed_at",
    "created_at",
    "updated_at",
)


def _status(rng: random.Random, start: datetime, now: datetime, kind: AppointmentType) -> str:
    roll = rng.random()
    if start < now:
        if roll < 0.08:
            return Appointment.Status.NO_SHOW
        if roll < 0.20:
            return Appointment.Status.CANCELLED
        return Appointment.Status.COMPLETED
    if roll < 0.10:
        return Appointment.Status.CANCELLED
    return Appointment.Status.REQUESTED if kind.requires_approval else Appointment.Status.BOOKED


class _Generator:
    """Fills providers' slot grids day by day, keeping every patient free of overlaps."""

    def __init__(self, ctx: DemoContext, plans: list[_Plan], patients: list[tuple[int, int]], booked_by) -> None:
        self.ctx = ctx
        self.plans = plans
        self.patients = patients  # (patient id, user id)
        # Each clinician mostly sees their own panel (every n-th patient), as in a real practice:
        # a patient ends up in the care of a few clinicians, not of all of them.
        self.panels = {id(plan): patients[i :: len(plans)] or patients for i, plan in enumerate(plans)}
        self.booked_by_id = booked_by.pk if booked_by else None
        self.stamp = db_time(timezone.now())
        self.rng = random.Random(ctx.seed)
        self.zone = clinic_zone()
        self.now = timezone.now()
        self.busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
        self.cared: set[tuple[int, int]] = set()
        self.rows = bulk.RowWriter(Appointment, INSERT_COLUMNS)
        self.made = 0
        self.next_report = 100_000

    def visits_per_day(self) -> float:
        today = timezone.localdate(timezone=self.zone)
        minutes_per_week = sum(
            (datetime.combine(today, end) - datetime.combine(today, start)).seconds / 60
            for plan in self.plans
            for _day, start, end, _location in plan.rules
        )
        return minutes_per_week / 20 / 7  # ~20 minutes per visit with its buffer

    def fill_day(self, day: date, fill: float, target: int) -> None:
        rng = self.rng
        for plan in self.plans:
            for weekday, start_time, end_time, location in plan.rules:
                if weekday != day.weekday():
                    continue
                cursor = datetime.combine(day, start_time, tzinfo=self.zone).astimezone(UTC)
                window_end = datetime.combine(day, end_time, tzinfo=self.zone).astimezone(UTC)
                while self.made < target:
                    kind = rng.choice(plan.types)
                    end = cursor + kind.duration
                    if end > window_end:
                        break
                    if rng.random() < fill and self.add(plan, kind, location, day, cursor, end) == "cancelled":
                        continue  # a cancelled slot stays free: the next candidate may take it
                    cursor = end + kind.buffer_after
        if self.made >= self.next_report:
            self.ctx.stdout.write(f"  ... {self.made} appointments")
            self.next_report += 100_000

    def add(self, plan: _Plan, kind: AppointmentType, location, day: date, start: datetime, end: datetime) -> str:
        pool = self.panels[id(plan)] if self.rng.random() < PANEL_SHARE else self.patients
        patient_id, user_id = pool[self.rng.randrange(len(pool))]
        key = (patient_id, day)
        if any(s < end and e > start for s, e in self.busy.get(key, ())):
            return ""
        status = _status(self.rng, start, self.now, kind)
        if status != Appointment.Status.CANCELLED:
            self.busy.setdefault(key, []).append((start, end))
        cancelled = status == Appointment.Status.CANCELLED
        completed = status == Appointment.Status.COMPLETED
        booked_by = user_id if self.rng.random() < 0.6 else self.booked_by_id
        # One tuple per row (in INSERT_COLUMNS order), not a model instance: building and
        # compiling a million Appointment objects alone would take minutes. Times are UTC.
        self.rows.add(
            (
                patient_id,
                plan.provider.pk,
                kind.pk,
                location.pk if location else None,
                db_time(start),
                db_time(end),
                db_time(end + kind.buffer_after),
                status,
                self.rng.choice(REASONS),
                booked_by,
                db_time(start - timedelta(days=1)) if cancelled else None,
                "Cannot attend" if cancelled else "",
                db_time(start) if completed else None,
                db_time(end) if completed else None,
                self.stamp,
                self.stamp,
            )
        )
        self.cared.add((patient_id, plan.provider.user_id))
        self.made += 1
        return status

    def run(self, target: int) -> int:
        today = timezone.localdate(timezone=self.zone)
        per_day = max(self.visits_per_day(), 1.0)
        # About a third upcoming (within FUTURE_DAYS, never fuller than FUTURE_FILL), the rest past.
        future_target = min(target // 3, int(per_day * FUTURE_DAYS * FUTURE_FILL))
        future_fill = min(FUTURE_FILL, 1.5 * future_target / (per_day * FUTURE_DAYS))
        for offset in range(FUTURE_DAYS):
            if self.made >= future_target:
                break
            self.fill_day(today + timedelta(days=offset), future_fill, future_target)
        past_target = target - self.made
        past_days = max(90, math.ceil(past_target / (per_day * PAST_FILL)))
        past_fill = min(PAST_FILL, 1.5 * past_target / (per_day * past_days))
        day = today - timedelta(days=1)
        while self.made < target:
            self.fill_day(day, past_fill if day > today - timedelta(days=past_days) else PAST_FILL, target)
            day -= timedelta(days=1)
        self.rows.flush()
        since = db_time(timezone.now())
        bulk.insert_rows(
            CareRelationship,
            ("patient_id", "staff_id", "source", "since"),
            [(patient_id, staff_id, "appointment", since) for patient_id, staff_id in sorted(self.cared)],
            ignore_conflicts=True,
        )
        return self.made


def seed(ctx: DemoContext) -> None:
    providers = _providers(ctx)
    kinds = _types(ctx)
    if Appointment.objects.filter(provider__in=providers).exists():
        return  # already seeded: a second run adds nothing
    user_ids = [u.pk for u in ctx.patient_users]
    patients = sorted(
        row
        for start in range(0, len(user_ids), BATCH)
        for row in Patient.objects.filter(user__in=user_ids[start : start + BATCH]).values_list("id", "user_id")
    )
    if not patients or not ctx.appointments:
        return
    plans = []
    for provider in providers:
        rules = [
            (r.weekday, r.start_time, r.end_time, r.location)
            for r in AvailabilityRule.objects.filter(provider=provider).select_related("location")
        ]
        plans.append(_Plan(provider, _types_for(provider, kinds), rules))
    receptionist = next((ctx.staff[p.email] for p in DEMO_STAFF if p.role == roles.RECEPTIONIST), None)
    made = _Generator(ctx, [p for p in plans if p.types and p.rules], patients, receptionist).run(ctx.appointments)
    ctx.count("appointments", made)
    # Rows written in bulk, not through the booking service: running workers' cached free times go.
    services.provider_diary_bump(provider_ids=[p.pk for p in providers])
