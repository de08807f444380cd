"""Pages behind the signed links in e-mails: they work without logging in.

GET shows what the link will do and a button; only POST acts, so a mail scanner that follows
links cannot confirm, cancel or book anything. A bad or expired link is a 400 with a clear page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from appointments import links, services
from appointments.models import Appointment, Provider, WaitlistEntry


def _link_error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "appointments/link_error.html", {"message": message}, status=400)


def _expired(request):
    return _link_error(request, _("This link has expired. Please log in or call the clinic."))


def _invalid(request):
    return _link_error(request, _("This link is not valid. Please use the link from the latest e-mail."))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def reminder_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk, action, issued_for = links.read_reminder_token(token)
    except links.LinkExpired:
        return _expired(request)
    except links.LinkInvalid:
        return _invalid(request)
    appointment = (
        Appointment.objects.select_related("provider__user", "location", "patient__user").filter(pk=pk).first()
    )
    if appointment is None or appointment.start != issued_for:
        return _link_error(request, _("This appointment has changed since the e-mail was sent. Please log in."))
    context = {"appointment": appointment, "action": action, "done": False}
    if request.method == "POST":
        try:
            if action == "confirm":
                services.appointment_confirm(appointment=appointment)
            else:
                # The reminder arrives inside the usual cut-off; a late cancellation still frees
                # the time for someone on the waitlist, which beats a no-show.
                services.appointment_cancel(
                    appointment=appointment,
                    cancelled_by=appointment.patient.user,
                    reason=_("Cancelled from the reminder e-mail"),
                    enforce_cutoff=False,
                )
        except ValidationError as exc:
            return _link_error(request, " ".join(exc.messages))
        context["done"] = True
    elif not appointment.is_open:
        return _link_error(request, _("This appointment can no longer be changed."))
    return render(request, "appointments/reminder_link.html", context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        entry_id, provider_id, start = links.read_waitlist_token(token)
    except links.LinkExpired:
        return _link_error(request, _("This offer has expired. Log in to see if you are still on the waiting list."))
    except links.LinkInvalid:
        return _invalid(request)
    entry = WaitlistEntry.objects.select_related("patient", "appointment_type").filter(pk=entry_id).first()
    provider = Provider.objects.select_related("user").filter(pk=provider_id).first()
    if entry is None or provider is None:
        return _invalid(request)
    context = {"entry": entry, "provider": provider, "start": start, "appointment": None}
    if entry.status not in WaitlistEntry.OPEN_STATUSES:
        return _link_error(request, _("This waiting-list place is closed."))
    if request.method == "POST":
        try:
            context["appointment"] = services.waitlist_accept(entry=entry, provider=provider, start=start)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "appointments/waitlist_offer.html", context, status=409)
    return render(request, "appointments/waitlist_offer.html", context)
