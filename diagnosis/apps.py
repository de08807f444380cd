from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "diagnosis"
    verbose_name = "Symptom checker"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from diagnosis import models

        # A symptom check is part of the record: changes logged like the record's; staff reads
        # go through records.audit.audit_read.
        for model in (models.SymptomCheck, models.ModelVersion):
            if not auditlog.contains(model):
                auditlog.register(model, exclude_fields=["text"] if model is models.SymptomCheck else None)
