"""The appointment search's own SQL (appointments.admin.AppointmentSearchPaginator, MariaDB only)
gives the same count and pages as the ORM, in the list's order (start, then the key),
which the (start, id, patient) index holds. The count cap and page size are made small so a
few dozen rows reach every path: capped and not, the index walk, and the walk stopped by its
budget."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts import roles
from accounts.tests.factories import StaffFactory
from appointments.admin import AppointmentAdmin, AppointmentSearchPaginator
from appointments.models import Appointment
from appointments.tests.factories import AppointmentTypeFactory, ProviderFactory
from clinic.admin_paginator import EstimatedCountPaginator
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

CAP = 9
PER_PAGE = 4
URL = "/admin/appointments/appointment/"

# (given name, family name, MRN): every way a word can match, and near misses.
PEOPLE = [
    ("Ann", "Smith", "MRN-A001"),
    ("Bob", "Smith", "MRN-A002"),
    ("Smith", "Jones", "MRN-A003"),  # by the given name only
    ("Smithy", "Smithers", "MRN-A004"),  # by both names: counted once
    ("Zed", "Zulu", "SMITH"),  # by the MRN only
    ("Ann", "Jones", "MRN-A005"),
    ("Cy", "Le_Roy", "MRN-A006"),
    ("Di", "Lexroy", "MRN-A007"),  # "le_" as a pattern would match it
    ("Pct%Al", "Hill", "MRN-A008"),
    ("Pctxal", "Hill", "MRN-A009"),  # "pct%" as a pattern would match it
    ("Back\\Slash", "Hall", "MRN-A010"),
    ("Eve", "Smithson", "MRN-A011"),
]
TERMS = [
    "smith",  # common: more matches than the cap
    "SMITH",
    "ann smith",  # every word must match
    "smith ann",
    "ann",
    "mrn-a004",  # a whole MRN, any case
    "mrn-a0",  # not a whole MRN, no name: nothing
    "le_",
    "pct%",
    "back\\",
    "zzz",
    "smith smith",
]
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def appointments(db):
    """Each person's appointments at a few shared start times, so starts tie across patients
    (a second one at the same start is cancelled: one live visit per patient and start)."""
    kind = AppointmentTypeFactory()
    rows = []
    for index, (given, family, mrn) in enumerate(PEOPLE):
        patient = PatientFactory(given_name=given, family_name=family, mrn=mrn)
        provider = ProviderFactory()  # a provider each: a start may repeat across patients
        for slot in range(index % 3, 12, 2):
            start = START + dt.timedelta(hours=slot % 5)  # five distinct starts: ties
            live = not any(row.patient == patient and row.start == start for row in rows)
            rows.append(
                Appointment(
                    patient=patient,
                    provider=provider,
                    appointment_type=kind,
                    start=start,
                    end=start + dt.timedelta(minutes=15),
                    busy_until=start + dt.timedelta(minutes=15),
                    status=Appointment.Status.BOOKED if live else Appointment.Status.CANCELLED,
                )
            )
    random.Random(1).shuffle(rows)  # keys in no order of patient or start
    Appointment.objects.bulk_create(rows)
    return list(Appointment.objects.select_related("patient"))


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", CAP)
    monkeypatch.setattr(admin.site._registry[Appointment], "list_per_page", PER_PAGE)


@pytest.fixture
def staff(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


def _matches(appointment: Appointment, term: str) -> bool:
    patient = appointment.patient
    return all(
        patient.family_name.lower().startswith(word.lower())
        or patient.given_name.lower().startswith(word.lower())
        or patient.mrn.lower() == word.lower()
        for word in term.split()
    )


def _expected(appointments, term: str) -> list[int]:
    """The matches' keys in the list's order, worked out in Python."""
    found = [a for a in appointments if _matches(a, term)]
    return [a.pk for a in sorted(found, key=lambda a: (a.start, a.pk))]


def _is_mariadb() -> bool:
    return connection.vendor == "mysql" and connection.mysql_is_mariadb


def _changelist(user, **params):
    request = RequestFactory().get(URL, params)
    request.user = user
    return admin.site._registry[Appointment].get_changelist_instance(request)


def test_the_list_is_in_start_order_then_key_order(clinic_admin, appointments):
    assert len({a.start for a in appointments}) < len(appointments)  # starts tie
    changelist = _changelist(clinic_admin)
    assert tuple(dict.fromkeys(changelist.queryset.query.order_by)) == AppointmentSearchPaginator.order
    listed = [a.pk for a in changelist.result_list]
    assert listed and listed == _expected(appointments, "")[: len(listed)]


@pytest.mark.parametrize("term", TERMS)
def test_each_page_of_a_search_lists_the_matches_in_order(staff, small_pages, appointments, term):
    expected = _expected(appointments, term)
    shown = min(len(expected), CAP)
    last = max(1, -(-shown // PER_PAGE))
    for page in sorted({1, 2, last}):
        if page > last:
            continue
        response = staff.get(URL, {"q": term, "p": page})
        assert response.status_code == 200
        changelist = response.context["cl"]
        assert changelist.result_count == shown
        assert changelist.result_count_capped == (len(expected) > CAP)
        bottom = (page - 1) * PER_PAGE
        assert [a.pk for a in changelist.result_list] == expected[bottom : min(bottom + PER_PAGE, shown)]
        # MariaDB answers the search with its own SQL; SQLite keeps the ORM.
        paginator = type(changelist.paginator)
        assert paginator is (AppointmentSearchPaginator if _is_mariadb() else EstimatedCountPaginator)


@pytest.mark.parametrize(
    "params", [{"q": "smith", "status": "booked"}, {"q": "smith", "o": "-1"}, {"q": "smith", "when": "past"}, {}]
)
def test_a_filter_another_order_or_no_search_keeps_the_inherited_paginator(clinic_admin, appointments, params):
    assert type(_changelist(clinic_admin, **params).paginator) is EstimatedCountPaginator


def test_an_admin_that_scopes_its_rows_keeps_the_inherited_paginator(clinic_admin, appointments):
    class ScopedAdmin(AppointmentAdmin):
        def get_queryset(self, request):
            return super().get_queryset(request).filter(status=Appointment.Status.BOOKED)

    request = RequestFactory().get(URL, {"q": "smith"})
    request.user = clinic_admin
    changelist = ScopedAdmin(Appointment, admin.site).get_changelist_instance(request)
    assert type(changelist.paginator) is EstimatedCountPaginator
    assert all(a.status == Appointment.Status.BOOKED for a in changelist.result_list)


# --- MariaDB: the SQL against the inherited methods ---------------------------------------------


def _pair(term: str, **settings):
    """The admin's queryset for ``term`` with the SQL paginator and with the inherited one."""
    queryset = _changelist(StaffFactory(roles=[roles.CLINIC_ADMIN]), q=term).queryset
    fast = AppointmentSearchPaginator(queryset, PER_PAGE, words=term.split())
    orm = EstimatedCountPaginator(queryset, PER_PAGE)
    for paginator in (fast, orm):
        for name, value in {"count_cap": CAP, **settings}.items():
            setattr(paginator, name, value)
    return fast, orm


@pytest.mark.mysql
@pytest.mark.parametrize("term", TERMS)
def test_the_sql_counts_and_pages_as_the_orm_does(appointments, term):
    fast, orm = _pair(term)
    assert (fast.count, fast.capped) == (orm.count, orm.capped)
    for bottom in sorted({0, PER_PAGE, max(0, fast.count - 1) // PER_PAGE * PER_PAGE}):
        top = min(bottom + PER_PAGE, fast.count)
        assert fast.page_keys(bottom, top) == orm.page_keys(bottom, top)


@pytest.mark.mysql
@pytest.mark.parametrize("limit", [1, 5, 17, 1000])
def test_the_sql_count_stops_at_the_limit_asked(appointments, limit):
    fast, orm = _pair("smith")
    assert fast.count_up_to(limit) == orm.count_up_to(limit) == min(limit, len(_expected(appointments, "smith")))


@pytest.mark.mysql
def test_the_page_of_a_capped_search_comes_from_the_index_walk_alone(appointments):
    fast, _orm = _pair("smith")
    assert fast.count == CAP and fast.capped
    with CaptureQueriesContext(connection) as queries:
        keys = fast.page_keys(PER_PAGE, 2 * PER_PAGE)
    assert keys == _expected(appointments, "smith")[PER_PAGE : 2 * PER_PAGE]
    assert len(queries) == 1
    assert "ROWS EXAMINED" in queries[0]["sql"]


@pytest.mark.mysql
def test_a_walk_stopped_by_its_budget_gets_the_sorted_page_instead(appointments):
    fast, _orm = _pair("smith", walk_budget=5)
    assert fast.count == CAP and fast.capped
    with CaptureQueriesContext(connection) as queries:
        keys = fast.page_keys(PER_PAGE, 2 * PER_PAGE)
    assert keys == _expected(appointments, "smith")[PER_PAGE : 2 * PER_PAGE]
    assert len(queries) == 2  # the walk, stopped; then the ORM's sort
    assert "ROWS EXAMINED" in queries[0]["sql"] and "ROWS EXAMINED" not in queries[1]["sql"]


@pytest.mark.mysql
def test_the_walk_reads_the_start_index_in_order_and_sorts_nothing(appointments):
    fast, _orm = _pair("smith")
    assert fast.count == CAP and fast.capped
    with CaptureQueriesContext(connection) as queries:
        fast.page_keys(0, PER_PAGE)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        columns = [column[0] for column in cursor.description]
        plan = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    walk = plan[0]
    assert (walk["table"], walk["key"]) == ("a", "appt_start_key_patient")
    assert "filesort" not in (walk["Extra"] or "") and "temporary" not in (walk["Extra"] or "")
    assert "join buffer" not in " ".join(row["Extra"] or "" for row in plan)
