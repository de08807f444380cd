"""Security middleware: session time limits and the staff two-factor gate."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django_otp import user_has_device

from accounts import security

# The only views an unverified user (staff, or a patient who enrolled 2FA) may reach.
OTP_EXEMPT_VIEWS = frozenset({"accounts:otp_verify", "accounts:otp_setup", "accounts:logout"})


class SessionTimeoutMiddleware:
    """Log out a session idle for SESSION_IDLE_SECONDS or older than SESSION_COOKIE_AGE.

    Goes after AuthenticationMiddleware. Logging out deletes the server-side session, so an
    old cookie is worthless afterwards; LoginRequiredMiddleware then asks for a new login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if security.session_expired(request):
                logout(request)
            else:
                security.touch(request)
        return self.get_response(request)


class StaffOTPRequiredMiddleware:
    """Staff (and patients who enrolled 2FA) reach nothing but the OTP pages until verified.

    Goes after django_otp's OTPMiddleware, which sets ``request.user.is_verified()``. This is
    what keeps the admin and every staff view closed to a password alone, whatever app the
    view is in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not (user.is_staff or request.session.get(security.OTP_REQUIRED)):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OTP_EXEMPT_VIEWS:
            return None
        if settings.STATIC_URL and request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        target = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
        return redirect_to_login(request.get_full_path(), target)
