"""Clinical entries of the record. Nothing here is ever deleted: mistakes are entered-in-error."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from records.models.patient import Patient


class EnteredInError(models.Model):
    """No hard deletes of clinical data: a wrong entry is flagged, with who, when and why."""

    entered_in_error = models.BooleanField(_("entered in error"), default=False)
    entered_in_error_reason = models.CharField(_("reason it is in error"), max_length=200, blank=True)
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict:
        """Stored by django-auditlog with every change row, so changes filter by patient."""
        return {"patient_id": self.patient_id}


class Encounter(EnteredInError):
    class Type(models.TextChoices):
        AMBULATORY = "ambulatory", _("Clinic visit")
        EMERGENCY = "emergency", _("Emergency")
        VIRTUAL = "virtual", _("Video or phone")
        HOME = "home", _("Home visit")
        INPATIENT = "inpatient", _("Inpatient stay")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in-progress", _("In progress")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="encounters")
    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="encounters")
    start = models.DateTimeField(_("start"))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.AMBULATORY)
    reason = models.CharField(_("reason for visit"), max_length=255)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FINISHED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["patient", "-start"]),
            # A doctor's encounters newest first (the dashboard's "without a confirmed
            # diagnosis" panel walks it and stops after a page, however long the history).
            models.Index(fields=["provider", "-start"], name="records_enc_provider_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.start:%Y-%m-%d}: {self.reason}"


class Condition(EnteredInError):
    """A diagnosis or problem. ``verification=confirmed`` on an encounter is the confirmed
    diagnosis the symptom checker's agreement is measured against."""

    # Not shared with Allergy.ClinicalStatus although the codes match today: FHIR gives each its
    # own code system (condition-clinical, exported as such by records.fhir), and a Condition's
    # has recurrence, relapse and remission too, which this one may grow without touching allergies.
    class ClinicalStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESOLVED = "resolved", _("Resolved")
        INACTIVE = "inactive", _("Inactive")

    class Verification(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        PROVISIONAL = "provisional", _("Provisional")
        ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="conditions")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="conditions")
    icd10_code = models.CharField(_("ICD-10-CM code"), max_length=10)
    description = models.CharField(_("description"), max_length=255, blank=True)
    clinical_status = models.CharField(
        _("clinical status"), max_length=20, choices=ClinicalStatus.choices, default=ClinicalStatus.ACTIVE
    )
    verification = models.CharField(
        _("verification"), max_length=20, choices=Verification.choices, default=Verification.CONFIRMED
    )
    onset = models.DateField(_("onset"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["patient", "clinical_status"]),
            models.Index(fields=["verification", "icd10_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.description}"


class Allergy(EnteredInError):
    class Category(models.TextChoices):
        MEDICATION = "medication", _("Medication")
        FOOD = "food", _("Food")
        ENVIRONMENT = "environment", _("Environment")
        BIOLOGIC = "biologic", _("Biologic")

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")

    # FHIR allergyintolerance-clinical: exactly these three (see Condition.ClinicalStatus).
    class ClinicalStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        RESOLVED = "resolved", _("Resolved")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(_("substance"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.MEDICATION)
    reaction = models.CharField(_("reaction"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    clinical_status = models.CharField(
        _("clinical status"), max_length=20, choices=ClinicalStatus.choices, default=ClinicalStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("allergies")
        ordering = ["substance"]

    def __str__(self) -> str:
        return self.substance


class Medication(EnteredInError):
    class Route(models.TextChoices):
        ORAL = "oral", _("By mouth")
        TOPICAL = "topical", _("On the skin")
        INHALED = "inhaled", _("Inhaled")
        SUBCUTANEOUS = "subcutaneous", _("Under the skin (injection)")
        INTRAMUSCULAR = "intramuscular", _("Into a muscle (injection)")
        INTRAVENOUS = "intravenous", _("Into a vein")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="medications"
    )
    drug = models.CharField(_("drug"), max_length=200)
    dose = models.CharField(_("dose"), max_length=60)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices, default=Route.ORAL)
    frequency = models.CharField(_("frequency"), max_length=60)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="records_medication_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose}"


class Observation(EnteredInError):
    """A vital sign or a lab result. ``abnormal`` is computed by ``observation_record``."""

    class Kind(models.TextChoices):
        VITALS = "vitals", _("Vital sign")
        LAB = "lab", _("Lab result")

    class Flag(models.TextChoices):
        NORMAL = "N", _("Normal")
        LOW = "L", _("Low")
        HIGH = "H", _("High")
        ABNORMAL = "A", _("Abnormal")
        UNKNOWN = "", _("No reference range")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="observations")
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="observations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code (LOINC)"), max_length=20)
    display = models.CharField(_("name"), max_length=120)
    value_numeric = models.DecimalField(_("value"), max_digits=10, decimal_places=3, null=True, blank=True)
    value_text = models.CharField(_("value (text)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    reference_low = models.DecimalField(_("reference low"), max_digits=10, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(_("reference high"), max_digits=10, decimal_places=3, null=True, blank=True)
    abnormal = models.CharField(_("flag"), max_length=1, choices=Flag.choices, blank=True, editable=False)
    effective_at = models.DateTimeField(_("taken at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_at"]
        indexes = [models.Index(fields=["patient", "kind", "code", "-effective_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value_numeric__isnull=False) | ~models.Q(value_text=""),
                name="records_observation_has_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display}: {self.value_display}"

    @property
    def value_display(self) -> str:
        if self.value_numeric is None:
            return self.value_text
        value = format(self.value_numeric.normalize(), "f")
        return f"{value} {self.unit}".strip()

    @property
    def reference_range_display(self) -> str:
        def plain(value) -> str:
            return "" if value is None else format(value.normalize(), "f")

        if self.reference_low is None and self.reference_high is None:
            return ""
        if self.reference_low is None:
            return f"≤ {plain(self.reference_high)} {self.unit}".strip()
        if self.reference_high is None:
            return f"≥ {plain(self.reference_low)} {self.unit}".strip()
        return f"{plain(self.reference_low)}–{plain(self.reference_high)} {self.unit}".strip()

    @property
    def is_abnormal(self) -> bool:
        return self.abnormal in {self.Flag.LOW, self.Flag.HIGH, self.Flag.ABNORMAL}


class ClinicalNote(EnteredInError):
    """Free-text note. An amendment is a new row pointing at the note it amends; the original
    is kept unchanged."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="notes")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note by {self.author} on {self.created_at:%Y-%m-%d}"
