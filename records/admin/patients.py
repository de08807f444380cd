"""Patient admin: demographics for the front desk, the whole record for the care team, the
break-the-glass page, the per-patient access log, documents and ICD-10 suggestions."""

from __future__ import annotations

import datetime as dt
import json

from auditlog.models import LogEntry
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connections, router
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from clinic.admin_changelist import LightChangelistMixin
from clinic.admin_export import CsvExportMixin
from clinic.admin_filters import period_filter
from clinic.admin_paginator import EstimatedCountPaginator, is_unfiltered
from clinic.admin_widgets import AuditedChangelistMixin
from records import access, icd10, selectors, services
from records.audit import audit_read
from records.fhir import record_bundle
from records.forms import BreakGlassForm
from records.models import Allergy, Condition, Document, EmergencyAccess, Encounter, Medication, Observation, Patient
from records.services.patients import DEMOGRAPHIC_FIELDS
from records.views.portal import document_response

# The order of a searched patient list (PatientAdmin.get_ordering): total, and the order of the
# (family_name, given_name) index, which InnoDB ends with the key, so the search reads it there.
SEARCH_ORDER = ("family_name", "given_name", "id")


def _birth_date(term: str) -> dt.date | None:
    """The date of birth a search term names (``YYYY-MM-DD``), if any."""
    try:
        return dt.date.fromisoformat(term.strip())
    except ValueError:
        return None


def _search_words(term: str) -> list[str]:
    """The words of an admin search, split as ``ModelAdmin.get_search_results`` splits them."""
    words = []
    for bit in smart_split(term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        words.append(bit)
    return words


def search_branches(connection, search_fields, term: str) -> list[tuple[str, list]] | None:
    """The patient search as alternatives, one per search field of the first word (and one for
    the date of birth), each an SQL condition with its parameters; or None for a search this
    does not know (no words, a field that is not ``=column`` or ``^column`` of a patient).

    Every word must match one of the fields, as in ``ModelAdmin.get_search_results``: the
    words after the first are tested in every branch. The conditions are the ORM's own:
    ``LIKE`` with the backend's escaping of ``\\``, ``%`` and ``_`` (``iexact`` is a ``LIKE``
    without a wildcard on MySQL/MariaDB, not ``=``, which would ignore trailing spaces)."""
    quote = connection.ops.quote_name
    fields = []
    for spec in search_fields:
        kind, name = str(spec)[:1], str(spec)[1:]
        try:
            field = Patient._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if kind not in ("=", "^") or not field.concrete or field.is_relation:
            return None
        fields.append((quote(field.column), kind == "^"))
    words = _search_words(term)
    if not fields or not words:
        return None

    def match(column: str, prefix: bool, word: str) -> tuple[str, list]:
        pattern = connection.ops.prep_for_like_query(word)
        return f"{column} LIKE %s", [f"{pattern}%" if prefix else pattern]

    rest, rest_params = [], []
    for word in words[1:]:
        matches = [match(column, prefix, word) for column, prefix in fields]
        rest.append("(" + " OR ".join(sql for sql, _ in matches) + ")")
        rest_params += [param for _, params in matches for param in params]
    branches = []
    for column, prefix in fields:
        sql, params = match(column, prefix, words[0])
        branches.append((" AND ".join([sql, *rest]), params + rest_params))
    born = _birth_date(term)
    if born is not None:
        branches.append((f"{quote(Patient._meta.get_field('date_of_birth').column)} = %s", [born.isoformat()]))
    return branches


class PatientSearchPaginator(EstimatedCountPaginator):
    """The patient search's count and page keys as a UNION of one branch per alternative
    (``search_branches``), for MariaDB/MySQL, the list in ``SEARCH_ORDER``.

    MariaDB answers the search's OR by merging three indexes (index_merge sort_union) and then
    sorts every match: 2,773 Smiths at 100,000 patients, 7 ms, growing with the table. Here each
    branch is sorted and cut on its own, ``(SELECT ... ORDER BY family_name, given_name, id
    LIMIT top)``: the family-name branch reads ``top`` entries of the (family_name, given_name)
    index in order and stops; the given-name branch sorts its matches from the (given_name,
    family_name) index alone (so it grows with the patients of that given name: 1,074 Eileens,
    1 ms); the MRN, e-mail and date branches find a few rows by key. The first ``top`` rows of
    the whole list are among the branches' first ``top``, so the outer query sorts at most
    ``top`` rows per branch. The count counts the union of the branches, each cut at ``limit``:
    exact below ``limit``, and at least ``limit`` when any branch reaches it. With more than one
    word, the later words are tested on each branch's rows (read by key), about as fast as the
    ORM's query.

    Same answers as the inherited ORM queries (records/tests/test_admin_search_sql.py); the
    admin uses it only when its list is exactly the search over every patient
    (``PatientAdmin.indexed_search``)."""

    def __init__(self, *args, branches: list[tuple[str, list]], **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = branches

    def _union(self, columns: str, limit: int, order: str = "") -> tuple[str, list]:
        table = self._connection.ops.quote_name(Patient._meta.db_table)
        order_by = f" ORDER BY {order}" if order else ""
        parts, params = [], []
        for condition, condition_params in self.branches:
            # Names quoted from the model, conditions from search_branches; every value is bound.
            parts.append(f"(SELECT {columns} FROM {table} WHERE {condition}{order_by} LIMIT %s)")  # noqa: S608
            params += [*condition_params, limit]
        return " UNION ".join(parts), params

    @property
    def _connection(self):
        return connections[self.object_list.db]

    def count_up_to(self, limit: int) -> int:
        union, params = self._union(self._connection.ops.quote_name(Patient._meta.pk.column), limit)
        with self._connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({union}) AS hits", params)  # noqa: S608 - as above
            (counted,) = cursor.fetchone()
        return min(counted, limit)

    def page_keys(self, bottom: int, top: int) -> list:
        if top <= bottom:
            return []
        quote = self._connection.ops.quote_name
        columns = ", ".join(quote(Patient._meta.get_field(name).column) for name in SEARCH_ORDER)
        union, params = self._union(columns, top, order=columns)
        key = quote(Patient._meta.pk.column)
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {key} FROM ({union}) AS hits ORDER BY {columns} LIMIT %s OFFSET %s",  # noqa: S608 - as above
                [*params, top - bottom, bottom],
            )
            return [row[0] for row in cursor.fetchall()]


class _RecordInline(admin.TabularInline):
    """A read-only list of one kind of entry on the patient page (edited on its own page)."""

    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(entered_in_error=False)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EncounterInline(_RecordInline):
    model = Encounter
    fields = readonly_fields = ("start", "type", "reason", "provider", "status")


class ConditionInline(_RecordInline):
    model = Condition
    fields = readonly_fields = ("icd10_code", "description", "clinical_status", "verification", "onset")


class AllergyInline(_RecordInline):
    model = Allergy
    fields = readonly_fields = ("substance", "reaction", "severity", "clinical_status")


class MedicationInline(_RecordInline):
    model = Medication
    fields = readonly_fields = ("drug", "dose", "route", "frequency", "start", "end", "status")


class ObservationInline(_RecordInline):
    model = Observation
    fields = readonly_fields = ("effective_at", "display", "value_display", "reference_range_display", "abnormal")


class DocumentInline(_RecordInline):
    model = Document
    fields = readonly_fields = ("title", "kind", "uploaded_at")


class HasLoginFilter(admin.SimpleListFilter):
    title = _("portal login")
    parameter_name = "login"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a login")), ("no", _("No login (walk-in)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(user__isnull=False)
        if self.value() == "no":
            return queryset.filter(user__isnull=True)
        return queryset


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = DEMOGRAPHIC_FIELDS


class AccessLogFilterForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Staff member"))
    what = forms.CharField(required=False, label=_("What (e.g. record, document, export:fhir)"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(Patient)
class PatientAdmin(AuditedChangelistMixin, LightChangelistMixin, CsvExportMixin, admin.ModelAdmin):
    form = PatientForm
    list_display = ("mrn", "family_name", "given_name", "date_of_birth", "sex", "phone", "has_login")
    list_filter = ("sex", HasLoginFilter, period_filter("created_at", _("registered")))
    paginator = EstimatedCountPaginator
    list_per_page = 50  # half of Django's 100: rendering the rows is most of the page's time
    show_full_result_count = False
    csv_fields = (
        "mrn",
        "family_name",
        "given_name",
        "date_of_birth",
        "sex",
        "email",
        "phone",
        "city",
        "postal_code",
        "preferred_language",
        "has_login",
        "created_at",
    )
    list_select_related = ["user"]
    # What the rows show: "login" is whether user_id is set, so the user row is not joined.
    list_only = ("mrn", "family_name", "given_name", "date_of_birth", "sex", "phone", "user")
    # Prefix and exact matches only: a "%term%" LIKE over every patient cannot use an index and
    # took over a minute at 100,000 patients (bench/README.md).
    search_fields = ("=mrn", "^family_name", "^given_name", "=email")
    search_help_text = _("Start of the family or given name, the full MRN or e-mail, or a date of birth as YYYY-MM-DD.")
    actions = ["send_portal_invitation"]
    readonly_fields = ("mrn", "user", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("mrn", "given_name", "family_name", "date_of_birth", "sex", "preferred_language")}),
        (_("Contact"), {"fields": ("email", "phone", "address_line", "city", "postal_code", "country")}),
        (_("Emergency contact"), {"fields": ("emergency_contact_name", "emergency_contact_phone")}),
        (_("Portal"), {"fields": ("user", "created_at", "updated_at")}),
    )
    clinical_inlines = [
        EncounterInline,
        ConditionInline,
        AllergyInline,
        MedicationInline,
        ObservationInline,
        DocumentInline,
    ]

    class Media:
        js = ("js/records.js",)

    @admin.display(boolean=True, description=_("login"))
    def has_login(self, obj: Patient) -> bool:
        return obj.user_id is not None

    def get_queryset(self, request):
        return access.patients_visible_to(request.user).select_related("user")

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        born = _birth_date(search_term)
        if born is None:
            return queryset, may_have_duplicates
        return queryset | self.get_queryset(request).filter(date_of_birth=born), may_have_duplicates

    def get_ordering(self, request):
        # Only for the indexed search: elsewhere (a filter, a clinician's scope) MariaDB would
        # read the whole (family_name, given_name) index in this order, row by row, to find a
        # page of Smiths (120 ms at 100,000 patients, against 7 ms for the ChangeList's "-pk"
        # tie-break, which no index gives). Only patients with the same names change places.
        if self.searches_by_index(request):
            return SEARCH_ORDER
        return super().get_ordering(request)

    def searches_by_index(self, request) -> bool:
        """Whether the changelist is a search alone (no filter, no chosen order) over every
        patient on MariaDB/MySQL, which ``PatientSearchPaginator`` answers."""
        return (
            connections[router.db_for_read(Patient)].vendor == "mysql"
            and set(request.GET) <= {SEARCH_VAR, PAGE_VAR}
            and bool(_search_words(request.GET.get(SEARCH_VAR, "")))
            and is_unfiltered(self.get_queryset(request))
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        branches = self.indexed_search(request, queryset)
        if branches is None:
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return PatientSearchPaginator(
            queryset, per_page, orphans, allow_empty_first_page, only=self.list_only, branches=branches
        )

    def indexed_search(self, request, queryset) -> list[tuple[str, list]] | None:
        """The search's branches for ``PatientSearchPaginator`` when ``searches_by_index`` and
        the list is exactly the search's conditions over every patient (the user sees every
        patient: a clinician's list is scoped) in ``SEARCH_ORDER``. Otherwise None: the
        inherited ORM queries answer."""
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "mysql":
            return None
        query = queryset.query
        if query.distinct or query.combinator or query.is_sliced or tuple(query.order_by) != SEARCH_ORDER:
            return None
        everyone = self.get_queryset(request)
        if not is_unfiltered(everyone):
            return None
        term = request.GET.get(SEARCH_VAR, "")
        searched, _ = self.get_search_results(request, everyone, term)
        if not query.where or searched.query.where != query.where:
            return None
        return search_branches(connections[queryset.db], self.get_search_fields(request), term)

    def get_inlines(self, request, obj):
        if obj is not None and access.can_view_clinical(request.user, obj):
            return self.clinical_inlines
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        patient = self.get_object(request, object_id)
        if patient is None:
            # A clinician without a care relationship may still open the record, with a reason.
            existing = Patient.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
            if existing is not None and access.needs_break_glass(request.user, existing):
                return redirect("admin:records_patient_break_glass", existing.pk)
        elif request.method == "GET":
            what = "record" if access.can_view_clinical(request.user, patient) else "demographics"
            audit_read(actor=request.user, patient=patient, what=what)
        extra_context = {
            **(extra_context or {}),
            "access_log_url": reverse("admin:records_patient_access_log", args=[object_id])
            if self.has_access_log_permission(request)
            else "",
            "export_url": reverse("admin:records_patient_export", args=[patient.pk])
            if patient is not None and access.can_view_clinical(request.user, patient)
            else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        patient = self.get_object(request, object_id)
        if patient is not None:
            audit_read(actor=request.user, patient=patient, what="history:patient")
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in DEMOGRAPHIC_FIELDS if name in form.cleaned_data}
        if change:
            original = Patient.objects.get(pk=obj.pk)
            changes = {name: data[name] for name in form.changed_data if name in data}
            saved = services.patient_update(patient=original, changes=changes)
        else:
            saved = services.patient_create(**data)
        obj.pk = saved.pk
        obj.mrn = saved.mrn

    @admin.action(description=_("Send portal invitation"), permissions=["change"])
    def send_portal_invitation(self, request, queryset) -> None:
        sent = 0
        for patient in queryset:
            try:
                services.patient_invite(patient=patient, link_base=request.build_absolute_uri("/"))
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(request, _("%(n)d invitation(s) sent.") % {"n": sent}, messages.SUCCESS)

    # --- Extra staff pages ---------------------------------------------------------------

    def get_urls(self):
        extra = [
            path("icd10/", self.admin_site.admin_view(self.icd10_search), name="records_patient_icd10_search"),
            path(
                "<int:pk>/break-glass/",
                self.admin_site.admin_view(self.break_glass_view),
                name="records_patient_break_glass",
            ),
            path(
                "<int:pk>/access-log/",
                self.admin_site.admin_view(self.access_log_view),
                name="records_patient_access_log",
            ),
            path(
                "<int:pk>/documents/<int:document_pk>/",
                self.admin_site.admin_view(self.document_view),
                name="records_patient_document",
            ),
            path("<int:pk>/export/", self.admin_site.admin_view(self.export_view), name="records_patient_export"),
        ]
        return extra + super().get_urls()

    def icd10_search(self, request) -> JsonResponse:
        """Suggestions for ICD-10 inputs: by code prefix (``J06``) or words (``upper resp``)."""
        if request.method != "GET":
            return JsonResponse({"error": "GET only"}, status=405)
        if not access.is_clinician(request.user) and not access.is_clinic_admin(request.user):
            raise PermissionDenied
        return JsonResponse({"results": icd10.search(request.GET.get("q", ""))})

    def break_glass_view(self, request, pk: int):
        patient = Patient.objects.filter(pk=pk).first()
        if patient is None or not access.is_clinician(request.user):
            raise Http404
        if access.can_view_clinical(request.user, patient):
            return redirect("admin:records_patient_change", patient.pk)
        form = BreakGlassForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.emergency_access_grant(staff=request.user, patient=patient, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error("reason", exc)
            else:
                messages.warning(request, _("Emergency access granted and recorded for review."))
                return redirect("admin:records_patient_change", patient.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("No care relationship"),
            "patient_label": f"{patient.mrn}",
            "form": form,
            "minutes": settings.BREAK_GLASS_MINUTES,
        }
        return TemplateResponse(request, "admin/records/break_glass.html", context)

    def has_access_log_permission(self, request) -> bool:
        return request.user.has_perm("auditlog.view_logentry")

    def access_log_view(self, request, pk: int):
        if not self.has_access_log_permission(request):
            raise PermissionDenied
        patient = access.get_patient_for_staff(request, pk)
        entries = selectors.access_log_for_patient(patient=patient)
        form = AccessLogFilterForm(request.GET or None)
        form.fields["staff"].queryset = User.objects.filter(
            pk__in=entries.exclude(actor=None).values("actor")
        ).order_by("last_name")
        if form.is_valid():
            data = form.cleaned_data
            if data["staff"]:
                entries = entries.filter(actor=data["staff"])
            if data["what"]:
                entries = entries.filter(additional_data__what__startswith=data["what"])
            if data["since"]:
                entries = entries.filter(timestamp__date__gte=data["since"])
            if data["until"]:
                entries = entries.filter(timestamp__date__lte=data["until"])
        changes = LogEntry.objects.filter(additional_data__patient_id=patient.pk).exclude(action=LogEntry.Action.ACCESS)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Access log of %(p)s") % {"p": patient},
            "patient": patient,
            "form": form,
            "entries": entries[:500],
            "changes": changes.select_related("actor", "content_type")[:200],
        }
        return TemplateResponse(request, "admin/records/access_log.html", context)

    def document_view(self, request, pk: int, document_pk: int):
        patient = access.get_patient_for_clinical_staff(request, pk)
        document = selectors.get_document_for_patient(patient=patient, pk=document_pk)
        audit_read(actor=request.user, patient=patient, obj=document, what="document")
        return document_response(document)

    def export_view(self, request, pk: int) -> HttpResponse:
        patient = access.get_patient_for_clinical_staff(request, pk)
        audit_read(actor=request.user, patient=patient, what="export:fhir")
        response = HttpResponse(json.dumps(record_bundle(patient), indent=2), content_type="application/fhir+json")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="{patient.mrn}-record-{stamp}.json"'
        return response


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(AuditedChangelistMixin, admin.ModelAdmin):
    list_display = ("granted_at", "staff", "patient", "reason", "expires_at")
    list_select_related = ["staff", "patient"]
    list_filter = ("granted_at",)
    date_hierarchy = "granted_at"
    readonly_fields = ("staff", "patient", "reason", "granted_at", "expires_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
