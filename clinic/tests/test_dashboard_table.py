"""The dashboards' appointment tables ({% appointment_table %}, clinic.templatetags.clinic_admin)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory, LocationFactory
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def render(source: str, **context) -> str:
    request = RequestFactory().get("/admin/")
    template = Template("{% load clinic_admin %}" + source)
    with timezone.override(LONDON):
        return template.render(Context({"request": request, "csrf_token": "tok<en>", **context}))


@pytest.fixture
def booked():
    patient = PatientFactory(given_name="Ann <b>", family_name="O'Hara & Co")
    appointment = AppointmentFactory(
        patient=patient,
        start=dt.datetime(2026, 3, 4, 9, 30, tzinfo=LONDON),
        location=LocationFactory(name="Room <1>"),
    )
    appointment.status_label = "Booked"  # what clinic.dashboard.panels._labelled sets
    return appointment


def test_a_row_shows_every_column_escaped_with_one_form_per_row(booked):
    html = render(
        "{% appointment_table rows caption=cap empty='' show_provider=True show_location=True "
        "show_day=True link_patient=True actions='check_in' %}",
        rows=[booked],
        cap="Today <now>",
    )
    patient_url = reverse("admin:records_patient_change", args=[booked.patient_id])
    action_url = reverse("admin:dashboard_check_in", args=[booked.pk])
    expected = f"""
    <table class="dash-table"><caption>Today &lt;now&gt;</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Patient</th><th scope="col">Provider</th>
        <th scope="col">Location</th><th scope="col">Type</th><th scope="col">Status</th>
        <th scope="col"><span class="dash-visually-hidden">Action</span></th></tr></thead>
      <tbody><tr class="dash-status-booked">
        <td>Wed 4 Mar 09:30</td>
        <td><a href="{patient_url}">Ann &lt;b&gt; O&#x27;Hara &amp; Co</a></td>
        <td>{booked.provider.display_name}</td>
        <td>Room &lt;1&gt;</td>
        <td>{booked.appointment_type.name}</td>
        <td>Booked</td>
        <td><form method="post" action="{action_url}">
          <input type="hidden" name="csrfmiddlewaretoken" value="tok&lt;en&gt;">
          <button type="submit" class="button">Check in<span class="dash-visually-hidden">
            Ann &lt;b&gt; O&#x27;Hara &amp; Co</span></button>
        </form></td>
      </tr></tbody>
    </table>"""
    assert parse_html(html) == parse_html(expected)


def test_columns_and_buttons_follow_the_flags(booked):
    html = render("{% appointment_table rows caption='Queue' actions='approve' %}", rows=[booked])
    assert reverse("admin:dashboard_approve", args=[booked.pk]) in html
    assert ">Approve<" in html
    assert "Provider" not in html and "Location" not in html and "Room" not in html
    assert "<td>09:30</td>" in html  # no day without show_day
    assert "<a href" not in html  # the patient is not linked without link_patient


def test_no_action_means_no_form_and_no_token(booked):
    html = render("{% appointment_table rows caption='Queue' actions='' %}", rows=[booked])
    assert "<form" not in html and "csrfmiddlewaretoken" not in html and "Action" not in html


def test_the_time_is_the_clinics_local_time(booked):
    booked.start = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)  # 09:00 in London in summer
    assert "<td>09:00</td>" in render("{% appointment_table rows caption='x' %}", rows=[booked])


def test_an_empty_table_says_so(db):
    assert "Nobody &lt;here&gt;" in render("{% appointment_table rows 'x' empty %}", rows=[], empty="Nobody <here>")
    assert "Nothing here." in render("{% appointment_table rows 'x' %}", rows=Appointment.objects.none())
