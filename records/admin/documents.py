"""Admin for uploaded documents: uploads checked by their bytes, files only through the
audited download view."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from records import services
from records.admin.clinical import ScopedClinicalAdmin
from records.models import Document
from records.services.documents import document_check


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(label=_("File (PDF, PNG or JPEG)"))

    class Meta:
        model = Document
        fields = ["patient", "encounter", "title", "kind"]

    def clean_upload(self):
        uploaded = self.cleaned_data["upload"]
        document_check(uploaded)
        return uploaded


@admin.register(Document)
class DocumentAdmin(ScopedClinicalAdmin):
    list_display = ("title", "patient", "kind", "content_type", "size", "uploaded_at", "uploaded_by")
    list_filter = ("kind", "content_type", "entered_in_error")
    list_select_related = ["patient", "uploaded_by"]
    search_fields = ("title", "patient__family_name", "patient__mrn")
    autocomplete_fields = ["patient", "encounter"]
    readonly_fields = (
        "download",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        *ScopedClinicalAdmin.readonly_fields,
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DocumentForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["patient", "encounter", "title", "kind", "upload"]
        return ["patient", "title", "kind", "download", "content_type", "size", "uploaded_by", "uploaded_at"]

    @admin.display(description=_("File"))
    def download(self, obj: Document) -> str:
        url = reverse("admin:records_patient_document", args=[obj.patient_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def create(self, request, data):
        return services.document_upload(
            patient=data["patient"],
            uploaded_by=request.user,
            uploaded_file=data["upload"],
            title=data["title"],
            kind=data["kind"],
            encounter=data.get("encounter"),
        )
