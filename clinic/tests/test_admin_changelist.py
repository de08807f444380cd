"""clinic.admin_changelist renders the same rows as Django's admin, escaped the same way."""

from __future__ import annotations

import pytest
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.template.loader import render_to_string
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory, LocationFactory
from clinic.admin_changelist import LightChangeList
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

AWKWARD = '<b>O\'Brien & "Co"</b>'


@pytest.fixture
def staff(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


def _pages(staff, url: str, params: dict):
    response = staff.get(url, params)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert isinstance(cl, LightChangeList)
    light = cl.light_rows()
    assert light is not None and len(light) == len(cl.result_list) > 0
    django = ["".join(items_for_result(cl, obj, None)) for obj in cl.result_list]
    # The whole table (headers, sort links, rows) as Django's template writes it.
    assert cl.light_result_table == render_to_string("admin/change_list_results.html", cl.light_result_list)
    assert cl.light_result_table in response.content.decode()
    return response.content.decode(), [row[0] for row in light], django


@pytest.mark.parametrize(
    "params", [{}, {"q": "ann"}, {"q": "<b>o ann", "status": "booked", "o": "-1.3"}, {"o": "2"}, {"o": "4.-1.3"}]
)
def test_appointment_rows_are_the_ones_django_renders(staff, params):
    patient = PatientFactory(given_name="Ann", family_name=AWKWARD)
    AppointmentFactory(patient=patient, location=None, reason=AWKWARD)
    AppointmentFactory(patient=patient, reminder_sent_at=timezone.now())
    page, light, django = _pages(staff, "/admin/appointments/appointment/", params)
    assert light == django
    for row in light:
        assert row in page
    assert AWKWARD not in page and "&lt;b&gt;O&#x27;Brien &amp; &quot;Co&quot;&lt;/b&gt;" in page


@pytest.mark.parametrize("params", [{}, {"q": "<b>o"}, {"q": "<b>", "sex": "female", "login": "no"}])
def test_patient_rows_are_the_ones_django_renders(staff, params):
    PatientFactory(given_name="  ", family_name=AWKWARD, phone="")
    PatientFactory(given_name="Bo", family_name="O'Brien")
    page, light, django = _pages(staff, "/admin/records/patient/", params)
    assert light == django
    for row in light:
        assert row in page
    assert AWKWARD not in page


def test_a_changelist_with_columns_it_does_not_know_gets_djangos_rows(staff, monkeypatch):
    from records.admin.patients import PatientAdmin

    monkeypatch.setattr(PatientAdmin, "list_display", ("mrn", "__str__"))
    PatientFactory(family_name=AWKWARD)
    response = staff.get("/admin/records/patient/")
    cl = response.context["cl"]
    assert cl.light_rows() is None
    assert "&lt;b&gt;O&#x27;Brien" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/admin/appointments/appointment/", {}),
        ("/admin/appointments/appointment/", {"q": "<b>o", "status": "booked", "when": "today", "o": "-1"}),
        ("/admin/records/patient/", {"q": "a&b", "sex": "female", "login": "no"}),
    ],
)
def test_filters_are_the_ones_django_renders(staff, url, params):
    from django.contrib.admin.templatetags.admin_list import admin_list_filter
    from django.test.html import parse_html

    from clinic.templatetags.clinic_admin import light_list_filter

    patient = PatientFactory(given_name="Ann", family_name=AWKWARD)
    appointment = AppointmentFactory(patient=patient, location=LocationFactory(name=AWKWARD))
    appointment.provider.user.first_name = AWKWARD
    appointment.provider.user.save()
    if "appointment" in url:
        params = {**params, "provider__id__exact": appointment.provider_id}
    response = staff.get(url, params)
    cl = response.context["cl"]
    page = parse_html(response.content.decode())
    assert len(cl.filter_specs) >= 3
    for spec in cl.filter_specs:
        light = light_list_filter(cl, spec)
        assert parse_html(light) == parse_html(admin_list_filter(cl, spec))
        assert page.count(parse_html(light)) == 1
    assert AWKWARD not in response.content.decode()
