"""The clinic admin's KPIs are counted at most every DASHBOARD_CACHE_SECONDS per date range;
the lists that need a human's review are read on every view."""

from __future__ import annotations

import datetime as dt

import pytest

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from clinic.tests.dashboard_fixtures import at
from clinic.tests.test_dashboard_kpis import kpi
from records.tests.factories import EmergencyAccessFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("london")]


def test_counts_are_kept_for_the_cache_time_then_recounted(client, clinic, clinic_admin, cached, frozen):
    client.force_login(clinic_admin)
    html = client.get("/admin/").content.decode()
    assert kpi(html, "booked") == "6"
    assert 'id="kpi-as-of">Figures counted at 10:00.' in html

    AppointmentFactory(provider=clinic.grace, start=at(2, 14), status=Appointment.Status.BOOKED)
    frozen.shift(dt.timedelta(seconds=59))
    assert kpi(client.get("/admin/").content.decode(), "booked") == "6"  # within the minute: as counted

    frozen.shift(dt.timedelta(seconds=2))
    html = client.get("/admin/").content.decode()
    assert kpi(html, "booked") == "7"
    assert "Figures counted at 10:01." in html


def test_each_range_is_counted_on_its_own(client, clinic, clinic_admin, cached):
    client.force_login(clinic_admin)
    client.get("/admin/")
    narrow = client.get("/admin/", {"start": "2026-03-04", "end": "2026-03-04"}).content.decode()
    assert kpi(narrow, "booked") != "6"
    assert kpi(client.get("/admin/").content.decode(), "booked") == "6"


def test_the_review_list_is_never_stale(client, clinic, clinic_admin, cached, doctor):
    client.force_login(clinic_admin)
    before = kpi(client.get("/admin/").content.decode(), "review")
    EmergencyAccessFactory(staff=doctor, reason="Unconscious patient brought in by ambulance")
    assert int(kpi(client.get("/admin/").content.decode(), "review")) == int(before) + 1


def test_a_cached_view_costs_fewer_queries(client, clinic, clinic_admin, cached, django_assert_num_queries):
    client.force_login(clinic_admin)
    client.get("/admin/")
    # 17 uncached (test_dashboard_admin); cached: the 3 of every dashboard, the two review lists
    # and the audit row of the patients they name. The figures, charts and providers' names come
    # rendered from the cache.
    with django_assert_num_queries(3 + 2 + 1):
        client.get("/admin/")
