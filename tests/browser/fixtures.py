"""Data the journeys start from: a GP who works every day around the clock (so the next free
slot is always minutes away), and a small active symptom-checker model (trained once a session
by diagnosis.tests.support)."""

from __future__ import annotations

import datetime as dt

import pytest

from diagnosis.tests.support import install_model, trained_model  # noqa: F401  (session fixture)


@pytest.fixture
def gp(doctor):
    from appointments.tests.factories import (
        AppointmentTypeFactory,
        LocationFactory,
        ProviderFactory,
        weekday_rules,
    )

    location = LocationFactory(name="Room 1", address="1 High Street")
    provider = ProviderFactory(user=doctor, specialty="general_practice", default_location=location)
    weekday_rules(provider, start=dt.time(0, 0), end=dt.time(23, 45), days=range(7))
    AppointmentTypeFactory(name="GP appointment", specialty="general_practice", duration_minutes=15)
    return provider


@pytest.fixture
def checker(trained_model):  # noqa: F811
    from diagnosis.services.runtime import forget_loaded

    forget_loaded()
    version = install_model(trained_model)
    yield version
    forget_loaded()
