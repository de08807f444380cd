from __future__ import annotations

import time

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client: Client, email: str, password: str, ip: str = "10.0.0.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client: Client, email: str, ip: str = "10.0.0.7") -> list[int]:
    return [attempt(client, email, "wrong-password-123", ip).status_code for _ in range(5)]


def test_the_sixth_wrong_password_from_one_address_gets_429(patient_user):
    client = Client()
    statuses = fail_five_times(client, patient_user.email)
    assert statuses[:4] == [200, 200, 200, 200]
    response = attempt(client, patient_user.email, "wrong-password-123")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_a_locked_account_refuses_even_the_right_password(patient_user, password):
    client = Client()
    fail_five_times(client, patient_user.email)
    response = attempt(client, patient_user.email, password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_and_address(patient_user, other_patient_user, password):
    client = Client()
    fail_five_times(client, patient_user.email, ip="10.0.0.7")
    assert attempt(client, patient_user.email, password, ip="10.0.0.8").status_code == 302
    client.post(reverse("accounts:logout"))
    assert attempt(client, other_patient_user.email, password, ip="10.0.0.7").status_code == 302


def test_unknown_accounts_are_throttled_the_same_way(db):
    client = Client()
    fail_five_times(client, "ghost@example.org")
    assert attempt(client, "ghost@example.org", "wrong-password-123").status_code == 429


def test_the_lock_lifts_after_the_cool_off(patient_user, password):
    client = Client()
    fail_five_times(client, patient_user.email)
    start = time.time()
    with time_machine.travel(start + 14 * 60, tick=False):
        assert attempt(client, patient_user.email, password).status_code == 429
    # The cool-off counts from the last attempt (the one at 14 minutes).
    with time_machine.travel(start + 14 * 60 + 16 * 60, tick=False):
        assert attempt(client, patient_user.email, password).status_code == 302


def test_fifteen_quiet_minutes_lift_the_lock(patient_user, password):
    client = Client()
    fail_five_times(client, patient_user.email)
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        assert attempt(client, patient_user.email, password).status_code == 302


def test_every_attempt_is_logged(patient_user, password):
    client = Client()
    attempt(client, patient_user.email, "wrong-password-123")
    attempt(client, "ghost@example.org", "wrong-password-123")
    attempt(client, patient_user.email, password)
    assert AccessFailureLog.objects.count() == 2
    assert AccessLog.objects.filter(username=patient_user.email).count() == 1
    kinds = list(SecurityEvent.objects.filter(user=patient_user).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.LOGIN])


def test_a_clinic_admin_unlocks_an_account_in_the_admin(client, clinic_admin, patient_user, password):
    locked = Client()
    fail_five_times(locked, patient_user.email)
    assert attempt(locked, patient_user.email, password).status_code == 429

    client.force_login(clinic_admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(changelist, {"action": "unlock", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(locked, patient_user.email, password).status_code == 302


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist"])
def test_other_staff_cannot_see_or_unlock_lockouts(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_securityevent_changelist")).status_code == 403


def test_changing_the_case_of_the_address_does_not_dodge_the_lock(patient_user, password):
    client = Client()
    variants = (
        "alice@example.org",
        "ALICE@example.org",
        "Alice@Example.org",
        " alice@example.org",
        "aLice@example.org",
    )
    for variant in variants:
        attempt(client, variant, "wrong-password-123")
    assert attempt(client, "ALICE@EXAMPLE.ORG", password).status_code == 429


def test_wrong_two_factor_codes_slow_down_further_tries(doctor, password):
    from conftest import otp_device_for, totp_code

    client = Client()
    device = otp_device_for(doctor)
    attempt(client, doctor.email, password)
    start = time.time()
    with time_machine.travel(start, tick=False):
        for _ in range(4):
            client.post(reverse("accounts:otp_verify"), {"token": "000000"})
        # Throttled (django-otp doubles the wait after each failure): even the right code fails now.
        client.post(reverse("accounts:otp_verify"), {"token": totp_code(device)})
        assert client.get(reverse("admin:index")).status_code == 302
    with time_machine.travel(start + 60, tick=False):
        device.refresh_from_db()
        client.post(reverse("accounts:otp_verify"), {"token": totp_code(device)})
        assert client.get(reverse("admin:index")).status_code == 200


def test_clinic_admins_see_every_logged_attempt(client, clinic_admin, patient_user):
    attempt(Client(), patient_user.email, "wrong-password-123")
    client.force_login(clinic_admin)
    for name in ("axes_accesslog", "axes_accessfailurelog", "accounts_securityevent"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
