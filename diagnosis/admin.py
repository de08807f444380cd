"""Staff workplace for the symptom checker: patients' checks (scoped like the record, reads
audited, clinician confirmation) and model versions shown as model cards."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clinic.admin_export import CsvExportMixin
from clinic.admin_filters import period_filter
from clinic.admin_widgets import shown_changelist
from diagnosis import selectors, services
from diagnosis.forms import ConfirmForm
from diagnosis.models import ModelVersion, SymptomCheck
from records import access
from records.audit import audit_read

AGREEMENT_MONTHS = 12


@admin.register(SymptomCheck)
class SymptomCheckAdmin(CsvExportMixin, admin.ModelAdmin):
    list_display = ("created_at", "patient", "triage", "top_condition", "confirmed_icd10", "agrees_top3")
    list_filter = ("triage", "agrees_top3", period_filter("created_at"))
    csv_fields = (
        "created_at",
        "patient",
        "age",
        "sex",
        "triage",
        "top_condition",
        "confirmed_icd10",
        "agrees_top3",
        "model_version",
    )
    list_select_related = ["patient"]
    search_fields = ("patient__family_name", "patient__mrn", "confirmed_icd10")
    date_hierarchy = "created_at"
    change_list_template = "admin/diagnosis/symptomcheck/change_list.html"
    change_form_template = "admin/diagnosis/symptomcheck/change_form.html"
    readonly_fields = (
        "patient",
        "created_by",
        "created_at",
        "text",
        "age",
        "sex",
        "triage",
        "triage_reasons",
        "findings",
        "answers",
        "conditions",
        "model_version",
        "encounter",
        "confirmed_icd10",
        "confirmed_at",
        "confirmed_by",
        "agrees_top3",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(patient__in=access.clinically_visible_patients(request.user))

    def has_add_permission(self, request) -> bool:
        return False  # checks are made by patients in the portal

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # part of the record

    @admin.display(description=_("checker's first suggestion"))
    def top_condition(self, obj: SymptomCheck) -> str:
        top = obj.conditions[0] if obj.conditions else None
        return f"{top['name']} ({top['icd10']})" if top else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit_read(actor=request.user, patient=obj.patient, obj=obj, what="symptom_check")
        extra_context = {**(extra_context or {}), "can_confirm": obj is not None and self._may_confirm(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # A look at a patient's check, as the history of every clinical entry (records.admin).
        obj = self.get_object(request, object_id)
        if obj is not None:
            audit_read(actor=request.user, patient=obj.patient, obj=obj, what="history:symptom_check")
        return super().history_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        today = timezone.now()
        start = (today - timedelta(days=31 * AGREEMENT_MONTHS)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        extra_context = {
            **(extra_context or {}),
            "agreement": selectors.checker_agreement(start=start, end=today + timedelta(days=1)),
        }
        response = super().changelist_view(request, extra_context)
        cl = shown_changelist(response)
        if cl is not None:
            for patient in {obj.patient for obj in cl.result_list}:
                audit_read(actor=request.user, patient=patient, what="list:symptom_check")
        return response

    def _may_confirm(self, request) -> bool:
        return access.is_clinician(request.user) and request.user.has_perm("diagnosis.change_symptomcheck")

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="diagnosis_symptomcheck_confirm",
            ),
        ]
        return extra + super().get_urls()

    def confirm_view(self, request, pk: int):
        """The clinician records the confirmed diagnosis for the visit this check led to."""
        if not self._may_confirm(request):
            raise PermissionDenied
        check = self.get_queryset(request).select_related("patient").filter(pk=pk).first()
        if check is None:
            raise Http404
        form = ConfirmForm(request.POST or None, patient=check.patient)
        if request.method == "POST" and form.is_valid():
            try:
                services.symptom_check_confirm(
                    check=check,
                    encounter=form.cleaned_data["encounter"],
                    icd10_code=form.cleaned_data["icd10_code"],
                    confirmed_by=request.user,
                )
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("Confirmed diagnosis recorded on the visit."), messages.SUCCESS)
                return redirect("admin:diagnosis_symptomcheck_change", check.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Confirm the diagnosis"),
            "check": check,
            "form": form,
        }
        return TemplateResponse(request, "admin/diagnosis/symptomcheck/confirm.html", context)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "created_at",
        "is_active",
        "vignette_top3_display",
        "heldout_top3_display",
        "training_seconds",
        "size_mb",
    )
    list_filter = ("is_active",)
    change_form_template = "admin/diagnosis/modelversion/model_card.html"
    readonly_fields = (
        "file_name",
        "sha256",
        "size",
        "sklearn_version",
        "kb_hash",
        "seed",
        "training_summary",
        "metrics",
        "vignette_metrics",
        "training_seconds",
        "created_at",
        "created_by",
        "is_active",
        "activated_at",
        "activated_by",
    )
    fields = (*readonly_fields, "notes")

    def has_add_permission(self, request) -> bool:
        return False  # models are trained by `manage.py train_diagnosis_model`

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("vignette top-3"))
    def vignette_top3_display(self, obj: ModelVersion) -> str:
        return _pct(obj.vignette_top3)

    @admin.display(description=_("held-out top-3"))
    def heldout_top3_display(self, obj: ModelVersion) -> str:
        return _pct(obj.heldout_top3)

    @admin.display(description=_("size (MB)"))
    def size_mb(self, obj: ModelVersion) -> str:
        return f"{obj.size / 1e6:.1f}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            **(model_card_context(obj) if obj else {}),
            "can_activate": request.user.has_perm("diagnosis.change_modelversion"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/activate/",
                self.admin_site.admin_view(require_POST(self.activate_view)),
                name="diagnosis_modelversion_activate",
            ),
            path(
                "rollback/",
                self.admin_site.admin_view(require_POST(self.rollback_view)),
                name="diagnosis_modelversion_rollback",
            ),
        ]
        return extra + super().get_urls()

    def activate_view(self, request, pk: int):
        if not request.user.has_perm("diagnosis.change_modelversion"):
            raise PermissionDenied
        version = ModelVersion.objects.filter(pk=pk).first()
        if version is None:
            raise Http404
        try:
            services.model_version_activate(version=version, by=request.user, force=request.POST.get("force") == "1")
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("Model version %(pk)s is now active.") % {"pk": pk}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:diagnosis_modelversion_change", args=[pk]))

    def rollback_view(self, request):
        if not request.user.has_perm("diagnosis.change_modelversion"):
            raise PermissionDenied
        try:
            version = services.model_version_rollback(by=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:diagnosis_modelversion_changelist"))
        self.message_user(request, _("Rolled back to model version %(pk)s.") % {"pk": version.pk}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:diagnosis_modelversion_change", args=[version.pk]))


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def model_card_context(version: ModelVersion) -> dict:
    metrics = version.metrics or {}
    classifiers = [
        {
            "name": name,
            "fit_seconds": data.get("fit_seconds"),
            **{k: _pct((data.get("test") or {}).get(k)) for k in ("top1", "top3", "top5")},
            "brier": (data.get("test") or {}).get("brier"),
            "ece": (data.get("test") or {}).get("ece"),
        }
        for name, data in (metrics.get("classifiers") or {}).items()
    ]
    final = (metrics.get("final") or {}).get("test") or {}
    bayes = (metrics.get("bayes") or {}).get("test") or {}
    triage = (metrics.get("triage") or {}).get("test") or {}
    vig = version.vignette_metrics or {}
    return {
        "card": {
            "classifiers": classifiers,
            "final": {k: _pct(final.get(k)) for k in ("top1", "top3", "top5")},
            "final_brier": final.get("brier"),
            "final_ece": final.get("ece"),
            "bayes": {k: _pct(bayes.get(k)) for k in ("top1", "top3", "top5")},
            "triage": {k: _pct(triage.get(k)) for k in ("exact", "safe")},
            "vignettes": {
                k: _pct(vig.get(k)) for k in ("top1", "top3", "top5", "top10", "triage_exact", "triage_safe")
            },
            "vignettes_n": vig.get("n"),
            "summary": version.training_summary or {},
            "versions": ModelVersion.objects.only("pk", "created_at", "is_active", "vignette_metrics")[:20],
        }
    }
