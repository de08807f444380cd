"""Changelist pages read as a deferred join (clinic.admin_paginator): the same rows in the same
order as a plain slice, with their related rows, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.tests.factories import UserFactory
from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from clinic.admin_paginator import EstimatedCountPaginator
from records.models import Patient
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointments(db):
    base = timezone.now()
    # Equal start times too, so the tie-breaker of the ordering matters.
    return [AppointmentFactory(start=base + dt.timedelta(hours=i // 2)) for i in range(7)]


def test_each_page_holds_what_a_plain_slice_holds_in_the_same_order(appointments):
    ordered = Appointment.objects.select_related("patient", "provider__user").order_by("start", "id")
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
    assert shown == [a.pk for a in Appointment.objects.order_by("start", "id")]


def test_a_filtered_list_is_counted_up_to_the_cap(appointments, django_assert_num_queries):
    filtered = Appointment.objects.filter(status=Appointment.Status.BOOKED).order_by("start", "id")
    paginator = EstimatedCountPaginator(filtered, 2)
    paginator.count_cap = 5
    with django_assert_num_queries(1):
        assert paginator.count == 5
    assert paginator.capped is True
    assert list(paginator.page_range) == [1, 2, 3]
    assert [a.pk for a in paginator.page(3).object_list] == [a.pk for a in filtered[4:5]]

    exact = EstimatedCountPaginator(filtered, 2)
    exact.count_cap = 7
    assert (exact.count, exact.capped) == (7, False)
    unfiltered = EstimatedCountPaginator(Appointment.objects.order_by("pk"), 2)
    unfiltered.count_cap = 5
    assert (unfiltered.count, unfiltered.capped) == (7, False)  # no estimate on SQLite: the exact count


def test_a_page_of_a_filtered_list_reads_its_rows_by_key_alone(appointments):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filtered = Appointment.objects.filter(patient__family_name__startswith="").select_related("patient")
    with CaptureQueriesContext(connection) as queries:
        page = EstimatedCountPaginator(filtered.order_by("start", "id"), 3).page(1)
        assert [a.patient.pk for a in page.object_list]
    keys, rows = queries.captured_queries[-2:]
    assert "LIKE" in keys["sql"] and "LIKE" not in rows["sql"]


def test_the_changelist_says_more_than_the_cap(client, clinic_admin, appointments, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 5)
    monkeypatch.setattr("appointments.admin.AppointmentAdmin.list_per_page", 2)
    client.force_login(clinic_admin)
    response = client.get("/admin/appointments/appointment/", {"status": "booked"})
    body = response.content.decode()
    assert response.context["cl"].result_count_capped
    assert "more than 5 appointments" in body
    assert "more than 5 results" in body  # the search form's count of a filtered list
    assert "Select all matching appointments (more than 5)" in body
    assert "Select all 5" not in body and "All 5 selected" not in body

    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 100)
    body = client.get("/admin/appointments/appointment/", {"status": "booked"}).content.decode()
    assert "7 appointments" in body and "more than" not in body


def test_the_patient_changelist_says_more_than_the_cap(client, clinic_admin, monkeypatch):
    from records.tests.factories import PatientFactory

    for _ in range(4):
        PatientFactory(family_name="Smith")
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 3)
    monkeypatch.setattr("records.admin.patients.PatientAdmin.list_per_page", 2)
    client.force_login(clinic_admin)
    body = client.get("/admin/records/patient/", {"q": "smith"}).content.decode()
    assert "more than 3 patients" in body and "more than 3 results" in body


@pytest.mark.parametrize(
    ("url", "admin_class", "make"),
    [
        ("/admin/appointments/appointment/", "appointments.admin.AppointmentAdmin", AppointmentFactory),
        ("/admin/records/patient/", "records.admin.patients.PatientAdmin", lambda: PatientFactory(user=UserFactory())),
    ],
)
def test_the_rows_read_no_column_left_out_of_list_only(
    client, clinic_admin, django_assert_num_queries, monkeypatch, url, admin_class, make
):
    """``list_only`` names every column the rows show: a missing one would be read once per row.
    Pages of 2 and of 6 rows (of more: a single page is read without the paginator)."""
    for _ in range(8):
        make()
    client.force_login(clinic_admin)
    admin_class = import_string(admin_class)
    monkeypatch.setattr(admin_class, "list_per_page", 2)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        page = client.get(url)
    assert len(page.context["cl"].result_list) == 2
    monkeypatch.setattr(admin_class, "list_per_page", 6)
    with django_assert_num_queries(len(two)):
        page = client.get(url)
    assert len(page.context["cl"].result_list) == 6
    assert page.context["cl"].result_list[0].get_deferred_fields()  # read through list_only


def test_list_only_reads_those_columns_and_the_relations_they_name(appointments, django_assert_num_queries):
    ordered = Appointment.objects.select_related("patient", "provider__user", "location").order_by("start", "id")
    paginator = EstimatedCountPaginator(ordered, 5, only=("start", "patient__family_name", "provider__user__email"))
    assert paginator.count == 7
    with django_assert_num_queries(2):
        rows = list(paginator.page(1).object_list)
        shown = [(a.start, a.patient.family_name, a.provider.user.email) for a in rows]
    assert shown == [(a.start, a.patient.family_name, a.provider.user.email) for a in ordered[:5]]
    # Other columns are deferred, and the location (not named) is not joined.
    assert "reason" in rows[0].get_deferred_fields() and "given_name" in rows[0].patient.get_deferred_fields()
    assert "location" not in rows[0]._state.fields_cache


@pytest.mark.parametrize(
    ("params", "order"),
    [({}, ["start", "id"]), ({"o": "1"}, ["start", "pk"]), ({"o": "-1"}, ["-start", "-pk"])],
)
def test_the_appointment_list_breaks_ties_in_the_direction_it_is_sorted(client, clinic_admin, params, order):
    # Either way, the (start, id, patient) index walked forwards or backwards (no sort of every row).
    client.force_login(clinic_admin)
    response = client.get("/admin/appointments/appointment/", params)
    assert list(response.context["cl"].queryset.query.order_by) == order


def _loaded(obj, parent=None) -> dict:
    """An instance's loaded column values, its state and, recursively, its cached relations
    (the way back to the instance it hangs from marked as such)."""
    return {
        "class": type(obj),
        "values": {k: v for k, v in obj.__dict__.items() if k != "_state"},
        "db": obj._state.db,
        "adding": obj._state.adding,
        "related": {
            name: "parent" if value is parent and value is not None else None if value is None else _loaded(value, obj)
            for name, value in obj._state.fields_cache.items()
        },
    }


def test_rows_read_as_tuples_are_the_instances_in_bulk_gives(appointments):
    """The page's rows built without Model.__init__ (_RowReader) against QuerySet.only(...)
    .select_related(...).in_bulk(): the same loaded fields and related objects, a null location
    cached as None, unloaded fields deferred and read on access."""
    from appointments.admin import AppointmentAdmin
    from clinic.admin_paginator import _by_key, _RowReader

    appointments[0].location = None
    appointments[0].save(update_fields=["location"])
    only = AppointmentAdmin.list_only
    reader = _RowReader.for_columns(Appointment, only)
    assert reader is not None
    ids = [a.pk for a in appointments]
    built = reader.read(Appointment._base_manager.all(), ids)
    expected = _by_key(Appointment.objects.select_related("patient", "provider__user"), only).in_bulk(ids)
    assert sorted(built) == sorted(expected) == sorted(ids)
    for pk in ids:
        assert _loaded(built[pk]) == _loaded(expected[pk])
        assert built[pk].get_deferred_fields() == expected[pk].get_deferred_fields()
        assert built[pk].provider.user.provider is built[pk].provider  # the one-to-one's way back
    assert built[appointments[0].pk].location is None
    assert built[ids[1]].reason == Appointment.objects.get(pk=ids[1]).reason  # deferred: read on access
    assert str(built[ids[1]]) == str(Appointment.objects.get(pk=ids[1]))


def test_rows_with_a_post_init_receiver_or_other_relations_are_read_through_in_bulk():
    from django.db.models.signals import post_init

    from clinic.admin_paginator import _RowReader

    assert _RowReader._plan(Appointment, ("start", "patient__appointments__start")) is None  # a reverse relation
    assert _RowReader._plan(Appointment, ("start", "no_such_column")) is None

    def receiver(**kwargs):
        pass

    only = ("start", "patient__family_name")
    assert _RowReader.for_columns(Appointment, only) is not None
    for sender in (Appointment, Patient):  # the row's model or a related one, after the plan was made
        post_init.connect(receiver, sender=sender)
        try:
            assert _RowReader.for_columns(Appointment, only) is None
        finally:
            post_init.disconnect(receiver, sender=sender)
    assert _RowReader.for_columns(Appointment, only) is not None
