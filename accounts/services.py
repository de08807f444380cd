"""Account-security writes: sessions, two-factor devices, e-mail changes, security events."""

from __future__ import annotations

import logging
from binascii import unhexlify

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security
from accounts.models import SecurityEvent, User, UserSession

logger = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def security_event_record(
    *,
    user: User,
    kind: str,
    request: HttpRequest | None = None,
    actor: User | None = None,
    detail: str = "",
) -> SecurityEvent:
    event = SecurityEvent(user=user, kind=kind, ip_address=security.client_ip(request), actor=actor, detail=detail)
    event.full_clean()
    event.save()
    return event


# --- Sessions ---------------------------------------------------------------------------


@transaction.atomic
def session_register(*, user: User, request: HttpRequest) -> None:
    """Record a fresh login: start the session clocks and index the session under the user."""
    security.mark_authenticated(request)
    # Staff always need the second factor; a patient only once they have enrolled a device.
    if not user.is_staff and two_factor_enabled(user=user):
        request.session[security.OTP_REQUIRED] = True
    if request.session.session_key is None:
        request.session.save()
    # Rows of sessions that expired without a logout are dropped here, one user at a time.
    UserSession.objects.filter(user=user).exclude(
        session_key__in=Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    ).delete()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": security.client_ip(request),
            "user_agent": security.user_agent(request),
        },
    )
    security_event_record(user=user, kind=SecurityEvent.Kind.LOGIN, request=request)


@transaction.atomic
def session_unregister(*, user: User | None, request: HttpRequest) -> None:
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()
    if user is not None and user.is_authenticated:
        security_event_record(user=user, kind=SecurityEvent.Kind.LOGOUT, request=request)


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follow a session to its new key (Django cycles the key when the password changes)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


@transaction.atomic
def sessions_end_others(*, user: User, request: HttpRequest | None = None, keep_session_key: str | None) -> int:
    """Delete every server session of ``user`` except ``keep_session_key``; return how many."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    if keys:
        security_event_record(user=user, kind=SecurityEvent.Kind.SESSIONS_ENDED, request=request, detail=str(len(keys)))
    return len(keys)


# --- Two-factor -------------------------------------------------------------------------


def two_factor_enabled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_token_matches(*, key_hex: str, token: str) -> int | None:
    """Check a code against a secret not stored yet; return its time step, or None."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        return None
    totp = TOTP(unhexlify(key_hex.encode()), step=30, t0=0, digits=6)
    if totp.verify(int(token), tolerance=1):
        return totp.t()
    return None


def _backup_codes_issue(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    device.full_clean()
    device.save()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_enrol(
    *, user: User, key_hex: str, token: str, request: HttpRequest | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm an authenticator app with its first code; replace any earlier devices.

    Returns the confirmed device and ten fresh single-use backup codes (shown once).
    Raises ``ValidationError`` when the code does not match the secret.
    """
    step = totp_token_matches(key_hex=key_hex, token=token)
    if step is None:
        raise ValidationError(_("That code is not right. Check the time on your phone and try the newest code."))
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, key=key_hex, confirmed=True, last_t=step)
    device.full_clean()
    device.save()
    codes = _backup_codes_issue(user=user)
    security_event_record(user=user, kind=SecurityEvent.Kind.TWO_FACTOR_ENABLED, request=request)
    return device, codes


@transaction.atomic
def backup_codes_regenerate(*, user: User, request: HttpRequest | None = None) -> list[str]:
    codes = _backup_codes_issue(user=user)
    security_event_record(user=user, kind=SecurityEvent.Kind.BACKUP_CODES, request=request)
    return codes


def _devices_delete(*, user: User) -> int:
    deleted = TOTPDevice.objects.filter(user=user).delete()[0]
    deleted += StaticDevice.objects.filter(user=user).delete()[0]
    return deleted


@transaction.atomic
def two_factor_disable(*, user: User, request: HttpRequest | None = None) -> None:
    """A patient turns two-factor off (staff may not: the views refuse)."""
    _devices_delete(user=user)
    security_event_record(user=user, kind=SecurityEvent.Kind.TWO_FACTOR_DISABLED, request=request)


@transaction.atomic
def two_factor_reset(*, user: User, actor: User | None, reason: str = "", request: HttpRequest | None = None) -> int:
    """Recovery: remove every device of a user who lost them, and log them out everywhere.

    The user must enrol again at their next login (staff are sent there by the middleware).
    """
    deleted = _devices_delete(user=user)
    sessions_end_others(user=user, keep_session_key=None)
    detail = f"by {actor.email}" if actor is not None else "by ops (manage.py reset_two_factor)"
    if reason:
        detail = f"{detail}: {reason}"[:200]
    security_event_record(
        user=user, kind=SecurityEvent.Kind.TWO_FACTOR_RESET, request=request, actor=actor, detail=detail
    )
    logger.warning("two-factor reset for user %s %s", user.pk, detail)
    return deleted


# --- Account details --------------------------------------------------------------------


@transaction.atomic
def email_change(*, user: User, new_email: str, request: HttpRequest | None = None) -> None:
    old_email = user.email
    user.email = User.objects.normalize_email(new_email)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email"])
    security_event_record(user=user, kind=SecurityEvent.Kind.EMAIL_CHANGED, request=request)
    transaction.on_commit(lambda: _email_changed_notify(user=user, old_email=old_email))


def _email_changed_notify(*, user: User, old_email: str) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"user": user, "old_email": old_email}
    subject = render_to_string("emails/email_changed_subject.txt", context).strip()
    body = render_to_string("emails/email_changed_body.txt", context)
    # Both addresses hear about it: the old one is where a hijack would be noticed.
    send_mail(subject, body, None, [old_email, user.email], fail_silently=True)


def password_changed(*, user: User, request: HttpRequest) -> int:
    """After a password change: keep this session, end all others."""
    security_event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=request)
    return sessions_end_others(user=user, request=request, keep_session_key=request.session.session_key)
