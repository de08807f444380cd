"""The patient's journey, in Chromium, with the CSP enforced and axe-core on every page."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from tests.browser.support import BrowserPage, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "carla.new@example.org"
PASSWORD = "Pumpkin-Lantern-93"
COMPLAINT = "I have had a fever, a cough and aching muscles for a few days, and a lot of tiredness"


def _register(bp: BrowserPage, axe) -> None:
    page = bp.page
    page.goto("/")
    axe.check(bp)
    bp.screenshot("landing")
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url("**/records/register/")
    axe.check(bp)
    page.get_by_label("First name").fill("Carla")
    page.get_by_label("Last name").fill("Newton")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label("Sex").select_option(index=1)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/register/sent/")
    axe.check(bp)


def _verify_link() -> str:
    messages = [m for m in mail.outbox if EMAIL in m.to]
    assert messages, "no verification e-mail was sent"
    match = re.search(r"https?://\S+/records/verify/\S+/", messages[-1].body)
    assert match, messages[-1].body
    return match.group(0)


def _add_history(doctor) -> None:
    """An earlier visit (as the clinic would have recorded it): a diagnosis, an allergy, and
    two heart-rate measurements, so the record and the vitals chart have something to show."""
    from records import services
    from records.models import Observation, Patient

    patient = Patient.objects.get(email=EMAIL)
    visit = services.encounter_record(
        patient=patient, provider=doctor, start=timezone.now() - timezone.timedelta(days=20), reason="Asthma review"
    )
    services.condition_record(patient=patient, recorded_by=doctor, icd10_code="J45.20", encounter=visit)
    services.allergy_record(patient=patient, recorded_by=doctor, substance="Penicillin", reaction="Rash")
    for days, value in ((20, "78"), (2, "71")):
        services.observation_record(
            patient=patient,
            recorded_by=doctor,
            kind=Observation.Kind.VITALS,
            code="8867-4",
            display="Heart rate",
            value_numeric=Decimal(value),
            unit="/min",
            effective_at=timezone.now() - timezone.timedelta(days=days),
        )


def test_patient_registers_books_cancels_checks_symptoms_and_reads_their_record(page, axe, gp, checker, doctor):
    bp = page
    p = bp.page
    _register(bp, axe)

    # Verify the e-mail address with the link from the outbox, then log in.
    p.goto(_verify_link())
    p.wait_for_url("**/accounts/login/**")
    assert "confirmed" in p.locator("main").inner_text()
    _add_history(doctor)
    log_in(bp, EMAIL, PASSWORD)
    axe.check(bp)

    # Book the next available slot.
    p.get_by_role("link", name="Appointments").first.click()
    p.wait_for_url("**/appointments/")
    axe.check(bp)
    p.get_by_role("link", name="Book an appointment").click()
    p.wait_for_url("**/appointments/book/**")
    first_slot = p.locator("#next-available a.slot").first
    first_slot.wait_for()
    axe.check(bp)
    bp.screenshot("booking")
    first_slot.click()
    p.wait_for_url("**/book/confirm/**")
    axe.check(bp)
    p.get_by_label("Reason").fill("Headaches") if p.get_by_label("Reason").count() else None
    p.get_by_role("button", name="Book this appointment").click()
    p.wait_for_url(re.compile(r".*/appointments/\d+/$"))
    detail_url = p.url
    axe.check(bp)

    # It is listed under my appointments; the calendar file downloads.
    p.get_by_role("link", name="All my appointments").click()
    p.wait_for_url("**/appointments/")
    assert p.locator("table a[href]").filter(has_text=re.compile(r"\d{2}:\d{2}")).count() == 1
    p.goto(detail_url)
    with p.expect_download() as download:
        p.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in ics and "BEGIN:VEVENT" in ics
    assert download.value.suggested_filename.endswith(".ics")

    # Cancel it.
    p.get_by_role("link", name="Cancel", exact=True).click()
    p.wait_for_url("**/cancel/")
    axe.check(bp)
    p.get_by_role("button", name="Cancel appointment").click()
    p.wait_for_load_state()
    assert "Cancelled" in p.locator("main").inner_text()

    # The symptom checker: a typed complaint, then triage and conditions, then book from the result.
    p.get_by_role("link", name="Symptom checker").first.click()
    p.wait_for_url("**/symptom-checker/")
    axe.check(bp)
    p.locator("textarea").first.fill(COMPLAINT)
    p.get_by_role("button", name="Check my symptoms").click()
    p.wait_for_url(re.compile(r".*/symptom-checker/\d+/$"))
    assert p.locator("#triage-banner").get_attribute("data-triage") in {"emergency", "urgent", "routine", "self_care"}
    assert p.locator("#conditions li").count() >= 1
    axe.check(bp)
    bp.screenshot("symptom-checker-result")
    p.locator('main a[href*="/appointments/book/?specialty="]').first.click()
    p.wait_for_url("**/appointments/book/**")
    p.locator("#next-available a.slot").first.click()
    p.wait_for_url("**/book/confirm/**")
    p.get_by_role("button", name="Book this appointment").click()
    p.wait_for_url(re.compile(r".*/appointments/\d+/$"))

    # My record, the vitals chart, and the download of the whole record.
    p.get_by_role("link", name="My record").first.click()
    p.wait_for_url("**/records/")
    axe.check(bp)
    bp.screenshot("my-record")
    p.locator('main a[href="/records/vitals/"]').first.click()
    p.wait_for_url("**/records/vitals/")
    assert p.locator("main svg").count() >= 1
    axe.check(bp)
    p.get_by_role("link", name="My record").first.click()
    with p.expect_download() as download:
        p.get_by_role("link", name="Download my record (FHIR JSON)").click()
    bundle = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert any(e["resource"]["resourceType"] == "Patient" for e in bundle["entry"])

    bp.assert_no_csp_violations()
    axe.assert_clean()
