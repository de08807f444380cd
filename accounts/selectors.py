"""Account-security reads, always for one user."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent, User, UserSession

LOGIN_KINDS = (
    SecurityEvent.Kind.LOGIN,
    SecurityEvent.Kind.LOGIN_FAILED,
    SecurityEvent.Kind.OTP_FAILED,
    SecurityEvent.Kind.LOGOUT,
)


def security_events_for_user(*, user: User, limit: int = 50) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user=user).select_related("actor").order_by("-at", "-id")[:limit])


def sessions_for_user(*, user: User) -> QuerySet[UserSession]:
    """The user's sessions that are still alive (rows of expired sessions are left out)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live).order_by("-created_at")


def two_factor_status(*, user: User) -> dict:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    backup_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return {"enabled": device is not None, "device": device, "backup_codes_left": backup_left}
