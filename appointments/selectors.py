"""Reads: the slot finder and the scoped lists the portal and admin show."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments import diary_cache
from appointments.models import (
    MAX_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentType,
    AvailabilityRule,
    Provider,
    TimeOff,
    WaitlistEntry,
)
from clinic.db import aware
from clinic.specialties import FALLBACK_SPECIALTY, SPECIALTIES

# After a conflict the next candidate start is rounded up to this grid, so slots read 10:20,
# not 10:17.
SLOT_ALIGN = timedelta(minutes=5)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar day starts and ends (23 or 25 hours on DST days)."""
    zone = clinic_zone()
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def local_week_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the local week (Monday to Sunday) holding ``day`` starts and ends."""
    monday = day - timedelta(days=day.weekday())
    return local_day_bounds(monday)[0], local_day_bounds(monday + timedelta(days=7))[0]


def booking_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Earliest and latest start a patient may book online right now."""
    now = now or timezone.now()
    return (
        now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        now + timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def _rules_by_provider(provider_ids: Iterable[int], first: date, last: date) -> dict[int, list[tuple]]:
    """Weekly rules valid on some day of ``first``..``last``, per provider, in one query."""
    rules: dict[int, list[tuple]] = {}
    rows = (
        AvailabilityRule.objects.filter(provider_id__in=list(provider_ids))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .values_list("provider_id", "weekday", "start_time", "end_time", "valid_from", "valid_to")
    )
    for provider_id, *rule in rows:
        rules.setdefault(provider_id, []).append(tuple(rule))
    return rules


def _windows_from_rules(rules: list[tuple], first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Working windows from weekly ``rules`` on local days ``first``..``last``, as merged UTC intervals."""
    zone = clinic_zone()
    windows: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for weekday, start_time, end_time, valid_from, valid_to in rules:
            if weekday != day.weekday():
                continue
            if (valid_from and day < valid_from) or (valid_to and day > valid_to):
                continue
            # Wall-clock times in the clinic's zone, converted to UTC: a 09:00-17:00 rule is
            # 09:00-17:00 local on both sides of a daylight-saving change.
            start = datetime.combine(day, start_time, tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day, end_time, tzinfo=zone).astimezone(UTC)
            if start < end:
                windows.append((start, end))
        day += timedelta(days=1)
    windows.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _local_windows(provider: Provider, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The provider's working windows on local days ``first``..``last``, as merged UTC intervals."""
    return _windows_from_rules(_rules_by_provider([provider.pk], first, last).get(provider.pk, []), first, last)


def _busy_by_provider(
    provider_ids: list[int], start: datetime, end: datetime, *, exclude_appointment_id: int | None = None
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]:
    """Per provider: (appointments as [start, busy_until), time off as [start, end)) touching
    [start, end), in Unix seconds, sorted by start; two queries for any number of providers.

    Only these providers' rows in the window are read, through the (provider, start) index: the
    lower bound on ``start`` keeps each range scan short however many appointments exist.
    """
    appointments = Appointment.objects.filter(
        provider_id__in=provider_ids,
        start__gte=start - timedelta(minutes=MAX_APPOINTMENT_MINUTES),
        start__lt=end,
        busy_until__gt=start,
        status__in=Appointment.LIVE_STATUSES,
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    booked = _epoch_rows(
        appointments.values_list("provider_id", "start", "busy_until").order_by("provider_id", "start")
    )
    time_off = _epoch_rows(
        TimeOff.objects.filter(provider_id__in=provider_ids, start__lt=end, end__gt=start)
        .values_list("provider_id", "start", "end")
        .order_by("provider_id", "start")
    )
    return booked, time_off


def _busy_epochs(
    provider: Provider, start: datetime, end: datetime, *, exclude_appointment_id: int | None = None
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``_busy_by_provider`` for one provider."""
    booked, time_off = _busy_by_provider([provider.pk], start, end, exclude_appointment_id=exclude_appointment_id)
    return booked.get(provider.pk, []), time_off.get(provider.pk, [])


def _busy_intervals(
    provider: Provider, start: datetime, end: datetime, *, exclude_appointment_id: int | None = None
) -> tuple[list[tuple[datetime, datetime]], list[tuple[datetime, datetime]]]:
    """``_busy_epochs`` as aware datetimes (for the booking checks)."""
    booked, time_off = _busy_epochs(provider, start, end, exclude_appointment_id=exclude_appointment_id)
    return [(_moment(a), _moment(b)) for a, b in booked], [(_moment(a), _moment(b)) for a, b in time_off]


def _day(value) -> date:
    """A date column read through a cursor (text on SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _epoch(value, *, up: bool = False) -> int:
    seconds = aware(value).timestamp()
    return math.ceil(seconds) if up else math.floor(seconds)


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _epoch_rows(queryset) -> dict[int, list[tuple[int, int]]]:
    """(key, start, end) rows read straight from the cursor as {key: [(start, end) in Unix
    seconds]}: Django's per-value converters and aware-datetime arithmetic cost more than the
    indexed query itself when a month holds a thousand rows."""
    sql, params = queryset.query.sql_with_params()
    rows: dict[int, list[tuple[int, int]]] = {}
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        for key, start, end in cursor.fetchall():
            rows.setdefault(key, []).append((_epoch(start), _epoch(end, up=True)))
    return rows


def free_starts(
    *,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime,
    exclude_appointment_id: int | None = None,
) -> list[datetime]:
    """Every free start in [start, end) with no notice or horizon rule (staff and booking checks).

    Candidates are packed from the start of each working window: one visit plus its buffer after
    another, jumping past appointments and time off (rounded up to the 5-minute grid). Starts are
    anchored to the window, not to ``start``, so a slot has the same time whatever range is asked.
    """
    return free_starts_for(
        providers=[provider],
        appointment_type=appointment_type,
        start=start,
        end=end,
        exclude_appointment_id=exclude_appointment_id,
    ).get(provider.pk, [])


def free_starts_for(
    *,
    providers: Iterable[Provider],
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime,
    exclude_appointment_id: int | None = None,
) -> dict[int, list[datetime]]:
    """``free_starts`` for many providers at once: {provider id: free starts}, in four queries
    whatever the number of providers (rules, appointments, time off)."""
    free = _free_epochs_for(
        providers=providers,
        appointment_type=appointment_type,
        start=start,
        end=end,
        exclude_appointment_id=exclude_appointment_id,
    )
    return {provider_id: [_moment(epoch) for epoch in epochs] for provider_id, epochs in free.items()}


def _free_epochs_for(
    *,
    providers: Iterable[Provider],
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime,
    exclude_appointment_id: int | None = None,
) -> dict[int, list[int]]:
    """``free_starts_for`` in Unix seconds."""
    if start >= end:
        return {}
    provider_ids = [p.pk for p in providers]
    zone = clinic_zone()
    # A window of the previous local day may not reach into this one, but a rule ending at
    # midnight could: look one day either side.
    first, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date() + timedelta(days=1)
    rules = _rules_by_provider(provider_ids, first, last)
    windows: dict[int, list[tuple[datetime, datetime]]] = {}
    for provider_id in provider_ids:
        mine = [
            (ws, we)
            for ws, we in _windows_from_rules(rules.get(provider_id, []), first, last)
            if we > start and ws < end
        ]
        if mine:
            windows[provider_id] = mine
    if not windows:
        return {}
    booked, time_off = _busy_by_provider(
        list(windows),
        min(w[0][0] for w in windows.values()),
        max(w[-1][1] for w in windows.values()),
        exclude_appointment_id=exclude_appointment_id,
    )
    return {
        provider_id: _walk(
            mine, booked.get(provider_id, []), time_off.get(provider_id, []), appointment_type, start, end
        )
        for provider_id, mine in windows.items()
    }


def _free_epochs_cached(
    *, providers: Iterable[ProviderChoice], appointment_type: AppointmentType, start: datetime, end: datetime
) -> dict[int, list[int]]:
    """``_free_epochs_for`` through ``diary_cache``: each provider's whole local weeks, computed
    for the diaries not cached at their version (three queries a week for all of them), then
    cut to [start, end). Starts are anchored to working windows, which never cross a local
    midnight, so a week's free starts cut to a range are that range's free starts."""
    providers = list(providers)
    zone = clinic_zone()
    first, last = int(start.timestamp()), int(end.timestamp())
    free: dict[int, list[int]] = {p.pk: [] for p in providers}
    day = start.astimezone(zone).date()
    day -= timedelta(days=day.weekday())
    while True:
        week_start, week_end = local_week_bounds(day)
        if week_start >= end:
            break
        # Everything the week's free starts depend on besides the diary's rows.
        keys = {
            p.pk: (
                p.pk,
                p.diary_version,
                day,
                appointment_type.duration_minutes,
                appointment_type.buffer_after_minutes,
                settings.CLINIC_TIME_ZONE,
            )
            for p in providers
        }
        weeks = {pk: diary_cache.get(key) for pk, key in keys.items()}
        missing = [p for p in providers if weeks[p.pk] is None]
        if missing:
            computed = _free_epochs_for(
                providers=missing, appointment_type=appointment_type, start=week_start, end=week_end
            )
            for p in missing:
                weeks[p.pk] = diary_cache.put(keys[p.pk], computed.get(p.pk, ()))
        for pk, epochs in weeks.items():
            free[pk].extend(epochs[bisect_left(epochs, first) : bisect_left(epochs, last)])
        day += timedelta(days=7)
    return free


def _walk(
    windows: list[tuple[datetime, datetime]],
    booked: list[tuple[int, int]],
    time_off: list[tuple[int, int]],
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime,
) -> list[int]:
    """The free starts of one diary, in Unix seconds: its working windows minus appointments and
    time off."""
    # Integer seconds from here on. Intervals sorted by start; the running maximum of their
    # ends lets a bisection skip every interval that ended before the cursor.
    starts = [s for s, _e in booked]
    reach = list(accumulate((e for _s, e in booked), max))
    visit = appointment_type.duration_minutes * 60
    slot = visit + appointment_type.buffer_after_minutes * 60
    align = int(SLOT_ALIGN.total_seconds())
    first, last = int(start.timestamp()), int(end.timestamp())
    result: list[int] = []
    for window_start, window_end in windows:
        anchor, stop = int(window_start.timestamp()), int(window_end.timestamp())
        cursor = anchor
        while cursor + visit <= stop and cursor < last:
            blocked = 0
            for index in range(bisect_right(reach, cursor), bisect_left(starts, cursor + slot)):
                if booked[index][1] > cursor and booked[index][1] > blocked:
                    blocked = booked[index][1]
            for off_start, off_end in time_off:
                if off_start < cursor + visit and off_end > cursor and off_end > blocked:
                    blocked = off_end
            if not blocked:
                if cursor >= first:
                    result.append(cursor)
                cursor += slot
            else:
                cursor = blocked + (-(blocked - anchor)) % align
    return result


def available_slots(
    *, provider: Provider, appointment_type: AppointmentType, start: datetime, end: datetime
) -> list[datetime]:
    """Free slot starts (aware, UTC) a patient may book online with ``provider`` in [start, end).

    Respects availability rules (local time, DST-safe), time off, existing live appointments and
    the type's buffer, the minimum notice and the booking horizon.
    """
    earliest, latest = booking_bounds()
    start, end = max(start, earliest), min(end, latest)
    if start >= end or not provider.active:
        return []
    return free_starts(provider=provider, appointment_type=appointment_type, start=start, end=end)


# --- Booking flow reads -------------------------------------------------------------------


class Slot(NamedTuple):
    """A free time with a clinician (a tuple: a week of "any clinician" builds a hundred)."""

    provider: Provider | ProviderChoice
    start: datetime


def providers_for(*, specialty: str, provider_id: int | None = None) -> QuerySet[Provider]:
    providers = Provider.objects.filter(active=True, bookable_online=True, specialty=specialty).select_related(
        "user", "default_location"
    )
    if provider_id:
        providers = providers.filter(pk=provider_id)
    return providers


def resolve_specialty(code: str | None) -> tuple[str, bool]:
    """(specialty to book, whether we fell back) — falls back when nobody practises ``code``."""
    if code and providers_for(specialty=code).exists():
        return code, False
    return FALLBACK_SPECIALTY, _fell_back(code)


def _fell_back(code: str | None) -> bool:
    """Whether asking for ``code`` and getting the fallback specialty is a fall back."""
    return bool(code) and code != FALLBACK_SPECIALTY


class ProviderChoice(NamedTuple):
    """A bookable provider as the booking page needs one: enough to list, choose and search
    their diary, read without the provider's and user's whole rows (a big team is a hundred)."""

    pk: int
    user_id: int
    display_name: str
    active: bool = True
    diary_version: int | None = None  # read with the rest: the key of the cached free times
    known: bool = False  # one of the patient's own clinicians (a care relationship)

    def __str__(self) -> str:
        return self.display_name


def bookable_specialty(code: str | None, *, patient=None) -> tuple[str, bool, list[ProviderChoice]]:
    """``resolve_specialty`` plus that specialty's bookable providers, read once; with
    ``patient``, each marked ``known`` if they are one of the patient's clinicians."""
    if code:
        providers = _provider_choices(code, patient)
        if providers:
            return code, False, providers
    return FALLBACK_SPECIALTY, _fell_back(code), _provider_choices(FALLBACK_SPECIALTY, patient)


# The booking page's two catalogue reads, as SQL written once (run through cursor.execute with
# parameters, the project's one way to raw SQL). Built through the ORM they cost more than all
# the rest of the page's own work (0.8 ms of a 5 ms page, nearly all of it compiling the
# queries); tests check they read what ``providers_for`` and ``bookable_types`` do.
_PROVIDER_CHOICES_SQL = """
    SELECT p.id, p.user_id, u.first_name, u.last_name, u.email, p.diary_version,
           EXISTS(SELECT 1 FROM records_carerelationship c WHERE c.patient_id = %s AND c.staff_id = p.user_id)
    FROM appointments_provider p INNER JOIN accounts_user u ON u.id = p.user_id
    WHERE p.active = %s AND p.bookable_online = %s AND p.specialty = %s
    ORDER BY u.last_name, u.first_name
"""
_BOOKABLE_TYPES_SQL = """
    SELECT id, name, specialty, duration_minutes, buffer_after_minutes,
           bookable_online, new_patients_allowed, requires_approval, active
    FROM appointments_appointmenttype
    WHERE active = %s AND bookable_online = %s AND (specialty = %s OR specialty = '')
    ORDER BY specialty, name
"""
# Every field of the type, in the columns' order; the last four are booleans.
_TYPE_FIELDS = (
    "id",
    "name",
    "specialty",
    "duration_minutes",
    "buffer_after_minutes",
    "bookable_online",
    "new_patients_allowed",
    "requires_approval",
    "active",
)


def _provider_choices(specialty: str, patient) -> list[ProviderChoice]:
    with connection.cursor() as cursor:
        cursor.execute(_PROVIDER_CHOICES_SQL, [patient.pk if patient else None, True, True, specialty])
        rows = cursor.fetchall()
    return [
        ProviderChoice(pk, user_id, Provider.name_of(first, last, email), diary_version=version, known=bool(known))
        for pk, user_id, first, last, email, version, known in rows
    ]


def bookable_types(*, specialty: str) -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(active=True, bookable_online=True).filter(
        Q(specialty=specialty) | Q(specialty="")
    )


def bookable_type_list(*, specialty: str) -> list[AppointmentType]:
    """``bookable_types`` read for the booking page (see ``_BOOKABLE_TYPES_SQL``)."""
    with connection.cursor() as cursor:
        cursor.execute(_BOOKABLE_TYPES_SQL, [True, True, specialty])
        rows = cursor.fetchall()
    return [AppointmentType.from_db(connection.alias, _TYPE_FIELDS, (*row[:5], *map(bool, row[5:]))) for row in rows]


def slots_across(
    *,
    providers: Iterable[Provider],
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime,
    each_time_once: bool = False,
    cached: bool = False,
) -> list[Slot]:
    """Every free online slot of ``providers`` in [start, end), earliest first; a constant number
    of queries however many providers (see ``free_starts_for``). With ``each_time_once``, one
    slot per start time (see ``_one_per_time``), chosen before any Slot is built: a team's week
    holds a thousand free starts of which the page shows a hundred.

    ``cached``: read the free times through ``diary_cache`` (no query for a diary whose version
    was seen before). The providers must then be ``ProviderChoice`` rows read in this request,
    after any write it made, since their ``diary_version`` says how fresh the answer must be.
    """
    earliest, latest = booking_bounds()
    start, end = max(start, earliest), min(end, latest)
    active = {p.pk: p for p in providers if p.active}
    if start >= end or not active:
        return []
    find = _free_epochs_cached if cached else _free_epochs_for
    free = find(providers=active.values(), appointment_type=appointment_type, start=start, end=end)
    names = {provider_id: active[provider_id].display_name for provider_id in free}
    rows = sorted((epoch, names[provider_id], provider_id) for provider_id, epochs in free.items() for epoch in epochs)
    if each_time_once:
        rows = _one_per_time(rows)
    return [Slot(active[provider_id], _moment(epoch)) for epoch, _name, provider_id in rows]


ANY_CLINICIAN_POOL = 8  # clinicians whose diaries "any clinician" reads


def any_clinician_pool(
    *, patient, providers: Iterable[ProviderChoice], limit: int = ANY_CLINICIAN_POOL
) -> list[ProviderChoice]:
    """The clinicians "any clinician" offers times with: the patient's own clinicians first
    (continuity of care; ``providers`` read by ``bookable_specialty(patient=patient)``), then the
    rest of the team in an order that differs per patient (so the team's bookings spread), at
    most ``limit``. A clinic with sixty GPs then costs the same page as one with eight; the
    patient can still pick any one clinician by name."""
    providers = list(providers)
    usual = [p for p in providers if p.known]
    others = [p for p in providers if not p.known]
    if others:
        turn = patient.pk % len(others)
        others = others[turn:] + others[:turn]
    return (usual + others)[:limit]


def _one_per_time(rows: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    """One (start, name, provider) row per start time (``rows`` sorted by start), for "any
    clinician": the page lists each free time once however many clinicians are free then. Which
    free clinician is offered rotates with the time, so bookings spread over the team instead of
    filling one diary."""
    chosen = []
    index = 0
    while index < len(rows):
        moment = rows[index][0]
        same = index
        while same < len(rows) and rows[same][0] == moment:
            same += 1
        chosen.append(rows[index + (moment // 60) % (same - index)])
        index = same
    return chosen


def next_available(
    *, providers: Iterable[Provider], appointment_type: AppointmentType, limit: int = 6, cached: bool = False
) -> list[Slot]:
    """The first ``limit`` free times across providers (each time once), looking one local week
    at a time (the weeks ``diary_cache`` keeps; see ``slots_across`` for ``cached``)."""
    providers = list(providers)
    earliest, latest = booking_bounds()
    found: list[Slot] = []
    day = earliest.astimezone(clinic_zone()).date()
    cursor = earliest
    while cursor < latest and len(found) < limit:
        _week_start, week_end = local_week_bounds(day)
        found.extend(
            slots_across(
                providers=providers,
                appointment_type=appointment_type,
                start=cursor,
                end=week_end,
                each_time_once=True,
                cached=cached,
            )
        )
        cursor, day = week_end, day + timedelta(days=7)
    return found[:limit]


def next_free_for(
    *, provider: Provider, appointment_type: AppointmentType, after: datetime, limit: int = 5
) -> list[datetime]:
    """The next free times with this provider after ``after`` (offered when a slot was taken)."""
    _earliest, latest = booking_bounds()
    found: list[datetime] = []
    cursor = after
    while cursor < latest and len(found) < limit:
        week_end = min(cursor + timedelta(days=7), latest)
        found.extend(available_slots(provider=provider, appointment_type=appointment_type, start=cursor, end=week_end))
        cursor = week_end
    return found[:limit]


# --- Lists --------------------------------------------------------------------------------


def appointments_for_patient(*, patient) -> QuerySet[Appointment]:
    return Appointment.objects.filter(patient=patient).select_related("provider__user", "appointment_type", "location")


class AppointmentLine(NamedTuple):
    """An appointment as the patient's list shows it: its columns read as values, without the
    appointment's, clinician's and type's whole rows (four model instances a line)."""

    pk: int
    start: datetime
    end: datetime
    status: str
    clinician: str
    type_name: str

    @property
    def is_open(self) -> bool:
        return self.status in Appointment.OPEN_STATUSES


class WaitlistLine(NamedTuple):
    """An open waitlist entry as the patient's list shows it."""

    pk: int
    type_name: str
    clinician: str  # "" for any clinician of the specialty
    specialty: str
    earliest_date: date
    latest_date: date

    @property
    def specialty_label(self) -> str:
        return SPECIALTIES.get(self.specialty, self.specialty)


# The patient's list reads these two as SQL written once, for the reason given at
# _PROVIDER_CHOICES_SQL (the ORM took longer to compile them, the waitlist's four-table
# select_related most of all, than the database took to answer). Tests check they read what the
# ORM reads.
_PATIENT_APPOINTMENTS_SQL = """
    SELECT a.id, a.start, a.end, a.status, u.first_name, u.last_name, u.email, t.name
    FROM appointments_appointment a
    INNER JOIN appointments_provider p ON p.id = a.provider_id
    INNER JOIN accounts_user u ON u.id = p.user_id
    INNER JOIN appointments_appointmenttype t ON t.id = a.appointment_type_id
    WHERE a.patient_id = %s
    ORDER BY a.start, a.id
"""
_PATIENT_WAITLIST_SQL = """
    SELECT w.id, t.name, w.provider_id, u.first_name, u.last_name, u.email, w.specialty, w.earliest_date, w.latest_date
    FROM appointments_waitlistentry w
    INNER JOIN appointments_appointmenttype t ON t.id = w.appointment_type_id
    LEFT OUTER JOIN appointments_provider p ON p.id = w.provider_id
    LEFT OUTER JOIN accounts_user u ON u.id = p.user_id
    WHERE w.patient_id = %s AND w.status IN (%s, %s)
    ORDER BY w.created_at, w.id
"""


def upcoming_and_past(*, patient, now: datetime | None = None) -> tuple[list[AppointmentLine], list[AppointmentLine]]:
    """The patient's appointments: upcoming (not cancelled, not over) soonest first, then the
    rest latest first."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_PATIENT_APPOINTMENTS_SQL, [patient.pk])
        rows = cursor.fetchall()
    lines = [
        AppointmentLine(pk, aware(start), aware(end), status, Provider.name_of(first, last, email), type_name)
        for pk, start, end, status, first, last, email, type_name in rows
    ]
    upcoming = [line for line in lines if line.end >= now and line.status != Appointment.Status.CANCELLED]
    upcoming_ids = {line.pk for line in upcoming}
    past = [line for line in reversed(lines) if line.pk not in upcoming_ids]
    return upcoming, past


def open_waitlist_entries(*, patient) -> list[WaitlistLine]:
    """The patient's open waitlist entries, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(_PATIENT_WAITLIST_SQL, [patient.pk, *WaitlistEntry.OPEN_STATUSES])
        rows = cursor.fetchall()
    return [
        WaitlistLine(
            pk,
            type_name,
            Provider.name_of(first, last, email) if provider_id is not None else "",
            specialty,
            _day(earliest),
            _day(latest),
        )
        for pk, type_name, provider_id, first, last, email, specialty, earliest, latest in rows
    ]


def schedule_for(
    *, start: datetime, end: datetime, provider: Provider | None = None, location_id: int | None = None
) -> QuerySet[Appointment]:
    rows = Appointment.objects.filter(start__gte=start, start__lt=end).select_related(
        "patient", "provider__user", "appointment_type", "location"
    )
    if provider is not None:
        rows = rows.filter(provider=provider)
    if location_id is not None:
        rows = rows.filter(location_id=location_id)
    return rows.order_by("start", "provider_id")
