from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from records import access
from records.services import care_relationship_ensure, emergency_access_grant
from records.tests.factories import EmergencyAccessFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_doctor_sees_only_patients_they_care_for(doctor, patient, other_patient):
    care_relationship_ensure(patient=patient, staff=doctor, source="encounter")
    assert list(access.patients_visible_to(doctor)) == [patient]
    assert access.can_view_clinical(doctor, patient)
    assert not access.can_view_clinical(doctor, other_patient)
    with pytest.raises(Http404):
        access.get_patient_for_staff(_request(doctor), other_patient.pk)


def test_a_receptionist_sees_demographics_but_no_clinical_content(receptionist, patient):
    assert patient in access.patients_visible_to(receptionist)
    assert access.can_view_demographics(receptionist, patient)
    assert not access.can_view_clinical(receptionist, patient)
    with pytest.raises(Http404):
        access.get_patient_for_clinical_staff(_request(receptionist), patient.pk)


def test_a_clinic_admin_sees_everything(clinic_admin, patient, other_patient):
    assert set(access.patients_visible_to(clinic_admin)) == {patient, other_patient}
    assert access.can_view_clinical(clinic_admin, other_patient)


def test_a_patient_sees_only_themselves(patient_user, patient, other_patient):
    assert list(access.patients_visible_to(patient_user)) == [patient]
    assert access.can_view_clinical(patient_user, patient)
    assert not access.can_view_clinical(patient_user, other_patient)
    assert access.get_patient_for_portal_user(_request(patient_user)) == patient


def test_a_login_without_a_patient_gets_404_in_the_portal(doctor):
    with pytest.raises(Http404):
        access.get_patient_for_portal_user(_request(doctor))


def test_anonymous_sees_nothing(patient):
    from django.contrib.auth.models import AnonymousUser

    assert not access.patients_visible_to(AnonymousUser()).exists()
    assert not access.can_view_clinical(AnonymousUser(), patient)


def test_break_the_glass_opens_the_record_until_it_expires(nurse, patient, time_machine):
    assert access.needs_break_glass(nurse, patient)
    emergency_access_grant(staff=nurse, patient=patient, reason="Collapsed in the waiting room, unresponsive")
    assert access.can_view_clinical(nurse, patient)
    assert patient in access.patients_visible_to(nurse)
    from django.utils import timezone

    time_machine.move_to(timezone.now() + timezone.timedelta(hours=5))
    assert not access.can_view_clinical(nurse, patient)


def test_an_expired_grant_does_not_count(doctor):
    from django.utils import timezone

    now = timezone.now()
    EmergencyAccessFactory(
        staff=doctor,
        patient=PatientFactory(),
        granted_at=now - timezone.timedelta(hours=10),
        expires_at=now - timezone.timedelta(hours=6),
    )
    assert not access.patients_visible_to(doctor).exists()


def test_a_staff_login_without_is_staff_gets_nothing(patient):
    from accounts import roles
    from accounts.tests.factories import UserFactory

    not_staff = UserFactory(roles=[roles.DOCTOR])
    care_relationship_ensure(patient=patient, staff=not_staff, source="encounter")
    assert not access.can_view_clinical(not_staff, patient)
