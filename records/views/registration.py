"""Public pages: self-registration, e-mail verification, accepting a staff invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clinic import throttle
from records import services
from records.forms import InvitationPasswordForm, RegistrationForm


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not throttle.email_form_allowed(request, email=data["email"], form="registration"):
            # The answer of a registration that went through: the page tells nothing more.
            return redirect("records:register_done")
        try:
            services.patient_self_register(
                email=data["email"],
                password=data["password1"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                phone=data["phone"],
                link_base=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:  # e.g. the same address registered a moment ago
            form.add_error(None, exc)
        else:
            return redirect("records:register_done")
    return render(request, "records/register.html", {"form": form})


@login_not_required
@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "records/register_done.html")


@login_not_required
@never_cache
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    user = services.registration_verify(token=token)
    if user is None:
        return render(request, "records/verify_failed.html", status=400)
    messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
    return redirect("accounts:login")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    patient = services.invitation_patient(token=token)
    if patient is None:
        return render(request, "records/verify_failed.html", status=400)
    form = InvitationPasswordForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your portal login is ready. Log in with your e-mail address."))
            return redirect("accounts:login")
    return render(request, "records/invitation.html", {"form": form, "patient": patient})
