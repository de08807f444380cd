"""Admin for the clinical entries: scoped to the patients the staff member may see, every write
through ``records.services`` (audited), every read of an entry logged, nothing deleted."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from clinic.admin_widgets import ValidatingAutocompleteMixin, shown_changelist
from records import access, services
from records.audit import audit_read
from records.forms import ICD10CodeField
from records.models import Allergy, ClinicalNote, Condition, Encounter, Medication, Observation

ICD10_SEARCH_URL = reverse_lazy("admin:records_patient_icd10_search")


class ConditionForm(forms.ModelForm):
    icd10_code = ICD10CodeField()

    class Meta:
        model = Condition
        fields = ["patient", "encounter", "icd10_code", "clinical_status", "verification", "onset"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["icd10_code"].widget.attrs["data-icd10-search-url"] = ICD10_SEARCH_URL
        if self.instance.pk:  # the code of a recorded diagnosis is fixed: enter a new one instead
            self.fields["icd10_code"].disabled = True


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = [
            "patient",
            "encounter",
            "kind",
            "code",
            "display",
            "value_numeric",
            "value_text",
            "unit",
            "reference_low",
            "reference_high",
            "effective_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Name, unit and range default from the LOINC table (records.codes) when left empty.
        if "display" in self.fields:
            self.fields["display"].required = False


class ScopedClinicalAdmin(ValidatingAutocompleteMixin, admin.ModelAdmin):
    """Shared behaviour of the clinical admins (see the module docstring)."""

    autocomplete_fields = ["patient"]
    actions = ["mark_entered_in_error"]
    list_select_related = ["patient"]
    readonly_fields = ("entered_in_error", "entered_in_error_reason", "entered_in_error_at", "entered_in_error_by")

    class Media:
        js = ("js/records.js",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(patient__in=access.clinically_visible_patients(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "patient":
            kwargs["queryset"] = access.clinically_visible_patients(request.user)
        elif db_field.name == "encounter":
            kwargs["queryset"] = Encounter.objects.filter(
                patient__in=access.clinically_visible_patients(request.user), entered_in_error=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # no hard deletes of clinical data: "mark entered in error" instead

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # An entry never moves to another patient: mark it in error and record it again.
        return (*fields, "patient") if obj is not None and "patient" not in fields else fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit_read(actor=request.user, patient=obj.patient, obj=obj, what=self.model._meta.model_name)
        return self._guarded(
            super().change_view, request, object_id=object_id, form_url=form_url, extra_context=extra_context
        )

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            audit_read(actor=request.user, patient=obj.patient, obj=obj, what=f"history:{self.model._meta.model_name}")
        return super().history_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = shown_changelist(response)
        if cl is not None:
            # A list shows clinical content of several patients: one read row per patient shown.
            for patient in {obj.patient for obj in cl.result_list}:
                audit_read(actor=request.user, patient=patient, what=f"list:{self.model._meta.model_name}")
        return response

    def save_model(self, request, obj, form, change) -> None:
        # A ValidationError from a service rolls the whole save back; _guarded shows it.
        if change:
            original = type(obj).objects.get(pk=obj.pk)
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
            saved = services.entry_update(entry=original, actor=request.user, changes=changes)
        else:
            saved = self.create(request, form.cleaned_data)
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def create(self, request, data: dict):
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        return self._guarded(super().add_view, request, form_url=form_url, extra_context=extra_context)

    def _guarded(self, view, request, **kwargs):
        try:
            return view(request, **kwargs)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Mark as entered in error"), permissions=["change"])
    def mark_entered_in_error(self, request, queryset) -> None:
        count = 0
        for entry in queryset.select_related("patient"):
            services.entry_mark_entered_in_error(
                entry=entry, actor=request.user, reason=str(_("Marked from the staff list"))
            )
            count += 1
        self.message_user(request, _("%(n)d entries marked as entered in error.") % {"n": count}, messages.SUCCESS)


@admin.register(Condition)
class ConditionAdmin(ScopedClinicalAdmin):
    form = ConditionForm
    list_display = ("icd10_code", "description", "patient", "clinical_status", "verification", "recorded_at")
    list_filter = ("clinical_status", "verification", "entered_in_error")
    search_fields = ("icd10_code", "description", "patient__family_name", "patient__mrn")
    autocomplete_fields = ["patient", "encounter"]
    readonly_fields = ("description", "recorded_by", *ScopedClinicalAdmin.readonly_fields)

    def create(self, request, data):
        return services.condition_record(
            patient=data["patient"],
            recorded_by=request.user,
            icd10_code=data["icd10_code"],
            encounter=data.get("encounter"),
            clinical_status=data["clinical_status"],
            verification=data["verification"],
            onset=data.get("onset"),
        )


class _EncounterInline(admin.TabularInline):
    extra = 0
    show_change_link = True
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # entries are changed on their own page (through the services)


class ConditionInline(_EncounterInline):
    model = Condition
    form = ConditionForm
    fields = ("icd10_code", "description", "clinical_status", "verification", "onset")
    readonly_fields = ("description",)
    extra = 1


class ObservationInline(_EncounterInline):
    model = Observation
    form = ObservationForm
    fields = ("kind", "code", "display", "value_numeric", "value_text", "unit", "abnormal", "effective_at")
    readonly_fields = ("abnormal",)


class NoteInline(_EncounterInline):
    model = ClinicalNote
    fields = ("text", "author", "created_at")
    readonly_fields = ("author", "created_at")


@admin.register(Encounter)
class EncounterAdmin(ScopedClinicalAdmin):
    list_display = ("start", "patient", "type", "reason", "provider", "status")
    list_filter = ("type", "status", "entered_in_error")
    list_select_related = ["patient", "provider"]
    search_fields = ("reason", "patient__family_name", "patient__mrn")
    date_hierarchy = "start"
    fields = ("patient", "start", "type", "reason", "status", "provider", *ScopedClinicalAdmin.readonly_fields)
    readonly_fields = ("provider", *ScopedClinicalAdmin.readonly_fields)
    inlines = [ConditionInline, ObservationInline, NoteInline]

    def create(self, request, data):
        return services.encounter_record(
            patient=data["patient"],
            provider=request.user,
            start=data["start"],
            type=data["type"],
            reason=data["reason"],
            status=data["status"],
        )

    def save_formset(self, request, form, formset, change) -> None:
        """New diagnoses, measurements and notes on the visit go through their services."""
        encounter = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form.instance.pk or not inline_form.is_valid():
                continue
            data = inline_form.cleaned_data
            if formset.model is Condition:
                services.condition_record(
                    patient=encounter.patient,
                    recorded_by=request.user,
                    icd10_code=data["icd10_code"],
                    encounter=encounter,
                    clinical_status=data["clinical_status"],
                    verification=data["verification"],
                    onset=data.get("onset"),
                )
            elif formset.model is Observation:
                services.observation_record(
                    patient=encounter.patient,
                    recorded_by=request.user,
                    encounter=encounter,
                    kind=data["kind"],
                    code=data["code"],
                    display=data.get("display", ""),
                    value_numeric=data.get("value_numeric"),
                    value_text=data.get("value_text", ""),
                    unit=data.get("unit", ""),
                    effective_at=data["effective_at"],
                )
            elif formset.model is ClinicalNote:
                services.note_add(
                    patient=encounter.patient, author=request.user, text=data["text"], encounter=encounter
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Allergy)
class AllergyAdmin(ScopedClinicalAdmin):
    list_display = ("substance", "patient", "category", "severity", "clinical_status")
    list_filter = ("category", "severity", "clinical_status", "entered_in_error")
    search_fields = ("substance", "patient__family_name", "patient__mrn")
    fields = ("patient", "substance", "category", "reaction", "severity", "clinical_status")

    def create(self, request, data):
        return services.allergy_record(
            patient=data["patient"],
            recorded_by=request.user,
            substance=data["substance"],
            category=data["category"],
            reaction=data.get("reaction", ""),
            severity=data["severity"],
        )


@admin.register(Medication)
class MedicationAdmin(ScopedClinicalAdmin):
    list_display = ("drug", "dose", "frequency", "patient", "status", "start", "end", "prescriber")
    list_filter = ("status", "route", "entered_in_error")
    list_select_related = ["patient", "prescriber"]
    search_fields = ("drug", "patient__family_name", "patient__mrn")
    autocomplete_fields = ["patient", "encounter"]
    fields = ("patient", "encounter", "drug", "dose", "route", "frequency", "start", "end", "status")

    def create(self, request, data):
        return services.medication_prescribe(
            patient=data["patient"],
            prescriber=request.user,
            drug=data["drug"],
            dose=data["dose"],
            route=data["route"],
            frequency=data["frequency"],
            start=data["start"],
            end=data.get("end"),
            encounter=data.get("encounter"),
            status=data["status"],
        )


@admin.register(Observation)
class ObservationAdmin(ScopedClinicalAdmin):
    form = ObservationForm
    list_display = ("display", "value_display", "abnormal", "patient", "kind", "effective_at")
    list_filter = ("kind", "abnormal", "entered_in_error")
    search_fields = ("code", "display", "patient__family_name", "patient__mrn")
    autocomplete_fields = ["patient", "encounter"]
    date_hierarchy = "effective_at"
    fields = ObservationForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("abnormal",)
        # A recorded value is never edited: mark it entered in error and record it again.
        return tuple(f for f in self.fields if f not in {"effective_at", "encounter"}) + ("abnormal",)

    def create(self, request, data):
        return services.observation_record(
            patient=data["patient"],
            recorded_by=request.user,
            encounter=data.get("encounter"),
            kind=data["kind"],
            code=data["code"],
            display=data.get("display", ""),
            value_numeric=data.get("value_numeric"),
            value_text=data.get("value_text", ""),
            unit=data.get("unit", ""),
            reference_low=data.get("reference_low"),
            reference_high=data.get("reference_high"),
            effective_at=data["effective_at"],
        )


@admin.register(ClinicalNote)
class ClinicalNoteAdmin(ScopedClinicalAdmin):
    """Saving a changed note writes an amendment; the original stays as it was written."""

    list_display = ("__str__", "patient", "author", "created_at", "amends")
    list_filter = ("entered_in_error",)
    list_select_related = ["patient", "author", "amends"]
    search_fields = ("patient__family_name", "patient__mrn")
    autocomplete_fields = ["patient", "encounter"]
    fields = ("patient", "encounter", "text", "author", "amends")
    readonly_fields = ("author", "amends", *ScopedClinicalAdmin.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "patient", "encounter") if obj is not None else fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            original = ClinicalNote.objects.get(pk=obj.pk)
            saved = services.note_amend(note=original, author=request.user, text=form.cleaned_data["text"])
            obj.__dict__.update(ClinicalNote.objects.get(pk=original.pk).__dict__)
            self.message_user(request, _("Saved as an amendment; the original note is kept."), messages.INFO)
            self._amendment = saved
            return
        super().save_model(request, obj, form, change)

    def create(self, request, data):
        return services.note_add(
            patient=data["patient"], author=request.user, text=data["text"], encounter=data.get("encounter")
        )
