"""Writes to appointments. Views, admin, commands and probes call these and nothing else.

The public API (names and keyword arguments are a contract):
``appointment_book``, ``appointment_cancel``, ``appointment_reschedule``.
"""

from __future__ import annotations

from appointments.services.booking import (
    SLOT_TAKEN,
    appointment_approve,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_start,
    provider_diary_bump,
)
from appointments.services.reminders import appointment_reminders_send, reminders_due
from appointments.services.waitlist import (
    WaitlistExpiry,
    WaitlistExpiryNotices,
    waitlist_accept,
    waitlist_expire,
    waitlist_expiry_notify,
    waitlist_join,
    waitlist_leave,
    waitlist_offer_candidates,
    waitlist_offer_slot,
)

__all__ = [
    "SLOT_TAKEN",
    "WaitlistExpiry",
    "WaitlistExpiryNotices",
    "appointment_approve",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_confirm",
    "appointment_mark_no_show",
    "appointment_reminders_send",
    "appointment_reschedule",
    "appointment_start",
    "provider_diary_bump",
    "reminders_due",
    "waitlist_accept",
    "waitlist_expire",
    "waitlist_expiry_notify",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offer_candidates",
    "waitlist_offer_slot",
]
