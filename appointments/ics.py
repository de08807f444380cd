"""Calendar files (iCalendar) for one appointment: date, time, place and provider only.

Every file about an appointment carries the same UID, and a SEQUENCE that grows with each change,
so a calendar that imported the booking replaces it on a reschedule and removes it on a
cancellation (RFC 5546: ``METHOD:REQUEST`` and ``METHOD:CANCEL``).
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from appointments.models import Appointment

PUBLISH = "PUBLISH"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
METHODS = (PUBLISH, REQUEST, CANCEL)


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@clinic"


def _sequence(appointment: Appointment) -> int:
    # Whole seconds since booking: grows with every save (reschedule, approval, cancellation)
    # without a counter column, and is 0 for a fresh booking.
    if appointment.created_at is None or appointment.updated_at is None:
        return 0
    return max(0, int((appointment.updated_at - appointment.created_at).total_seconds()))


def _organizer() -> vCalAddress:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = settings.CLINIC_NAME
    return organizer


def _attendee(address: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "ACCEPTED"  # booked already: nothing for the calendar to ask
    attendee.params["rsvp"] = "FALSE"
    return attendee


def appointment_ics(appointment: Appointment, *, method: str = PUBLISH, attendee: str = "") -> bytes:
    """The appointment as an iCalendar file.

    ``PUBLISH`` (the default) is a plain calendar file; ``REQUEST`` and ``CANCEL`` are the
    scheduling messages that e-mail clients apply to the event they already hold. ``attendee``
    is the patient's address, named in ``REQUEST``/``CANCEL`` files as clients expect.
    """
    if method not in METHODS:
        raise ValueError(f"unknown iCalendar method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", _sequence(appointment))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{settings.CLINIC_NAME}: appointment with {appointment.provider.display_name}")
    if appointment.location is not None:
        place = appointment.location.name
        if appointment.location.address:
            place = f"{place}, {appointment.location.address}"
        event.add("location", place)
    if method != PUBLISH:
        event.add("organizer", _organizer())
        if attendee:
            event.add("attendee", _attendee(attendee))
    if method == CANCEL or appointment.status == Appointment.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
