"""The admin index (the dashboard) and its POST actions, called by ``ClinicAdminSite``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import roles
from appointments import services as appointment_services
from appointments.models import Appointment
from appointments.selectors import clinic_zone
from clinic.dashboard import charts, kpis, panels
from clinic.dashboard.forms import DateRangeForm
from clinic.memo import Memo
from diagnosis.models import SymptomCheck
from records.audit import audit_lookup

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
    shown = numbers.utilisation_shown
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
            title=_("Utilisation by provider")
            if len(shown) == numbers.utilisation_known
            else _("Utilisation by provider: the %(shown)d busiest of %(all)d")
            % {"shown": len(shown), "all": numbers.utilisation_known},
            value_label=_("Booked share of available time"),
            data=[(u.provider.display_name, u.share) for u in shown],
            fmt=charts.percent,
            horizontal=True,
            maximum=max([1.0, *(u.share for u in shown)]),
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


# Where the fresh review tile goes in the cached figures (an HTML comment: inert if ever left in).
REVIEW_MARK = "<!-- clinic:review-tile -->"


def kpi_figures(first, last) -> tuple[SafeString, SafeString]:
    """The counted part of the clinic admin's panel for local days ``first``..``last`` (figures,
    charts, triage table), rendered, split where the fresh review tile goes.

    Rendered once per count (``kpis.cached_aggregates``' ``as_of``, so never older than the
    counts) and kept as long as the counts: it holds counts, provider and condition names, no
    patient and nothing of the viewer, so every clinic admin may be shown the same copy."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    aggregates = kpis.cached_aggregates(first, last)
    key = ":".join(
        (
            "clinic:dashboard-kpi-html:v1",
            first.isoformat(),
            last.isoformat(),
            aggregates["as_of"].isoformat(),
            get_language() or "",
            timezone.get_current_timezone_name(),
        )
    )
    found = cache.get(key) if seconds else None
    if found is not None:
        return found
    numbers = kpis.counted_kpis(first=first, last=last, aggregates=aggregates)
    html = render_to_string(
        "admin/dashboard/kpi_figures.html",
        {
            "kpis": numbers,
            "charts": kpi_charts(numbers),
            "triage_rows": [(label, numbers.triage.get(value, 0)) for value, label in SymptomCheck.Triage.choices],
            "review_mark": mark_safe(REVIEW_MARK),  # noqa: S308 - a constant
        },
    )
    before, after = html.split(REVIEW_MARK)
    pieces = (mark_safe(before), mark_safe(after))  # noqa: S308 - rendered by the escaping template
    if seconds:
        cache.set(key, pieces, seconds)
    return pieces


# app_list_html: the index's rendered app list per permission set (see ClinicAdminSite.app_list_key).
_APP_LIST_HTML: Memo[SafeString] = Memo(256)


def app_list_html(request: HttpRequest) -> SafeString:
    """The index's app list (``admin/app_list.html``), rendered once per permission set and
    process: it holds only the model names and URLs those permissions open, nothing else of the
    user, and the app list it is rendered from is itself kept per permission set."""
    site = admin.site
    key = (*site.app_list_key(request), request.path)
    return _APP_LIST_HTML.get(
        key,
        lambda: render_to_string(
            "admin/app_list.html", {"app_list": site.get_app_list(request), "show_changelinks": True}, request=request
        ),
    )


def _range_form(request: HttpRequest, now) -> DateRangeForm:
    return DateRangeForm(request.GET or None, today=timezone.localdate(now, timezone=clinic_zone()))


def dashboard_context(request: HttpRequest) -> dict:
    """The panels this user's roles may see, and nothing else (a receptionist gets no clinical
    panel, doctors and nurses get no clinic KPIs). The patients they show are audited: one
    ``audit_lookup`` row per view (``what = "dashboard"``), none when they show nobody."""
    user = request.user
    now = timezone.now()
    context: dict = {"now": now, "app_list_html": app_list_html(request)}
    if roles.has_role(user, roles.DOCTOR):
        context["doctor"] = panels.doctor_panels(user=user, now=now)
    if roles.has_role(user, roles.NURSE):
        context["nurse"] = panels.nurse_panels(now=now)
    if roles.has_role(user, roles.RECEPTIONIST):
        context["reception"] = panels.reception_panels(now=now)
        context["can_change_appointments"] = user.has_perm("appointments.change_appointment")
    if roles.has_role(user, roles.CLINIC_ADMIN):
        form = _range_form(request, now)
        first, last = form.range()
        context.update(
            {
                "range_form": form,
                "kpi_range": (first, last),
                "kpi_figures": kpi_figures(first, last),
                "review": kpis.review_events(first=first, last=last),
            }
        )
    audit_lookup(actor=user, patient_ids=shown_patient_ids(context), what="dashboard")
    return context


def shown_patient_ids(context: dict) -> list[int]:
    """The patients the dashboard's panels name (full name or MRN), in the order the page shows
    them (templates/admin/index.html: doctor, nurse, front desk, then the clinic admin's review),
    read from the rows the panels already hold."""
    ids: list[int] = []
    doctor = context.get("doctor")
    if doctor is not None:
        if doctor.next_appointment is not None:
            ids.append(doctor.next_appointment.patient_id)
        for rows in (doctor.waiting, doctor.schedule, doctor.symptom_checks, doctor.undiagnosed):
            ids += [row.patient_id for row in rows]
    nurse = context.get("nurse")
    if nurse is not None:
        ids += [row.patient_id for row in nurse.needs_vitals]
        ids += [row.patient_id for group in nurse.by_location for row in group.appointments]
    reception = context.get("reception")
    if reception is not None:
        for rows in (reception.arrivals, reception.requested, reception.offers, reception.no_shows):
            ids += [row.patient_id for row in rows]
    review = context.get("review")
    if review is not None:
        ids += [grant["patient_id"] for grant in review.break_glass]
    return ids


@require_safe
def utilisation(request: HttpRequest) -> TemplateResponse:
    """Every provider's utilisation over the range (the dashboard's chart shows the busiest)."""
    if not roles.has_role(request.user, roles.CLINIC_ADMIN):
        raise PermissionDenied
    form = _range_form(request, timezone.now())
    first, last = form.range()
    numbers = kpis.counted_kpis(first=first, last=last)
    return TemplateResponse(
        request,
        "admin/dashboard/utilisation.html",
        {
            **admin.site.each_context(request),
            "title": _("Utilisation by provider"),
            "range_form": form,
            "kpis": numbers,
        },
    )


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
