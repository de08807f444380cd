from __future__ import annotations

from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from appointments.models import Appointment, WaitlistEntry

        # Every status change (check-in, no-show, cancellation ...) leaves an audit row.
        auditlog.register(Appointment, exclude_fields=["updated_at"])
        auditlog.register(WaitlistEntry)
