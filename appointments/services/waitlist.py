"""The waitlist: a freed slot is offered, in order of joining, to patients waiting for it.

Offers go to the first ``WAITLIST_OFFER_BATCH`` matching entries at once, each with a signed
link; whoever confirms first gets the slot, through ``appointment_book`` and its row locks, and
the others' offers of that slot are withdrawn: they are back to waiting.

An entry ends (``EXPIRED``) when its last wanted day has passed, or when it leaves an offer
unanswered for ``WAITLIST_OFFER_HOURS`` while the slot stayed free. ``manage.py expire_waitlist``
marks them; until it runs, ``waitlist_offer_candidates`` already skips them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from appointments import emails, links
from appointments.models import Appointment, AppointmentType, Provider, WaitlistEntry
from appointments.selectors import available_slots, clinic_zone
from appointments.services.booking import appointment_book
from records.models import Patient

logger = logging.getLogger(__name__)


@transaction.atomic
def waitlist_join(
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    earliest_date: date,
    latest_date: date,
    specialty: str = "",
    provider: Provider | None = None,
    reason: str = "",
) -> WaitlistEntry:
    if provider is None and not specialty:
        raise ValidationError(_("Choose a specialty or a provider to wait for."))
    if earliest_date > latest_date:
        raise ValidationError(_("The earliest date must not be after the latest date."))
    entry = WaitlistEntry(
        patient=patient,
        appointment_type=appointment_type,
        specialty=specialty if provider is None else provider.specialty,
        provider=provider,
        earliest_date=earliest_date,
        latest_date=latest_date,
        reason=reason.strip(),
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status in WaitlistEntry.OPEN_STATUSES:
        entry.status = WaitlistEntry.Status.CANCELLED
        entry.save(update_fields=["status"])
    return entry


def _patient_busy(patient_id: int, start: datetime, end: datetime) -> bool:
    return Appointment.objects.filter(
        patient_id=patient_id, status__in=Appointment.LIVE_STATUSES, start__lt=end, end__gt=start
    ).exists()


def _offer_lapsed_before(now: datetime) -> datetime:
    """An offer made at or before this moment has lapsed unanswered."""
    return now - timedelta(hours=settings.WAITLIST_OFFER_HOURS)


def waitlist_offer_candidates(*, provider: Provider, day: date, now: datetime) -> QuerySet[WaitlistEntry]:
    """Entries that may be offered a slot with ``provider`` on ``day``, earliest joiner first.

    Skips what ``expire_waitlist`` would expire even if it has not run yet: entries whose last
    wanted day has passed and entries sitting on a lapsed, unanswered offer.
    """
    today = timezone.localdate(now, clinic_zone())
    return (
        WaitlistEntry.objects.filter(earliest_date__lte=day, latest_date__gte=max(day, today))
        .filter(
            Q(status=WaitlistEntry.Status.WAITING)
            | Q(status=WaitlistEntry.Status.OFFERED, offered_at__gt=_offer_lapsed_before(now))
        )
        .filter(Q(provider=provider) | Q(provider__isnull=True, specialty=provider.specialty))
        .order_by("created_at", "id")
    )


@transaction.atomic
def waitlist_offer_slot(*, provider_id: int, start: datetime) -> list[WaitlistEntry]:
    """Offer the free slot at ``start`` with this provider to the earliest matching entries."""
    provider = Provider.objects.select_related("user").get(pk=provider_id)
    day = timezone.localtime(start, clinic_zone()).date()
    now = timezone.now()
    candidates = (
        waitlist_offer_candidates(provider=provider, day=day, now=now)
        .select_for_update()
        .select_related("patient__user", "appointment_type")
    )
    offered: list[WaitlistEntry] = []
    for entry in candidates:
        if len(offered) >= settings.WAITLIST_OFFER_BATCH:
            break
        kind = entry.appointment_type
        if kind.specialty and kind.specialty != provider.specialty:
            continue
        free = available_slots(provider=provider, appointment_type=kind, start=start, end=start + timedelta(minutes=1))
        if start not in free or _patient_busy(entry.patient_id, start, start + kind.duration):
            continue
        if not emails.patient_address(entry.patient):
            continue
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offered_at = now
        entry.offered_start = start
        entry.offered_provider = provider
        entry.save(update_fields=["status", "offered_at", "offered_start", "offered_provider"])
        offered.append(entry)
        token = links.waitlist_token(entry, provider_id=provider.pk, start=start)
        accept_url = emails.site_url(reverse("appointments:waitlist_offer", args=[token]))
        transaction.on_commit(
            lambda entry=entry, url=accept_url: emails.send_waitlist_offer(
                entry, provider=provider, start=start, accept_url=url
            )
        )
    if offered:
        logger.info("waitlist: offered a slot of provider %s to %d entries", provider.pk, len(offered))
    return offered


@transaction.atomic
def waitlist_accept(
    *, entry: WaitlistEntry, provider: Provider, start: datetime, accepted_by: User | None = None
) -> Appointment:
    """Book the offered slot for the entry's patient; ValidationError if it is gone."""
    entry = (
        WaitlistEntry.objects.select_for_update().select_related("patient__user", "appointment_type").get(pk=entry.pk)
    )
    if entry.status not in WaitlistEntry.OPEN_STATUSES:
        raise ValidationError(_("This waitlist place is closed."), code="closed")
    appointment = appointment_book(
        patient=entry.patient,
        provider=provider,
        start=start,
        appointment_type=entry.appointment_type,
        booked_by=accepted_by or entry.patient.user,
        reason=entry.reason,
    )
    entry.status = WaitlistEntry.Status.BOOKED
    entry.appointment = appointment
    entry.save(update_fields=["status", "appointment"])
    _withdraw_offers(provider_id=provider.pk, start=start)
    return appointment


_WITHDRAWN = {
    "status": WaitlistEntry.Status.WAITING,
    "offered_at": None,
    "offered_start": None,
    "offered_provider": None,
}


def _withdraw_offers(*, provider_id: int, start: datetime) -> int:
    """The slot is gone: whoever else holds an offer of it is back to waiting, not left to lapse."""
    return WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offered_provider_id=provider_id, offered_start=start
    ).update(**_WITHDRAWN)


@dataclass(frozen=True)
class WaitlistExpiry:
    window_passed: int  # entries whose last wanted day is over: expired
    offers_lapsed: int  # entries that left an offer unanswered while the slot stayed free: expired
    offers_withdrawn: int  # lapsed offers of a slot someone else took meanwhile: back to waiting
    # The entries this run expired, each with its reason (PASSED or LAPSED); empty on a dry run.
    expired: tuple[tuple[WaitlistEntry, str], ...] = field(default=(), compare=False, repr=False)


# Why an entry ended, as the expiry e-mail explains it.
PASSED = "passed"
LAPSED = "lapsed"


def _ids(queryset: QuerySet[WaitlistEntry]) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _expire_each(queryset: QuerySet[WaitlistEntry], ids: list[int]) -> list[int]:
    """Expire the entries one conditional UPDATE at a time; return the ids this call expired.

    Each UPDATE re-checks the queryset's conditions, so an entry booked (or offered a new slot)
    since it was read, or expired by a parallel run, is left alone and gets no e-mail from here.
    """
    return [pk for pk in ids if queryset.filter(pk=pk).update(status=WaitlistEntry.Status.EXPIRED)]


@transaction.atomic
def waitlist_expire(*, now: datetime | None = None, dry_run: bool = False) -> WaitlistExpiry:
    """Expire entries whose dates have passed or whose offer lapsed unanswered (idempotent).

    A lapsed offer of a slot that someone else booked in the meantime was not the patient's to
    answer: that entry goes back to waiting instead.

    It sends no e-mail: the caller passes the result to ``waitlist_expiry_notify`` once this
    has committed, so that a failing mail server can neither undo an expiry nor go uncounted.
    """
    now = now or timezone.now()
    today = timezone.localdate(now, clinic_zone())
    open_entries = WaitlistEntry.objects.filter(status__in=WaitlistEntry.OPEN_STATUSES)
    passed = _ids(open_entries.filter(latest_date__lt=today))
    slot_taken = Exists(
        Appointment.objects.filter(
            provider=OuterRef("offered_provider"), start=OuterRef("offered_start"), status__in=Appointment.LIVE_STATUSES
        )
    )
    lapsed = open_entries.filter(status=WaitlistEntry.Status.OFFERED, latest_date__gte=today).filter(
        Q(offered_at__lte=_offer_lapsed_before(now)) | Q(offered_at__isnull=True)
    )
    withdrawn = _ids(lapsed.filter(slot_taken))
    unanswered = _ids(lapsed.exclude(slot_taken))
    if dry_run:
        return WaitlistExpiry(len(passed), len(unanswered), len(withdrawn))
    passed = _expire_each(open_entries, passed)
    unanswered = _expire_each(lapsed, unanswered)
    withdrawn_count = lapsed.filter(pk__in=withdrawn).update(**_WITHDRAWN)
    reasons = {**dict.fromkeys(passed, PASSED), **dict.fromkeys(unanswered, LAPSED)}
    entries = WaitlistEntry.objects.filter(pk__in=reasons).select_related(
        "patient__user", "provider__user", "offered_provider__user"
    )
    expired = tuple((entry, reasons[entry.pk]) for entry in entries)
    if passed or unanswered:
        logger.info(
            "waitlist: expired %d entries past their dates and %d with a lapsed offer", len(passed), len(unanswered)
        )
    return WaitlistExpiry(len(passed), len(unanswered), withdrawn_count, expired)


@dataclass(frozen=True)
class WaitlistExpiryNotices:
    sent: int
    failed: int  # logged with the entry's id and the error's type only


def waitlist_expiry_notify(*, expiry: WaitlistExpiry) -> WaitlistExpiryNotices:
    """E-mail each patient whose entry ``expiry`` expired (those with an address), once.

    Call it after ``waitlist_expire`` has committed: a failure is logged and counted, and the
    expiry stands. Only the run that expired an entry lists it, so no run e-mails it twice.
    """
    sent = failed = 0
    for entry, why in expiry.expired:
        if not emails.patient_address(entry.patient):
            continue
        try:
            emails.send_waitlist_expired(
                entry,
                offer_lapsed=why == LAPSED,
                book_url=emails.site_url(reverse("appointments:book")),
                join_url=emails.site_url(reverse("appointments:waitlist_join")),
            )
        except Exception as exc:  # noqa: BLE001 - the expiry stands whatever the mail server does
            # The error's text and traceback can quote the address or the content: type only.
            logger.error("waitlist entry %s: the expiry e-mail could not be sent (%s)", entry.pk, type(exc).__name__)
            failed += 1
        else:
            sent += 1
    return WaitlistExpiryNotices(sent=sent, failed=failed)
