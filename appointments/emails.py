"""E-mails to patients. No clinical detail: date, time, place and provider only (never the
reason for the visit, nor the type of appointment, which can reveal it)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from appointments import ics
from appointments.models import Appointment
from appointments.selectors import clinic_zone

# The notices sent when an appointment is booked, approved, moved or cancelled, and the
# calendar method their .ics file carries (none for a request the clinic has not approved).
CONFIRMED = "appointment_confirmed"
REQUESTED = "appointment_requested"
RESCHEDULED = "appointment_rescheduled"
CANCELLED = "appointment_cancelled"
NOTICE_CALENDAR_METHODS = {CONFIRMED: ics.REQUEST, REQUESTED: None, RESCHEDULED: ics.REQUEST, CANCELLED: ics.CANCEL}


def site_url(path: str) -> str:
    return settings.CLINIC_BASE_URL.rstrip("/") + path


def patient_address(patient) -> str:
    if patient.email:
        return patient.email
    user = patient.user
    return user.email if user is not None else ""


def _send(
    *, name: str, context: dict, to: str, attachment: tuple[str, bytes, str] | None = None, html: bool = False
) -> None:
    context = {"CLINIC_NAME": settings.CLINIC_NAME, **context}
    # Dates in the templates are shown in the clinic's zone, whatever zone is active.
    with timezone.override(clinic_zone()):
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
        body = render_to_string(f"emails/{name}_body.txt", context)
        html_body = render_to_string(f"emails/{name}_body.html", context) if html else None
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    if html_body is not None:
        message.attach_alternative(html_body, "text/html")
    if attachment is not None:
        message.attach(*attachment)
    message.send()


def appointment_context(appointment: Appointment) -> dict:
    local_start = timezone.localtime(appointment.start, clinic_zone())
    return {
        "start": local_start,
        "provider_name": appointment.provider.display_name,
        "location": appointment.location,
    }


def send_reminder(appointment: Appointment, *, confirm_url: str, cancel_url: str) -> None:
    _send(
        name="appointment_reminder",
        context={**appointment_context(appointment), "confirm_url": confirm_url, "cancel_url": cancel_url},
        to=patient_address(appointment.patient),
        attachment=(f"appointment-{appointment.pk}.ics", ics.appointment_ics(appointment), "text/calendar"),
    )


def send_appointment_notice(
    appointment: Appointment, *, notice: str, old_start: datetime | None = None, with_calendar: bool = True
) -> None:
    """E-mail the patient that ``appointment`` was booked, requested, moved or cancelled.

    Plain text with an HTML alternative; bookings and moves carry a ``METHOD:REQUEST`` .ics,
    cancellations a ``METHOD:CANCEL`` one with the same UID, unless ``with_calendar`` is off
    (the appointment was never more than a request, so no calendar holds it).
    """
    to = patient_address(appointment.patient)
    zone = clinic_zone()
    context = {
        **appointment_context(appointment),
        "old_start": timezone.localtime(old_start, zone) if old_start is not None else None,
        "duration_minutes": appointment.appointment_type.duration_minutes,
        "requested": appointment.status == Appointment.Status.REQUESTED,
        "manage_url": site_url(appointment.get_absolute_url()),
        "book_url": site_url(reverse("appointments:book")),
        "cutoff_hours": settings.CANCEL_CUTOFF_HOURS,
    }
    method = NOTICE_CALENDAR_METHODS[notice] if with_calendar else None
    attachment = None
    if method is not None:
        content = ics.appointment_ics(appointment, method=method, attendee=to)
        attachment = (f"appointment-{appointment.pk}.ics", content, f"text/calendar; method={method}")
    _send(name=notice, context=context, to=to, attachment=attachment, html=True)


def send_waitlist_offer(entry, *, provider, start, accept_url: str) -> None:
    _send(
        name="waitlist_offer",
        context={
            "start": timezone.localtime(start, clinic_zone()),
            "provider_name": provider.display_name,
            "accept_url": accept_url,
            "hours": settings.WAITLIST_OFFER_HOURS,
            "appointments_url": site_url(reverse("appointments:list")),
        },
        to=patient_address(entry.patient),
    )


def send_waitlist_expired(entry, *, offer_lapsed: bool, book_url: str, join_url: str) -> None:
    """Tell the patient their waiting-list place has ended, and why.

    The request is named by what the offer e-mail already showed (dates, provider, the slot
    offered), never by its specialty, type or reason.
    """
    zone = clinic_zone()
    offered_start = entry.offered_start if offer_lapsed else None
    _send(
        name="waitlist_expired",
        context={
            "joined": timezone.localtime(entry.created_at, zone).date(),
            "earliest_date": entry.earliest_date,
            "latest_date": entry.latest_date,
            "provider_name": entry.provider.display_name if entry.provider_id else "",
            "offer_lapsed": offer_lapsed,
            "offered_start": timezone.localtime(offered_start, zone) if offered_start is not None else None,
            "offered_provider_name": entry.offered_provider.display_name
            if offer_lapsed and entry.offered_provider_id
            else "",
            "hours": settings.WAITLIST_OFFER_HOURS,
            "book_url": book_url,
            "join_url": join_url,
        },
        to=patient_address(entry.patient),
        html=True,
    )
