"""Booking, cancelling, rescheduling and the visit's status changes.

No double booking, under concurrency: every write that claims time first locks the provider's
row (and then the patient's) with ``SELECT ... FOR UPDATE`` inside the transaction, and only
then checks for overlaps and inserts. Concurrent bookings for one provider therefore queue on
that lock and each sees what the previous one committed (MySQL runs READ COMMITTED for this; on
SQLite the transaction takes the write lock at BEGIN). A partial unique index on
(provider, start) for live appointments is the backstop where the backend supports it.
Lock order is always provider -> patient -> appointment, so two writes never deadlock.

Every write that changes a provider's free time also gives the provider a new
``diary_version`` in its transaction (``provider_diary_bump``): the slot finder's cache of
free times is keyed by it, so the first page read after the commit computes the diary afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from appointments.models import (
    MAX_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentType,
    AvailabilityRule,
    Provider,
    new_diary_version,
)
from appointments.selectors import _busy_intervals, _local_windows, clinic_zone, free_starts, local_day_bounds
from appointments.services.notifications import CANCELLED, CONFIRMED, REQUESTED, RESCHEDULED, appointment_notify
from records.models import Patient
from records.services import care_relationship_ensure

SLOT_TAKEN = "slot_taken"
NOT_BOOKABLE = "not_bookable"
# An offered slot stays bookable this long after the notice has moved past it: the slot finder
# offers the first start after now + notice, and a patient still reading the confirm page would
# otherwise be told it is "too soon" a few seconds later. Never a start in the past.
OFFER_HOLD = timedelta(minutes=10)

Status = Appointment.Status
_LOADED_RELATIONS = ["patient", "provider", "appointment_type", "location", "booked_by", "cancelled_by"]


def _is_staff(user: User | None) -> bool:
    return user is not None and user.is_staff


def _lock_provider(provider: Provider) -> Provider:
    return Provider.objects.select_for_update().get(pk=provider.pk)


@transaction.atomic
def provider_diary_bump(*, provider_ids: Iterable[int]) -> None:
    """A new ``diary_version`` for these providers, committed with the caller's write: call it in
    every write that can change their free time (appointments, working hours, time off). The
    update takes the providers' row locks, so call it before locking a patient or appointment."""
    Provider.objects.filter(pk__in=sorted(set(provider_ids))).update(diary_version=new_diary_version())


def _lock_patient(patient: Patient) -> None:
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).get()


def _lock_appointment(appointment: Appointment) -> None:
    Appointment.objects.select_for_update().filter(pk=appointment.pk).values_list("pk", flat=True).get()
    appointment.refresh_from_db()


def _taken() -> ValidationError:
    return ValidationError(_("That time was just taken. Please choose another."), code=SLOT_TAKEN)


def _not_bookable(message: str) -> ValidationError:
    return ValidationError(message, code=NOT_BOOKABLE)


def _location_for(provider: Provider, start: datetime):
    local = start.astimezone(clinic_zone())
    rule = (
        AvailabilityRule.objects.filter(
            provider=provider,
            weekday=local.weekday(),
            start_time__lte=local.time(),
            end_time__gt=local.time(),
            location__isnull=False,
        )
        .select_related("location")
        .first()
    )
    return rule.location if rule else provider.default_location


def _check_time(
    *,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    by_staff: bool,
    exclude_appointment_id: int | None = None,
) -> None:
    """Raise ValidationError unless ``start`` is free for this provider (call with the lock held).

    Patients book the offered slots only (notice, horizon, slot grid); staff may book any free
    time inside the provider's working hours, including a walk-in that starts now.
    """
    now = timezone.now()
    visit_end = start + appointment_type.duration
    slot_end = visit_end + appointment_type.buffer_after
    if by_staff:
        if start < now - appointment_type.duration:
            raise _not_bookable(_("That time is in the past."))
    else:
        if start < now or start < now + timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES) - OFFER_HOLD:
            raise _not_bookable(_("That time is too soon or in the past to book online."))
        if start > now + timedelta(days=settings.BOOKING_HORIZON_DAYS):
            raise _not_bookable(_("That time is too far ahead to book."))

    local_day = start.astimezone(clinic_zone()).date()
    if not by_staff:
        day_start, day_end = local_day_bounds(local_day)
        offered = free_starts(
            provider=provider,
            appointment_type=appointment_type,
            start=day_start,
            end=day_end,
            exclude_appointment_id=exclude_appointment_id,
        )
        if start in offered:
            return  # the usual case: one slot-grid read answers it
    # Staff book any free time in working hours; for a patient, say why the time is not offered.
    booked, time_off = _busy_intervals(provider, start, slot_end, exclude_appointment_id=exclude_appointment_id)
    if any(b_start < slot_end and b_end > start for b_start, b_end in booked):
        raise _taken()
    if any(o_start < visit_end and o_end > start for o_start, o_end in time_off):
        raise _not_bookable(_("The provider is not available at that time."))
    windows = _local_windows(provider, local_day - timedelta(days=1), local_day + timedelta(days=1))
    if not any(w_start <= start and visit_end <= w_end for w_start, w_end in windows):
        raise _not_bookable(_("The provider is not available at that time."))
    if not by_staff:
        raise _not_bookable(_("That is not one of the offered times. Please pick one from the list."))


def _check_patient_free(*, patient: Patient, start: datetime, end: datetime, exclude_appointment_id=None) -> None:
    clashes = Appointment.objects.filter(
        patient=patient,
        status__in=Appointment.LIVE_STATUSES,
        start__gte=start - timedelta(minutes=MAX_APPOINTMENT_MINUTES),
        start__lt=end,
        end__gt=start,
    )
    if exclude_appointment_id is not None:
        clashes = clashes.exclude(pk=exclude_appointment_id)
    if clashes.exists():
        raise ValidationError(_("You already have an appointment at that time."), code="patient_busy")


def _check_offer(*, patient: Patient, provider: Provider, appointment_type: AppointmentType, by_staff: bool) -> None:
    if not provider.active:
        raise _not_bookable(_("This provider is not taking bookings."))
    if not appointment_type.active:
        raise _not_bookable(_("This type of appointment is no longer offered."))
    if appointment_type.specialty and appointment_type.specialty != provider.specialty:
        raise _not_bookable(_("This provider does not offer this type of appointment."))
    if by_staff:
        return
    if not provider.bookable_online:
        raise _not_bookable(_("This provider cannot be booked online; please call the clinic."))
    if not appointment_type.bookable_online:
        raise _not_bookable(_("This type of appointment cannot be booked online; please call the clinic."))
    known = Appointment.objects.filter(
        patient=patient, provider=provider, status__in=[Status.COMPLETED, Status.BOOKED, Status.CHECKED_IN]
    ).exists()
    if not known and not provider.accepting_new_patients:
        raise _not_bookable(_("This provider is not accepting new patients."))
    if not known and not appointment_type.new_patients_allowed:
        raise _not_bookable(_("This type of appointment is for existing patients of this provider."))


def _slot_freed(appointment: Appointment, start: datetime) -> None:
    """After commit, offer a freed future slot to the waitlist."""
    if start <= timezone.now():
        return
    provider_id = appointment.provider_id

    def offer() -> None:
        from appointments.services.waitlist import waitlist_offer_slot

        waitlist_offer_slot(provider_id=provider_id, start=start)

    transaction.on_commit(offer)


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    provider: Provider,
    start: datetime,
    appointment_type: AppointmentType,
    booked_by: User | None,
    reason: str = "",
) -> Appointment:
    """Book ``patient`` with ``provider`` at ``start``; ValidationError if it is not free or bookable.

    A ``booked_by`` staff member may book off the slot grid (walk-ins) and without the online
    notice; a patient books the slots ``available_slots`` offers. The error for a slot that was
    just taken has code ``SLOT_TAKEN``.
    """
    if timezone.is_naive(start):
        raise _not_bookable(_("The start time must carry a time zone."))
    by_staff = _is_staff(booked_by)
    provider = _lock_provider(provider)
    _lock_patient(patient)
    _check_offer(patient=patient, provider=provider, appointment_type=appointment_type, by_staff=by_staff)
    _check_time(provider=provider, appointment_type=appointment_type, start=start, by_staff=by_staff)
    end = start + appointment_type.duration
    _check_patient_free(patient=patient, start=start, end=end)
    appointment = Appointment(
        patient=patient,
        provider=provider,
        appointment_type=appointment_type,
        location=_location_for(provider, start),
        start=start,
        end=end,
        busy_until=end + appointment_type.buffer_after,
        status=Status.REQUESTED if appointment_type.requires_approval and not by_staff else Status.BOOKED,
        reason=reason.strip(),
        booked_by=booked_by,
    )
    # The unique constraints are checked by the database below, not by a racy query here; the
    # related rows were just read (and locked), so their existence is not queried again.
    appointment.full_clean(exclude=_LOADED_RELATIONS, validate_constraints=False)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        raise _taken() from exc
    provider_diary_bump(provider_ids=[provider.pk])
    care_relationship_ensure(patient=patient, staff=provider.user, source="appointment")
    if start > timezone.now():  # a walk-in booked at the desk needs no e-mail
        notice = REQUESTED if appointment.status == Status.REQUESTED else CONFIRMED
        appointment_notify(appointment=appointment, notice=notice)
    return appointment


def _check_cutoff(appointment: Appointment, *, enforce: bool, what: str) -> None:
    if not enforce:
        return
    cutoff = timedelta(hours=settings.CANCEL_CUTOFF_HOURS)
    if appointment.start - timezone.now() < cutoff:
        raise ValidationError(
            _("Appointments can be %(what)s online until %(hours)s hours before; please call the clinic.")
            % {"what": what, "hours": settings.CANCEL_CUTOFF_HOURS},
            code="cutoff",
        )


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    cancelled_by: User | None,
    reason: str = "",
    enforce_cutoff: bool | None = None,
) -> Appointment:
    """Cancel; a patient (not staff) may do so only until ``CANCEL_CUTOFF_HOURS`` before it,
    unless ``enforce_cutoff=False`` (the signed link in the reminder e-mail)."""
    provider_diary_bump(provider_ids=[appointment.provider_id])  # first: the provider's lock comes first
    _lock_appointment(appointment)
    by_staff = _is_staff(cancelled_by)
    cancellable = (*Appointment.OPEN_STATUSES, Status.CHECKED_IN) if by_staff else Appointment.OPEN_STATUSES
    if appointment.status not in cancellable:
        raise ValidationError(_("This appointment can no longer be cancelled."), code="status")
    _check_cutoff(appointment, enforce=not by_staff if enforce_cutoff is None else enforce_cutoff, what=_("cancelled"))
    # A request the clinic never approved is in no calendar: its cancellation needs no .ics.
    was_in_calendar = appointment.status != Status.REQUESTED
    appointment.status = Status.CANCELLED
    appointment.cancelled_at = timezone.now()
    appointment.cancelled_by = cancelled_by
    appointment.cancellation_reason = reason.strip()[:500]
    appointment.full_clean(validate_constraints=False)
    appointment.save()
    _slot_freed(appointment, appointment.start)
    appointment_notify(appointment=appointment, notice=CANCELLED, with_calendar=was_in_calendar)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    new_start: datetime,
    rescheduled_by: User | None,
    enforce_cutoff: bool | None = None,
) -> Appointment:
    """Move an open appointment to ``new_start`` with the same provider and type (same rules as
    booking; a patient only until the cut-off). The old time goes to the waitlist."""
    if timezone.is_naive(new_start):
        raise _not_bookable(_("The start time must carry a time zone."))
    by_staff = _is_staff(rescheduled_by)
    provider = _lock_provider(appointment.provider)
    _lock_patient(appointment.patient)
    _lock_appointment(appointment)
    if appointment.status not in Appointment.OPEN_STATUSES:
        raise ValidationError(_("This appointment can no longer be rescheduled."), code="status")
    _check_cutoff(appointment, enforce=not by_staff if enforce_cutoff is None else enforce_cutoff, what=_("moved"))
    if new_start == appointment.start:
        return appointment
    appointment_type = appointment.appointment_type
    _check_time(
        provider=provider,
        appointment_type=appointment_type,
        start=new_start,
        by_staff=by_staff,
        exclude_appointment_id=appointment.pk,
    )
    end = new_start + appointment_type.duration
    _check_patient_free(patient=appointment.patient, start=new_start, end=end, exclude_appointment_id=appointment.pk)
    old_start = appointment.start
    appointment.start = new_start
    appointment.end = end
    appointment.busy_until = end + appointment_type.buffer_after
    appointment.location = _location_for(provider, new_start)
    appointment.reminder_sent_at = None
    appointment.confirmed_at = None
    appointment.full_clean(exclude=_LOADED_RELATIONS, validate_constraints=False)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        raise _taken() from exc
    provider_diary_bump(provider_ids=[provider.pk])
    _slot_freed(appointment, old_start)
    appointment_notify(
        appointment=appointment,
        notice=RESCHEDULED,
        old_start=old_start,
        with_calendar=appointment.status != Status.REQUESTED,
    )
    return appointment


# --- The visit's status, set by staff (admin actions) ---------------------------------------

_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.BOOKED: (Status.REQUESTED,),
    Status.CHECKED_IN: (Status.BOOKED,),
    Status.IN_PROGRESS: (Status.BOOKED, Status.CHECKED_IN),
    Status.COMPLETED: (Status.CHECKED_IN, Status.IN_PROGRESS),
    Status.NO_SHOW: (Status.BOOKED, Status.REQUESTED),
}


@transaction.atomic
def _set_status(*, appointment: Appointment, status: str, by: User | None) -> Appointment:
    if status not in Appointment.LIVE_STATUSES:
        # A no-show frees the rest of its time (every transition starts from a live status).
        provider_diary_bump(provider_ids=[appointment.provider_id])
    _lock_appointment(appointment)
    if appointment.status not in _TRANSITIONS[status]:
        raise ValidationError(
            _("A %(current)s appointment cannot become %(new)s.")
            % {"current": appointment.get_status_display().lower(), "new": Status(status).label.lower()},
            code="status",
        )
    now = timezone.now()
    if status == Status.NO_SHOW and appointment.start > now:
        raise ValidationError(_("An appointment that has not started cannot be a no-show."), code="status")
    appointment.status = status
    if status == Status.CHECKED_IN or status == Status.IN_PROGRESS and appointment.checked_in_at is None:
        appointment.checked_in_at = now
    elif status == Status.COMPLETED:
        appointment.completed_at = now
    appointment.full_clean(validate_constraints=False)
    appointment.save()
    return appointment


@transaction.atomic
def appointment_approve(*, appointment: Appointment, approved_by: User) -> Appointment:
    """Confirm a requested appointment; the patient gets the confirmation e-mail and .ics."""
    appointment = _set_status(appointment=appointment, status=Status.BOOKED, by=approved_by)
    appointment_notify(appointment=appointment, notice=CONFIRMED)
    return appointment


def appointment_check_in(*, appointment: Appointment, checked_in_by: User) -> Appointment:
    return _set_status(appointment=appointment, status=Status.CHECKED_IN, by=checked_in_by)


def appointment_start(*, appointment: Appointment, started_by: User) -> Appointment:
    return _set_status(appointment=appointment, status=Status.IN_PROGRESS, by=started_by)


def appointment_complete(*, appointment: Appointment, completed_by: User) -> Appointment:
    return _set_status(appointment=appointment, status=Status.COMPLETED, by=completed_by)


def appointment_mark_no_show(*, appointment: Appointment, marked_by: User) -> Appointment:
    return _set_status(appointment=appointment, status=Status.NO_SHOW, by=marked_by)


@transaction.atomic
def appointment_confirm(*, appointment: Appointment) -> Appointment:
    """The patient confirmed they will come (link in the reminder)."""
    _lock_appointment(appointment)
    if appointment.status not in Appointment.OPEN_STATUSES:
        raise ValidationError(_("This appointment can no longer be confirmed."), code="status")
    if appointment.confirmed_at is None:
        appointment.confirmed_at = timezone.now()
        appointment.save(update_fields=["confirmed_at", "updated_at"])
    return appointment
