from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.validators import MaximumLengthValidator

pytestmark = pytest.mark.django_db


def codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_a_long_passphrase_is_accepted():
    assert codes("correct horse battery staple " * 2 + "and a few more words") == set()
    assert codes("x7Lq2vR9mN4pT8wK" * 8) == set()  # 128 characters


def test_the_policy(patient_user):
    assert "password_too_short" in codes("Tr0ub4dor&3")  # 11 characters
    assert "password_too_common" in codes("password1234")
    assert "password_entirely_numeric" in codes("839201746582913")
    assert "password_too_similar" in codes("alice@example.org1", patient_user)
    assert "password_too_long" in codes("x7Lq2vR9mN4pT8wK" * 8 + "z")


def test_the_maximum_must_allow_at_least_64_characters():
    with pytest.raises(ValueError):
        MaximumLengthValidator(max_length=63)
    MaximumLengthValidator(max_length=64).validate("y" * 64)


def reset_link(client, user) -> str:
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    return re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[-1].body).group(1)


def test_a_reset_link_works_within_the_hour(client, patient_user):
    link = reset_link(client, patient_user)
    with time_machine.travel(time.time() + 55 * 60, tick=False):
        assert client.get(link, follow=True).context["validlink"]


def test_a_reset_link_expires_after_an_hour(client, patient_user):
    link = reset_link(client, patient_user)
    with time_machine.travel(time.time() + 61 * 60, tick=False):
        assert not client.get(link, follow=True).context["validlink"]


def test_a_reset_link_works_once(client, patient_user):
    link = reset_link(client, patient_user)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "reset-to-this-secret-9", "new_password2": "reset-to-this-secret-9"})
    assert not client.get(link, follow=True).context["validlink"]
