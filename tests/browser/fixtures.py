"""Data the journeys start from: a GP with a 20-minute appointment type who works every day
(08:00-18:00 for the patient's journeys, around the clock where staff book a walk-in "now"), and a
small active symptom-checker model (trained once a session by diagnosis.tests.support)."""

from __future__ import annotations

import datetime as dt

import pytest

from diagnosis.tests.support import install_model, trained_model  # noqa: F401  (session fixture)


def _gp(doctor, start: dt.time, end: dt.time):
    from appointments.tests.factories import (
        AppointmentTypeFactory,
        LocationFactory,
        ProviderFactory,
        weekday_rules,
    )

    location = LocationFactory(name="Room 1", address="1 High Street")
    provider = ProviderFactory(user=doctor, specialty="general_practice", default_location=location)
    weekday_rules(provider, start=start, end=end, days=range(7))
    AppointmentTypeFactory(name="GP appointment", specialty="general_practice", duration_minutes=20)
    return provider


@pytest.fixture
def gp(doctor):
    """Office hours every day: the next free time is at most a night away."""
    return _gp(doctor, dt.time(8, 0), dt.time(18, 0))


@pytest.fixture
def gp_around_the_clock(doctor):
    """Works whenever the test runs, so a walk-in can be booked for "now"."""
    return _gp(doctor, dt.time(0, 0), dt.time(23, 40))


@pytest.fixture
def checker(trained_model):  # noqa: F811
    from diagnosis.services.runtime import forget_loaded

    forget_loaded()
    version = install_model(trained_model)
    yield version
    forget_loaded()
