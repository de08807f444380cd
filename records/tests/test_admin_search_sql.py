"""The patient search's own SQL (records.admin.patients.PatientSearchPaginator) answers what the
ORM answers: the same count and the same keys on every page, for every kind of term. It runs on
MariaDB/MySQL only, for a search alone over every patient; anything else gets the ORM."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection

from clinic.admin_paginator import EstimatedCountPaginator
from records.admin.patients import SEARCH_ORDER, PatientSearchPaginator, search_branches
from records.models import Patient
from records.tests.factories import CareRelationshipFactory, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/admin/records/patient/"
PER_PAGE = 4
BORN = dt.date(1980, 2, 3)

# Several pages of Smiths (same names too, so the key breaks ties), given names that match the
# same prefix (one also a Smith: found by two branches, listed once), a name that differs only
# in case, names with LIKE's wildcards and escape character in them, shared birthdays, given
# names whose order is not their family names' order.
NAMES = [
    *[("Smith", given) for given in ("Ann", "Bob", "Ann", "Zoe", "Eileen", "Ann", "Carl", "Dora", "Ann", "Bob")],
    ("smith", "Ann"),
    ("Smithson", "Ann"),
    ("SMITHERS", "Eve"),
    *[(family, "Smithy") for family in ("Adams", "Young", "Smith", "Baker", "Adams")],
    *[(family, "Eileen") for family in ("Adams", "Brown", "Clark", "Adams", "Young", "Baker", "Evans")],
    ("Eileenson", "Tom"),
    ("O_Hara", "Ian"),
    ("OxHara", "Ian"),
    ("O%Hara", "Ian"),
    ("Back\\slash", "Ian"),
    ("Zebedee", "Rare"),
    # In the given-name index (and by key) these come in the reverse of the list's order.
    ("Young", "Quentin"),
    ("Brown", "Quill"),
    ("Adams", "Quinn"),
]


@pytest.fixture
def patients(db):
    made = [
        PatientFactory(family_name=family, given_name=given, date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=i))
        for i, (family, given) in enumerate(NAMES)
    ]
    for patient in made[20:23]:
        patient.date_of_birth = BORN
        patient.save()
    made[5].mrn = "MRN-12345678"
    made[5].save()
    made[30].email = "jo.smith@example.org"
    made[30].save()
    return made


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(admin.site._registry[Patient], "list_per_page", PER_PAGE)


def _changelist(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["cl"]


TERMS = [
    "smith",  # a common family name: several pages, found by the family and given branches
    "SMITH",
    "eileen",  # a common given name
    "zebedee",  # rare
    "qqqq",  # nothing
    "ann smith",  # every word must match a field
    "smith ann",
    '"smith ann"',  # one quoted word
    "mrn-12345678",
    "jo.smith@example.org",
    BORN.isoformat(),
    "o_h",  # "_" is a character here, not LIKE's any-character
    "o%",
    "back\\",
    "s",
    "qu",
]


@pytest.mark.mysql
@pytest.mark.parametrize("term", TERMS)
def test_the_search_sql_finds_what_the_orm_finds(client, clinic_admin, patients, small_pages, term):
    first = _changelist(client, clinic_admin, q=term)
    assert isinstance(first.paginator, PatientSearchPaginator)
    assert tuple(first.queryset.query.order_by) == SEARCH_ORDER
    orm = EstimatedCountPaginator(first.queryset, PER_PAGE)
    fast = first.paginator
    count = orm.count_up_to(1001)
    for limit in (1, 3, PER_PAGE + 1, 1001):
        assert fast.count_up_to(limit) == orm.count_up_to(limit)
    slices = ((0, 1), (1, 2), (0, PER_PAGE), (PER_PAGE, 2 * PER_PAGE), (0, count), (max(count - 3, 0), count))
    for bottom, top in slices:
        assert fast.page_keys(bottom, top) == orm.page_keys(bottom, top)
    assert first.result_count == count
    last = max((count - 1) // PER_PAGE + 1, 1)
    for number in sorted({1, 2, last} if last > 1 else {1}):
        cl = _changelist(client, clinic_admin, q=term, p=number)
        assert isinstance(cl.paginator, PatientSearchPaginator)
        assert [p.pk for p in cl.result_list] == [p.pk for p in orm.page(number).object_list]


@pytest.mark.mysql
def test_the_search_sql_lists_the_expected_patients_in_name_order(client, clinic_admin, patients, small_pages):
    expected = sorted(
        (p for p in patients if p.family_name.lower().startswith("smith") or p.given_name.lower().startswith("smith")),
        key=lambda p: (p.family_name.lower(), p.given_name.lower(), p.pk),
    )
    fast = _changelist(client, clinic_admin, q="smith").paginator
    assert fast.count_up_to(1001) == len(expected) == 18
    assert fast.page_keys(0, len(expected)) == [p.pk for p in expected]
    # "_" and "%" stand for themselves, and so does a backslash.
    assert _keys(client, clinic_admin, "o_h") == [patients[NAMES.index(("O_Hara", "Ian"))].pk]
    assert _keys(client, clinic_admin, "o%") == [patients[NAMES.index(("O%Hara", "Ian"))].pk]
    assert _keys(client, clinic_admin, "back\\") == [patients[NAMES.index(("Back\\slash", "Ian"))].pk]


def _keys(client, user, term):
    cl = _changelist(client, user, q=term)
    assert isinstance(cl.paginator, PatientSearchPaginator)
    return cl.paginator.page_keys(0, 50)


def test_a_clinician_searches_only_their_own_patients_with_the_orm(client, doctor, patients, small_pages):
    mine = [patients[1], patients[17]]  # a Smith and a Smithy
    for patient in mine:
        CareRelationshipFactory(patient=patient, staff=doctor)
    cl = _changelist(client, doctor, q="smith")
    assert not isinstance(cl.paginator, PatientSearchPaginator)
    assert sorted(p.pk for p in cl.result_list) == sorted(p.pk for p in mine)


@pytest.mark.parametrize("extra", [{"sex": "female"}, {"o": "1"}, {"login": "no"}])
def test_a_filtered_or_reordered_search_gets_the_orm(client, clinic_admin, patients, small_pages, extra):
    cl = _changelist(client, clinic_admin, q="smith", **extra)
    assert not isinstance(cl.paginator, PatientSearchPaginator)
    # The ChangeList's own tie-break: the search's order is for the indexed search only.
    assert tuple(cl.queryset.query.order_by) != SEARCH_ORDER


def test_a_list_without_a_search_gets_the_orm(client, clinic_admin, patients):
    cl = _changelist(client, clinic_admin)
    assert not isinstance(cl.paginator, PatientSearchPaginator)
    assert tuple(cl.queryset.query.order_by) == ("family_name", "given_name", "-pk")


def test_only_mariadb_takes_the_search_sql(client, clinic_admin, patients, small_pages):
    cl = _changelist(client, clinic_admin, q="smith")
    assert isinstance(cl.paginator, PatientSearchPaginator) == (connection.vendor == "mysql")
    assert cl.result_count == 18


def test_search_branches_know_only_prefix_and_exact_fields():
    assert search_branches(connection, ("^family_name", "=mrn"), "  ") is None  # no words
    assert search_branches(connection, ("family_name",), "smith") is None  # icontains: no index
    assert search_branches(connection, ("^user__email",), "smith") is None
    branches = search_branches(connection, ("^family_name", "=mrn"), "a_b% c")
    assert [params for _, params in branches] == [
        [r"a\_b\%%", "c%", "c"],  # the first word's branch, then every field for the next word
        [r"a\_b\%", "c%", "c"],
    ]
    assert len(search_branches(connection, ("^family_name",), BORN.isoformat())) == 2  # and the birthday
