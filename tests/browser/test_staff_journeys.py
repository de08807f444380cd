"""Staff journeys in Chromium: each role logs in with a TOTP code and works from the dashboard.
The CSP stays enforced (no violations allowed) and axe-core checks every page visited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import otp_device_for
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gp(gp_around_the_clock):
    """Staff book a walk-in for "now": the GP works around the clock here."""
    return gp_around_the_clock


XSS = '<script>window.__xss = 1</script><img src="x" id="xss-img" onerror="window.__xss = 2">'


def _now_slot() -> dt.datetime:
    """Now, rounded down to five minutes: still today, so on every dashboard's "today"."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now - dt.timedelta(minutes=now.minute % 5)


def _later_today(minutes: int = 30) -> dt.datetime:
    """``minutes`` after now if that is still today (clinic time), else ``minutes`` before."""
    now, later = _now_slot(), _now_slot() + dt.timedelta(minutes=minutes)
    same_day = timezone.localdate(later) == timezone.localdate(now)
    return later if same_day else now - dt.timedelta(minutes=minutes)


def _appointment(patient, gp, status, start=None):
    from appointments.models import Appointment, AppointmentType
    from appointments.tests.factories import AppointmentFactory
    from records.services import care_relationship_ensure

    care_relationship_ensure(patient=patient, staff=gp.user, source="appointment")  # as booking does
    start = start or _now_slot()
    fields = {"checked_in_at": timezone.now()} if status == Appointment.Status.CHECKED_IN else {}
    return AppointmentFactory(
        patient=patient,
        provider=gp,
        appointment_type=AppointmentType.objects.get(),
        start=start,
        location=gp.default_location,
        status=status,
        reason="Cough and fever",
        **fields,
    )


def test_receptionist_checks_in_an_arrival_and_books_a_walk_in(page, axe, gp, patient, receptionist, password):
    from appointments.models import Appointment
    from records.models import Patient

    booked = _appointment(patient, gp, Appointment.Status.BOOKED, start=_later_today())
    bp, p = page, page.page
    log_in(bp, receptionist.email, password, otp_device=otp_device_for(receptionist))
    p.wait_for_url("**/admin/")
    axe.check(bp)
    bp.screenshot("dashboard-receptionist")

    arrivals = p.locator("#panel-reception-arrivals")
    arrivals.get_by_role("button", name=re.compile(r"Check in\s+Alice Archer")).click()
    p.wait_for_url("**/admin/")
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CHECKED_IN
    assert "Everyone booked today has arrived" in p.locator("#panel-reception-arrivals").inner_text()

    # A walk-in: register the patient (no portal login), then book them with the GP now.
    p.goto("/admin/records/patient/add/")
    axe.check(bp)
    p.locator("#id_given_name").fill("Walter")
    p.locator("#id_family_name").fill("Walkin")
    p.locator("#id_date_of_birth").fill("1970-01-31")
    p.locator("#id_sex").select_option(index=1)
    p.locator("#id_phone").fill("+44 20 7946 0999")
    p.get_by_role("button", name="Save", exact=True).click()
    p.wait_for_load_state()
    walk_in = Patient.objects.get(family_name="Walkin")
    assert walk_in.user_id is None

    p.goto(f"/admin/appointments/appointment/add/?patient={walk_in.pk}")
    axe.check(bp)
    p.locator("#id_provider").select_option(str(gp.pk))
    p.locator("#id_appointment_type").select_option(index=1)
    p.locator("#id_reason").fill("Walk-in: sprained ankle")
    p.get_by_role("button", name="Save", exact=True).click()
    p.wait_for_load_state()
    assert not p.locator(".errornote, .errorlist").count(), p.locator("#content").inner_text()[:800]
    assert Appointment.objects.filter(patient=walk_in, provider=gp).exists()
    axe.check(bp)

    bp.assert_no_csp_violations()
    axe.assert_clean()


def test_doctor_sees_the_next_patient_records_a_visit_and_reads_their_symptom_check(
    page, axe, gp, patient, doctor, password, checker
):
    from appointments.models import Appointment
    from diagnosis import services as diagnosis_services
    from records.models import ClinicalNote, Condition, Observation

    _appointment(patient, gp, Appointment.Status.CHECKED_IN)
    diagnosis_services.symptom_check_run(
        patient=patient, created_by=patient.user, text="a fever, a cough and aching muscles for a few days"
    )
    bp, p = page, page.page
    log_in(bp, doctor.email, password, otp_device=otp_device_for(doctor))
    p.wait_for_url("**/admin/")
    assert "Alice Archer" in p.locator("#panel-next-patient").inner_text()
    axe.check(bp)
    bp.screenshot("dashboard-doctor")

    # Open the next patient from the dashboard.
    p.locator("#panel-next-patient a").first.click()
    p.wait_for_url(re.compile(r".*/admin/records/patient/\d+/change/$"))
    assert "Archer" in p.locator("#content").inner_text()
    axe.check(bp)

    # Record the visit: a confirmed diagnosis, a heart rate, and a note (an XSS payload).
    p.goto(f"/admin/records/encounter/add/?patient={patient.pk}")
    now = timezone.localtime()
    p.locator("#id_start_0").fill(now.strftime("%Y-%m-%d"))
    p.locator("#id_start_1").fill(now.strftime("%H:%M"))
    p.locator("#id_reason").fill("Fever and cough")
    p.locator('[name="conditions-0-icd10_code"]').fill("J11.1")
    p.locator('[name="conditions-0-verification"]').select_option("confirmed")
    p.locator("#observations-group .add-row a").click()
    p.locator('[name="observations-0-kind"]').select_option("vitals")
    p.locator('[name="observations-0-code"]').fill("8867-4")
    p.locator('[name="observations-0-display"]').fill("Heart rate")
    p.locator('[name="observations-0-value_numeric"]').fill("88")
    p.locator('[name="observations-0-unit"]').fill("/min")
    p.locator('[name="observations-0-effective_at_0"]').fill(now.strftime("%Y-%m-%d"))
    p.locator('[name="observations-0-effective_at_1"]').fill(now.strftime("%H:%M"))
    p.locator("#notes-group .add-row a").click()
    p.locator('[name="notes-0-text"]').fill(f"Likely flu. {XSS}")
    axe.check(bp)  # the add form (a fresh visit: the inline rows added above are not part of it)
    with p.expect_navigation():
        p.get_by_role("button", name="Save and continue editing").click()
    assert not p.locator(".errornote").count(), p.locator("#content").inner_text()[:1500]
    assert re.match(r".*/admin/records/encounter/\d+/change/", p.url), p.url
    assert Condition.objects.filter(patient=patient, icd10_code="J11.1", verification="confirmed").exists()
    assert Observation.objects.filter(patient=patient, code="8867-4", value_numeric=88).exists()
    assert ClinicalNote.objects.filter(patient=patient, text__contains="<script>").exists()

    # The note shows as text: no script ran, no image was made, and the CSP had nothing to block.
    assert "<script>window.__xss = 1</script>" in p.locator("#notes-group").inner_text()
    assert p.evaluate("() => window.__xss") is None
    assert p.locator("#xss-img").count() == 0
    axe.check(bp)

    # The patient's symptom check, from the dashboard.
    p.goto("/admin/")
    p.locator("#panel-doctor-symptom-checks a").first.click()
    p.wait_for_url(re.compile(r".*/admin/diagnosis/symptomcheck/\d+/change/$"))
    assert "Archer" in p.locator("#content").inner_text() or "Alice" in p.locator("#content").inner_text()
    axe.check(bp)

    bp.assert_no_csp_violations()
    axe.assert_clean()


def test_nurse_dashboard(page, axe, gp, patient, nurse, password):
    from appointments.models import Appointment

    _appointment(patient, gp, Appointment.Status.CHECKED_IN)
    bp, p = page, page.page
    log_in(bp, nurse.email, password, otp_device=otp_device_for(nurse))
    p.wait_for_url("**/admin/")
    assert "Alice Archer" in p.locator("#content-main").inner_text()
    axe.check(bp)
    bp.screenshot("dashboard-nurse")
    bp.assert_no_csp_violations()
    axe.assert_clean()


def _recent_weeks(patient, gp) -> None:
    """Two weeks of finished, cancelled and missed visits, so the KPIs and charts have data."""
    from appointments.models import Appointment

    statuses = [Appointment.Status.COMPLETED] * 3 + [Appointment.Status.NO_SHOW, Appointment.Status.CANCELLED]
    for day in range(1, 13):
        start = _now_slot().replace(hour=9 + day % 8, minute=0) - dt.timedelta(days=day)
        _appointment(patient, gp, statuses[day % len(statuses)], start=start)


def test_clinic_admin_sees_kpis_and_charts_and_exports_a_changelist(
    page, axe, gp, patient, clinic_admin, password, checker
):
    from appointments.models import Appointment
    from diagnosis import services as diagnosis_services

    _appointment(patient, gp, Appointment.Status.BOOKED)
    _recent_weeks(patient, gp)
    for text in ("a fever, a cough and aching muscles", "a runny nose and sneezing", "pain when peeing, peeing often"):
        diagnosis_services.symptom_check_run(patient=patient, created_by=patient.user, text=text)
    bp, p = page, page.page
    log_in(bp, clinic_admin.email, password, otp_device=otp_device_for(clinic_admin))
    p.wait_for_url("**/admin/")
    assert int(p.locator("#kpi-booked dd").inner_text().split()[0]) >= 10
    assert p.locator("#kpi-no-show-rate dd").inner_text().strip()[0].isdigit()
    assert p.locator("#kpi-symptom-checks dd").inner_text().strip() == "3"
    charts = p.locator("#panel-kpis svg")
    assert charts.count() >= 1
    assert all(box["width"] > 0 for box in (charts.nth(i).bounding_box() for i in range(charts.count())))
    axe.check(bp)
    bp.screenshot("dashboard-clinic-admin")

    p.goto("/admin/records/patient/")
    axe.check(bp)
    with p.expect_download() as download:
        p.get_by_role("link", name="Export all to CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert download.value.suggested_filename.endswith(".csv")
    assert len(rows) == 2 and "Archer" in rows[1]

    bp.assert_no_csp_violations()
    axe.assert_clean()
