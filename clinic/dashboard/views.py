"""The admin index (the dashboard) and its POST actions, called by ``ClinicAdminSite``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from appointments import services as appointment_services
from appointments.models import Appointment
from appointments.selectors import clinic_zone
from clinic.dashboard import charts, kpis, panels
from clinic.dashboard.forms import DateRangeForm
from diagnosis.models import SymptomCheck

WEEKDAYS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)


def kpi_charts(numbers: kpis.Kpis) -> list[charts.Chart]:
    triage_labels = dict(SymptomCheck.Triage.choices)
    return [
        charts.line_chart(
            chart_id="chart-appointments-per-day",
            title=_("Appointments per day"),
            value_label=_("Appointments"),
            data=[(date_format(day, "j M"), n) for day, n in numbers.per_day],
        ),
        charts.bar_chart(
            chart_id="chart-no-shows-by-weekday",
            title=_("No-shows by weekday"),
            value_label=_("No-shows"),
            data=[(str(WEEKDAYS[i]), n) for i, n in enumerate(numbers.no_shows_by_weekday)],
        ),
        charts.bar_chart(
            chart_id="chart-utilisation-by-provider",
            title=_("Utilisation by provider"),
            value_label=_("Booked share of available time"),
            data=[(u.provider.display_name, u.share) for u in numbers.utilisation if u.share is not None],
            fmt=charts.percent,
            horizontal=True,
            maximum=max([1.0, *(u.share for u in numbers.utilisation if u.share is not None)]),
        ),
        charts.bar_chart(
            chart_id="chart-top-conditions",
            title=_("Top predicted conditions"),
            value_label=_("Checks with it first"),
            data=[(f"{name} ({code})" if code else name, n) for name, code, n in numbers.top_conditions],
            horizontal=True,
        ),
        charts.bar_chart(
            chart_id="chart-triage",
            title=_("Triage distribution"),
            value_label=_("Symptom checks"),
            data=[(str(label), numbers.triage.get(value, 0)) for value, label in triage_labels.items()],
        ),
    ]


def dashboard_context(request: HttpRequest) -> dict:
    """The panels this user's roles may see, and nothing else (a receptionist gets no clinical
    panel, doctors and nurses get no clinic KPIs)."""
    user = request.user
    now = timezone.now()
    context: dict = {"now": now}
    if roles.has_role(user, roles.DOCTOR):
        context["doctor"] = panels.doctor_panels(user=user, now=now)
    if roles.has_role(user, roles.NURSE):
        context["nurse"] = panels.nurse_panels(now=now)
    if roles.has_role(user, roles.RECEPTIONIST):
        context["reception"] = panels.reception_panels(now=now)
        context["can_change_appointments"] = user.has_perm("appointments.change_appointment")
    if roles.has_role(user, roles.CLINIC_ADMIN):
        form = DateRangeForm(request.GET or None, today=timezone.localdate(now, timezone=clinic_zone()))
        first, last = form.range()
        numbers = kpis.clinic_kpis(first=first, last=last)
        context.update(
            {
                "range_form": form,
                "kpis": numbers,
                "charts": kpi_charts(numbers),
                "triage_rows": [(label, numbers.triage.get(value, 0)) for value, label in SymptomCheck.Triage.choices],
            }
        )
    return context


def _appointment_action(request: HttpRequest, pk: int, run, done: str) -> HttpResponseRedirect:
    if not request.user.has_perm("appointments.change_appointment"):
        raise PermissionDenied
    appointment = get_object_or_404(Appointment.objects.select_related("patient"), pk=pk)
    try:
        run(appointment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"patient": appointment.patient.full_name})
    return HttpResponseRedirect(reverse("admin:index"))


def check_in(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _appointment_action(
        request,
        pk,
        lambda a: appointment_services.appointment_check_in(appointment=a, checked_in_by=request.user),
        _("%(patient)s is checked in."),
    )


def approve(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return _appointment_action(
        request,
        pk,
        lambda a: appointment_services.appointment_approve(appointment=a, approved_by=request.user),
        _("The appointment of %(patient)s is approved."),
    )
