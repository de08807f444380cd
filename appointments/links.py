"""Signed links in e-mails: they work without logging in, expire, and name one appointment time.

The token carries the appointment (or waitlist entry) and the start it was issued for, so a link
from before a reschedule no longer acts on the moved appointment.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

REMINDER_SALT = "appointments.reminder-link"
WAITLIST_SALT = "appointments.waitlist-offer"
REMINDER_ACTIONS = ("confirm", "cancel")


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _read(token: str, *, salt: str, max_age_hours: int) -> dict:
    try:
        return signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age_hours * 3600)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid from exc


def reminder_token(appointment, action: str) -> str:
    assert action in REMINDER_ACTIONS
    return signing.TimestampSigner(salt=REMINDER_SALT).sign_object(
        {"a": appointment.pk, "x": action, "s": _stamp(appointment.start)}
    )


def read_reminder_token(token: str) -> tuple[int, str, datetime]:
    data = _read(token, salt=REMINDER_SALT, max_age_hours=settings.REMINDER_LINK_MAX_AGE_HOURS)
    try:
        pk, action, stamp = int(data["a"]), str(data["x"]), int(data["s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc
    if action not in REMINDER_ACTIONS:
        raise LinkInvalid
    return pk, action, datetime.fromtimestamp(stamp, tz=UTC)


def waitlist_token(entry, *, provider_id: int, start: datetime) -> str:
    return signing.TimestampSigner(salt=WAITLIST_SALT).sign_object(
        {"e": entry.pk, "p": provider_id, "s": _stamp(start)}
    )


def read_waitlist_token(token: str) -> tuple[int, int, datetime]:
    data = _read(token, salt=WAITLIST_SALT, max_age_hours=settings.WAITLIST_OFFER_HOURS)
    try:
        return int(data["e"]), int(data["p"]), datetime.fromtimestamp(int(data["s"]), tz=UTC)
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc
