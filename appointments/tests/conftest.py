"""Appointment fixtures: a GP (the ``doctor`` persona) working Mon-Fri 09:00-17:00 London time,
and the clock frozen on Monday 2 March 2026 at 08:00 London (= UTC in winter)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from appointments.tests.factories import AppointmentTypeFactory, LocationFactory, ProviderFactory, weekday_rules

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=LONDON)


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2026) -> dt.datetime:
    """A London wall-clock time as an aware datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def appointment_settings(settings):
    settings.CLINIC_TIME_ZONE = "Europe/London"
    settings.BOOKING_MIN_NOTICE_MINUTES = 120
    settings.BOOKING_HORIZON_DAYS = 90
    settings.CANCEL_CUTOFF_HOURS = 24
    settings.REMINDER_WINDOW_HOURS = 24
    settings.REMINDER_LINK_MAX_AGE_HOURS = 48
    settings.WAITLIST_OFFER_HOURS = 12
    settings.WAITLIST_OFFER_BATCH = 3
    settings.CLINIC_BASE_URL = "https://clinic.example"
    return settings


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def location(db):
    return LocationFactory(name="Room 1", address="1 High Street")


@pytest.fixture
def provider(doctor, location):
    provider = ProviderFactory(user=doctor, specialty="general_practice", default_location=location)
    weekday_rules(provider)
    return provider


@pytest.fixture
def other_provider(other_doctor, location):
    provider = ProviderFactory(user=other_doctor, specialty="general_practice", default_location=location)
    weekday_rules(provider)
    return provider


@pytest.fixture
def gp_visit(db):
    return AppointmentTypeFactory(name="GP appointment", specialty="general_practice", duration_minutes=15)


@pytest.fixture
def long_visit(db):
    return AppointmentTypeFactory(
        name="Long GP appointment", specialty="general_practice", duration_minutes=30, buffer_after_minutes=10
    )
