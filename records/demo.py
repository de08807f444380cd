"""Demo records for ``seed_demo``: every demo patient login gets a Patient and a believable
record (visits with the demo doctors, ICD-10 diagnoses, vitals over time, a lab panel with one
abnormal result, prescriptions, allergies, a note).

Built for scale: patients are processed in chunks with ``bulk_create`` (a handful of queries
per chunk, not per row), and values are computed in Python. Idempotent: logins that already
have a Patient, and patients that already have visits, are left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts import roles
from accounts.demo import DEMO_STAFF, DemoContext
from clinic import bulk
from records import icd10
from records.models import (
    Allergy,
    CareRelationship,
    ClinicalNote,
    Condition,
    Encounter,
    Medication,
    Observation,
    Patient,
    generate_mrn,
)
from records.services.clinical import observation_build

CHUNK = 500  # patients per batch of clinical records
PATIENT_CHUNK = 5000  # logins per batch of Patient rows
RECORD_PATIENTS = 2000  # demo logins that get a full clinical record (the first ones)
CONTACT_POOL = 500  # distinct Faker contact details, reused

# (ICD-10-CM code, visit reason, medication (drug, dose, frequency) or None)
PROBLEMS = [
    ("I10", "Raised blood pressure at pharmacy check", ("Amlodipine", "5 mg", "once daily")),
    ("E11.9", "Tiredness and thirst", ("Metformin", "500 mg", "twice daily")),
    ("J45.909", "Wheeze on exertion", ("Salbutamol inhaler", "100 micrograms, 2 puffs", "as needed")),
    ("E78.5", "Cholesterol check", ("Atorvastatin", "20 mg", "once daily at night")),
    ("M54.50", "Lower back pain for three weeks", ("Ibuprofen", "400 mg", "three times a day with food")),
    ("F41.1", "Worry and poor sleep", ("Sertraline", "50 mg", "once daily")),
    ("K21.9", "Heartburn after meals", ("Omeprazole", "20 mg", "once daily before breakfast")),
    ("E03.9", "Weight gain and feeling cold", ("Levothyroxine", "50 micrograms", "once daily")),
    ("J06.9", "Sore throat and runny nose", None),
    ("L20.9", "Itchy rash on the arms", ("Emollient cream", "apply thinly", "twice daily")),
    ("G43.909", "Recurring headaches", ("Sumatriptan", "50 mg", "at onset, max 2 in 24 h")),
    ("N39.0", "Burning when passing urine", ("Nitrofurantoin", "100 mg", "twice daily for 3 days")),
]
ALLERGIES = [
    ("Penicillin", Allergy.Category.MEDICATION, "Hives", Allergy.Severity.MODERATE),
    ("Peanut", Allergy.Category.FOOD, "Swelling of lips and throat", Allergy.Severity.SEVERE),
    ("House dust mite", Allergy.Category.ENVIRONMENT, "Sneezing, itchy eyes", Allergy.Severity.MILD),
    ("Ibuprofen", Allergy.Category.MEDICATION, "Wheeze", Allergy.Severity.MODERATE),
    ("Latex", Allergy.Category.ENVIRONMENT, "Contact dermatitis", Allergy.Severity.MILD),
]
NOTES = [
    "Discussed diagnosis and plan. Lifestyle advice given. Review in three months or sooner if worse.",
    "Examination unremarkable apart from presenting complaint. Safety-netting advice given.",
    "Patient understands the treatment. Leaflet provided. Follow-up blood tests booked.",
]


def _staff_by_role(ctx: DemoContext) -> dict[str, list]:
    by_role: dict[str, list] = {}
    for person in DEMO_STAFF:
        user = ctx.staff.get(person.email)
        if user is not None:
            by_role.setdefault(person.role, []).append(user)
    return by_role


def _unique_mrns(n: int, rng: random.Random) -> list[str]:
    mrns: set[str] = set()
    while len(mrns) < n:
        wanted = n - len(mrns)
        candidates = {generate_mrn() for _ in range(wanted)} - mrns
        taken = set(Patient.objects.filter(mrn__in=candidates).values_list("mrn", flat=True))
        mrns |= candidates - taken
    return sorted(mrns, key=lambda _: rng.random())


def _contact_pool(ctx: DemoContext, size: int) -> dict[str, list[str]]:
    """Faker values drawn once and reused: Faker costs ~50 us a call, too slow for 100,000 rows."""
    faker = ctx.faker
    return {
        "first_name": [faker.first_name() for _ in range(size)],
        "last_name": [faker.last_name() for _ in range(size)],
        "phone": [faker.phone_number() for _ in range(size)],
        "address_line": [faker.street_address().replace("\n", ", ") for _ in range(size)],
        "city": [faker.city() for _ in range(size)],
        "postal_code": [faker.postcode() for _ in range(size)],
        "contact": [faker.name() for _ in range(size)],
    }


def _create_patients(ctx: DemoContext, rng: random.Random, users: list, pool: dict[str, list[str]]) -> None:
    linked = set(Patient.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", flat=True))
    missing = [u for u in users if u.pk not in linked]
    today = timezone.localdate()
    if missing:
        chunk = missing
        mrns = _unique_mrns(len(chunk), rng)
        patients = []
        for user, mrn in zip(chunk, mrns, strict=True):
            age_days = rng.randint(18 * 365, 88 * 365)
            patients.append(
                Patient(
                    mrn=mrn,
                    user=user,
                    given_name=user.first_name or rng.choice(pool["first_name"]),
                    family_name=user.last_name or rng.choice(pool["last_name"]),
                    date_of_birth=today - dt.timedelta(days=age_days),
                    sex=rng.choice([Patient.Sex.FEMALE, Patient.Sex.MALE]),
                    email=user.email,
                    phone=rng.choice(pool["phone"]),
                    address_line=rng.choice(pool["address_line"]),
                    city=rng.choice(pool["city"]),
                    postal_code=rng.choice(pool["postal_code"]),
                    country="United Kingdom",
                    emergency_contact_name=rng.choice(pool["contact"]),
                    emergency_contact_phone=rng.choice(pool["phone"]),
                    preferred_language=rng.choice(["English"] * 8 + ["Welsh", "Polish"]),
                )
            )
        bulk.insert_instances(Patient, patients)
        ctx.count("patients", len(patients))


def _with_pks(model, objs: list, key) -> list:
    """``bulk_create`` sets primary keys where the database returns them (SQLite, MariaDB,
    PostgreSQL); on MySQL, read them back by a natural key."""
    created = model.objects.bulk_create(objs, batch_size=CHUNK)
    if all(o.pk for o in created) or not objs:
        return created
    assert not connection.features.can_return_rows_from_bulk_insert
    lookup = {key(o): o for o in created}
    patient_ids = {o.patient_id for o in created}
    for row in model.objects.filter(patient_id__in=patient_ids):
        if key(row) in lookup:
            lookup[key(row)].pk = row.pk
    return created


def _vitals(rng: random.Random, base: dict, when: dt.datetime, patient: Patient, nurse, encounter) -> list:
    systolic = base["systolic"] + rng.randint(-8, 8)
    diastolic = base["diastolic"] + rng.randint(-5, 5)
    weight = round(base["weight"] + rng.uniform(-1.5, 1.5), 1)
    bmi = round(weight / (base["height"] / 100) ** 2, 1)
    values = [
        ("8480-6", systolic),
        ("8462-4", diastolic),
        ("8867-4", rng.randint(58, 96)),
        ("8310-5", round(rng.uniform(36.3, 37.4), 1)),
        ("9279-1", rng.randint(12, 18)),
        ("59408-5", rng.randint(95, 100)),
        ("29463-7", weight),
        ("8302-2", base["height"]),
        ("39156-5", bmi),
    ]
    return [
        observation_build(
            patient=patient, recorded_by=nurse, code=code, value_numeric=value, effective_at=when, encounter=encounter
        )
        for code, value in values
    ]


LAB_PANEL = [
    ("718-7", (12.5, 16.5)),
    ("6690-2", (4.5, 10.0)),
    ("777-3", (160, 380)),
    ("2345-7", (72, 98)),
    ("4548-4", (4.2, 5.5)),
    ("2160-0", (0.7, 1.2)),
    ("2951-2", (136, 144)),
    ("2823-3", (3.6, 5.0)),
    ("2093-3", (140, 195)),
]
# One result per panel falls outside its range, as in real life.
ABNORMAL = {"2345-7": 126, "4548-4": 6.8, "2093-3": 242, "2823-3": 5.6, "718-7": 10.9}


def _seed_records(ctx: DemoContext, rng: random.Random, users: list) -> None:
    staff = _staff_by_role(ctx)
    doctors = staff.get(roles.DOCTOR, [])
    nurses = staff.get(roles.NURSE, []) or doctors
    if not doctors:
        return
    chunk = list(
        Patient.objects.filter(user__in=[u.pk for u in users], encounters__isnull=True).order_by("pk").distinct()
    )
    now = timezone.now()
    if chunk:
        encounters, plans = [], []
        for patient in chunk:
            problems = rng.sample(PROBLEMS, rng.randint(1, 3))
            visits = sorted(rng.sample(range(20, 700), rng.randint(2, 4)), reverse=True)
            visit_encounters = []
            for i, days_ago in enumerate(visits):
                problem = problems[min(i, len(problems) - 1)]
                when = (now - dt.timedelta(days=days_ago)).replace(
                    hour=rng.randint(8, 17), minute=rng.choice([0, 20, 40])
                )
                visit_encounters.append(
                    Encounter(
                        patient=patient,
                        provider=rng.choice(doctors),
                        start=when,
                        type=rng.choice([Encounter.Type.AMBULATORY] * 4 + [Encounter.Type.VIRTUAL]),
                        reason=problem[1] if i < len(problems) else "Follow-up review",
                        status=Encounter.Status.FINISHED,
                    )
                )
            encounters.extend(visit_encounters)
            plans.append((patient, problems, visit_encounters))
        _with_pks(Encounter, encounters, key=lambda e: (e.patient_id, e.start))

        conditions, observations, medications, allergies, notes, relationships = [], [], [], [], [], []
        for patient, problems, visit_encounters in plans:
            base = {
                "systolic": rng.randint(112, 150),
                "diastolic": rng.randint(70, 92),
                "weight": rng.uniform(52, 105),
                "height": rng.randint(152, 192),
            }
            nurse = rng.choice(nurses)
            for i, problem in enumerate(problems):
                encounter = visit_encounters[min(i, len(visit_encounters) - 1)]
                code = problem[0]
                conditions.append(
                    Condition(
                        patient=patient,
                        encounter=encounter,
                        icd10_code=code,
                        description=icd10.describe(code)[:255],
                        clinical_status=Condition.ClinicalStatus.RESOLVED
                        if code in {"J06.9", "N39.0"}
                        else Condition.ClinicalStatus.ACTIVE,
                        verification=Condition.Verification.CONFIRMED,
                        onset=(encounter.start - dt.timedelta(days=rng.randint(3, 60))).date(),
                        recorded_by=encounter.provider,
                    )
                )
                if problem[2] is not None:
                    drug, dose, frequency = problem[2]
                    short = code in {"N39.0"}
                    medications.append(
                        Medication(
                            patient=patient,
                            encounter=encounter,
                            drug=drug,
                            dose=dose,
                            frequency=frequency,
                            route=Medication.Route.INHALED if "inhaler" in drug else Medication.Route.ORAL,
                            start=encounter.start.date(),
                            end=encounter.start.date() + dt.timedelta(days=3) if short else None,
                            status=Medication.Status.COMPLETED if short else Medication.Status.ACTIVE,
                            prescriber=encounter.provider,
                        )
                    )
            for encounter in visit_encounters:
                observations.extend(_vitals(rng, base, encounter.start, patient, nurse, encounter))
                relationships.append(CareRelationship(patient=patient, staff=encounter.provider, source="encounter"))
            relationships.append(CareRelationship(patient=patient, staff=nurse, source="encounter"))
            last = visit_encounters[-1]
            abnormal_code = rng.choice(list(ABNORMAL))
            for code, (low, high) in LAB_PANEL:
                value = ABNORMAL[code] if code == abnormal_code else round(rng.uniform(low, high), 1)
                observations.append(
                    observation_build(
                        patient=patient,
                        recorded_by=last.provider,
                        code=code,
                        value_numeric=Decimal(str(value)),
                        effective_at=last.start + dt.timedelta(hours=2),
                        encounter=last,
                    )
                )
            if rng.random() < 0.6:
                substance, category, reaction, severity = rng.choice(ALLERGIES)
                allergies.append(
                    Allergy(
                        patient=patient,
                        substance=substance,
                        category=category,
                        reaction=reaction,
                        severity=severity,
                        recorded_by=visit_encounters[0].provider,
                    )
                )
            notes.append(ClinicalNote(patient=patient, encounter=last, author=last.provider, text=rng.choice(NOTES)))
        # Raw rows: Django's insert compiler would take most of the seed's time at these counts.
        for model, rows in (
            (Condition, conditions),
            (Observation, observations),
            (Medication, medications),
            (Allergy, allergies),
            (ClinicalNote, notes),
        ):
            bulk.insert_instances(model, rows)
        bulk.insert_instances(CareRelationship, relationships, ignore_conflicts=True)
        for what, rows in (
            ("encounters", encounters),
            ("conditions", conditions),
            ("observations", observations),
            ("medications", medications),
            ("allergies", allergies),
            ("clinical notes", notes),
        ):
            ctx.count(what, len(rows))


def seed(ctx: DemoContext) -> None:
    rng = random.Random(ctx.seed)
    users = list(ctx.patient_users)
    pool = _contact_pool(ctx, min(CONTACT_POOL, max(len(users), 1)))
    # Chunks of logins keep every IN (...) list and every batch of rows bounded at any scale.
    for start in range(0, len(users), PATIENT_CHUNK):
        _create_patients(ctx, rng, users[start : start + PATIENT_CHUNK], pool)
        if len(users) > PATIENT_CHUNK:
            ctx.stdout.write(f"  patients: {min(start + PATIENT_CHUNK, len(users))}/{len(users)}")
    # A full clinical record (~45 rows each) for the first RECORD_PATIENTS logins only: at
    # --patients 100000 every record would be ~4.5 million rows, far past the seed's time
    # budget; the rest are registered patients with appointments and no visits yet.
    with_records = users[:RECORD_PATIENTS]
    for start in range(0, len(with_records), CHUNK):
        _seed_records(ctx, rng, with_records[start : start + CHUNK])
        if len(with_records) > CHUNK:
            ctx.stdout.write(f"  records: {min(start + CHUNK, len(with_records))}/{len(with_records)} patients")
