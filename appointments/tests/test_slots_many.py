"""The slot finder across a team: the same free times as one diary at a time, a constant number
of queries however many clinicians, and each time listed once for "any clinician"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.selectors import (
    any_clinician_pool,
    bookable_specialty,
    free_starts,
    free_starts_for,
    slots_across,
)
from appointments.tests.conftest import at
from appointments.tests.factories import AppointmentFactory, ProviderFactory, TimeOffFactory, weekday_rules

pytestmark = pytest.mark.django_db


def team(size: int, location) -> list:
    providers = []
    for i in range(size):
        provider = ProviderFactory(specialty="general_practice", default_location=location)
        # Different hours and different bookings per diary, so a mix-up between them would show.
        weekday_rules(provider, start=dt.time(8 + i % 3, 0), end=dt.time(12 + i % 4, 30))
        for day in range(2, 7):
            AppointmentFactory(provider=provider, start=at(day, 9 + i % 3, 15 * (i % 4)))
        if i % 2:
            TimeOffFactory(provider=provider, start=at(3, 0), end=at(4, 0))
        providers.append(provider)
    return providers


def test_many_diaries_at_once_give_exactly_what_each_diary_gives_alone(frozen, location, gp_visit, long_visit):
    providers = team(5, location)
    for kind in (gp_visit, long_visit):
        together = free_starts_for(providers=providers, appointment_type=kind, start=at(2, 0), end=at(9, 0))
        for provider in providers:
            alone = free_starts(provider=provider, appointment_type=kind, start=at(2, 0), end=at(9, 0))
            assert alone  # a non-trivial diary
            assert together[provider.pk] == alone


def test_the_slot_finder_reads_a_constant_number_of_queries_whatever_the_team_size(
    client, frozen, patient, location, gp_visit
):
    client.force_login(patient.user)
    url = reverse("appointments:book")
    query = {"specialty": "general_practice", "appointment_type": gp_visit.pk}
    counts = []
    for size in (2, 8):
        team(size - len(counts) * 2, location)  # 2 clinicians, then 8 in all
        client.get(url, query)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_any_clinician_lists_each_free_time_once_and_spreads_them_over_the_team(
    client, frozen, patient, location, gp_visit
):
    providers = team(4, location)
    slots = slots_across(providers=providers, appointment_type=gp_visit, start=at(2, 0), end=at(9, 0))
    chosen = slots_across(
        providers=providers, appointment_type=gp_visit, start=at(2, 0), end=at(9, 0), each_time_once=True
    )
    assert [s.start for s in chosen] == sorted({s.start for s in slots})
    assert all(s in slots for s in chosen)  # every offer is a real free slot of that clinician
    assert len({s.provider for s in chosen}) == 4

    client.force_login(patient.user)
    response = client.get(
        reverse("appointments:book"), {"specialty": "general_practice", "appointment_type": gp_visit.pk}
    )
    shown = [slot.start for _day, day_slots in response.context["week_days"] for slot in day_slots]
    assert shown and len(shown) == len(set(shown))
    assert "Each time is shown once" in response.content.decode()


def test_any_clinician_reads_a_bounded_pool_led_by_the_patients_own_clinicians(patient, other_patient, location):
    from records.models import CareRelationship

    providers = team(12, location)
    usual = providers[9]
    CareRelationship.objects.create(patient=patient, staff=usual.user, source="appointment")

    def pool_of(someone, size: int = 12) -> list[int]:
        _code, _fell_back, choices = bookable_specialty("general_practice", patient=someone)
        assert [c.pk for c in choices if c.known] == ([usual.pk] if someone == patient else [])
        by_pk = {c.pk: c for c in choices}
        mine = [by_pk[p.pk] for p in providers[:size]]  # in the team's order, as before, not by name
        return [c.pk for c in any_clinician_pool(patient=someone, providers=mine, limit=5)]

    def turned(keys: list[int], someone) -> list[int]:
        turn = someone.pk % len(keys)
        return keys[turn:] + keys[:turn]

    team_keys = [p.pk for p in providers]
    pool = pool_of(patient)
    assert len(pool) == 5 and pool[0] == usual.pk and len(set(pool)) == 5
    assert pool[1:] == turned([k for k in team_keys if k != usual.pk], patient)[:4]
    # Someone else's pool promotes no one: the team's order turned by the patient (it may start
    # with the first patient's clinician, one patient in twelve here: the key decides).
    other_pool = pool_of(other_patient)
    assert other_pool == turned(team_keys, other_patient)[:5]
    assert set(pool[1:]) != set(other_pool)  # different patients are offered different parts of the team
    assert set(pool_of(patient, size=4)) == {p.pk for p in providers[:4]}
