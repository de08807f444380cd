from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import security, selectors, services
from accounts.decorators import reauth_required
from accounts.forms import EmailChangeForm, OTPSetupForm, OTPTokenForm, ReauthenticationForm
from accounts.models import SecurityEvent
from clinic import throttle


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The ``next`` parameter when it points into this site, else ``default`` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account page: security settings and links."""
    return render(
        request,
        "accounts/account.html",
        {
            "two_factor": selectors.two_factor_status(user=request.user),
            "sessions": selectors.sessions_for_user(user=request.user),
            "current_session_key": request.session.session_key,
        },
    )


@require_GET
def login_history(request: HttpRequest) -> HttpResponse:
    """The user's own recent logins, failed attempts and security changes."""
    return render(
        request, "accounts/login_history.html", {"events": selectors.security_events_for_user(user=request.user)}
    )


@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.sessions_end_others(
        user=request.user, request=request, keep_session_key=request.session.session_key
    )
    messages.success(request, _("Logged out %(count)d other session(s).") % {"count": ended})
    return redirect("accounts:account")


# --- Two-factor -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the authenticator app or a backup code."""
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user):
        request.session.pop(security.OTP_REQUIRED, None)
        if user.is_staff:
            return redirect_to_login(next_url, "accounts:otp_setup")
        return redirect(next_url)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            services.security_event_record(user=user, kind=SecurityEvent.Kind.OTP_VERIFIED, request=request)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You used a backup code; %(left)d left. Make new ones on your account page.") % {"left": left},
                )
            return redirect(next_url)
        services.security_event_record(user=user, kind=SecurityEvent.Kind.OTP_FAILED, request=request)
        form.add_error("token", _("That code is not right, or was already used. Please try again."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _setup_context(request: HttpRequest, key_hex: str, form: OTPSetupForm) -> dict:
    # An unsaved device only builds the otpauth:// URL; nothing is stored until confirmed.
    qr = segno.make(TOTPDevice(user=request.user, key=key_hex).config_url, error="m")
    secret = b32encode(unhexlify(key_hex)).decode()
    return {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "next": _safe_next(request),
    }


@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code (and the secret), then a code to confirm it."""
    user = request.user
    has_device = user_has_device(user)
    if has_device and not user.is_verified():
        # Someone with only the password must not swap the second factor for their own.
        return redirect_to_login(_safe_next(request), "accounts:otp_verify")
    # Replacing a device, or a patient turning 2FA on, is a change of sign-in settings: a
    # hijacked session must not lock the owner out. A staff member's first, mandatory
    # enrolment follows the password just given (and the re-authentication page is closed to
    # them until they have a device).
    if (has_device or not user.is_staff) and not security.recently_authenticated(request):
        return redirect_to_login(request.get_full_path(), "accounts:reauthenticate")
    key_hex = request.session.get(security.OTP_SETUP_KEY)
    if not key_hex:
        key_hex = random_hex(20)
        request.session[security.OTP_SETUP_KEY] = key_hex
    form = OTPSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_enrol(
                user=user, key_hex=key_hex, token=form.cleaned_data["token"], request=request
            )
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            request.session.pop(security.OTP_SETUP_KEY, None)
            otp_login(request, device)
            if not user.is_staff:
                request.session[security.OTP_REQUIRED] = True
            # Shown once, in this response only: they are never displayed again.
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _safe_next(request)})
    return render(request, "accounts/otp_setup.html", _setup_context(request, key_hex, form))


@require_POST
@reauth_required
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user):
        return redirect("accounts:otp_setup")
    codes = services.backup_codes_regenerate(user=request.user, request=request)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": resolve_url("accounts:account")})


@require_POST
@reauth_required
def otp_disable(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        # Two-factor is mandatory for staff; recovery goes through an administrator.
        raise PermissionDenied
    services.two_factor_disable(user=request.user, request=request)
    request.session.pop(security.OTP_REQUIRED, None)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:account")


# --- Re-authentication and account changes ----------------------------------------------


@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Prove it is still you (password, and the 2FA code where enrolled) before a sensitive change."""
    user = request.user
    next_url = _safe_next(request, "accounts:account")
    needs_token = user_has_device(user)
    form = ReauthenticationForm(request.POST or None, needs_token=needs_token)
    if request.method == "POST" and form.is_valid():
        # authenticate() (not check_password) so that django-axes counts failures here too.
        checked = authenticate(request, username=user.email, password=form.cleaned_data["password"])
        if checked is None or checked.pk != user.pk:
            form.add_error("password", _("That password is not right."))
        elif needs_token and match_token(user, form.cleaned_data["token"]) is None:
            services.security_event_record(user=user, kind=SecurityEvent.Kind.OTP_FAILED, request=request)
            form.add_error("token", _("That code is not right, or was already used."))
        else:
            security.mark_reauthenticated(request)
            return redirect(next_url)
    return render(request, "accounts/reauthenticate.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
@reauth_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.email_change(user=request.user, new_email=form.cleaned_data["email"], request=request)
        messages.success(request, _("Your e-mail address is changed. Use the new address to log in."))
        return redirect("accounts:account")
    return render(request, "accounts/email_change.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; afterwards every other session of the user is ended."""

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # update_session_auth_hash() gives the session a new key
        services.session_rekey(old_key=old_key, new_key=self.request.session.session_key)
        ended = services.password_changed(user=form.user, request=self.request)
        if ended:
            messages.info(self.request, _("Your other sessions were logged out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, rate-limited (``clinic.throttle``): over the limit the page
    answers as always ("sent if the address has an account") but no e-mail goes out."""

    def form_valid(self, form):
        if not throttle.email_form_allowed(self.request, email=form.cleaned_data["email"], form="password_reset"):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; a reset also ends every session the account had."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sessions_end_others(user=form.user, keep_session_key=None)
        return response
