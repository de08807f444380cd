"""The symptom checker's records: trained model versions and the checks patients ran."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from records.models import Encounter, Patient


class ModelVersion(models.Model):
    """One trained model file under ``settings.MODEL_DIR``; at most one is active (enforced by
    ``services.model_version_activate`` under a row lock: MySQL has no conditional unique
    constraints)."""

    file_name = models.CharField(_("file name"), max_length=200, unique=True)
    sha256 = models.CharField(_("sha256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sklearn_version = models.CharField(_("scikit-learn version"), max_length=30)
    kb_hash = models.CharField(_("knowledge-base hash"), max_length=64)
    seed = models.IntegerField(_("seed"), default=0)
    training_summary = models.JSONField(_("training data"), default=dict, blank=True)
    metrics = models.JSONField(_("held-out metrics"), default=dict, blank=True)
    vignette_metrics = models.JSONField(_("vignette metrics"), default=dict, blank=True)
    training_seconds = models.FloatField(_("training seconds"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["is_active"])]
        verbose_name = _("model version")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}{' (active)' if self.is_active else ''}"

    @property
    def vignette_top3(self) -> float | None:
        return self.vignette_metrics.get("top3") if self.vignette_metrics else None

    @property
    def heldout_top3(self) -> float | None:
        final = (self.metrics or {}).get("final") or {}
        return (final.get("test") or {}).get("top3")


class SymptomCheck(models.Model):
    """One run of the checker for a patient. ``text`` is the patient's own words (PHI: never
    logged)."""

    class Triage(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        URGENT = "urgent", _("Urgent")
        ROUTINE = "routine", _("Routine")
        SELF_CARE = "self_care", _("Self-care")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="symptom_checks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("what the patient wrote"), blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, blank=True)
    findings = models.JSONField(_("findings understood"), default=list, blank=True)
    answers = models.JSONField(_("answers and corrections"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    triage = models.CharField(_("triage"), max_length=10, choices=Triage.choices)
    triage_reasons = models.JSONField(_("triage reasons"), default=list, blank=True)
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="checks")
    encounter = models.ForeignKey(
        Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="symptom_checks"
    )
    confirmed_icd10 = models.CharField(_("confirmed ICD-10"), max_length=10, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agrees_top3 = models.BooleanField(_("in the checker's top 3"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "created_at"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["triage"]),
            # The clinic dashboard's checker agreement reads confirmations by date.
            models.Index(fields=["confirmed_at"]),
        ]
        verbose_name = _("symptom check")

    def __str__(self) -> str:
        return f"Symptom check #{self.pk} ({self.created_at:%Y-%m-%d})" if self.created_at else "Symptom check"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}

    @property
    def top_conditions(self) -> list[dict]:
        return list(self.conditions[:5])

    @property
    def present_findings(self) -> list[dict]:
        return [f for f in self.findings if f.get("present")]

    @property
    def absent_findings(self) -> list[dict]:
        return [f for f in self.findings if not f.get("present")]
