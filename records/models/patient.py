from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def generate_mrn() -> str:
    """A human-readable medical record number: ``MRN-`` and 8 digits, no ambiguity in speech."""
    return f"MRN-{secrets.randbelow(10**8):08d}"


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    mrn = models.CharField(_("MRN"), max_length=16, unique=True, default=generate_mrn, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient",
        help_text=_("The portal login of this patient, if any."),
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=30, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=50, blank=True, default="English")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            # The staff search is "a name starts with, or the MRN/e-mail is": one index per
            # alternative lets MariaDB merge them instead of reading every patient.
            models.Index(fields=["family_name", "given_name"]),
            # With the family name after it, the admin search's given-name branch sorts its
            # matches by family name from this index alone (records/admin/patients.py).
            models.Index(fields=["given_name", "family_name"], name="records_pat_given_fam_idx"),
            models.Index(fields=["email"], name="records_pat_email_idx"),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with every log row about this patient (filterable)."""
        return {"patient_id": self.pk, **getattr(self, "_audit_access", {})}

    def age_on(self, day) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


class CareRelationship(models.Model):
    """A staff member who cares for a patient (from an encounter or an appointment).

    Access rules read this table; the app that creates the relationship (records for
    encounters, appointments for bookings) calls ``records.services.care_relationship_ensure``.
    """

    class Source(models.TextChoices):
        ENCOUNTER = "encounter", _("Encounter")
        APPOINTMENT = "appointment", _("Appointment")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_relationships")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_relationships")
    source = models.CharField(max_length=20, choices=Source.choices)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "staff"], name="records_carerelationship_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} cares for {self.patient}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class EmergencyAccess(models.Model):
    """Break-the-glass: a clinician without a care relationship opened a record, with a reason.

    Grants expire (``settings.BREAK_GLASS_MINUTES``) and are reviewed by the clinic admins.
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["staff", "patient", "expires_at"]),
            models.Index(fields=["granted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")), name="records_emergencyaccess_expires_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} opened {self.patient} ({self.granted_at:%Y-%m-%d %H:%M})"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id, "what": "break-the-glass", "reason": self.reason}

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.expires_at > timezone.now()
