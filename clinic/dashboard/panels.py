"""The "what do I do next" panels of doctors, nurses and receptionists.

Each panel is one bounded query (a ``[:limit]`` slice over an indexed filter), so the dashboard
costs the same number of queries, and about the same time, whatever the size of the clinic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone

from appointments.models import Appointment, Location, WaitlistEntry
from appointments.selectors import clinic_zone, local_day_bounds
from diagnosis.models import SymptomCheck
from records import access
from records.models import Condition, Encounter, Observation

PANEL_LIMIT = 20
SCHEDULE_LIMIT = 100
# The front desk and the nurses see the next ones; the admin schedule view has the whole day.
QUEUE_LIMIT = 50
STILL_TO_SEE = (
    Appointment.Status.REQUESTED,
    Appointment.Status.BOOKED,
    Appointment.Status.CHECKED_IN,
    Appointment.Status.IN_PROGRESS,
)
NO_SHOW_FOLLOW_UP_DAYS = 7
SYMPTOM_CHECK_DAYS = 30


def today_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Where today (in ``CLINIC_TIME_ZONE``) starts and ends, in UTC."""
    return local_day_bounds(timezone.localdate(now or timezone.now(), timezone=clinic_zone()))


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("patient", "provider__user", "appointment_type", "location")


def _labelled(rows: list, field: str, choices) -> list:
    """Set ``<field>_label`` on each row: ``get_FOO_display`` rebuilds the choices dict on every
    call, which is most of the rendering time of a hundred-row schedule."""
    labels = {value: str(label) for value, label in choices}
    for row in rows:
        setattr(row, f"{field}_label", labels.get(getattr(row, field), getattr(row, field)))
    return rows


# --- Doctor ---------------------------------------------------------------------------------


@dataclass
class DoctorPanels:
    schedule: list[Appointment]
    next_appointment: Appointment | None
    waiting: list[Appointment]
    symptom_checks: list[SymptomCheck]
    undiagnosed: list[Encounter]
    undiagnosed_more: bool


def doctor_panels(*, user, now: datetime | None = None) -> DoctorPanels:
    """Today's own schedule, the next patient, who is waiting, their symptom checks, and the
    doctor's encounters that still lack a confirmed diagnosis. Three queries."""
    now = now or timezone.now()
    start, end = today_bounds(now)
    todays = Appointment.objects.filter(provider__user=user, start__gte=start, start__lt=end)
    schedule = list(
        _appointments().filter(provider__user=user, start__gte=start, start__lt=end).order_by("start")[:SCHEDULE_LIMIT]
    )
    _labelled(schedule, "status", Appointment.Status.choices)
    waiting = [a for a in schedule if a.status == Appointment.Status.CHECKED_IN]
    upcoming = [a for a in schedule if a.status == Appointment.Status.BOOKED and a.end >= now]
    # Someone already in the waiting room comes before a booking that has not arrived yet.
    next_appointment = (waiting or upcoming or [None])[0]

    checks = list(
        SymptomCheck.objects.filter(
            patient_id__in=todays.exclude(status=Appointment.Status.CANCELLED).values("patient_id"),
            patient__in=access.clinically_visible_patients(user),
            created_at__gte=now - timedelta(days=SYMPTOM_CHECK_DAYS),
        )
        .select_related("patient")
        .order_by("-created_at")[:PANEL_LIMIT]
    )

    # An anti-join (LEFT JOIN ... IS NULL) probed per encounter through the condition's
    # encounter index, walking the doctor's encounters newest first: NOT EXISTS was answered by
    # reading every condition in the clinic into a temporary table on every dashboard view.
    confirmed = FilteredRelation(
        "conditions",
        condition=Q(conditions__verification=Condition.Verification.CONFIRMED, conditions__entered_in_error=False),
    )
    undiagnosed = list(
        Encounter.objects.filter(provider=user, entered_in_error=False)
        .exclude(status=Encounter.Status.CANCELLED)
        .annotate(confirmed=confirmed)
        .filter(confirmed__isnull=True)
        .select_related("patient")
        .order_by("-start")[: PANEL_LIMIT + 1]
    )
    _labelled(checks, "triage", SymptomCheck.Triage.choices)
    _labelled(undiagnosed, "status", Encounter.Status.choices)
    return DoctorPanels(
        schedule=schedule,
        next_appointment=next_appointment,
        waiting=waiting,
        symptom_checks=checks,
        undiagnosed=undiagnosed[:PANEL_LIMIT],
        undiagnosed_more=len(undiagnosed) > PANEL_LIMIT,
    )


# --- Nurse ----------------------------------------------------------------------------------


@dataclass
class LocationSchedule:
    location: Location | None
    appointments: list[Appointment] = field(default_factory=list)


@dataclass
class NursePanels:
    needs_vitals: list[Appointment]
    by_location: list[LocationSchedule]
    schedule_truncated: bool


def nurse_panels(*, now: datetime | None = None) -> NursePanels:
    """Checked-in patients with no vital sign recorded since they checked in, and today's
    schedule grouped by location. Two queries."""
    start, end = today_bounds(now)
    vitals_since_check_in = Observation.objects.filter(
        patient=OuterRef("patient_id"),
        kind=Observation.Kind.VITALS,
        entered_in_error=False,
        effective_at__gte=OuterRef("checked_in_at"),
    )
    needs_vitals = list(
        _appointments()
        .filter(status=Appointment.Status.CHECKED_IN, start__gte=start, start__lt=end)
        .filter(~Exists(vitals_since_check_in))
        .order_by("checked_in_at", "start")[:PANEL_LIMIT]
    )
    # The next visits still to come or under way (soonest first), then grouped by location.
    rows = list(
        _appointments()
        .filter(status__in=STILL_TO_SEE, start__gte=start, start__lt=end)
        .order_by("start")[: QUEUE_LIMIT + 1]
    )
    shown = sorted(rows[:QUEUE_LIMIT], key=lambda a: (a.location.name if a.location else "", a.start))
    _labelled(needs_vitals + rows, "status", Appointment.Status.choices)
    by_location = [
        LocationSchedule(location=location, appointments=list(group))
        for location, group in groupby(shown, key=lambda a: a.location)
    ]
    return NursePanels(
        needs_vitals=needs_vitals, by_location=by_location, schedule_truncated=len(rows) > QUEUE_LIMIT
    )


# --- Receptionist ---------------------------------------------------------------------------


@dataclass
class ReceptionPanels:
    arrivals: list[Appointment]
    requested: list[Appointment]
    offers: list[WaitlistEntry]
    no_shows: list[Appointment]


def reception_panels(*, now: datetime | None = None) -> ReceptionPanels:
    """Today's expected arrivals (to check in), requests to approve, waitlist offers awaiting
    the patient's answer and recent no-shows to call. Four queries, all on (status, ...) indexes."""
    now = now or timezone.now()
    start, end = today_bounds(now)
    arrivals = list(
        _appointments()
        .filter(status=Appointment.Status.BOOKED, start__gte=start, start__lt=end)
        .order_by("start")[:QUEUE_LIMIT]
    )
    requested = list(
        _appointments().filter(status=Appointment.Status.REQUESTED, start__gte=now).order_by("start")[:PANEL_LIMIT]
    )
    offers = list(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED)
        .select_related("patient", "appointment_type", "offered_provider__user")
        .order_by("created_at")[:PANEL_LIMIT]
    )
    no_shows = list(
        _appointments()
        .filter(
            status=Appointment.Status.NO_SHOW, start__gte=now - timedelta(days=NO_SHOW_FOLLOW_UP_DAYS), start__lt=now
        )
        .order_by("-start")[:PANEL_LIMIT]
    )
    _labelled(arrivals + requested + no_shows, "status", Appointment.Status.choices)
    return ReceptionPanels(arrivals=arrivals, requested=requested, offers=offers, no_shows=no_shows)
