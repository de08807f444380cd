"""Signal receivers: thin hooks from Django's auth signals into accounts.services."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from accounts import services
from accounts.models import SecurityEvent


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    services.session_register(user=user, request=request)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    services.session_unregister(user=user, request=request)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Failures against unknown addresses are only in axes' failure log: the typed text may
    # be anything (even a password), so it is not copied into a user's history.
    username = credentials.get("username") or credentials.get("email")
    if not username:
        return
    user_model = get_user_model()
    user = user_model.objects.filter(email=user_model.objects.normalize_email(username)).first()
    if user is not None:
        services.security_event_record(user=user, kind=SecurityEvent.Kind.LOGIN_FAILED, request=request)
