"""E-mails to patients. No clinical detail: date, time, place and provider only."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from appointments.ics import appointment_ics
from appointments.models import Appointment
from appointments.selectors import clinic_zone


def site_url(path: str) -> str:
    return settings.CLINIC_BASE_URL.rstrip("/") + path


def patient_address(patient) -> str:
    if patient.email:
        return patient.email
    user = patient.user
    return user.email if user is not None else ""


def _send(*, name: str, context: dict, to: str, attachment: tuple[str, bytes, str] | None = None) -> None:
    context = {"CLINIC_NAME": settings.CLINIC_NAME, **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    body = render_to_string(f"emails/{name}_body.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
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
        attachment=(f"appointment-{appointment.pk}.ics", appointment_ics(appointment), "text/calendar"),
    )


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
