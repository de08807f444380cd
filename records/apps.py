from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Medical records"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from records import models

        # Every change to the record is logged (create/update); reads are logged by records.audit.
        for model in (
            models.Patient,
            models.CareRelationship,
            models.EmergencyAccess,
            models.Encounter,
            models.Condition,
            models.Allergy,
            models.Medication,
            models.Observation,
            models.ClinicalNote,
            models.Document,
        ):
            if not auditlog.contains(model):
                auditlog.register(model)
