from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent
from conftest import otp_device_for, totp_code

pytestmark = pytest.mark.django_db


def password_login(client: Client, user, password: str):
    data = {"username": user.email, "password": password}
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR="10.1.1.1")


def code_for_secret(secret_b32: str) -> str:
    return f"{totp(b32decode(secret_b32)):06d}"


def test_staff_with_only_a_password_reach_no_staff_page(doctor, password):
    client = Client()
    otp_device_for(doctor)
    password_login(client, doctor, password)
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist"), reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:otp_verify")), url


def test_staff_without_a_device_are_sent_to_enrol(receptionist, password):
    client = Client()
    password_login(client, receptionist, password)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_setup"))


def test_a_staff_login_with_password_then_code_opens_the_admin(doctor, password):
    client = Client()
    device = otp_device_for(doctor)
    response = password_login(client, doctor, password)
    response = client.post(reverse("accounts:otp_verify"), {"token": totp_code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    assert SecurityEvent.objects.filter(user=doctor, kind=SecurityEvent.Kind.OTP_VERIFIED).exists()


def test_a_wrong_code_is_refused_and_logged(doctor, password):
    client = Client()
    otp_device_for(doctor)
    password_login(client, doctor, password)
    response = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 302
    assert SecurityEvent.objects.filter(user=doctor, kind=SecurityEvent.Kind.OTP_FAILED).exists()


def test_logout_and_static_files_stay_reachable_while_unverified(doctor, password):
    client = Client()
    password_login(client, doctor, password)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_unverified_staff_with_a_device_cannot_enrol_a_new_one(doctor, password):
    client = Client()
    otp_device_for(doctor)
    password_login(client, doctor, password)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))
    response = client.post(reverse("accounts:otp_setup"), {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=doctor).count() == 1


def enrol(client: Client) -> list[str]:
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    secret = "".join(page.context["secret_groups"])
    response = client.post(reverse("accounts:otp_setup"), {"token": code_for_secret(secret)})
    assert response.status_code == 200
    return response.context["codes"]


def test_staff_enrolment_shows_a_qr_code_confirms_and_gives_ten_backup_codes(receptionist, password):
    client = Client()
    password_login(client, receptionist, password)
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    assert not TOTPDevice.objects.filter(user=receptionist).exists()  # nothing stored before confirmation
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert not TOTPDevice.objects.filter(user=receptionist).exists()
    codes = enrol(client)
    assert len(codes) == 10 == len(set(codes))
    assert TOTPDevice.objects.get(user=receptionist).confirmed
    assert client.get(reverse("admin:index")).status_code == 200
    # Shown once: the account page lists only how many are left.
    account = client.get(reverse("accounts:account")).content.decode()
    assert codes[0] not in account


def test_a_backup_code_works_once(doctor, password):
    client = Client()
    password_login(client, doctor, password)
    codes = enrol(client)
    client.post(reverse("accounts:logout"))

    password_login(client, doctor, password)
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("accounts:logout"))

    password_login(client, doctor, password)
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302
    assert StaticToken.objects.filter(device__user=doctor).count() == 9


def test_patients_may_turn_on_two_factor_and_then_their_login_asks_for_it(patient_user, password):
    client = Client()
    password_login(client, patient_user, password)
    assert client.get(reverse("accounts:account")).status_code == 200  # optional: not forced
    enrol(client)
    client.post(reverse("accounts:logout"))

    password_login(client, patient_user, password)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))
    device = TOTPDevice.objects.get(user=patient_user)
    with time_machine.travel(time.time() + 60, tick=False):  # a later time step: a code works once
        client.post(reverse("accounts:otp_verify"), {"token": totp_code(device)})
        assert client.get(reverse("accounts:account")).status_code == 200


def test_a_patient_turns_two_factor_off_after_reauthenticating(patient_user, password):
    client = Client()
    password_login(client, patient_user, password)
    enrol(client)
    with time_machine.travel(time.time() + 15 * 60, tick=False):  # past REAUTH_SECONDS, not idle
        response = client.post(reverse("accounts:otp_disable"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:reauthenticate"))
        assert TOTPDevice.objects.filter(user=patient_user).exists()
        device = TOTPDevice.objects.get(user=patient_user)
        response = client.post(
            reverse("accounts:reauthenticate") + "?next=/accounts/",
            {"password": password, "token": totp_code(device)},
        )
        assert response.status_code == 302
        assert client.post(reverse("accounts:otp_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=patient_user).exists()


def test_staff_cannot_turn_two_factor_off(client, doctor):
    client.force_login(doctor)
    assert client.post(reverse("accounts:otp_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=doctor).exists()


def test_reauthentication_refuses_a_wrong_password(client, patient_user):
    client.force_login(patient_user)
    response = client.post(reverse("accounts:reauthenticate"), {"password": "wrong-wrong-wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_reauthentication_page_does_not_redirect_off_site(client, patient_user, password):
    client.force_login(patient_user)
    response = client.post(reverse("accounts:reauthenticate") + "?next=https://evil.example/", {"password": password})
    assert response.status_code == 302
    assert response.url == reverse("accounts:account")


def test_the_force_login_client_verifies_staff(client, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_admin_resets_two_factor_for_a_user_who_lost_their_phone(client, clinic_admin, nurse):
    otp_device_for(nurse)
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [nurse.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    event = SecurityEvent.objects.get(user=nurse, kind=SecurityEvent.Kind.TWO_FACTOR_RESET)
    assert event.actor == clinic_admin


def test_the_reset_two_factor_command(nurse, capsys):
    otp_device_for(nurse)
    call_command("reset_two_factor", nurse.email.upper(), "--reason", "lost phone, ticket 42")
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    event = SecurityEvent.objects.get(user=nurse, kind=SecurityEvent.Kind.TWO_FACTOR_RESET)
    assert event.actor is None
    assert "ticket 42" in event.detail
    assert re.search(r"reset", capsys.readouterr().out, re.I)


def test_the_reset_two_factor_command_rejects_an_unknown_address(db):
    with pytest.raises(CommandError):
        call_command("reset_two_factor", "ghost@example.org")


def test_turning_two_factor_on_needs_a_recent_authentication(patient_user, password):
    client = Client()
    password_login(client, patient_user, password)
    with time_machine.travel(time.time() + 15 * 60, tick=False):
        response = client.get(reverse("accounts:otp_setup"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:reauthenticate"))
        client.post(response.url, {"password": password})
        assert client.get(reverse("accounts:otp_setup")).status_code == 200


def test_moving_to_a_new_phone_replaces_the_device(client, doctor, password):
    client.force_login(doctor)
    old = otp_device_for(doctor)
    codes = enrol(client)
    assert len(codes) == 10
    assert list(TOTPDevice.objects.filter(user=doctor)) != [old]
    assert TOTPDevice.objects.filter(user=doctor).count() == 1
