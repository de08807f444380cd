"""Patients' view of who opened their record (from the read audit kept by records.audit)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from records.access import get_patient_for_portal_user
from records.selectors import record_access_history


@require_GET
def access_history(request: HttpRequest) -> HttpResponse:
    """Who accessed my record and when: staff shown by name and role, newest first."""
    patient = get_patient_for_portal_user(request)
    return render(request, "clinic/access_history.html", {"history": record_access_history(patient=patient)})
