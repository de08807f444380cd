"""Appointment reminders, sent by ``manage.py send_appointment_reminders`` from cron.

Each booked appointment gets one reminder: the row is claimed by a conditional UPDATE on
``reminder_sent_at`` before the e-mail goes out, so a second (or a parallel) run sends nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from appointments import emails, links
from appointments.models import Appointment

logger = logging.getLogger(__name__)


def reminders_due(*, now: datetime | None = None) -> QuerySet[Appointment]:
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminder_sent_at__isnull=True,
            start__gt=now,
            start__lte=now + timedelta(hours=settings.REMINDER_WINDOW_HOURS),
        )
        .select_related("patient__user", "provider__user", "location")
        .order_by("start")
    )


def _link(appointment: Appointment, action: str) -> str:
    token = links.reminder_token(appointment, action)
    return emails.site_url(reverse("appointments:reminder_link", args=[token]))


def appointment_reminders_send(*, now: datetime | None = None, dry_run: bool = False) -> list[Appointment]:
    """Send every due reminder once; return the appointments reminded (or that would be)."""
    now = now or timezone.now()
    sent: list[Appointment] = []
    for appointment in reminders_due(now=now):
        if not emails.patient_address(appointment.patient):
            continue
        if dry_run:
            sent.append(appointment)
            continue
        claimed = Appointment.objects.filter(pk=appointment.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if not claimed:
            continue
        try:
            emails.send_reminder(
                appointment, confirm_url=_link(appointment, "confirm"), cancel_url=_link(appointment, "cancel")
            )
        except Exception as exc:
            # Release the claim so the next run retries. Log the error's type only: its text and
            # traceback can quote the address (SMTPRecipientsRefused) or the content.
            Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=None)
            logger.error("reminder for appointment %s could not be sent (%s)", appointment.pk, type(exc).__name__)
            continue
        appointment.reminder_sent_at = now
        sent.append(appointment)
    return sent
