"""The booking page's catalogue reads, written as SQL once (selectors._PROVIDER_CHOICES_SQL and
_BOOKABLE_TYPES_SQL), read exactly what the ORM definitions do."""

from __future__ import annotations

import pytest

from appointments.selectors import bookable_specialty, bookable_type_list, bookable_types, providers_for
from appointments.tests.factories import AppointmentTypeFactory, ProviderFactory
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
    for specialty in ("general_practice", "dermatology"):
        read = bookable_type_list(specialty=specialty)
        assert read == list(bookable_types(specialty=specialty))
        assert [(t.name, t.duration_minutes, t.buffer_after_minutes) for t in read] == [
            (t.name, t.duration_minutes, t.buffer_after_minutes) for t in bookable_types(specialty=specialty)
        ]
    assert [t.name for t in bookable_type_list(specialty="general_practice")] == ["Any", "A", "B"]
