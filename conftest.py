"""Personas shared by every test: one per role, plus a second patient to prove isolation."""

from __future__ import annotations

import pytest

from accounts import roles
from accounts.tests.factories import StaffFactory, UserFactory

PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def patient_user(db):
    return UserFactory(email="alice@example.org", first_name="Alice", last_name="Archer", roles=[roles.PATIENT])


@pytest.fixture
def other_patient_user(db):
    return UserFactory(email="bob@example.org", first_name="Bob", last_name="Baker", roles=[roles.PATIENT])


@pytest.fixture
def doctor(db):
    return StaffFactory(email="dr.who@example.org", first_name="Grace", last_name="Hopper", roles=[roles.DOCTOR])


@pytest.fixture
def other_doctor(db):
    return StaffFactory(email="dr.no@example.org", first_name="Julius", last_name="No", roles=[roles.DOCTOR])


@pytest.fixture
def nurse(db):
    return StaffFactory(email="nurse@example.org", first_name="Florence", last_name="Night", roles=[roles.NURSE])


@pytest.fixture
def receptionist(db):
    return StaffFactory(email="desk@example.org", first_name="Rita", last_name="Desk", roles=[roles.RECEPTIONIST])


@pytest.fixture
def clinic_admin(db):
    return StaffFactory(email="boss@example.org", first_name="Ada", last_name="Admin", roles=[roles.CLINIC_ADMIN])
