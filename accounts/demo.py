"""Demo staff and patient logins for ``seed_demo``."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import User


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

    existing = set(
        User.objects.filter(email__endswith="@demo.clinic", email__startswith="patient").values_list("email", flat=True)
    )
    patient_group = groups[roles.PATIENT]
    for index in range(1, ctx.patients + 1):
        email = demo_patient_email(index)
        if email in existing:
            continue
        user = User.objects.create_user(
            email, ctx.password, first_name=ctx.faker.first_name(), last_name=ctx.faker.last_name()
        )
        user.groups.add(patient_group)
        ctx.count("patient logins")
    ctx.patient_users = list(
        User.objects.filter(email__in=[demo_patient_email(i) for i in range(1, ctx.patients + 1)]).order_by("id")
    )
    ctx.stdout.write("Demo staff two-factor secrets (DEMO ONLY: add one to an authenticator app to log in):")
    for person in DEMO_STAFF:
        ctx.stdout.write(f"  {person.email:<28} {demo_totp_secret(person.email)}")
