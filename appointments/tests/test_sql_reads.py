"""The portal's reads written as SQL once (the booking page's providers and types, the patient's
appointments and waiting list: selectors._*_SQL) read exactly what the ORM definitions do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, WaitlistEntry
from appointments.selectors import (
    bookable_specialty,
    bookable_type_list,
    bookable_types,
    open_waitlist_entries,
    providers_for,
    upcoming_and_past,
)
from appointments.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ProviderFactory,
    WaitlistEntryFactory,
)
from records.models import CareRelationship

pytestmark = pytest.mark.django_db


def test_the_providers_are_those_of_providers_for_marked_for_the_patient(patient, other_patient, location):
    names = [("Zoe", "Adams"), ("Amy", "Adams"), ("", ""), ("Bob", "Zed"), ("Cy", "Moss")]
    team = [
        ProviderFactory(specialty="general_practice", user__first_name=first, user__last_name=last)
        for first, last in names
    ]
    ProviderFactory(specialty="general_practice", active=False)
    ProviderFactory(specialty="general_practice", bookable_online=False)
    ProviderFactory(specialty="dermatology")
    CareRelationship.objects.create(patient=patient, staff=team[3].user, source="appointment")
    CareRelationship.objects.create(patient=other_patient, staff=team[0].user, source="appointment")
    for someone in (patient, other_patient, None):
        _code, _fell_back, choices = bookable_specialty("general_practice", patient=someone)
        known = set(CareRelationship.objects.filter(patient=someone).values_list("staff_id", flat=True))
        expected = [
            (p.pk, p.user_id, p.display_name, p.diary_version, p.user_id in known)
            for p in providers_for(specialty="general_practice")
        ]
        assert [(c.pk, c.user_id, c.display_name, c.diary_version, c.known) for c in choices] == expected
        assert len(expected) == 5
    assert [c.known for c in bookable_specialty("general_practice", patient=patient)[2]].count(True) == 1


def test_the_types_are_those_of_bookable_types():
    for name, specialty in [("B", "general_practice"), ("A", "general_practice"), ("Any", ""), ("Skin", "dermatology")]:
        AppointmentTypeFactory(name=name, specialty=specialty)
    AppointmentTypeFactory(name="Closed", specialty="general_practice", active=False)
    AppointmentTypeFactory(name="Phone only", specialty="general_practice", bookable_online=False)
    AppointmentTypeFactory(name="C", specialty="general_practice", requires_approval=True, new_patients_allowed=False)
    fields = [f.attname for f in AppointmentType._meta.concrete_fields]
    for specialty in ("general_practice", "dermatology"):
        read = bookable_type_list(specialty=specialty)
        expected = list(bookable_types(specialty=specialty))
        assert [[getattr(t, f) for f in fields] for t in read] == [[getattr(t, f) for f in fields] for t in expected]
        assert all(type(t.active) is bool and not t._state.adding for t in read)  # as the ORM gives them
    assert [t.name for t in bookable_type_list(specialty="general_practice")] == ["Any", "A", "B", "C"]


def test_the_patients_lines_are_their_appointments_and_no_one_elses(patient, other_patient):
    gp = ProviderFactory(user__first_name="Grace", user__last_name="Hopper")
    nameless = ProviderFactory(user__first_name="", user__last_name="")
    now = timezone.now()
    for days, provider, status in [
        (-40, gp, "completed"),
        (-3, nameless, "no_show"),
        (2, gp, "booked"),
        (5, nameless, "cancelled"),
        (9, gp, "requested"),
        (9, nameless, "cancelled"),  # the same start as the line before: ordered by key too
    ]:
        AppointmentFactory(patient=patient, provider=provider, start=now + dt.timedelta(days=days), status=status)
    AppointmentFactory(patient=other_patient, provider=gp, start=now + dt.timedelta(days=1))
    upcoming, past = upcoming_and_past(patient=patient, now=now)
    expected = [
        (a.pk, a.start, a.end, a.status, a.provider.display_name, a.appointment_type.name)
        for a in Appointment.objects.filter(patient=patient).order_by("start", "pk")
    ]
    assert [tuple(line) for line in upcoming] == [e for e in expected if e[2] >= now and e[3] != "cancelled"]
    assert [tuple(line) for line in past] == [e for e in reversed(expected) if e[2] < now or e[3] == "cancelled"]
    assert len(upcoming) == 2 and len(past) == 4


def test_the_open_waitlist_entries_carry_their_type_and_clinician(patient, other_patient):
    gp = ProviderFactory(user__first_name="Grace", user__last_name="Hopper")
    mine = [
        WaitlistEntryFactory(patient=patient, provider=gp),
        WaitlistEntryFactory(patient=patient, status=WaitlistEntry.Status.OFFERED),
        WaitlistEntryFactory(patient=patient, status=WaitlistEntry.Status.BOOKED),
        WaitlistEntryFactory(patient=other_patient),
    ]
    entries = open_waitlist_entries(patient=patient)
    expected = WaitlistEntry.objects.filter(patient=patient, status__in=WaitlistEntry.OPEN_STATUSES)
    assert [e.pk for e in entries] == [e.pk for e in expected] == [mine[0].pk, mine[1].pk]
    assert [tuple(e) + (e.specialty_label,) for e in entries] == [
        (
            e.pk,
            e.appointment_type.name,
            e.provider.display_name if e.provider else "",
            e.specialty,
            e.earliest_date,
            e.latest_date,
            e.get_specialty_display(),
        )
        for e in expected
    ]
    assert entries[0].clinician == "Grace Hopper" and entries[1].specialty_label == "General practice"
