from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", re.I)


def test_the_security_pages_have_no_inline_script_or_style(patient_user, password):
    client = Client()
    client.post(reverse("accounts:login"), {"username": patient_user.email, "password": password})
    for name in ("account", "otp_setup", "reauthenticate", "email_change", "login_history"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 200, name
        assert not INLINE.search(response.content.decode()), name


def test_the_qr_code_is_an_image_the_csp_allows(patient_user, password):
    client = Client()
    client.post(reverse("accounts:login"), {"username": patient_user.email, "password": password})
    body = client.get(reverse("accounts:otp_setup")).content.decode()
    assert re.search(r'<img class="otp-qr[^"]*" src="data:image/svg\+xml', body)
    assert "img-src 'self' data:" in client.get(reverse("accounts:otp_setup"))["Content-Security-Policy"]
