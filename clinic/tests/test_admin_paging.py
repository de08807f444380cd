"""Changelist pages read as a deferred join (clinic.admin_paginator): the same rows in the same
order as a plain slice, with their related rows, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from clinic.admin_paginator import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointments(db):
    base = timezone.now()
    # Equal start times too, so the tie-breaker of the ordering matters.
    return [AppointmentFactory(start=base + dt.timedelta(hours=i // 2)) for i in range(7)]


def test_each_page_holds_what_a_plain_slice_holds_in_the_same_order(appointments):
    ordered = Appointment.objects.select_related("patient", "provider__user").order_by("start", "-pk")
    paginator = EstimatedCountPaginator(ordered, 3)
    pages = [list(paginator.page(n).object_list) for n in paginator.page_range]
    assert [[a.pk for a in page] for page in pages] == [[a.pk for a in ordered[i : i + 3]] for i in range(0, 7, 3)]


def test_a_page_reads_its_related_rows_in_two_queries(appointments, django_assert_num_queries):
    ordered = Appointment.objects.select_related("patient", "provider__user").order_by("-start")
    paginator = EstimatedCountPaginator(ordered, 5)
    assert paginator.count == 7
    with django_assert_num_queries(2):  # the page's keys, then its rows with their joins
        page = paginator.page(1)
        names = [(a.patient.full_name, a.provider.user.email) for a in page.object_list]
    assert len(names) == 5


def test_orphans_join_the_last_page(appointments):
    paginator = EstimatedCountPaginator(Appointment.objects.order_by("pk"), 3, orphans=1)
    assert [len(paginator.page(n).object_list) for n in paginator.page_range] == [3, 4]


def test_a_search_in_the_admin_is_paged_the_same_way(client, clinic_admin, appointments):
    client.force_login(clinic_admin)
    response = client.get("/admin/appointments/appointment/", {"o": "1"})
    shown = [a.pk for a in response.context["cl"].result_list]
    assert shown == [a.pk for a in Appointment.objects.order_by("start", "-pk")]
