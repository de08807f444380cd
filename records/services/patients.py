"""Patients and their portal logins: staff registration, self-registration, invitations."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from records.models import Patient, generate_mrn

VERIFY_SALT = "records.registration.verify"
VERIFY_MAX_AGE = 3 * 24 * 60 * 60
INVITE_SALT = "records.invitation"
INVITE_MAX_AGE = 7 * 24 * 60 * 60

DEMOGRAPHIC_FIELDS = (
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
)
# What a patient may change about themselves in the portal; the rest is changed by staff.
CONTACT_FIELDS = (
    "phone",
    "address_line",
    "city",
    "postal_code",
    "country",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_language",
)


def _send(template: str, *, to: str, context: dict) -> None:
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"emails/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _save(patient: Patient) -> Patient:
    if patient._state.adding:
        # MRNs are random (not guessable from a neighbour's); redraw the rare collision.
        while Patient.objects.filter(mrn=patient.mrn).exists():
            patient.mrn = generate_mrn()
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_create(**fields) -> Patient:
    """Register a patient (a walk-in: no login). Keyword arguments are demographic fields."""
    unknown = set(fields) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise TypeError(f"not demographic fields: {sorted(unknown)}")
    return _save(Patient(**fields))


@transaction.atomic
def patient_update(*, patient: Patient, changes: dict) -> Patient:
    """Staff change of demographics (audited by auditlog with the staff member as actor)."""
    unknown = set(changes) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in changes.items():
        setattr(patient, name, value)
    return _save(patient)


@transaction.atomic
def patient_contact_update(*, patient: Patient, changes: dict) -> Patient:
    """The patient's own change of contact details; names and birth date are staff-only."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in changes.items():
        setattr(patient, name, value)
    return _save(patient)


def _patient_group() -> Group:
    return Group.objects.get(name=roles.PATIENT)


@transaction.atomic
def patient_self_register(
    *,
    email: str,
    password: str,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    sex: str,
    phone: str = "",
    link_base: str,
) -> Patient | None:
    """A new portal login (inactive until the e-mail address is verified) and its patient,
    together or not at all. ``link_base`` is the site's absolute root URL for the e-mail.

    An address that has a login already gets ``None`` and nothing written: its owner is told
    by e-mail, and the caller answers as for a new registration, so the page does not tell
    whoever typed the address that it has an account (nor does the time taken: the password
    is hashed either way)."""
    email = User.objects.normalize_email(email.strip())
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)
        context = {
            "login": link_base.rstrip("/") + reverse("accounts:login"),
            "reset": link_base.rstrip("/") + reverse("accounts:password_reset"),
            "clinic": settings.CLINIC_NAME,
        }
        to = existing.email
        transaction.on_commit(lambda: _send("registration_exists", to=to, context=context))
        return None
    user = User.objects.create_user(email, password, first_name=given_name, last_name=family_name, is_active=False)
    user.groups.add(_patient_group())
    patient = _save(
        Patient(
            user=user,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            sex=sex,
            email=email,
            phone=phone,
        )
    )
    token = signing.dumps({"u": user.pk, "e": email}, salt=VERIFY_SALT)
    link = link_base.rstrip("/") + reverse("records:verify", args=[token])
    context = {"name": given_name, "link": link, "clinic": settings.CLINIC_NAME}
    transaction.on_commit(lambda: _send("registration_verify", to=email, context=context))
    return patient


@transaction.atomic
def registration_verify(*, token: str) -> User | None:
    """Activate the login a verification link was sent for; ``None`` for a bad, expired or
    already used link (a login deactivated by staff is never re-activated by an old link)."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None or user.is_active or user.last_login is not None:
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def patient_invite(*, patient: Patient, link_base: str) -> None:
    """E-mail a walk-in patient a signed link to set a password for a new portal login."""
    if patient.user_id is not None:
        raise ValidationError(_("%(p)s already has a portal login.") % {"p": patient.full_name})
    if not patient.email:
        raise ValidationError(_("%(p)s has no e-mail address.") % {"p": patient.full_name})
    token = signing.dumps({"p": patient.pk, "e": patient.email}, salt=INVITE_SALT)
    link = link_base.rstrip("/") + reverse("records:invitation", args=[token])
    context = {"name": patient.given_name, "link": link, "clinic": settings.CLINIC_NAME}
    email = patient.email
    transaction.on_commit(lambda: _send("portal_invitation", to=email, context=context))


def invitation_patient(*, token: str) -> Patient | None:
    """The patient an invitation link is valid for (not expired, e-mail unchanged, no login yet)."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_MAX_AGE)
    except signing.BadSignature:
        return None
    return Patient.objects.filter(pk=data.get("p"), email=data.get("e"), user__isnull=True).first()


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    patient = invitation_patient(token=token)
    if patient is None:
        raise ValidationError(_("This invitation link is invalid or has expired."))
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.user_id is not None:
        raise ValidationError(_("This invitation has already been used."))
    if User.objects.filter(email__iexact=patient.email).exists():
        raise ValidationError(_("A login with this e-mail address exists already; please contact the clinic."))
    user = User.objects.create_user(
        patient.email, password, first_name=patient.given_name, last_name=patient.family_name
    )
    user.groups.add(_patient_group())
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    return user
