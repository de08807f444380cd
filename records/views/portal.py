"""The patient's own record in the portal. Every lookup starts from
``access.get_patient_for_portal_user``: a login sees its own patient or a 404."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from records import charts, selectors, services
from records.access import get_patient_for_portal_user
from records.audit import audit_read
from records.fhir import record_bundle
from records.forms import ContactForm
from records.models import Document, Observation, Patient


def document_response(document: Document) -> FileResponse:
    """A stored document as a download: never rendered inline, never sniffed."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.download_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    return render(
        request, "records/overview.html", {"patient": patient, "record": selectors.record_overview(patient=patient)}
    )


@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    return render(
        request,
        "records/visits.html",
        {"patient": patient, "encounters": selectors.encounters_for_patient(patient=patient)},
    )


@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    encounter = selectors.get_encounter_for_patient(patient=patient, pk=pk)
    return render(request, "records/visit_detail.html", {"patient": patient, "encounter": encounter})


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    labs = selectors.observations_for_patient(patient=patient, kind=Observation.Kind.LAB)
    return render(request, "records/results.html", {"patient": patient, "results": labs})


@require_GET
def vitals(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    series = selectors.vital_series(patient=patient)
    charted = [
        {
            "series": s,
            "svg": charts.line_chart(chart_id=f"chart-{s.code}", title=s.display, unit=s.unit, points=s.points),
        }
        for s in series
    ]
    readings = selectors.observations_for_patient(patient=patient, kind=Observation.Kind.VITALS)[:100]
    return render(request, "records/vitals.html", {"patient": patient, "charts": charted, "readings": readings})


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    return render(
        request,
        "records/documents.html",
        {"patient": patient, "documents": selectors.documents_for_patient(patient=patient)},
    )


@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    patient = get_patient_for_portal_user(request)
    document = selectors.get_document_for_patient(patient=patient, pk=pk)
    return document_response(document)


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    form = ContactForm(request.POST or None, instance=Patient.objects.get(pk=patient.pk))
    if request.method == "POST" and form.is_valid():
        services.patient_contact_update(
            patient=patient, changes={name: form.cleaned_data[name] for name in ContactForm.Meta.fields}
        )
        messages.success(request, _("Your contact details were saved."))
        return redirect("records:profile")
    return render(request, "records/profile.html", {"patient": patient, "form": form})


@require_GET
def export_fhir(request: HttpRequest) -> HttpResponse:
    """ "Download my record": the FHIR R4 bundle as a JSON attachment (audited)."""
    patient = get_patient_for_portal_user(request)
    audit_read(actor=request.user, patient=patient, what="export:fhir")
    body = json.dumps(record_bundle(patient), indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{patient.mrn}-record-{stamp}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def summary_context(patient: Patient) -> dict:
    return {
        "patient": patient,
        "conditions": selectors.conditions_for_patient(patient=patient).select_related("encounter"),
        "allergies": selectors.allergies_for_patient(patient=patient),
        "medications": selectors.medications_for_patient(patient=patient),
        "encounters": selectors.encounters_for_patient(patient=patient),
        "observations": selectors.observations_for_patient(patient=patient)[:200],
        "generated_at": timezone.now(),
    }


@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """A printable summary of the whole record (audited like the download)."""
    patient = get_patient_for_portal_user(request)
    audit_read(actor=request.user, patient=patient, what="export:summary")
    return render(request, "records/summary.html", summary_context(patient))
