"""Staff workplace for scheduling: providers and their hours, the schedule, the visit's status.

Every write goes through ``appointments.services``: the booking form calls ``appointment_book``
(walk-ins included), a changed start calls ``appointment_reschedule``, and the actions call the
status services. A service's ValidationError becomes a form error or an error message.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments import selectors, services
from appointments.models import (
    Appointment,
    AppointmentType,
    AvailabilityRule,
    Location,
    Provider,
    TimeOff,
    WaitlistEntry,
)
from clinic.admin_changelist import LightChangeList, LightChangelistMixin
from clinic.admin_export import CsvExportMixin
from clinic.admin_paginator import EstimatedCountPaginator
from clinic.admin_widgets import AuditedChangelistMixin, ValidatingAutocompleteMixin
from records.audit import audit_lookup, audit_read
from records.models import Patient


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "active")
    list_filter = ("active",)
    search_fields = ("name", "address")


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "specialty",
        "duration_minutes",
        "buffer_after_minutes",
        "bookable_online",
        "new_patients_allowed",
        "requires_approval",
        "active",
    )
    list_filter = ("specialty", "bookable_online", "active")
    search_fields = ("name",)


class AvailabilityRuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 0
    fields = ("weekday", "start_time", "end_time", "location", "valid_from", "valid_to")


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ("start", "end", "reason")


@admin.register(Provider)
class ProviderAdmin(ValidatingAutocompleteMixin, admin.ModelAdmin):
    list_display = (
        "display_name",
        "specialty",
        "accepting_new_patients",
        "bookable_online",
        "active",
        "default_location",
    )
    list_filter = ("specialty", "accepting_new_patients", "bookable_online", "active")
    list_select_related = ("user", "default_location")
    search_fields = ("user__first_name", "user__last_name", "user__email")
    autocomplete_fields = ("user",)
    inlines = (AvailabilityRuleInline, TimeOffInline)

    @admin.display(description=_("provider"), ordering="user__last_name")
    def display_name(self, obj: Provider) -> str:
        return obj.display_name

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Hours or time off may have changed (and the provider's save wrote back the version it
        # read): a new diary version, in the admin's transaction, so no cached free time survives.
        services.provider_diary_bump(provider_ids=[form.instance.pk])


class WhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("week", _("This week")), ("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        today = timezone.localdate(timezone=selectors.clinic_zone())
        now = timezone.now()
        if self.value() == "today":
            start, end = selectors.local_day_bounds(today)
        elif self.value() == "week":
            monday = today - timedelta(days=today.weekday())
            start, _unused = selectors.local_day_bounds(monday)
            _unused, end = selectors.local_day_bounds(monday + timedelta(days=6))
        elif self.value() == "upcoming":
            return queryset.filter(start__gte=now)
        elif self.value() == "past":
            return queryset.filter(start__lt=now)
        else:
            return queryset
        return queryset.filter(start__gte=start, start__lt=end)


class AppointmentAdminForm(forms.ModelForm):
    """Booking on behalf of a patient (walk-ins too) and moving a booking, through the services."""

    class Meta:
        model = Appointment
        fields = ("patient", "provider", "appointment_type", "start", "reason")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.booked: Appointment | None = None
        widgets = getattr(self.fields.get("start"), "widget", None)
        if widgets is not None and len(getattr(widgets, "widgets", ())) == 2:
            # The admin's split date/time inputs have no <label> of their own.
            widgets.widgets[0].attrs["aria-label"] = _("Start date")
            widgets.widgets[1].attrs["aria-label"] = _("Start time")
        if not self.instance.pk and "start" in self.fields:
            now = timezone.localtime(timezone.now(), selectors.clinic_zone())
            self.fields["start"].initial = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
            self.fields["start"].help_text = _("Clinic time. Leave it at now for a walk-in.")

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.request is None:
            return cleaned
        try:
            # A savepoint: the admin's own transaction commits it together with the change log.
            with transaction.atomic():
                if self.instance.pk is None:
                    self.booked = services.appointment_book(
                        patient=cleaned["patient"],
                        provider=cleaned["provider"],
                        start=cleaned["start"],
                        appointment_type=cleaned["appointment_type"],
                        booked_by=self.request.user,
                        reason=cleaned.get("reason", ""),
                    )
                elif "start" in self.changed_data:
                    services.appointment_reschedule(
                        appointment=self.instance, new_start=cleaned["start"], rescheduled_by=self.request.user
                    )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


def _run(modeladmin, request, queryset, service, keyword: str, done: str) -> None:
    ok, failed = 0, []
    for appointment in queryset.select_related("patient"):
        try:
            service(appointment=appointment, **{keyword: request.user})
            ok += 1
        except ValidationError as exc:
            failed.append(
                f"{appointment.patient.full_name} {timezone.localtime(appointment.start):%H:%M}: "
                + " ".join(exc.messages)
            )
    if ok:
        modeladmin.message_user(request, _("%(count)d appointment(s) %(done)s.") % {"count": ok, "done": done})
    for message in failed:
        modeladmin.message_user(request, message, messages.ERROR)


class ProviderFilter(admin.RelatedFieldListFilter):
    """The provider filter with each provider's name read in the same query (the stock filter
    reads every provider's user one query at a time: 100 queries for a 100-clinician group)."""

    def field_choices(self, field, request, model_admin):
        # The names alone, not each provider's and user's whole row (100 of each at the large
        # bench size); shown as Provider.display_name shows them (User.get_full_name or e-mail).
        rows = Provider.objects.order_by("user__last_name", "user__first_name").values_list(
            "pk", "user__first_name", "user__last_name", "user__email"
        )
        return [(pk, Provider.name_of(first, last, email)) for pk, first, last, email in rows]


def _patients_matching(words: list[str]) -> QuerySet:
    """Patients of whom every word starts the family or given name or is the whole MRN, any case
    (the patient admin's search_fields)."""
    patients = Patient.objects.all()
    for word in words:
        patients = patients.filter(
            Q(family_name__istartswith=word) | Q(given_name__istartswith=word) | Q(mrn__iexact=word)
        )
    return patients


# AppointmentSearchPaginator's statements. What they are given is the conditions of _patient_sets,
# constant text with a %s for every value (bound by the driver), never the search words.
_COUNT_SET = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM records_patient p STRAIGHT_JOIN appointments_appointment a"
    " ON a.patient_id = p.id WHERE {} LIMIT %s) s"
)
_SET = "SELECT p.id FROM records_patient p WHERE {}"
_WALK = (
    "SELECT a.id FROM appointments_appointment a FORCE INDEX (appt_start_key_patient)"
    " STRAIGHT_JOIN ({}) m ON m.id = a.patient_id"
    " ORDER BY a.start, a.id LIMIT %s OFFSET %s ROWS EXAMINED %s"
)


class AppointmentSearchPaginator(EstimatedCountPaginator):
    """The appointment search's capped count and page keys in SQL whose cost does not grow with
    the table, on MariaDB (``AppointmentAdmin.get_paginator`` chooses it). The same answers as
    the inherited ORM methods give for ``Appointment.objects.filter(patient__in=
    _patients_matching(words))`` in ``order``; appointments/tests/test_admin_search_sql.py
    compares them.

    A word's patients are three disjoint sets, each read by one index: the family name starts
    with it; the given name does and the family name does not; the MRN is it and neither name
    starts with it. The other words are tested on those rows. (The longest word leads.)

    Count: each set's patients' appointments by the (patient, start) index, each set stopping at
    the limit: ~100 patients read for "smith" however many Smiths there are (the ORM's semi-join
    first collects every Smith: 305 at 100,000 appointments, 2,771 at 1,000,000).

    Page: with more matches than the count shows, sorting them reads every one (27,790 for
    "smith" at 1,000,000). Instead walk the (start, id, patient) index in the list's order, keep
    the entries of the matching patients (the three sets, materialised) and stop at the page's
    last one: ~1,600-1,900 entries for page 1 of "smith" at either size. A rarer term walks
    further for each match, and a deeper page further, so the walk examines at most
    ``walk_budget`` rows (MariaDB's ``LIMIT ROWS EXAMINED``); one stopped there gets the ORM's
    sort. With no more matches than the count shows (at most ``count_cap``), the ORM sorts them:
    that is cheap.
    """

    order = ("start", "id")  # the admin's order: the walk's ORDER BY

    # Rows examined: 2 per matching patient (materialising them) and 2 per index entry walked,
    # ~0.1 us each. Page 1 of "smith" at 1,000,000 appointments examines 9,318, page 5 23,068.
    # At 40,000 (~4 ms) page 1 of a name held by 0.3 % of patients still walks; a rarer one
    # (< ~2,500 matches at 1,000,000) loses up to 4 ms here before the ORM sorts its matches.
    walk_budget = 40_000

    def __init__(self, *args, words: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words

    @classmethod
    def searches_alone(cls, queryset: QuerySet) -> bool:
        """Whether the list's one condition is a ``patient__in`` (the search: no filter, no scoping
        of the admin's rows) and its order is ``order``."""
        query = queryset.query
        if queryset.model is not Appointment or len(query.where.children) != 1 or query.where.negated:
            return False
        (search,) = query.where.children
        return (
            getattr(search, "lookup_name", None) == "in"
            and getattr(getattr(search, "lhs", None), "target", None) == Appointment._meta.get_field("patient")
            and tuple(dict.fromkeys(query.order_by)) == cls.order  # the ChangeList repeats the admin's order
            and not (query.distinct or query.annotations or query.extra or query.combinator or query.is_sliced)
        )

    def count_up_to(self, limit: int) -> int:
        sets = self._patient_sets()
        sql = " UNION ALL ".join(_COUNT_SET.format(where) for where, _params in sets)
        params = [value for _where, set_params in sets for value in (*set_params, limit)]
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute(sql, params)
            return min(limit, sum(count for (count,) in cursor.fetchall()))

    def page_keys(self, bottom: int, top: int) -> list:
        if not self.capped:
            return super().page_keys(bottom, top)
        sets = self._patient_sets()
        patients = " UNION ALL ".join(_SET.format(where) for where, _params in sets)
        params = [value for _where, set_params in sets for value in set_params]
        connection = connections[self.object_list.db]
        with connection.cursor() as cursor:
            cursor.execute(_WALK.format(patients), [*params, top - bottom, bottom, self.walk_budget])
            keys = [key for (key,) in cursor.fetchall()]
            # "Exceeded LIMIT ROWS EXAMINED": the keys may be a part of the page. (Any other warning
            # falls back too; the sort's answer is the same.)
            stopped = connection.connection.warning_count() > 0
        if stopped or len(keys) < top - bottom:
            return super().page_keys(bottom, top)
        return keys

    def _patient_sets(self) -> list[tuple[str, list[str]]]:
        """(condition on ``p``, its parameters) for each of the three disjoint sets of patients."""
        like = connections[self.object_list.db].ops.prep_for_like_query  # escapes \ % _ as the ORM does
        lead = max(self.words, key=len)  # likely the fewest patients
        others = list(self.words)
        others.remove(lead)
        prefix, whole = like(lead) + "%", like(lead)
        family, given = "p.family_name LIKE %s", "p.given_name LIKE %s"
        sets = [
            (family, [prefix]),
            (f"{given} AND NOT {family}", [prefix, prefix]),
            (f"p.mrn LIKE %s AND NOT {family} AND NOT {given}", [whole, prefix, prefix]),
        ]
        for word in others:
            sets = [
                (
                    f"{where} AND ({family} OR {given} OR p.mrn LIKE %s)",
                    [*params, like(word) + "%", like(word) + "%", like(word)],
                )
                for where, params in sets
            ]
        return sets


class AppointmentChangeList(LightChangeList):
    def get_ordering(self, request, queryset):
        """Django's ordering, with its tie-break ("-pk", whichever way the list is sorted) in the
        direction of the first column instead: sorted by start either way, the list is then the
        (start, id, patient) index walked forwards or backwards, not a sort of every row."""
        ordering = super().get_ordering(request, queryset)
        first = ordering[0] if ordering else None
        if ordering[-1:] == ["-pk"] and isinstance(first, str) and not first.startswith("-"):
            ordering[-1] = "pk"
        return ordering


@admin.register(Appointment)
class AppointmentAdmin(
    AuditedChangelistMixin, LightChangelistMixin, ValidatingAutocompleteMixin, CsvExportMixin, admin.ModelAdmin
):
    form = AppointmentAdminForm
    list_display = ("local_start", "patient", "provider", "appointment_type", "status", "location", "reminded")
    list_filter = (WhenFilter, "status", ("provider", ProviderFilter), "location")
    paginator = EstimatedCountPaginator
    list_per_page = 50  # half of Django's 100: rendering the rows is most of the page's time
    show_full_result_count = False
    csv_fields = (
        "local_start",
        "patient",
        "provider",
        "appointment_type",
        "location",
        "status",
        "reason",
        "created_at",
        "checked_in_at",
        "completed_at",
        "cancelled_at",
        "cancellation_reason",
    )
    list_select_related = ("patient", "provider__user", "appointment_type", "location")
    # What the rows show (the checkbox's label is str(appointment): patient, provider, start).
    list_only = (
        "start",
        "status",
        "reminder_sent_at",
        "patient__given_name",
        "patient__family_name",
        "patient__mrn",
        "provider__user__first_name",
        "provider__user__last_name",
        "provider__user__email",
        "appointment_type__name",
        "appointment_type__duration_minutes",
        "location__name",
    )
    search_fields = ("^patient__family_name", "^patient__given_name", "=patient__mrn")
    search_help_text = _("Start of the patient's family or given name, or their full MRN.")
    autocomplete_fields = ("patient",)
    # The (start, id, patient) index's order. Sorted by the column (either way) the ChangeList
    # breaks ties by the key in the same direction (AppointmentChangeList): the same index.
    ordering = ("start", "id")

    def get_changelist(self, request, **kwargs):
        return AppointmentChangeList

    def get_queryset(self, request):
        # Unsorted: the ChangeList sorts by the column clicked, then by the key in the same
        # direction (an index walk); the admin's ordering added here would follow it ascending
        # and make MariaDB sort every appointment (620 ms at 1,000,000).
        return super().get_queryset(request).order_by()

    def get_search_results(self, request, queryset, search_term):
        """Find the matching patients in a subquery, their appointments by the (patient, start) index.

        The plain search joins every appointment to its patient and tests each row before
        sorting: MariaDB then reads the whole appointment table (2.7 s at 100,000 rows, found by
        bench/pages.py). Same matches as ``search_fields`` (the patient admin's: every word starts
        a family or given name, or is the full MRN), served by the patient name indexes. A
        subquery, not a list of the patients' keys: 2,774 keys written into the count and the
        page query cost more to compile than the database took to answer.
        """
        words = search_term.split()
        if not words:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(patient__in=_patients_matching(words).values("pk")), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        """A search alone (no filter, the default order) on MariaDB gets ``AppointmentSearchPaginator``;
        any other list the inherited paginator. The words are those the ChangeList searched for
        (the same parameter), so the list's one condition is ``get_search_results``' for them."""
        words = request.GET.get(SEARCH_VAR, "").split()
        connection = connections[queryset.db]
        if (
            words
            and connection.vendor == "mysql"
            and connection.mysql_is_mariadb  # LIMIT ROWS EXAMINED
            and AppointmentSearchPaginator.searches_alone(queryset)
        ):
            return AppointmentSearchPaginator(
                queryset, per_page, orphans, allow_empty_first_page, only=self.list_only, words=words
            )
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    actions = ("check_in", "start_visit", "complete", "mark_no_show", "approve", "cancel")
    readonly_fields = (
        "status",
        "end",
        "location",
        "booked_by",
        "created_at",
        "checked_in_at",
        "completed_at",
        "cancelled_at",
        "cancelled_by",
        "cancellation_reason",
        "reminder_sent_at",
        "confirmed_at",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ("patient", "provider", "appointment_type")
        if not obj.is_open:
            fixed += ("start",)
        return fixed + self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("patient", "provider", "appointment_type", "start", "reason")
        return ("patient", "provider", "appointment_type", "start", "reason", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if not change:
            # The service already saved the booking (in the form's clean); adopt that row.
            obj.pk = form.booked.pk
            obj._state.adding = False
            obj.refresh_from_db()
        else:
            obj.save()

    def has_delete_permission(self, request, obj=None):
        return False  # appointments are cancelled, never deleted: the history stays

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page shows the reason for the visit: a staff read of the patient's data, audited.
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit_read(actor=request.user, patient=obj.patient, obj=obj, what="appointment")
        return super().change_view(request, object_id, form_url=form_url, extra_context=extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # Its title names the patient, the clinician and the time: a read like the change page.
        _audit_page(self, request, object_id, "history:appointment")
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("start"), ordering="start")
    def local_start(self, obj: Appointment) -> str:
        return timezone.localtime(obj.start, selectors.clinic_zone()).strftime("%a %d %b %Y %H:%M")

    @admin.display(description=_("reminded"), boolean=True)
    def reminded(self, obj: Appointment) -> bool:
        return obj.reminder_sent_at is not None

    @admin.action(description=_("Check in"), permissions=["change"])
    def check_in(self, request, queryset):
        _run(self, request, queryset, services.appointment_check_in, "checked_in_by", _("checked in"))

    @admin.action(description=_("Start the visit"), permissions=["change"])
    def start_visit(self, request, queryset):
        _run(self, request, queryset, services.appointment_start, "started_by", _("started"))

    @admin.action(description=_("Complete"), permissions=["change"])
    def complete(self, request, queryset):
        _run(self, request, queryset, services.appointment_complete, "completed_by", _("completed"))

    @admin.action(description=_("Mark as no-show"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        _run(self, request, queryset, services.appointment_mark_no_show, "marked_by", _("marked as no-show"))

    @admin.action(description=_("Approve requested appointments"), permissions=["change"])
    def approve(self, request, queryset):
        _run(self, request, queryset, services.appointment_approve, "approved_by", _("approved"))

    @admin.action(description=_("Cancel (the time goes to the waitlist)"), permissions=["change"])
    def cancel(self, request, queryset):
        _run(self, request, queryset, services.appointment_cancel, "cancelled_by", _("cancelled"))

    # --- schedule -------------------------------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        return [
            path("schedule/", self.admin_site.admin_view(self.schedule_view), name="appointments_schedule"),
            *urls,
        ]

    def schedule_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        zone = selectors.clinic_zone()
        try:
            day = date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = timezone.localdate(timezone=zone)
        mode = "week" if request.GET.get("view") == "week" else "day"
        first = day - timedelta(days=day.weekday()) if mode == "week" else day
        last = first + timedelta(days=6 if mode == "week" else 0)
        start, _first_end = selectors.local_day_bounds(first)
        _last_start, end = selectors.local_day_bounds(last)
        providers = list(Provider.objects.filter(active=True).select_related("user"))
        locations = list(Location.objects.filter(active=True))
        provider = _pick(providers, request.GET.get("provider"))
        location = _pick(locations, request.GET.get("location"))
        rows = list(
            selectors.schedule_for(
                start=start, end=end, provider=provider, location_id=location.pk if location else None
            )
        )
        days: dict[date, list[Appointment]] = {first + timedelta(days=i): [] for i in range((last - first).days + 1)}
        for row in rows:
            days.setdefault(timezone.localtime(row.start, zone).date(), []).append(row)
        shown_days = sorted(days.items())
        # The page lists patients by name: one audit row naming them, in the order shown.
        shown = [row.patient_id for _day, day_rows in shown_days for row in day_rows]
        audit_lookup(actor=request.user, patient_ids=shown, what="schedule")
        step = timedelta(days=7 if mode == "week" else 1)
        base = {"view": mode, "provider": provider.pk if provider else "", "location": location.pk if location else ""}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Schedule"),
            "mode": mode,
            "day": day,
            "days": shown_days,
            "providers": providers,
            "locations": locations,
            "provider": provider,
            "location": location,
            "base": base,
            "prev_date": (day - step).isoformat(),
            "next_date": (day + step).isoformat(),
            "today": timezone.localdate(timezone=zone).isoformat(),
            "add_url": reverse("admin:appointments_appointment_add"),
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/appointments/schedule.html", context)


def _audit_page(model_admin, request, object_id, what: str) -> None:
    """Log a staff page about one booking or waiting-list place as a read of its patient's data
    (nothing for an object this user cannot open: the page then shows nothing of it)."""
    obj = model_admin.get_object(request, object_id)
    if obj is not None:
        audit_read(actor=request.user, patient=obj.patient, obj=obj, what=what)


def _pick(options, raw):
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        return None
    return next((option for option in options if option.pk == wanted), None)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(AuditedChangelistMixin, ValidatingAutocompleteMixin, admin.ModelAdmin):
    list_display = (
        "patient",
        "appointment_type",
        "specialty",
        "provider",
        "earliest_date",
        "latest_date",
        "status",
        "created_at",
        "offered_at",
    )
    list_filter = ("status", "specialty", "provider")
    list_select_related = ("patient", "appointment_type", "provider__user")
    search_fields = ("^patient__family_name", "^patient__given_name", "=patient__mrn")
    search_help_text = _("Start of the patient's family or given name, or their full MRN.")
    autocomplete_fields = ("patient",)
    readonly_fields = ("status", "created_at", "offered_at", "offered_start", "offered_provider", "appointment")
    actions = ("close",)
    ordering = ("created_at",)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page shows the patient and why they wait (their own words): an audited read.
        if request.method == "GET":
            _audit_page(self, request, object_id, "waitlistentry")
        return super().change_view(request, object_id, form_url=form_url, extra_context=extra_context)

    def history_view(self, request, object_id, extra_context=None):
        _audit_page(self, request, object_id, "history:waitlistentry")
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        entry = services.waitlist_join(
            patient=obj.patient,
            appointment_type=obj.appointment_type,
            specialty=obj.specialty,
            provider=obj.provider,
            earliest_date=obj.earliest_date,
            latest_date=obj.latest_date,
            reason=obj.reason,
        )
        obj.pk = entry.pk
        obj._state.adding = False
        obj.refresh_from_db()

    @admin.action(description=_("Take off the waiting list"), permissions=["change"])
    def close(self, request, queryset):
        for entry in queryset:
            services.waitlist_leave(entry=entry)
        self.message_user(request, _("%(count)d entr(y/ies) closed.") % {"count": queryset.count()})
