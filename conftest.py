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


# --- Two-factor in tests ------------------------------------------------------------------
# Staff must pass a TOTP code before any staff page answers (accounts.middleware.
# StaffOTPRequiredMiddleware). The ``client`` fixture below is a Client whose ``force_login``
# also OTP-verifies staff, as a real login followed by a code would: tests keep writing
# ``client.force_login(doctor)`` and open admin pages. Tests of the enforcement itself use a
# plain ``django.test.Client()``.
#
# Browser tests (Playwright) log in through the real forms; compute the code with
# ``totp_code(device)`` (``device = otp_device_for(user)`` gives the user's confirmed device):
#     page.fill("#id_token", totp_code(otp_device_for(doctor)))


def otp_device_for(user):
    """The user's confirmed TOTP device, created (with a random secret) if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    return device


def totp_code(device) -> str:
    """The current 6-digit code of a TOTP device (what the authenticator app would show)."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def _otp_client_class():
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    class OTPClient(Client):
        """``force_login`` that also marks staff sessions as OTP-verified."""

        def force_login(self, user, backend=None):
            super().force_login(user, backend)
            if user.is_staff:
                session = self.session
                session[DEVICE_ID_SESSION_KEY] = otp_device_for(user).persistent_id
                session.save()

    return OTPClient


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty default cache: the e-mail form limits (clinic.throttle)
    count in it, and one test's submissions must not use up another's. The same for the
    permissions the backend keeps between requests (accounts.backends)."""
    from django.core.cache import cache

    from accounts.backends import _LOADED

    cache.clear()
    _LOADED.clear()  # permissions kept per process (a rolled-back test may reuse a stamp and key)
    yield
    cache.clear()
    _LOADED.clear()


@pytest.fixture
def client():
    """Django's test client, with staff OTP-verified by ``force_login`` (see above)."""
    return _otp_client_class()()


# --- Backend-specific tests ---------------------------------------------------------------
def pytest_runtest_setup(item):
    """``@pytest.mark.mysql`` tests run only against MySQL/MariaDB (``DATABASE_URL=mysql://...``)."""
    if item.get_closest_marker("mysql") is None:
        return
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.mysql":
        pytest.skip("needs MySQL/MariaDB: set DATABASE_URL=mysql://... to run it")


@pytest.fixture
def patient(patient_user):
    """The Patient record of ``patient_user`` (Alice)."""
    from records.tests.factories import PatientFactory

    return PatientFactory(user=patient_user, given_name="Alice", family_name="Archer", email=patient_user.email)


@pytest.fixture
def other_patient(other_patient_user):
    """The Patient record of ``other_patient_user`` (Bob)."""
    from records.tests.factories import PatientFactory

    return PatientFactory(
        user=other_patient_user, given_name="Bob", family_name="Baker", email=other_patient_user.email
    )
