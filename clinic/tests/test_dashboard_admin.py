"""The admin around the dashboard: CSV export (content, formula escaping, clinic admins only),
the estimated-count paginator, the shared period filter, per-role admin permissions, the
dashboard's check-in/approve buttons, and a query count that does not follow the data."""

from __future__ import annotations

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from appointments.models import Appointment
from clinic import admin_paginator
from clinic.admin_export import safe_cell
from clinic.tests.dashboard_fixtures import grow_clinic
from records.models import Patient
from records.tests.factories import PatientFactory

# The clinic time zone, frozen clock and fixture clinic come from clinic/tests/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("london")]




def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- CSV export -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_quoted(value):
    assert safe_cell(value) == "'" + value


def test_plain_cells_are_kept():
    assert safe_cell("Alice") == "Alice" and safe_cell("") == "" and safe_cell("1-2") == "1-2"


def test_a_clinic_admin_exports_the_filtered_patient_changelist(client, clinic, clinic_admin):
    PatientFactory(given_name="=cmd|' /C calc'!A0", family_name="Evil")
    client.force_login(clinic_admin)
    rows = read_csv(client.get(reverse("admin:records_patient_csv_export"), {"login": "no"}))
    assert rows[0][:3] == ["MRN", "family name", "given name"]
    names = {row[2] for row in rows[1:]}
    assert names == {"Carol", "Dave", "'=cmd|' /C calc'!A0"}  # the filter applies; the formula is quoted
    carol = next(row for row in rows if row[2] == "Carol")
    assert carol[0] == clinic.carol.mrn and "no" in carol  # has_login column
    # Every exported patient row is audited as a read.
    assert LogEntry.objects.filter(additional_data__what="export:csv").count() == 3


def test_the_export_action_exports_the_selected_appointments(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "export_csv", "_selected_action": [clinic.no_show.pk, clinic.requested.pk]},
    )
    rows = read_csv(response)
    assert rows[0][:3] == ["start", "patient", "provider"]
    assert sorted(row[5] for row in rows[1:]) == ["No-show", "Requested"]
    assert rows[1][0].startswith("Tue 03 Mar 2026 15:00")


def test_symptom_checks_export_without_the_patients_own_words(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    rows = read_csv(client.get(reverse("admin:diagnosis_symptomcheck_csv_export")))
    assert "Migraine (G43.9)" in {row[5] for row in rows[1:]}
    assert len(rows) == 1 + 3
    assert all("what the patient wrote" not in cell for cell in rows[0])


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist"])
@pytest.mark.parametrize(
    "url",
    [
        "admin:records_patient_csv_export",
        "admin:appointments_appointment_csv_export",
        "admin:diagnosis_symptomcheck_csv_export",
    ],
)
def test_only_clinic_admins_may_export(client, request, clinic, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(url)).status_code == 403


def test_non_admins_have_no_export_action_or_link(client, clinic, receptionist):
    client.force_login(receptionist)
    page = client.get(reverse("admin:appointments_appointment_changelist")).content.decode()
    assert "export_csv" not in page and "Export all to CSV" not in page
    response = client.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "export_csv", "_selected_action": [clinic.no_show.pk]},
    )
    assert not response.get("Content-Type", "").startswith("text/csv")


def test_clinic_admins_see_the_export_link_with_the_current_filters(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(reverse("admin:appointments_appointment_changelist"), {"status": "booked"}).content.decode()
    assert reverse("admin:appointments_appointment_csv_export") + "?status=booked" in page


# --- Paginator and filters ------------------------------------------------------------------


def test_the_paginator_uses_the_estimate_only_for_a_large_unfiltered_table(clinic, monkeypatch):
    monkeypatch.setattr(admin_paginator, "table_row_estimate", lambda queryset: 5_000_000)
    assert admin_paginator.EstimatedCountPaginator(Patient.objects.all(), 100).count == 5_000_000
    assert admin_paginator.EstimatedCountPaginator(Patient.objects.filter(user__isnull=True), 100).count == 2
    monkeypatch.setattr(admin_paginator, "table_row_estimate", lambda queryset: 50)
    assert admin_paginator.EstimatedCountPaginator(Patient.objects.all(), 100).count == 4


def test_only_mysql_is_asked_for_an_estimate(clinic):
    estimate = admin_paginator.table_row_estimate(Patient.objects.all())
    if connection.vendor == "mysql":
        assert isinstance(estimate, int)
    else:
        assert estimate is None
    assert admin_paginator.EstimatedCountPaginator(Patient.objects.all(), 100).count == 4


def test_the_registered_today_filter(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(reverse("admin:records_patient_changelist"), {"created_at_period": "today"}).content.decode()
    assert "Carol" in page and "Dunn" not in page  # Dave registered 60 days ago
    week = client.get(reverse("admin:diagnosis_symptomcheck_changelist"), {"created_at_period": "week"})
    assert week.status_code == 200
    assert len(week.context["cl"].result_list) == 2  # Monday 2 and Tuesday 3 March


# --- Permissions per role -------------------------------------------------------------------

CLINICAL_CHANGELISTS = ("encounter", "condition", "clinicalnote", "observation", "medication", "document")


def test_a_receptionist_sees_no_clinical_notes_or_results(client, clinic, receptionist):
    client.force_login(receptionist)
    for model in CLINICAL_CHANGELISTS:
        assert client.get(reverse(f"admin:records_{model}_changelist")).status_code == 403, model
    assert client.get(reverse("admin:diagnosis_symptomcheck_changelist")).status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/records/clinicalnote/" not in index and "/admin/records/observation/" not in index


def test_a_nurse_reads_but_cannot_change_prescriptions(client, clinic, nurse):
    from records.tests.factories import MedicationFactory

    medication = MedicationFactory(patient=clinic.dave, prescriber=clinic.julius.user)
    assert nurse.has_perm("records.view_medication")
    assert not nurse.has_perm("records.change_medication") and not nurse.has_perm("records.add_medication")
    client.force_login(nurse)
    assert client.get(reverse("admin:records_medication_add")).status_code == 403
    response = client.post(reverse("admin:records_medication_change", args=[medication.pk]), {"dose": "1 g"})
    assert response.status_code in (403, 404)
    medication.refresh_from_db()
    assert medication.dose == "500 mg"


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist"])
def test_only_clinic_admins_manage_staff_and_roles(client, request, clinic, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert not user.has_perm("accounts.change_user") and not user.has_perm("auth.change_group")


def test_a_clinic_admin_manages_staff_and_roles(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200


# --- Dashboard buttons ----------------------------------------------------------------------


def test_the_front_desk_checks_a_patient_in_from_the_dashboard(client, clinic, receptionist):
    client.force_login(receptionist)
    url = reverse("admin:dashboard_check_in", args=[clinic.next_booked.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    clinic.next_booked.refresh_from_db()
    assert clinic.next_booked.status == Appointment.Status.CHECKED_IN
    assert "Bob Baker is checked in." in response.content.decode()
    # A second check-in is refused by the service, shown as an error, not a 500.
    again = client.post(url, follow=True)
    assert "cannot become checked in" in again.content.decode()


def test_the_front_desk_approves_a_request_from_the_dashboard(client, clinic, receptionist):
    client.force_login(receptionist)
    client.post(reverse("admin:dashboard_approve", args=[clinic.requested.pk]))
    clinic.requested.refresh_from_db()
    assert clinic.requested.status == Appointment.Status.BOOKED


def test_a_user_without_the_appointment_permission_cannot_use_the_buttons(client, clinic, receptionist):
    Group.objects.get(name="Receptionist").permissions.filter(codename="change_appointment").delete()
    client.force_login(receptionist)
    response = client.post(reverse("admin:dashboard_check_in", args=[clinic.next_booked.pk]))
    assert response.status_code == 403


# --- Query counts ---------------------------------------------------------------------------
# Every dashboard makes 3 queries (session, user with the permission stamp, OTP device; the
# user's permissions and group names = roles are read in one query the first time and then kept
# between requests until they change: accounts.backends) and one bounded query per panel:
# - doctor (3): today's own schedule (next patient and the waiting list come from it), symptom
#   checks of today's patients, encounters without a confirmed diagnosis;
# - nurse (2): checked-in patients without vitals since check-in, today's schedule by location;
# - receptionist (4): arrivals, requests, waitlist offers, no-shows;
# - clinic admin (13): appointments per (day, status), patients (total, with login, new: 3),
#   checks per triage, checker agreement, booked minutes per provider, availability rules, time
#   off, providers, top conditions, break-the-glass openings and lockouts (each list carries its
#   total in a window count: one query each).
# Then one INSERT: the audit row naming the patients the panels show (records.audit.audit_lookup;
# the clinic admin's panel names the patients of the break-the-glass openings by MRN).
QUERIES = {"doctor": 3 + 3 + 1, "nurse": 3 + 2 + 1, "receptionist": 3 + 4 + 1, "clinic_admin": 3 + 13 + 1}


@pytest.mark.parametrize("persona", sorted(QUERIES))
def test_the_query_count_does_not_grow_with_the_data(
    client, request, clinic, nurse, persona, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    client.get("/admin/")  # reads the user's permissions once
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get("/admin/").status_code == 200
    grow_clinic(clinic, nurse=nurse, extra=15)
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get("/admin/").status_code == 200
