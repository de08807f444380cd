"""Calendar files (iCalendar) for one appointment: date, time, place and provider only."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from appointments.models import Appointment


def appointment_ics(appointment: Appointment) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@clinic")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{settings.CLINIC_NAME}: appointment with {appointment.provider.display_name}")
    if appointment.location is not None:
        place = appointment.location.name
        if appointment.location.address:
            place = f"{place}, {appointment.location.address}"
        event.add("location", place)
    if appointment.status == Appointment.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
