"""The waitlist: a freed slot is offered, in order of joining, to patients waiting for it.

Offers go to the first ``WAITLIST_OFFER_BATCH`` matching entries at once, each with a signed
link; whoever confirms first gets the slot, through ``appointment_book`` and its row locks, so
the others get "that time was just taken" and stay on the list.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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


@transaction.atomic
def waitlist_offer_slot(*, provider_id: int, start: datetime) -> list[WaitlistEntry]:
    """Offer the free slot at ``start`` with this provider to the earliest matching entries."""
    provider = Provider.objects.select_related("user").get(pk=provider_id)
    day = timezone.localtime(start, clinic_zone()).date()
    candidates = (
        WaitlistEntry.objects.select_for_update()
        .filter(status__in=WaitlistEntry.OPEN_STATUSES, earliest_date__lte=day, latest_date__gte=day)
        .filter(Q(provider=provider) | Q(provider__isnull=True, specialty=provider.specialty))
        .select_related("patient__user", "appointment_type")
        .order_by("created_at", "id")
    )
    now = timezone.now()
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
    return appointment
