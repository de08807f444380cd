"""Patient portal: book, list, cancel, reschedule, calendar file, waitlist."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from html import escape
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appointments import selectors, services
from appointments.forms import BookingConfirmForm, BookingSearchForm, CancelForm, RescheduleForm, WaitlistJoinForm
from appointments.ics import appointment_ics
from appointments.models import Appointment, AppointmentType, Provider, WaitlistEntry
from clinic.specialties import SPECIALTIES
from records.access import get_patient_for_portal_user

SLOT_TAKEN_HELP_LIMIT = 5
NEXT_AVAILABLE = 6


def get_appointment_for_user(request: HttpRequest, pk: int) -> Appointment:
    """The signed-in patient's own appointment; 404 for anyone else's (or none)."""
    patient = get_patient_for_portal_user(request)
    try:
        return selectors.appointments_for_patient(patient=patient).get(pk=pk)
    except Appointment.DoesNotExist:
        raise Http404 from None


def get_waitlist_entry_for_user(request: HttpRequest, pk: int) -> WaitlistEntry:
    patient = get_patient_for_portal_user(request)
    try:
        return WaitlistEntry.objects.get(pk=pk, patient=patient)
    except WaitlistEntry.DoesNotExist:
        raise Http404 from None


def _can_change(appointment: Appointment | selectors.AppointmentLine) -> bool:
    """Whether the patient may still cancel or move it online (the cut-off)."""
    cutoff = timedelta(hours=settings.CANCEL_CUTOFF_HOURS)
    return appointment.is_open and appointment.start - timezone.now() >= cutoff


def _when(moment: datetime, *, weekday: bool = True, year: bool = True) -> str:
    """``moment`` in the current time zone as the date filter writes it with "D j M Y, H:i"
    (less the weekday or the year if not wanted). For lists and links: the filter costs several
    times more than this, a value."""
    local = timezone.localtime(moment)
    text = f"{local.day} {MONTHS_3[local.month].title()}"
    if weekday:
        text = f"{WEEKDAYS_ABBR[local.weekday()]} {text}"
    if year:
        text = f"{text} {local.year:04d}"
    return f"{text}, {local.hour:02d}:{local.minute:02d}"


def _day_heading(day: date) -> str:
    """``day`` as the date filter writes it with "l j F" (see ``_when``)."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month]}"


class _Listed(NamedTuple):
    """A line of the patient's list with its link and labels worked out: in the template, the
    date filter, the status display and the URL reversal cost more than the rest of the page."""

    pk: int
    start: datetime
    url: str
    when: str
    clinician: str
    type_name: str
    status: str
    status_label: str
    can_change: bool = False


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_range(week: date) -> tuple[datetime, datetime]:
    start, _end = selectors.local_day_bounds(week)
    _start, end = selectors.local_day_bounds(week + timedelta(days=6))
    return start, end


def _group_by_day(moments: list, key=lambda s: s.start) -> list[tuple[date, list]]:
    zone = selectors.clinic_zone()
    days: dict[date, list] = {}
    for item in moments:
        days.setdefault(key(item).astimezone(zone).date(), []).append(item)
    return sorted(days.items())


@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    upcoming_lines, past_lines = selectors.upcoming_and_past(patient=patient)
    waitlist = selectors.open_waitlist_entries(patient=patient)
    labels = dict(Appointment.Status.choices)
    # The detail URL of every line from one reversal (its key is the only part that differs).
    detail = reverse("appointments:detail", args=[0]).removesuffix("0/")

    def listed(line: selectors.AppointmentLine, *, upcoming: bool) -> _Listed:
        return _Listed(
            line.pk,
            line.start,
            f"{detail}{line.pk}/",
            _when(line.start, weekday=upcoming),
            line.clinician,
            line.type_name,
            line.status,
            labels[line.status],
            upcoming and _can_change(line),
        )

    upcoming = [listed(line, upcoming=True) for line in upcoming_lines]
    past = [listed(line, upcoming=False) for line in past_lines]
    return render(
        request,
        "appointments/list.html",
        {"upcoming": upcoming, "past": past, "waitlist": waitlist, "cutoff_hours": settings.CANCEL_CUTOFF_HOURS},
    )


class _SlotLinks:
    """The free times as booking links. Built here rather than in the template: a week of "any
    clinician" holds over a hundred times, and a dozen template lookups each cost more than the
    slot search itself. Only the provider and the time differ between links: the rest of the
    query is encoded once a page."""

    def __init__(self, *, kind: AppointmentType, reason: str, providers: list[selectors.ProviderChoice]) -> None:
        self.head = escape(reverse("appointments:book_confirm") + "?provider=")
        self.tail = escape("&" + urlencode({"appointment_type": kind.pk, "reason": reason}))
        self.names = {p.pk: escape(p.display_name) for p in providers}
        self.zone = timezone.get_current_timezone()

    def _link(self, slot: selectors.Slot, css: str, label: str) -> str:
        href = f"{self.head}{slot.provider.pk}&amp;start={int(slot.start.timestamp())}{self.tail}"
        return f'<a class="{css}" href="{href}">{label}</a>'

    def by_day(self, week_days: list[tuple[date, list]], *, with_provider: bool) -> list[tuple[str, SafeString]]:
        """(day heading, links) for each day."""
        css = "btn btn-sm btn-outline-primary slot"
        days = []
        for day, slots in week_days:
            links = []
            for slot in slots:
                local = slot.start.astimezone(self.zone)
                label = f"{local.hour:02d}:{local.minute:02d}"  # strftime costs more than the rest of the link
                if with_provider:
                    label = f"{label} · {self.names[slot.provider.pk]}"
                links.append(self._link(slot, css, label))
            days.append((_day_heading(day), mark_safe("\n".join(links))))  # noqa: S308 - names escaped, the rest numbers
        return days

    def listed(self, slots: list[selectors.Slot]) -> SafeString:
        """As list items with the day, and the clinician (the "next available" times)."""
        css = "btn btn-sm btn-primary slot"
        return mark_safe(  # noqa: S308 - every value is escaped or a number
            "\n".join(
                "<li>"
                + self._link(
                    slot,
                    css,
                    f"{escape(_when(slot.start, year=False))} · {self.names[slot.provider.pk]}",
                )
                + "</li>"
                for slot in slots
            )
        )


def _options(choices: Iterable[tuple[object, str]], chosen: object) -> SafeString:
    """A select's options (value, label), written here for the same reason as the slot links: a
    big team is a hundred clinicians."""
    return mark_safe(  # noqa: S308 - values and labels are escaped
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if value == chosen else ""}>{escape(label)}</option>'
            for value, label in choices
        )
    )


def _provider_options(providers: list[selectors.ProviderChoice], chosen: selectors.ProviderChoice | None) -> SafeString:
    return _options(((p.pk, p.display_name) for p in providers), chosen.pk if chosen else None)


def _specialty_options(chosen: str) -> SafeString:
    return _options(SPECIALTIES.items(), chosen)


@require_GET
def book(request: HttpRequest) -> HttpResponse:
    """Choose specialty -> type -> provider (optional), then see free times by week."""
    patient = get_patient_for_portal_user(request)
    asked = request.GET.get("specialty") or ""
    specialty, fell_back, providers = selectors.bookable_specialty(
        asked if asked in SPECIALTIES else None, patient=patient
    )
    types = selectors.bookable_type_list(specialty=specialty)
    data = request.GET.copy()
    data["specialty"] = specialty
    form = BookingSearchForm(data, types=types, providers=providers)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    kind: AppointmentType | None = cleaned.get("appointment_type")
    if kind is None and len(types) == 1:
        kind = types[0]
    chosen_provider: selectors.ProviderChoice | None = cleaned.get("provider")
    context = {
        "form": form,
        "specialty": specialty,
        "specialty_label": SPECIALTIES[specialty],
        "asked_label": SPECIALTIES.get(asked, ""),
        "fell_back": fell_back,
        "types": types,
        "kind": kind,
        "reason": cleaned.get("reason", ""),
        "specialty_options": _specialty_options(specialty),
        "provider_options": _provider_options(providers, chosen_provider),
        "chosen_provider": chosen_provider,
    }
    if kind is not None:
        pool = (
            [chosen_provider] if chosen_provider else selectors.any_clinician_pool(patient=patient, providers=providers)
        )
        earliest, latest = selectors.booking_bounds()
        zone = selectors.clinic_zone()
        first_week = _week_start(earliest.astimezone(zone).date())
        last_week = _week_start(latest.astimezone(zone).date())
        week = cleaned.get("week")
        week = min(max(_week_start(week), first_week), last_week) if week else first_week
        week_start, week_end = _week_range(week)
        # "Any clinician": each free time once, whatever the size of the team.
        slots = selectors.slots_across(
            providers=pool,
            appointment_type=kind,
            start=week_start,
            end=week_end,
            each_time_once=len(pool) > 1,
            cached=True,  # the providers and their diary versions were read above, in this request
        )
        base_query = {"specialty": specialty, "appointment_type": kind.pk, "reason": context["reason"]}
        if chosen_provider:
            base_query["provider"] = chosen_provider.pk
        week_days = _group_by_day(slots)
        # "Next available" across providers, always on top; usually this week's first ones.
        next_slots = (
            slots[:NEXT_AVAILABLE]
            if week == first_week and len(slots) >= NEXT_AVAILABLE
            else selectors.next_available(providers=pool, appointment_type=kind, limit=NEXT_AVAILABLE, cached=True)
        )
        links = _SlotLinks(kind=kind, reason=context["reason"], providers=pool)
        context.update(
            {
                "week": week,
                "week_days": week_days,
                "week_links": links.by_day(week_days, with_provider=len(pool) > 1),
                "next_slots": next_slots,
                "next_links": links.listed(next_slots),
                "prev_week_query": urlencode({**base_query, "week": week - timedelta(days=7)})
                if week > first_week
                else "",
                "next_week_query": urlencode({**base_query, "week": week + timedelta(days=7)})
                if week < last_week
                else "",
                "base_query": base_query,
                "many_providers": len(pool) > 1,
                "waitlist_query": urlencode(base_query),
            }
        )
    return render(request, "appointments/book.html", context)


def _slot_taken_help(provider: Provider, kind: AppointmentType, after: datetime) -> list[datetime]:
    return selectors.next_free_for(provider=provider, appointment_type=kind, after=after, limit=SLOT_TAKEN_HELP_LIMIT)


@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    form = BookingConfirmForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        if request.method == "GET":
            messages.error(request, _("Please choose a time from the list."))
            return redirect("appointments:book")
        return render(request, "appointments/book_confirm.html", {"form": form}, status=400)
    provider = form.cleaned_data["provider"]
    kind = form.cleaned_data["appointment_type"]
    start = form.cleaned_data["start"]
    context = {"form": form, "provider": provider, "kind": kind, "start": start}
    if request.method == "GET":
        return render(request, "appointments/book_confirm.html", context)
    try:
        appointment = services.appointment_book(
            patient=patient,
            provider=provider,
            start=start,
            appointment_type=kind,
            booked_by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        context["alternatives"] = _slot_taken_help(provider, kind, start)
        return render(request, "appointments/book_confirm.html", context, status=409)
    if appointment.status == Appointment.Status.REQUESTED:
        messages.success(request, _("Your request was sent. The clinic will confirm it."))
    else:
        messages.success(request, _("Your appointment is booked."))
    return redirect(appointment)


@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk)
    return render(
        request,
        "appointments/detail.html",
        {"appointment": appointment, "can_change": _can_change(appointment)},
    )


@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment, cancelled_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return redirect("appointments:list")
    return render(
        request,
        "appointments/cancel.html",
        {"appointment": appointment, "form": form, "can_change": _can_change(appointment)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk)
    form = RescheduleForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_reschedule(
                appointment=appointment, new_start=form.cleaned_data["new_start"], rescheduled_by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 409
        else:
            messages.success(request, _("Your appointment is moved."))
            return redirect(appointment)
    elif request.method == "POST":
        status = 400
    earliest, latest = selectors.booking_bounds()
    zone = selectors.clinic_zone()
    try:
        week = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        week = earliest.astimezone(zone).date()
    first_week = _week_start(earliest.astimezone(zone).date())
    week = max(_week_start(week), first_week)
    week_start, week_end = _week_range(week)
    slots = selectors.available_slots(
        provider=appointment.provider, appointment_type=appointment.appointment_type, start=week_start, end=week_end
    )
    return render(
        request,
        "appointments/reschedule.html",
        {
            "appointment": appointment,
            "form": form,
            "can_change": _can_change(appointment),
            "week": week,
            "week_days": _group_by_day(slots, key=lambda s: s),
            "prev_week": week - timedelta(days=7) if week > first_week else None,
            "next_week": week + timedelta(days=7)
            if week + timedelta(days=7) <= latest.astimezone(zone).date()
            else None,
        },
        status=status,
    )


@require_GET
def appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def waitlist_join(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    asked = request.GET.get("specialty") or request.POST.get("specialty") or ""
    specialty, _fell_back = selectors.resolve_specialty(asked if asked in SPECIALTIES else None)
    types = selectors.bookable_types(specialty=specialty)
    providers = selectors.providers_for(specialty=specialty)
    today = timezone.localdate()
    initial = {
        "appointment_type": request.GET.get("appointment_type"),
        "provider": request.GET.get("provider"),
        "reason": request.GET.get("reason", ""),
        "earliest_date": today,
        "latest_date": today + timedelta(days=14),
    }
    form = WaitlistJoinForm(
        request.POST if request.method == "POST" else None, initial=initial, types=types, providers=providers
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.waitlist_join(
                patient=patient,
                appointment_type=form.cleaned_data["appointment_type"],
                specialty=specialty,
                provider=form.cleaned_data["provider"],
                earliest_date=form.cleaned_data["earliest_date"],
                latest_date=form.cleaned_data["latest_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("You are on the waiting list. We will e-mail you when a time frees up."))
            return redirect("appointments:list")
    return render(
        request,
        "appointments/waitlist_join.html",
        {"form": form, "specialty": specialty, "specialty_label": SPECIALTIES[specialty]},
        status=400 if form.errors else 200,
    )


@require_POST
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_waitlist_entry_for_user(request, pk)
    services.waitlist_leave(entry=entry)
    messages.success(request, _("You left the waiting list."))
    return redirect("appointments:list")
