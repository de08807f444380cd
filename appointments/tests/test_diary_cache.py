"""The slot finder's per-process cache of free times (appointments.diary_cache).

Two gunicorn workers each hold their own cache; here a "worker" is a cache state swapped in
for the request. Whatever either cached before, the next page after a booking, cancellation,
move or admin edit shows the diary as the database has it.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import diary_cache, selectors
from appointments.models import Appointment, Provider
from appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
)
from appointments.tests.conftest import at
from appointments.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ProviderFactory,
    TimeOffFactory,
    weekday_rules,
)

pytestmark = pytest.mark.django_db


class Worker:
    """One process's cache: requests made inside ``serving()`` read and fill only it."""

    def __init__(self) -> None:
        self.entries: OrderedDict = OrderedDict()

    @contextmanager
    def serving(self, monkeypatch):
        with monkeypatch.context() as patch:
            patch.setattr(diary_cache, "_entries", self.entries)
            yield


@pytest.fixture
def workers():
    return Worker(), Worker()


def offered(client, kind, **extra) -> set[dt.datetime]:
    """Every time the booking page offers this week (and the next available ones)."""
    response = client.get(
        reverse("appointments:book"), {"specialty": "general_practice", "appointment_type": kind.pk, **extra}
    )
    assert response.status_code == 200
    week = {slot.start for _day, slots in response.context["week_days"] for slot in slots}
    return week | {slot.start for slot in response.context["next_slots"]}


def version(provider) -> int:
    return Provider.objects.values_list("diary_version", flat=True).get(pk=provider.pk)


def test_a_cached_week_gives_what_the_database_gives(frozen, location, gp_visit, long_visit):
    providers = []
    for i in range(3):
        provider = ProviderFactory(specialty="general_practice", default_location=location)
        weekday_rules(provider, start=dt.time(8 + i, 0), end=dt.time(13 + i, 30), days=range(7))
        for day in (2, 4, 10, 28, 29, 30):  # 29 March: the clocks go forward in London
            AppointmentFactory(provider=provider, start=at(day, 9 + i, 5 * i))
        TimeOffFactory(provider=provider, start=at(5, 11), end=at(6, 12))
        providers.append(provider)
    _code, _fell_back, choices = selectors.bookable_specialty("general_practice")
    ranges = [(at(2, 0), at(9, 0)), (at(3, 10, 20), at(12, 15)), (at(27, 0), at(3, 0, month=4))]
    double = AppointmentTypeFactory(name="Double", specialty="general_practice", duration_minutes=30)
    for kind in (gp_visit, double, long_visit):  # 15 + 0, 30 + 0, 30 + 10 minutes: each length its own
        for start, end in ranges:
            fresh = selectors.slots_across(providers=choices, appointment_type=kind, start=start, end=end)
            cold = selectors.slots_across(providers=choices, appointment_type=kind, start=start, end=end, cached=True)
            with CaptureQueriesContext(connection) as queries:
                warm = selectors.slots_across(
                    providers=choices, appointment_type=kind, start=start, end=end, cached=True
                )
            assert fresh  # a non-trivial diary
            assert [(s.provider.pk, s.start) for s in cold] == [(s.provider.pk, s.start) for s in fresh]
            assert [(s.provider.pk, s.start) for s in warm] == [(s.provider.pk, s.start) for s in fresh]
            assert len(queries) == 0


def test_times_that_became_too_soon_drop_out_of_a_cached_week(client, frozen, patient, provider, gp_visit):
    client.force_login(patient.user)
    assert min(offered(client, gp_visit)) == at(2, 10)  # 08:00 now, two hours' notice
    frozen.move_to(at(2, 11, 2))
    client.force_login(patient.user)  # the idle session has expired
    with CaptureQueriesContext(connection) as queries:
        assert min(offered(client, gp_visit)) == at(2, 13, 15)
    assert not any("busy_until" in q["sql"] for q in queries.captured_queries)  # the diary came from the cache


@pytest.mark.parametrize("booked_in", [0, 1])
def test_a_booking_leaves_both_workers_at_once(
    client, frozen, monkeypatch, workers, patient, other_patient, provider, gp_visit, booked_in
):
    client.force_login(patient.user)
    for worker in workers:
        with worker.serving(monkeypatch):
            assert at(2, 10) in offered(client, gp_visit)
    with workers[booked_in].serving(monkeypatch):
        response = client.post(
            reverse("appointments:book_confirm"),
            {"provider": provider.pk, "appointment_type": gp_visit.pk, "start": int(at(2, 10).timestamp())},
        )
    assert response.status_code == 302
    client.force_login(other_patient.user)
    for worker in workers:
        with worker.serving(monkeypatch):
            times = offered(client, gp_visit)
        assert at(2, 10) not in times
        assert at(2, 10, 15) in times


def test_a_cancellation_and_a_move_show_in_the_other_worker(
    client, frozen, monkeypatch, workers, patient, other_patient, provider, gp_visit
):
    first = appointment_book(
        patient=patient, provider=provider, start=at(3, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    second = appointment_book(
        patient=patient, provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    client.force_login(other_patient.user)
    reader, _writer = workers
    with reader.serving(monkeypatch):
        times = offered(client, gp_visit)
    assert at(3, 10) not in times and at(4, 10) not in times and at(4, 11) in times
    appointment_cancel(appointment=first, cancelled_by=patient.user)
    with reader.serving(monkeypatch):
        times = offered(client, gp_visit)
    assert at(3, 10) in times  # cancelled
    appointment_reschedule(appointment=second, new_start=at(4, 11), rescheduled_by=patient.user)
    with reader.serving(monkeypatch):
        times = offered(client, gp_visit)
    assert at(4, 10) in times and at(4, 11) not in times  # moved


def test_an_admin_reschedule_and_time_off_show_on_the_next_page(
    client, frozen, monkeypatch, workers, patient, provider, gp_visit, receptionist, clinic_admin
):
    booked = appointment_book(
        patient=patient, provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    reader, _admin_worker = workers
    client.force_login(patient.user)
    with reader.serving(monkeypatch):
        times = offered(client, gp_visit)
    assert at(4, 10) not in times and at(4, 14) in times and at(5, 9) in times
    client.force_login(receptionist)
    response = client.post(
        reverse("admin:appointments_appointment_change", args=[booked.pk]),
        {"start_0": "2026-03-04", "start_1": "14:00", "reason": ""},
    )
    assert response.status_code == 302
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:appointments_provider_change", args=[provider.pk]), provider_form(provider, day_off="2026-03-05")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(patient.user)
    with reader.serving(monkeypatch):
        times = offered(client, gp_visit)
    assert at(4, 10) in times and at(4, 14) not in times
    assert not any(t.date() == at(5, 0).date() for t in times)  # the day off


def provider_form(provider, *, day_off: str) -> dict:
    """The provider admin's change form as it stands, plus one day of time off."""
    rules = list(provider.availability_rules.all())
    data = {
        "user": provider.user_id,
        "specialty": provider.specialty,
        "accepting_new_patients": "on",
        "bookable_online": "on",
        "active": "on",
        "default_location": provider.default_location_id or "",
        "availability_rules-TOTAL_FORMS": len(rules),
        "availability_rules-INITIAL_FORMS": len(rules),
        "availability_rules-MIN_NUM_FORMS": 0,
        "availability_rules-MAX_NUM_FORMS": 1000,
        "time_off-TOTAL_FORMS": 1,
        "time_off-INITIAL_FORMS": 0,
        "time_off-MIN_NUM_FORMS": 0,
        "time_off-MAX_NUM_FORMS": 1000,
        "time_off-0-start_0": day_off,
        "time_off-0-start_1": "00:00",
        "time_off-0-end_0": day_off,
        "time_off-0-end_1": "23:59",
        "time_off-0-reason": "Course",
    }
    for i, rule in enumerate(rules):
        data.update(
            {
                f"availability_rules-{i}-id": rule.pk,
                f"availability_rules-{i}-provider": provider.pk,
                f"availability_rules-{i}-weekday": rule.weekday,
                f"availability_rules-{i}-start_time": rule.start_time.strftime("%H:%M"),
                f"availability_rules-{i}-end_time": rule.end_time.strftime("%H:%M"),
                f"availability_rules-{i}-location": rule.location_id or "",
            }
        )
    return data


def test_the_admin_saving_a_provider_never_puts_back_the_version_it_read(client, frozen, clinic_admin, provider):
    read = version(provider)
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:appointments_provider_change", args=[provider.pk]), provider_form(provider, day_off="2026-03-06")
    )
    assert response.status_code == 302
    assert version(provider) != read


def test_the_version_changes_in_the_writes_own_transaction(frozen, patient, provider, gp_visit):
    before = version(provider)
    with pytest.raises(RuntimeError), transaction.atomic():
        appointment_book(
            patient=patient, provider=provider, start=at(2, 10), appointment_type=gp_visit, booked_by=patient.user
        )
        assert version(provider) != before  # already, before the commit: not an after-commit hook
        raise RuntimeError("roll back")
    assert version(provider) == before  # and undone with the booking
    assert not Appointment.objects.exists()


def test_every_write_that_frees_or_takes_time_changes_the_version(frozen, patient, provider, gp_visit):
    seen = {version(provider)}
    first = appointment_book(
        patient=patient, provider=provider, start=at(4, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    seen.add(version(provider))
    appointment_reschedule(appointment=first, new_start=at(5, 10), rescheduled_by=patient.user)
    seen.add(version(provider))
    appointment_cancel(appointment=first, cancelled_by=patient.user)
    seen.add(version(provider))
    late = AppointmentFactory(patient=patient, provider=provider, appointment_type=gp_visit, start=at(2, 7, 30))
    appointment_mark_no_show(appointment=late, marked_by=provider.user)
    seen.add(version(provider))
    assert len(seen) == 5


def test_a_refused_booking_leaves_the_version(frozen, patient, other_patient, provider, gp_visit):
    appointment_book(
        patient=patient, provider=provider, start=at(2, 10), appointment_type=gp_visit, booked_by=patient.user
    )
    before = version(provider)
    with pytest.raises(ValidationError, match="taken"):
        appointment_book(
            patient=other_patient,
            provider=provider,
            start=at(2, 10),
            appointment_type=gp_visit,
            booked_by=other_patient.user,
        )
    assert version(provider) == before


def test_the_cache_keeps_at_most_its_size(monkeypatch):
    monkeypatch.setattr(diary_cache, "_entries", OrderedDict())
    monkeypatch.setattr(diary_cache, "MAX_ENTRIES", 3)
    for key in range(5):
        diary_cache.put(key, [key])
    diary_cache.get(2)  # read: kept over 3
    diary_cache.put(5, [5])
    assert list(diary_cache._entries) == [4, 2, 5]


def test_a_cached_page_skips_the_three_diary_queries(
    client, frozen, monkeypatch, workers, patient, provider, other_provider, gp_visit, django_assert_num_queries
):
    client.force_login(patient.user)
    url = reverse("appointments:book")
    query = {"specialty": "general_practice", "appointment_type": gp_visit.pk}
    with workers[0].serving(monkeypatch):
        # session, user, the user's groups (roles; read once, then kept between requests by
        # accounts.backends), the patient, the specialty's providers with their diary versions
        # and whether each is one of the patient's clinicians, the types; then the week's
        # working hours, appointments and time off of every diary not cached at its version.
        with django_assert_num_queries(9):
            client.get(url, query)
        with django_assert_num_queries(5):
            response = client.get(url, query)
    assert response.context["week_days"]
