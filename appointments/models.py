from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.specialties import SPECIALTIES
from records.models import Patient

# An appointment (visit + buffer) never lasts longer than this; the slot finder relies on it to
# bound its index range scan (appointments starting this long before a window may reach into it).
MAX_APPOINTMENT_MINUTES = 12 * 60


def new_diary_version() -> int:
    """A fresh ``Provider.diary_version``: random rather than counted, so a provider key reused
    (a restored or re-seeded database, rolled-back tests) never meets an old cache entry."""
    return secrets.randbits(63)


class Location(models.Model):
    """A room or site where appointments take place."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """A staff member (doctor or nurse) whom patients can book."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="provider",
        limit_choices_to={"is_staff": True},
    )
    specialty = models.CharField(_("specialty"), max_length=40, choices=list(SPECIALTIES.items()))
    accepting_new_patients = models.BooleanField(_("accepting new patients"), default=True)
    bookable_online = models.BooleanField(
        _("bookable online"), default=True, help_text=_("Patients may book this provider in the portal.")
    )
    active = models.BooleanField(_("active"), default=True)
    default_location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("default location")
    )
    # Changed, in the same transaction, by every write that can change the diary's free time
    # (appointments booked, moved, cancelled or no-show; working hours; time off): the slot
    # finder's per-process cache of free times is keyed by it (appointments.diary_cache).
    diary_version = models.BigIntegerField(default=new_diary_version, editable=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        indexes = [models.Index(fields=["specialty", "active"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_of(self.user.first_name, self.user.last_name, self.user.email)

    @staticmethod
    def name_of(first_name: str, last_name: str, email: str) -> str:
        """``display_name`` from the user's columns, for lists that read those alone."""
        return f"{first_name} {last_name}".strip() or email


class AppointmentType(models.Model):
    name = models.CharField(_("name"), max_length=100)
    specialty = models.CharField(
        _("specialty"),
        max_length=40,
        choices=list(SPECIALTIES.items()),
        blank=True,
        help_text=_("Only providers of this specialty offer it; blank means any provider."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(8 * 60)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, validators=[MaxValueValidator(60)]
    )
    bookable_online = models.BooleanField(_("bookable online"), default=True)
    new_patients_allowed = models.BooleanField(_("new patients allowed"), default=True)
    requires_approval = models.BooleanField(
        _("requires approval"), default=False, help_text=_("Online bookings wait for staff approval.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["specialty", "name"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "name"], name="appointments_type_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class AvailabilityRule(models.Model):
    """A weekly working window of a provider, in the clinic's local time (``CLINIC_TIME_ZONE``)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="availability_rules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("local start time"))
    end_time = models.TimeField(_("local end time"))
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["provider", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="appointments_rule_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="appointments_rule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = _("time off")
        indexes = [models.Index(fields=["provider", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="appointments_timeoff_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.start:%Y-%m-%d %H:%M} - {self.end:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # Statuses that hold the provider's (and the patient's) time.
    LIVE_STATUSES = (Status.REQUESTED, Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED)
    # Statuses a patient or staff member may still cancel or reschedule.
    OPEN_STATUSES = (Status.REQUESTED, Status.BOOKED)

    # No single-column indexes: the (patient, start) and (provider, start) indexes lead with them.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("type")
    )
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # The provider is busy until here: end plus the type's buffer. Overlap checks use it.
    busy_until = models.DateTimeField(_("provider busy until"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    reason = models.CharField(_("reason for visit"), max_length=500, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by patient at"), null=True, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["provider", "start"], name="appt_provider_start"),
            # A patient's appointments by time. Status, provider and location ride along so a
            # search that also filters by them (the admin list) is answered from this index: the
            # matching patients' appointments then need no row reads (at 1,000,000 appointments,
            # more than MariaDB's default buffer pool holds, those reads took 1-2 s a page).
            models.Index(
                fields=["patient", "start", "status", "provider", "location"], name="appt_patient_start_cover"
            ),
            # Provider and end ride along so the clinic dashboard's per-day counts and booked
            # minutes over a range are read from this index alone (no row lookups). The key, in
            # the admin list's order, makes a status's list a read of its first entries (or last,
            # newest first): without it MariaDB walks the index below for "booked" (all in the
            # future), 1.7 s at 1,000,000.
            models.Index(fields=["status", "start", "id", "provider", "end"], name="appt_status_start_key_cover"),
            # The admin list's order (start, then the key: AppointmentAdmin.ordering; newest first
            # is the same walked backwards) and the patient: its page is read from here, and a
            # patient search walks it in order and stops at the page's last match
            # (appointments.admin.AppointmentSearchPaginator).
            models.Index(fields=["start", "id", "patient"], name="appt_start_key_patient"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="appointments_start_before_end"),
            models.CheckConstraint(condition=Q(busy_until__gte=F("end")), name="appointments_busy_after_end"),
            # Backstop for the row-locked overlap check in services (needs partial indexes:
            # SQLite and PostgreSQL have them, MySQL/MariaDB do not).
            models.UniqueConstraint(
                fields=["provider", "start"],
                condition=Q(status__in=["requested", "booked", "checked_in", "in_progress", "completed"]),
                name="appointments_provider_start_live_unique",
            ),
            models.UniqueConstraint(
                fields=["patient", "start"],
                condition=Q(status__in=["requested", "booked", "checked_in", "in_progress", "completed"]),
                name="appointments_patient_start_live_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.provider} at {self.start:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return reverse("appointments:detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a slot")
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    OPEN_STATUSES = (Status.WAITING, Status.OFFERED)

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE, related_name="+")
    specialty = models.CharField(_("specialty"), max_length=40, choices=list(SPECIALTIES.items()), blank=True)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="waitlist_entries"
    )
    earliest_date = models.DateField(_("earliest date"))
    latest_date = models.DateField(_("latest date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    reason = models.CharField(_("reason for visit"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offered_start = models.DateTimeField(null=True, blank=True)
    offered_provider = models.ForeignKey(Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = _("waitlist entries")
        indexes = [models.Index(fields=["status", "created_at"], name="waitlist_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest_date__lte=F("latest_date")), name="appointments_waitlist_date_range"
            ),
            models.CheckConstraint(
                condition=~Q(specialty="") | Q(provider__isnull=False), name="appointments_waitlist_target"
            ),
        ]

    def __str__(self) -> str:
        target = self.provider or self.get_specialty_display()
        return f"{self.patient} waiting for {target} ({self.earliest_date} - {self.latest_date})"
