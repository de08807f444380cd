"""E-mail reminders for booked appointments in the coming window. Run it from cron, e.g.

    */15 * * * *  cd /srv/clinic && .venv/bin/python manage.py send_appointment_reminders

Each appointment is reminded once (``reminder_sent_at``), so running it often is safe.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from appointments.selectors import clinic_zone
from appointments.services import appointment_reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder (with an .ics file and confirm/cancel links) for each booked appointment due soon."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the reminders that would be sent; send none.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        reminded = appointment_reminders_send(dry_run=dry_run)
        zone = clinic_zone()
        for appointment in reminded:
            when = timezone.localtime(appointment.start, zone).strftime("%Y-%m-%d %H:%M")
            prefix = "would remind" if dry_run else "reminded"
            self.stdout.write(f"{prefix}: appointment {appointment.pk} at {when} with {appointment.provider}")
        hours = settings.REMINDER_WINDOW_HOURS
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(self.style.SUCCESS(f"{len(reminded)} reminder(s) {verb} for the next {hours} hours."))
