"""Demo staff and patient logins for ``seed_demo``."""

from __future__ import annotations

import hashlib
import random
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import User
from clinic import bulk

BATCH = 5000  # rows per bulk insert
NAME_POOL = 500  # distinct Faker names, reused across demo patients
LOGIN_COLUMNS = ("email", "password", "first_name", "last_name", "is_staff", "is_superuser", "is_active", "date_joined")


@dataclass
class DemoStaff:
    email: str
    first_name: str
    last_name: str
    role: str
    specialty: str = ""


DEMO_STAFF = [
    DemoStaff("admin@demo.clinic", "Alex", "Morgan", roles.CLINIC_ADMIN),
    DemoStaff("dr.patel@demo.clinic", "Priya", "Patel", roles.DOCTOR, "general_practice"),
    DemoStaff("dr.okafor@demo.clinic", "Chidi", "Okafor", roles.DOCTOR, "cardiology"),
    DemoStaff("dr.lindqvist@demo.clinic", "Astrid", "Lindqvist", roles.DOCTOR, "dermatology"),
    DemoStaff("nurse.garcia@demo.clinic", "Lucia", "Garcia", roles.NURSE),
    DemoStaff("reception@demo.clinic", "Sam", "Reed", roles.RECEPTIONIST),
]


@dataclass
class DemoContext:
    """What every app's demo seeder receives: options, output and the logins made so far."""

    stdout: object
    style: object
    password: str
    patients: int
    appointments: int
    seed: int
    faker: object
    staff: dict[str, User] = field(default_factory=dict)
    patient_users: list[User] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def demo_patient_email(index: int) -> str:
    return f"patient{index}@demo.clinic"


def demo_totp_key(email: str) -> str:
    """A fixed two-factor secret per demo login (hex): DEMO ONLY, printed by seed_demo.

    Derived from the address so every demo database has the same codes and a person can add
    the printed key to an authenticator app once. Real accounts get random secrets on enrolment.
    """
    return hashlib.sha256(f"clinic-demo-totp:{email}".encode()).hexdigest()[:40]


def demo_totp_secret(email: str) -> str:
    """The base32 form of ``demo_totp_key`` (what an authenticator app takes)."""
    return b32encode(unhexlify(demo_totp_key(email))).decode()


def _demo_two_factor(ctx: DemoContext, user: User) -> None:
    # Staff cannot open any staff page without a confirmed device, so demo staff get one.
    if TOTPDevice.objects.filter(user=user).exists():
        return
    TOTPDevice.objects.create(user=user, name="Demo authenticator", key=demo_totp_key(user.email), confirmed=True)
    ctx.count("staff two-factor devices")


def _demo_patient_users(count: int) -> list[User]:
    users: list[User] = []
    fields = ("id", "email", "first_name", "last_name")
    for start in range(1, count + 1, BATCH):
        emails = [demo_patient_email(i) for i in range(start, min(start + BATCH, count + 1))]
        users.extend(User.objects.filter(email__in=emails).only(*fields))
    return sorted(users, key=lambda u: u.pk)


def _seed_patient_logins(ctx: DemoContext, patient_group: Group) -> None:
    """Demo patient logins, in bulk: at ``--patients 100000`` one ``create_user`` per row (a
    password hash each, a full_clean, a save and a group insert) would take hours.

    The password is hashed once with the real hasher and the hash shared by every demo login
    (demo only); names come from a small pool drawn once from Faker; logins are written as raw
    rows (``clinic.bulk``), then joined to the Patient group with one INSERT ... SELECT of the
    new ids. Logins that exist are skipped.
    """
    if ctx.patients <= 0:
        return
    existing = set(
        User.objects.filter(email__endswith="@demo.clinic", email__startswith="patient").values_list("email", flat=True)
    )
    missing = [demo_patient_email(i) for i in range(1, ctx.patients + 1) if demo_patient_email(i) not in existing]
    if not missing:
        return
    password_hash = make_password(ctx.password)
    rng = random.Random(ctx.seed)
    pool = min(NAME_POOL, len(missing))
    first_names = [ctx.faker.first_name() for _ in range(pool)]
    last_names = [ctx.faker.last_name() for _ in range(pool)]
    joined = bulk.db_time(timezone.now())
    last_id = User.objects.aggregate(last=Max("pk"))["last"] or 0
    for start in range(0, len(missing), BATCH):
        rows = [
            (email, password_hash, rng.choice(first_names), rng.choice(last_names), False, False, True, joined)
            for email in missing[start : start + BATCH]
        ]
        bulk.insert_rows(User, LOGIN_COLUMNS, rows)
        if len(missing) > BATCH:
            ctx.stdout.write(f"  patient logins: {start + len(rows)}/{len(missing)}")
    # The ids are new (auto-increment, one transaction): the demo logins above last_id are ours.
    membership = User.groups.through._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO {} ({}, {}) SELECT {}, %s FROM {} WHERE {} > %s AND {} LIKE %s".format(  # noqa: S608
                quote(membership.db_table),
                quote(membership.get_field("user").column),
                quote(membership.get_field("group").column),
                quote(User._meta.pk.column),
                quote(User._meta.db_table),
                quote(User._meta.pk.column),
                quote(User._meta.get_field("email").column),
            ),
            [patient_group.pk, last_id, "patient%@demo.clinic"],
        )
    ctx.count("patient logins", len(missing))


def seed(ctx: DemoContext) -> None:
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    for person in DEMO_STAFF:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                person.email,
                ctx.password,
                first_name=person.first_name,
                last_name=person.last_name,
                is_staff=True,
            )
            user.groups.add(groups[person.role])
            ctx.count("staff logins")
        ctx.staff[person.email] = user
        _demo_two_factor(ctx, user)

    _seed_patient_logins(ctx, groups[roles.PATIENT])
    ctx.patient_users = _demo_patient_users(ctx.patients)
    ctx.stdout.write("Demo staff two-factor secrets (DEMO ONLY: add one to an authenticator app to log in):")
    for person in DEMO_STAFF:
        ctx.stdout.write(f"  {person.email:<28} {demo_totp_secret(person.email)}")
