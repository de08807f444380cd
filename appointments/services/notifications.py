"""The patient's e-mail about a booking, a move or a cancellation, sent once the write commits.

A rolled-back write sends nothing (``transaction.on_commit``), and a mail server that fails
never undoes or breaks the booking: the failure is logged with the appointment's id and the
error's type only, never the address, the content or the error text (which can quote both).
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime

from django.db import transaction

from appointments import emails
from appointments.models import Appointment

logger = logging.getLogger(__name__)

CONFIRMED = emails.CONFIRMED
REQUESTED = emails.REQUESTED
RESCHEDULED = emails.RESCHEDULED
CANCELLED = emails.CANCELLED


def appointment_notify(
    *, appointment: Appointment, notice: str, old_start: datetime | None = None, with_calendar: bool = True
) -> None:
    """After the current transaction commits, e-mail the patient (if they have an address)."""
    if notice not in emails.NOTICE_CALENDAR_METHODS:
        raise ValueError(f"unknown appointment notice {notice!r}")
    if not emails.patient_address(appointment.patient):
        return
    # The e-mail describes the appointment as this write left it, even if a later write in the
    # same transaction changes it again (that write sends its own e-mail).
    snapshot = copy.copy(appointment)
    transaction.on_commit(
        lambda: _send_notice(snapshot, notice=notice, old_start=old_start, with_calendar=with_calendar)
    )


def _send_notice(appointment: Appointment, *, notice: str, old_start: datetime | None, with_calendar: bool) -> None:
    try:
        emails.send_appointment_notice(appointment, notice=notice, old_start=old_start, with_calendar=with_calendar)
    except Exception as exc:  # noqa: BLE001 - the booking stands whatever the mail server does
        logger.error("appointment %s: the %s e-mail could not be sent (%s)", appointment.pk, notice, type(exc).__name__)
