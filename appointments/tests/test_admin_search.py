from __future__ import annotations

import re

import pytest

from appointments.tests.factories import AppointmentFactory
from records.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


def _found(staff, term: str) -> set[int]:
    response = staff.get("/admin/appointments/appointment/", {"q": term})
    assert response.status_code == 200
    return {a.pk for a in response.context["cl"].result_list}


def test_search_finds_the_appointments_of_matching_patients_by_any_word(staff):
    ann = AppointmentFactory(patient=PatientFactory(given_name="Ann", family_name="Smithson", mrn="MRN-AAA111"))
    bob = AppointmentFactory(patient=PatientFactory(given_name="Bob", family_name="Jones", mrn="MRN-BBB222"))
    assert _found(staff, "smith") == {ann.pk}
    assert _found(staff, "ann smith") == {ann.pk}
    assert _found(staff, "mrn-bbb222") == {bob.pk}  # the full MRN, any case
    assert _found(staff, "bbb222") == _found(staff, "mith") == set()  # names by their start, MRNs whole
    assert _found(staff, "ann jones") == set()
    assert _found(staff, "") == {ann.pk, bob.pk}


def test_search_finds_the_appointments_of_every_matching_patient(staff):
    one = AppointmentFactory(patient=PatientFactory(family_name="Smith"))
    two = AppointmentFactory(patient=PatientFactory(family_name="Smithers"))
    AppointmentFactory(patient=PatientFactory(family_name="Jones"))
    assert _found(staff, "smith") == {one.pk, two.pk}


def test_the_search_asks_for_the_patients_in_a_subquery_not_a_list_of_keys(staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patients = [PatientFactory(family_name=f"Smith{i}") for i in range(5)]
    for patient in patients:
        AppointmentFactory(patient=patient)
    with CaptureQueriesContext(connection) as queries:
        assert len(_found(staff, "smith")) == 5
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert re.search(r"patient_id[`\"]? IN \(SELECT", sql)
    assert not re.search(r"patient_id[`\"]? IN \(\d", sql)


def test_the_provider_filter_costs_one_query_however_many_providers(staff, django_assert_max_num_queries):
    from appointments.tests.factories import ProviderFactory

    AppointmentFactory()
    staff.get("/admin/appointments/appointment/")  # reads the user's permissions once
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            ProviderFactory()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = staff.get("/admin/appointments/appointment/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_provider_filter_names_each_provider_as_the_provider_shows_itself(staff):
    from accounts.tests.factories import StaffFactory
    from appointments.tests.factories import ProviderFactory

    named = ProviderFactory(user=StaffFactory(first_name="Ann", last_name="<Lee>"))
    nameless = ProviderFactory(user=StaffFactory(first_name="", last_name="", email="dr@example.org"))
    response = staff.get("/admin/appointments/appointment/")
    provider_filter = next(f for f in response.context["cl"].filter_specs if f.title == "provider")
    choices = dict(provider_filter.lookup_choices)
    assert choices[named.pk] == str(named) == "Ann <Lee>"
    assert choices[nameless.pk] == str(nameless) == "dr@example.org"
    assert "Ann &lt;Lee&gt;" in response.content.decode()
