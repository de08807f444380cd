"""Fixtures of the dashboard tests: a known clinic on a frozen clock in London time."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache

from clinic.tests.dashboard_fixtures import NOW, build_clinic


@pytest.fixture
def london(settings):
    settings.CLINIC_TIME_ZONE = "Europe/London"
    settings.TIME_ZONE = "Europe/London"
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def cached(settings):
    """The dashboard's cache on, as in production (the test settings turn it off), and empty."""
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(frozen, doctor, other_doctor, nurse, patient, other_patient):
    return build_clinic(
        doctor=doctor, other_doctor=other_doctor, nurse=nurse, patient=patient, other_patient=other_patient
    )
