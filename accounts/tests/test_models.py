from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_user_model_is_ours():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(User, "username")


def test_create_user_normalises_the_email_and_hashes_the_password():
    user = User.objects.create_user("  Jane.Doe@Example.ORG ", "a-long-password-123")
    assert user.email == "jane.doe@example.org"
    assert user.check_password("a-long-password-123")
    assert user.password != "a-long-password-123"
    assert not user.is_staff and not user.is_superuser and user.is_active


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user("", "pw-123456789012")


def test_create_user_rejects_a_malformed_email():
    with pytest.raises(ValidationError):
        User.objects.create_user("not-an-email", "pw-123456789012")


def test_emails_are_unique_whatever_their_case():
    User.objects.create_user("sam@example.org", "pw-123456789012")
    with pytest.raises(ValidationError):
        User.objects.create_user("SAM@example.org", "pw-123456789012")


def test_natural_key_lookup_ignores_case():
    user = User.objects.create_user("sam@example.org", "pw-123456789012")
    assert User.objects.get_by_natural_key("Sam@Example.org") == user


def test_create_superuser_sets_the_flags_and_refuses_contradictions():
    admin = User.objects.create_superuser("root@example.org", "pw-123456789012")
    assert admin.is_staff and admin.is_superuser
    with pytest.raises(ValueError):
        User.objects.create_superuser("x@example.org", "pw-123456789012", is_staff=False)


def test_str_prefers_the_full_name():
    assert str(User(email="a@b.org", first_name="Ann", last_name="Lee")) == "Ann Lee"
    assert str(User(email="a@b.org")) == "a@b.org"
