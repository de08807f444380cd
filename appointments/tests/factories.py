from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from appointments.models import (
    Appointment,
    AppointmentType,
    AvailabilityRule,
    Location,
    Provider,
    TimeOff,
    WaitlistEntry,
)
from records.tests.factories import PatientFactory


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Room {n + 1}")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    user = factory.SubFactory(StaffFactory)
    specialty = "general_practice"


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    name = factory.Sequence(lambda n: f"Consultation {n}")
    specialty = "general_practice"
    duration_minutes = 15
    buffer_after_minutes = 0


class AvailabilityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityRule

    provider = factory.SubFactory(ProviderFactory)
    weekday = 0
    start_time = dt.time(9, 0)
    end_time = dt.time(17, 0)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    provider = factory.SubFactory(ProviderFactory)
    reason = "Training"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A row written directly (no service): for fixtures of lists and reminders."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    provider = factory.SubFactory(ProviderFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=o.appointment_type.duration_minutes))
    busy_until = factory.LazyAttribute(lambda o: o.end + dt.timedelta(minutes=o.appointment_type.buffer_after_minutes))
    status = Appointment.Status.BOOKED


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    patient = factory.SubFactory(PatientFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    specialty = "general_practice"
    earliest_date = factory.LazyFunction(lambda: timezone.localdate())
    latest_date = factory.LazyAttribute(lambda o: o.earliest_date + dt.timedelta(days=30))


def weekday_rules(provider, *, start=dt.time(9, 0), end=dt.time(17, 0), days=range(5), **kwargs):
    return [
        AvailabilityRuleFactory(provider=provider, weekday=day, start_time=start, end_time=end, **kwargs)
        for day in days
    ]
