"""The clinic admin's numbers over a date range: appointments, utilisation, patients, the
symptom checker, and the audit events that need a human to look at them.

Every figure is an aggregate computed by the database over an indexed range (appointments by
``(status, start)``, patients by ``created_at``, checks by ``created_at``), so the cost grows
with the length of the range, not with the size of the clinic. Provider availability is small
(a few weekly rules per provider) and is expanded in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KT
from django.utils import timezone

from appointments.models import Appointment, AvailabilityRule, Provider, TimeOff
from appointments.selectors import clinic_zone, local_day_bounds
from clinic.dashboard.sql import LocalDate, MinutesBetween, offset_segments
from clinic.db import aware
from diagnosis.models import SymptomCheck
from records.models import Patient

Status = Appointment.Status
# Statuses that took the provider's time in the diary (a no-show's slot was kept free for them).
TIME_HELD = (Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED, Status.NO_SHOW)
REVIEW_LIMIT = 10
TOP_CONDITIONS = 8
# The utilisation chart shows the busiest providers; the whole list has its own page.
UTILISATION_CHART_LIMIT = 10
MAX_RANGE_DAYS = 366


@dataclass
class ProviderUtilisation:
    provider: Provider
    booked_minutes: int
    available_minutes: int

    @property
    def share(self) -> float | None:
        return self.booked_minutes / self.available_minutes if self.available_minutes else None


@dataclass
class Review:
    """The audit events that need a human to look at them: always read fresh, never cached.
    Rows (the first ``REVIEW_LIMIT``, see ``review_events``): break-the-glass openings ``pk,
    granted_at, staff_name, patient_id, patient_mrn``; lockouts ``attempt_time, username, ip_address,
    failures_since_start``."""

    break_glass: list[dict]
    break_glass_count: int
    lockouts: list[dict]
    lockout_count: int

    @property
    def count(self) -> int:
        return self.break_glass_count + self.lockout_count


@dataclass
class Kpis:
    first: date
    last: date  # inclusive
    as_of: datetime  # when the aggregates were counted
    by_status: dict[str, int]
    per_day: list[tuple[date, int]]
    no_shows_by_weekday: list[int]  # Monday first
    utilisation: list[ProviderUtilisation]
    new_patients: int
    patients_total: int
    patients_with_login: int
    triage: dict[str, int]
    top_conditions: list[tuple[str, str, int]]  # (name, ICD-10, checks)
    agreement_confirmed: int
    agreement_in_top3: int
    review: Review | None = None  # None: the counted figures only (``counted_kpis``)
    symptom_checks: int = field(init=False)

    def __post_init__(self) -> None:
        self.symptom_checks = sum(self.triage.values())

    @property
    def booked(self) -> int:
        """Appointments in the range that were booked (pending requests are not bookings yet)."""
        return sum(n for status, n in self.by_status.items() if status != Status.REQUESTED)

    @property
    def completed(self) -> int:
        return self.by_status.get(Status.COMPLETED, 0)

    @property
    def cancelled(self) -> int:
        return self.by_status.get(Status.CANCELLED, 0)

    @property
    def no_shows(self) -> int:
        return self.by_status.get(Status.NO_SHOW, 0)

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among the visits whose outcome is known (attended or not)."""
        known = self.completed + self.no_shows
        return self.no_shows / known if known else None

    @property
    def booked_minutes(self) -> int:
        return sum(u.booked_minutes for u in self.utilisation)

    @property
    def available_minutes(self) -> int:
        return sum(u.available_minutes for u in self.utilisation)

    @property
    def utilisation_share(self) -> float | None:
        return self.booked_minutes / self.available_minutes if self.available_minutes else None

    @property
    def portal_adoption(self) -> float | None:
        return self.patients_with_login / self.patients_total if self.patients_total else None

    @property
    def agreement_share(self) -> float | None:
        return self.agreement_in_top3 / self.agreement_confirmed if self.agreement_confirmed else None

    @property
    def review_count(self) -> int:
        return self.review.count

    @property
    def break_glass(self) -> list[dict]:
        return self.review.break_glass

    @property
    def break_glass_count(self) -> int:
        return self.review.break_glass_count

    @property
    def lockouts(self) -> list[dict]:
        return self.review.lockouts

    @property
    def lockout_count(self) -> int:
        return self.review.lockout_count

    @property
    def utilisation_shown(self) -> list[ProviderUtilisation]:
        """The utilisation chart's rows: the busiest ``UTILISATION_CHART_LIMIT`` providers with
        known availability (``utilisation`` is sorted busiest first)."""
        return [u for u in self.utilisation if u.share is not None][:UTILISATION_CHART_LIMIT]

    @property
    def utilisation_known(self) -> int:
        """Providers with available time in the range (the ones with a share)."""
        return sum(1 for u in self.utilisation if u.share is not None)


def range_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants from the start of local day ``first`` to the end of local day ``last``."""
    return local_day_bounds(first)[0], local_day_bounds(last)[1]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _subtract(window: tuple[datetime, datetime], holes: list[tuple[datetime, datetime]]) -> int:
    """Seconds of ``window`` not covered by ``holes`` (sorted, may overlap)."""
    start, end = window
    free = 0.0
    cursor = start
    for hole_start, hole_end in holes:
        if hole_end <= cursor or hole_start >= end:
            continue
        if hole_start > cursor:
            free += (hole_start - cursor).total_seconds()
        cursor = max(cursor, hole_end)
        if cursor >= end:
            break
    if cursor < end:
        free += (end - cursor).total_seconds()
    return int(free)


def available_minutes(*, rules: list[tuple], time_off: list[tuple], first: date, last: date) -> dict[int, int]:
    """Minutes each provider was available on local days ``first``..``last``: their weekly
    rules (wall-clock times in the clinic's zone, DST-safe), overlapping rules merged, minus
    their time off. ``rules``: (provider_id, weekday, start, end, valid_from, valid_to);
    ``time_off``: (provider_id, start, end)."""
    zone = clinic_zone()
    by_weekday: dict[int, list[tuple]] = defaultdict(list)
    for rule in rules:
        by_weekday[rule[1]].append(rule)
    off: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for provider_id, start, end in time_off:
        off[provider_id].append((start, end))
    for intervals in off.values():
        intervals.sort()
    windows: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    day = first
    while day <= last:
        for provider_id, _weekday, start_time, end_time, valid_from, valid_to in by_weekday.get(day.weekday(), ()):
            if (valid_from and day < valid_from) or (valid_to and day > valid_to):
                continue
            start = datetime.combine(day, start_time, tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day, end_time, tzinfo=zone).astimezone(UTC)
            if start < end:
                windows[provider_id].append((start, end))
        day += timedelta(days=1)
    result: dict[int, int] = {}
    for provider_id, intervals in windows.items():
        intervals.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in intervals:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        holes = off.get(provider_id, [])
        result[provider_id] = sum(_subtract(window, holes) for window in merged) // 60
    return result


def _appointment_counts(start: datetime, end: datetime) -> list[tuple[date, str, int]]:
    # status__in lists every status so the (status, start) index serves the range (it covers
    # both columns: the rows themselves are never read).
    rows = (
        Appointment.objects.filter(status__in=Status.values, start__gte=start, start__lt=end)
        .annotate(day=LocalDate("start", segments=offset_segments(start, end, clinic_zone())))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(_as_date(row["day"]), row["status"], row["n"]) for row in rows]


def _booked_minutes(start: datetime, end: datetime) -> dict[int, int]:
    rows = (
        Appointment.objects.filter(status__in=TIME_HELD, start__gte=start, start__lt=end)
        .values("provider_id")
        .annotate(booked=Sum(MinutesBetween("start", "end")))
        .order_by()
    )
    return {row["provider_id"]: row["booked"] or 0 for row in rows}


def _available(first: date, last: date, start: datetime, end: datetime) -> dict[int, int]:
    rules = list(
        AvailabilityRule.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .values_list("provider_id", "weekday", "start_time", "end_time", "valid_from", "valid_to")
    )
    time_off = list(TimeOff.objects.filter(start__lt=end, end__gt=start).values_list("provider_id", "start", "end"))
    return available_minutes(rules=rules, time_off=time_off, first=first, last=last)


def _utilisation(booked: dict[int, int], available: dict[int, int]) -> list[ProviderUtilisation]:
    wanted = set(booked) | set(available)
    providers = Provider.objects.filter(Q(active=True) | Q(pk__in=wanted)).select_related("user")
    rows = [
        ProviderUtilisation(provider=p, booked_minutes=booked.get(p.pk, 0), available_minutes=available.get(p.pk, 0))
        for p in providers
    ]
    return sorted(rows, key=lambda u: (-(u.share or 0), u.provider.display_name))


def _aggregates(first: date, last: date, start: datetime, end: datetime) -> dict:
    """The expensive part of the KPIs: database aggregates over the range, as plain data."""
    by_status: dict[str, int] = defaultdict(int)
    per_day: dict[date, int] = defaultdict(int)
    no_shows_by_weekday = [0] * 7
    for day, status, n in _appointment_counts(start, end):
        by_status[status] += n
        per_day[day] += n
        if status == Status.NO_SHOW:
            no_shows_by_weekday[day.weekday()] += n

    checks = SymptomCheck.objects.filter(created_at__gte=start, created_at__lt=end)
    top = (
        checks.exclude(conditions=[])
        .values(name=KT("conditions__0__name"), icd10=KT("conditions__0__icd10"))
        .annotate(n=Count("pk"))
        .order_by("-n", "name")[:TOP_CONDITIONS]
    )
    # The totals of diagnosis.selectors.checker_agreement (same rows), without its per-month
    # truncation: that needs MySQL's time-zone tables, and the dashboard shows one number.
    agreement = SymptomCheck.objects.filter(
        confirmed_at__gte=start, confirmed_at__lt=end, agrees_top3__isnull=False
    ).aggregate(confirmed=Count("pk"), in_top3=Count("pk", filter=Q(agrees_top3=True)))
    return {
        "by_status": dict(by_status),
        "per_day": dict(per_day),
        "no_shows_by_weekday": no_shows_by_weekday,
        "booked_minutes": _booked_minutes(start, end),
        "available_minutes": _available(first, last, start, end),
        # Three index-only counts (any index, the user_id unique index, the created_at index)
        # read far less than one aggregate over the table's rows.
        "patients_total": Patient.objects.count(),
        "patients_with_login": Patient.objects.filter(user__isnull=False).count(),
        "new_patients": Patient.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        "triage": {row["triage"]: row["n"] for row in checks.values("triage").annotate(n=Count("pk")).order_by()},
        "top_conditions": [(row["name"] or "?", row["icd10"] or "", row["n"]) for row in top],
        "agreement_confirmed": agreement["confirmed"],
        "agreement_in_top3": agreement["in_top3"],
        "as_of": timezone.now(),
    }


def cached_aggregates(first: date, last: date) -> dict:
    """``_aggregates`` kept for ``DASHBOARD_CACHE_SECONDS`` (0: always fresh) per range: the
    figures cover weeks, so a minute-old count is as useful as a fresh one, and an admin who
    reloads, or several admins at once, cost one set of range scans a minute, not one each."""
    start, end = range_bounds(first, last)
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return _aggregates(first, last, start, end)
    key = f"clinic:dashboard-kpis:{first.isoformat()}:{last.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = _aggregates(first, last, start, end)
        cache.set(key, found, seconds)
    return found


def counted_kpis(*, first: date, last: date, aggregates: dict | None = None) -> Kpis:
    """The counted figures for local days ``first``..``last`` (no review lists), from
    ``aggregates`` (``cached_aggregates(first, last)`` when not given). They may be up to
    ``DASHBOARD_CACHE_SECONDS`` old: ``Kpis.as_of`` says when they were counted."""
    numbers = aggregates if aggregates is not None else cached_aggregates(first, last)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return Kpis(
        first=first,
        last=last,
        as_of=numbers["as_of"],
        by_status=numbers["by_status"],
        per_day=[(day, numbers["per_day"].get(day, 0)) for day in days],
        no_shows_by_weekday=numbers["no_shows_by_weekday"],
        utilisation=_utilisation(numbers["booked_minutes"], numbers["available_minutes"]),
        new_patients=numbers["new_patients"],
        patients_total=numbers["patients_total"],
        patients_with_login=numbers["patients_with_login"],
        triage=numbers["triage"],
        top_conditions=numbers["top_conditions"],
        agreement_confirmed=numbers["agreement_confirmed"],
        agreement_in_top3=numbers["agreement_in_top3"],
    )


# The review lists as plain SQL with parameters: each reads its range's rows newest first with
# the total as a window count (taken before the LIMIT), the columns the review tables show (a
# patient's MRN, not their address), and the same rows as emergency_accesses_for_review and
# axes' AccessAttempt filtered the same way (clinic/tests/test_dashboard_review.py checks).
# They are read on every view, and building and compiling the two querysets was about a quarter
# of the page's time.
_REVIEW_GRANTS = (
    "SELECT g.id, g.granted_at, u.first_name, u.last_name, u.email, g.patient_id, p.mrn, COUNT(*) OVER ()"
    " FROM records_emergencyaccess g"
    " INNER JOIN accounts_user u ON u.id = g.staff_id"
    " INNER JOIN records_patient p ON p.id = g.patient_id"
    " WHERE g.granted_at >= %s AND g.granted_at < %s"
    " ORDER BY g.granted_at DESC, g.id DESC LIMIT %s"
)
_REVIEW_LOCKOUTS = (
    "SELECT attempt_time, username, ip_address, failures_since_start, COUNT(*) OVER ()"
    " FROM axes_accessattempt"
    " WHERE failures_since_start >= %s AND attempt_time >= %s AND attempt_time < %s"
    " ORDER BY attempt_time DESC, id DESC LIMIT %s"
)


def review_events(*, first: date, last: date) -> Review:
    """Break-the-glass openings and account lockouts in the range, newest first: read on every
    call (two small indexed queries), so a new one shows at once."""
    start, end = (connection.ops.adapt_datetimefield_value(moment) for moment in range_bounds(first, last))
    with connection.cursor() as cursor:
        cursor.execute(_REVIEW_GRANTS, [start, end, REVIEW_LIMIT])
        rows = cursor.fetchall()
        grants = [
            {
                "pk": pk,
                "granted_at": aware(granted_at),
                "staff_name": Provider.name_of(first_name, last_name, email),
                "patient_id": patient_id,
                "patient_mrn": mrn,
            }
            for pk, granted_at, first_name, last_name, email, patient_id, mrn, _total in rows
        ]
        grant_count = rows[0][-1] if rows else 0
        cursor.execute(_REVIEW_LOCKOUTS, [settings.AXES_FAILURE_LIMIT, start, end, REVIEW_LIMIT])
        rows = cursor.fetchall()
        lockouts = [
            {
                "attempt_time": aware(attempt_time),
                "username": username,
                "ip_address": ip_address,
                "failures_since_start": failures,
            }
            for attempt_time, username, ip_address, failures, _total in rows
        ]
        lockout_count = rows[0][-1] if rows else 0
    return Review(break_glass=grants, break_glass_count=grant_count, lockouts=lockouts, lockout_count=lockout_count)


def clinic_kpis(*, first: date, last: date) -> Kpis:
    """Every number of the clinic admin's dashboard for local days ``first``..``last``: the
    counted figures (``counted_kpis``, possibly cached) and the review lists, always fresh."""
    numbers = counted_kpis(first=first, last=last)
    numbers.review = review_events(first=first, last=last)
    return numbers


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(days=29), today
