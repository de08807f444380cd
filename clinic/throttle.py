"""Rate limits for public forms that send e-mail (self-registration, password reset).

Without them anyone could make the clinic send unlimited e-mails to any address (mail bombing,
and the clinic's mail reputation with it). Counts live in Django's default cache, in fixed
windows: the first counted event for a key starts a window of ``seconds``, and the key expires
with it. The default cache is a per-process ``LocMemCache``, so each worker counts on its own
(the bound is per worker: ``workers x limit``); a shared cache (Redis, Memcached) makes it one
bound. Counting relies on ``add``/``incr`` keeping a key's expiry, as those backends do.

Keys are keyed-hashed (``salted_hmac``), so neither the cache nor the log holds an address.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from accounts.security import client_ip

logger = logging.getLogger(__name__)

HOUR = 60 * 60
_SALT = "clinic.throttle"
# An IPv6 client usually holds a whole /64 and could take a new address for every request.
IPV6_PREFIX = 64


def _digest(value: str) -> str:
    return salted_hmac(_SALT, value).hexdigest()


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per key in a window of ``seconds``."""

    name: str
    count: int
    seconds: int

    def hit(self, key: str) -> bool:
        """Count one event for ``key``; ``True`` while the window's events, this one included,
        are within the limit. Events over the limit count too, but never lengthen the window."""
        cache_key = f"throttle:{self.name}:{_digest(key)}"
        cache.add(cache_key, 0, self.seconds)
        try:
            seen = cache.incr(cache_key)
        except ValueError:  # the window ended between add and incr: this event starts a new one
            cache.add(cache_key, 1, self.seconds)
            seen = 1
        return seen <= self.count


def client_key(request: HttpRequest) -> str:
    """The client address as django-axes counts logins (``accounts.security.client_ip``:
    ``X-Forwarded-For`` only as far as ``TRUSTED_PROXY_COUNT`` trusts it), IPv6 by its /64."""
    value = client_ip(request)
    if value is None:
        return "unknown"
    address = ipaddress.ip_address(value)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def email_key(email: str) -> str:
    """One key per mailbox whatever the case: ``Alice@Example.org`` is ``alice@example.org``."""
    return email.strip().lower()


def per_client_limit() -> Limit:
    return Limit("email-form-client", settings.EMAIL_RATE_PER_CLIENT, HOUR)


def per_address_limit() -> Limit:
    return Limit("email-form-address", settings.EMAIL_RATE_PER_ADDRESS, HOUR)


def email_form_allowed(request: HttpRequest, *, email: str, form: str) -> bool:
    """Whether a public form submission may go on to e-mail ``email``.

    Counts the submission against the client address (``EMAIL_RATE_PER_CLIENT`` per hour) and,
    if that allows it, the e-mail against the address (``EMAIL_RATE_PER_ADDRESS`` per hour);
    the two forms share both counts. ``False`` means: answer as for a normal submission (so the
    page reveals nothing about the address), but send and write nothing. A refusal is logged
    with the form's name and a hash prefix, never the address or the client's IP."""
    client = client_key(request)
    if not per_client_limit().hit(client):
        _log_refusal(form=form, limit="client", key=client)
        return False
    address = email_key(email)
    if not per_address_limit().hit(address):
        _log_refusal(form=form, limit="address", key=address)
        return False
    return True


def _log_refusal(*, form: str, limit: str, key: str) -> None:
    logger.warning("E-mail form throttled: form=%s limit=%s key=%s", form, limit, _digest(key)[:8])
