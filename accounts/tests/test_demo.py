from __future__ import annotations

from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_STAFF, demo_totp_secret

pytestmark = pytest.mark.django_db


def test_demo_staff_get_a_fixed_printed_two_factor_secret_and_can_log_in_with_it():
    out = StringIO()
    call_command("seed_demo", "--patients", "0", "--password", "demo-pass-for-tests-1", stdout=out)
    output = out.getvalue()
    assert TOTPDevice.objects.filter(confirmed=True).count() == len(DEMO_STAFF)
    doctor = DEMO_STAFF[1]
    secret = demo_totp_secret(doctor.email)
    assert secret in output
    assert "DEMO ONLY" in output

    client = Client()
    client.post(reverse("accounts:login"), {"username": doctor.email, "password": "demo-pass-for-tests-1"})
    client.post(reverse("accounts:otp_verify"), {"token": f"{totp(b32decode(secret)):06d}"})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_demo_secret_does_not_change_between_runs():
    assert demo_totp_secret("dr.patel@demo.clinic") == demo_totp_secret("dr.patel@demo.clinic")
    assert demo_totp_secret("dr.patel@demo.clinic") != demo_totp_secret("dr.okafor@demo.clinic")
