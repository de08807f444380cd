"""Session bookkeeping shared by the security middleware, views and receivers.

Timestamps in the session are whole seconds since the epoch (``time.time()``), so they
serialise as JSON and follow time travel in tests.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.http import HttpRequest

LOGIN_AT = "clinic_login_at"  # when the password was accepted: the absolute lifetime counts from here
LAST_SEEN = "clinic_last_seen"  # last request, for the idle timeout (updated at most once a minute)
REAUTH_AT = "clinic_reauth_at"  # last time the user proved who they are (login or re-authentication)
OTP_REQUIRED = "clinic_otp_required"  # a patient who enrolled 2FA: this session must pass the code too
OTP_SETUP_KEY = "clinic_otp_setup_key"  # secret offered on the enrolment page, until confirmed

# The idle clock is written at most this often, so a page view does not always write the session.
LAST_SEEN_RESOLUTION = 60


def now() -> int:
    return int(time.time())


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the one function django-axes (``AXES_CLIENT_IP_CALLABLE``),
    ``clinic.throttle`` and the security events and sessions all read, so they cannot disagree.

    ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` is above 0. Each proxy appends to
    ``X-Forwarded-For`` the address it was connected from, so behind N proxies the last N entries
    are theirs and the Nth from the right is the address the outermost one saw: the client. What
    lies left of it came from the client and may be forged. With no header, fewer than N entries
    or no address at that place, ``REMOTE_ADDR`` is used. ``None`` when there is no address.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= proxies:
            address = _address(forwarded[-proxies])
            if address is not None:
                return address
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:200]


def mark_authenticated(request: HttpRequest) -> None:
    """Start the session clocks: called when a password is accepted."""
    stamp = now()
    request.session[LOGIN_AT] = stamp
    request.session[LAST_SEEN] = stamp
    request.session[REAUTH_AT] = stamp


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTH_AT] = now()


def recently_authenticated(request: HttpRequest) -> bool:
    stamp = request.session.get(REAUTH_AT)
    return stamp is not None and 0 <= now() - stamp <= settings.REAUTH_SECONDS


def session_expired(request: HttpRequest) -> bool:
    """True when the session is past its idle timeout or its absolute lifetime."""
    stamp = now()
    last_seen = request.session.get(LAST_SEEN)
    login_at = request.session.get(LOGIN_AT)
    if last_seen is not None and stamp - last_seen > settings.SESSION_IDLE_SECONDS:
        return True
    return login_at is not None and stamp - login_at > settings.SESSION_COOKIE_AGE


def touch(request: HttpRequest) -> None:
    stamp = now()
    if request.session.get(LOGIN_AT) is None:
        # A session from before these clocks existed: its lifetime starts now.
        request.session[LOGIN_AT] = stamp
    last_seen = request.session.get(LAST_SEEN)
    if last_seen is None or stamp - last_seen >= LAST_SEEN_RESOLUTION:
        request.session[LAST_SEEN] = stamp


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """The name django-axes counts failures under: the e-mail as the login form posts it.

    Lower-cased and stripped like ``UserManager.normalize_email``, so ``ALICE@…`` and
    ``alice@…`` share one counter and changing the case cannot dodge the lockout.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return (value or "").strip().lower()
