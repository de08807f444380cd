from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from appointments.selectors import available_slots, free_starts
from appointments.tests.conftest import LONDON, at
from appointments.tests.factories import AppointmentFactory, AvailabilityRuleFactory, TimeOffFactory

pytestmark = pytest.mark.django_db


def local_times(slots):
    return [s.astimezone(LONDON).strftime("%H:%M") for s in slots]


def monday(provider, kind):
    return available_slots(provider=provider, appointment_type=kind, start=at(2, 0), end=at(3, 0))


def test_it_offers_the_working_day_after_the_minimum_notice(frozen, provider, gp_visit):
    slots = monday(provider, gp_visit)
    # 08:00 now + 120 min notice: the first slot is 10:00; the last 15-minute visit ends at 17:00.
    assert local_times(slots)[:3] == ["10:00", "10:15", "10:30"]
    assert local_times(slots)[-1] == "16:45"
    assert len(slots) == 28
    assert all(s.tzinfo is not None for s in slots)


def test_it_offers_nothing_on_a_day_without_availability(frozen, provider, gp_visit):
    saturday = available_slots(provider=provider, appointment_type=gp_visit, start=at(7, 0), end=at(8, 0))
    assert saturday == []


def test_time_off_removes_slots(frozen, provider, gp_visit):
    TimeOffFactory(provider=provider, start=at(2, 12), end=at(2, 13))
    times = local_times(monday(provider, gp_visit))
    assert "11:45" in times and "13:00" in times
    assert not {"12:00", "12:15", "12:30", "12:45"} & set(times)


def test_existing_appointments_and_their_buffer_block_slots(frozen, provider, gp_visit, long_visit):
    AppointmentFactory(provider=provider, appointment_type=long_visit, start=at(2, 11))  # busy 11:00-11:40
    times = local_times(monday(provider, gp_visit))
    assert "10:45" in times
    assert not {"11:00", "11:15", "11:30"} & set(times)
    assert "11:40" in times


def test_cancelled_appointments_do_not_block(frozen, provider, gp_visit):
    AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(2, 11), status="cancelled")
    AppointmentFactory(provider=provider, appointment_type=gp_visit, start=at(2, 11, 15), status="no_show")
    times = local_times(monday(provider, gp_visit))
    assert {"11:00", "11:15"} <= set(times)


def test_the_buffer_after_a_visit_spaces_the_slots(frozen, provider, long_visit):
    times = local_times(monday(provider, long_visit))
    # The grid is anchored at the 09:00 start of the day: 09:00, 09:40, 10:20 (after the notice).
    assert times[:3] == ["10:20", "11:00", "11:40"]
    assert times[-1] == "16:20"  # 17:00 + 30 min would end after 17:00


def test_the_booking_horizon_limits_how_far_ahead(frozen, settings, provider, gp_visit):
    settings.BOOKING_HORIZON_DAYS = 1
    slots = available_slots(provider=provider, appointment_type=gp_visit, start=at(2, 0), end=at(9, 0))
    assert max(slots) < at(3, 8, 0)
    assert {s.astimezone(LONDON).date() for s in slots} == {dt.date(2026, 3, 2)}


def test_past_and_too_soon_slots_are_never_offered(frozen, settings, provider, gp_visit):
    settings.BOOKING_MIN_NOTICE_MINUTES = 0
    with time_machine.travel(at(2, 12, 5), tick=False):
        slots = monday(provider, gp_visit)
    assert local_times(slots)[0] == "12:15"


def test_validity_dates_of_a_rule_are_respected(frozen, provider, gp_visit):
    provider.availability_rules.all().delete()
    AvailabilityRuleFactory(provider=provider, weekday=0, valid_from=dt.date(2026, 3, 9))
    assert monday(provider, gp_visit) == []
    next_monday = available_slots(provider=provider, appointment_type=gp_visit, start=at(9, 0), end=at(10, 0))
    assert len(next_monday) == 32


def test_slots_are_the_same_whatever_range_is_asked(frozen, provider, long_visit):
    whole_day = monday(provider, long_visit)
    afternoon = available_slots(provider=provider, appointment_type=long_visit, start=at(2, 13, 3), end=at(2, 18))
    assert afternoon == [s for s in whole_day if s >= at(2, 13, 3)]


def test_an_inactive_provider_has_no_slots(frozen, provider, gp_visit):
    provider.active = False
    provider.save()
    assert monday(provider, gp_visit) == []


@pytest.mark.parametrize(
    ("day", "month", "first_utc_hour", "night_slots", "night_local"),
    [
        # Spring forward (29 March 2026): 01:00 GMT becomes 02:00 BST, the night has 3 hours.
        (29, 3, 8, 12, ["00:00", "00:15", "00:30", "00:45", "02:00"]),
        # Fall back (25 October 2026): 02:00 BST becomes 01:00 GMT, the night has 5 hours.
        (25, 10, 9, 20, ["00:00", "00:15", "00:30", "00:45", "01:00"]),
    ],
)
def test_rules_keep_local_wall_clock_time_on_daylight_saving_days(
    settings, provider, gp_visit, day, month, first_utc_hour, night_slots, night_local
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 0
    settings.BOOKING_HORIZON_DAYS = 365
    AvailabilityRuleFactory(provider=provider, weekday=6, start_time=dt.time(9), end_time=dt.time(12))
    AvailabilityRuleFactory(provider=provider, weekday=6, start_time=dt.time(0), end_time=dt.time(4))
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        slots = available_slots(
            provider=provider,
            appointment_type=gp_visit,
            start=at(day, 0, month=month),
            end=at(day + 1, 0, month=month),
        )
    morning = [s for s in slots if s >= at(day, 9, month=month)]
    night = [s for s in slots if s < at(day, 9, month=month)]
    assert local_times(morning)[0] == "09:00"
    assert morning[0].astimezone(dt.UTC).hour == first_utc_hour
    assert len(morning) == 12
    assert len(night) == night_slots
    assert local_times(night)[:5] == night_local
    # Slots are real 15-minute steps, whatever the wall clock does.
    assert all(b - a == dt.timedelta(minutes=15) for a, b in zip(night, night[1:], strict=False))


def test_free_starts_ignores_notice_for_staff(frozen, provider, gp_visit):
    starts = free_starts(provider=provider, appointment_type=gp_visit, start=at(2, 0), end=at(3, 0))
    assert local_times(starts)[0] == "09:00"
