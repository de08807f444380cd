"""The symptom checker in the patient portal. Every lookup starts from the signed-in user's
own patient record (``records.access.get_patient_for_portal_user``): anything else is a 404."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.specialties import FALLBACK_SPECIALTY, SPECIALTIES
from diagnosis import selectors, services
from diagnosis.forms import AnswerForm, SymptomCheckForm, finding_choices, finding_options
from diagnosis.models import SymptomCheck
from records.access import get_patient_for_portal_user

DEFAULT_RATE = 20  # checks per user per hour


def _unavailable(request: HttpRequest) -> HttpResponse:
    response = render(request, "diagnosis/unavailable.html", status=503)
    response["Retry-After"] = "300"
    return response


def _rate_limited(request: HttpRequest) -> bool:
    limit = getattr(settings, "SYMPTOM_CHECK_RATE", DEFAULT_RATE)
    return selectors.checks_started_last_hour(user=request.user) >= limit


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    try:
        version, predictor = services.get_checker()
    except services.CheckerUnavailable:
        return _unavailable(request)
    choices = finding_choices(predictor.kb)
    form = SymptomCheckForm(request.POST or None, choices=choices)
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "diagnosis/rate_limited.html", status=429)
        if form.is_valid():
            try:
                symptom_check = services.symptom_check_run(
                    patient=patient,
                    created_by=request.user,
                    text=form.cleaned_data["text"],
                    findings=form.cleaned_data["picked"],
                )
            except services.CheckerUnavailable:
                return _unavailable(request)
            return redirect("diagnosis:result", pk=symptom_check.pk)
    recent = selectors.checks_for_patient(patient=patient)[:3]
    return render(
        request,
        "diagnosis/check.html",
        {"form": form, "options": finding_options(predictor.kb), "patient": patient, "recent": recent},
        status=400 if request.method == "POST" else 200,
    )


def _questions(symptom_check: SymptomCheck) -> list:
    """One or two follow-up questions whose answer would change the result most (none when the
    checker is unavailable: the saved result still shows)."""
    try:
        _version, predictor = services.get_checker()
    except services.CheckerUnavailable:
        return []
    answers = symptom_check.answers or {}
    return predictor.next_questions(
        symptom_check.text,
        age=symptom_check.age,
        sex=symptom_check.sex or None,
        extra_findings=list(answers.items()),
        asked=list(answers),
        n=2,
    )


def _booking_specialties(symptom_check: SymptomCheck) -> list[tuple[str, str]]:
    seen: list[str] = []
    for condition in symptom_check.top_conditions[:3]:
        code = condition.get("specialty") or FALLBACK_SPECIALTY
        code = code if code in SPECIALTIES else FALLBACK_SPECIALTY
        if code not in seen and code != "emergency_medicine":
            seen.append(code)
    return [(code, SPECIALTIES[code]) for code in seen[:2]] or [(FALLBACK_SPECIALTY, SPECIALTIES[FALLBACK_SPECIALTY])]


@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    symptom_check = selectors.get_check_for_patient(patient=patient, pk=pk)
    conditions = [
        {**c, "likelihood": "most_likely" if i == 0 else "possible", "percent": round(100 * c["probability"])}
        for i, c in enumerate(symptom_check.top_conditions)
    ]
    return render(
        request,
        "diagnosis/result.html",
        {
            "check": symptom_check,
            "conditions": conditions,
            "questions": _questions(symptom_check),
            "specialties": _booking_specialties(symptom_check),
            "is_emergency": symptom_check.triage == SymptomCheck.Triage.EMERGENCY,
        },
    )


@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A yes/no answer to a follow-up question, or "that's wrong" on a finding: re-run, save."""
    patient = get_patient_for_portal_user(request)
    symptom_check = selectors.get_check_for_patient(patient=patient, pk=pk)
    try:
        _version, predictor = services.get_checker()
    except services.CheckerUnavailable:
        return _unavailable(request)
    form = AnswerForm(request.POST, kb=predictor.kb)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        services.symptom_check_answer(
            check=symptom_check, code=form.cleaned_data["code"], present=form.cleaned_data["present"]
        )
    except services.CheckerUnavailable:
        return _unavailable(request)
    return redirect("diagnosis:result", pk=symptom_check.pk)


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    patient = get_patient_for_portal_user(request)
    checks = selectors.checks_for_patient(patient=patient)
    return render(request, "diagnosis/history.html", {"checks": checks, "patient": patient})
