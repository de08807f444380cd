"""accounts.backends.ModelBackend answers as Django's ModelBackend does, in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth.models import AnonymousUser, Group, Permission

from accounts import roles
from accounts.backends import ModelBackend
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no per-request caches on the instance


def _both(user) -> tuple[set[str], set[str]]:
    return ModelBackend().get_all_permissions(_fresh(user)), django_backends.ModelBackend().get_all_permissions(
        _fresh(user)
    )


@pytest.fixture
def mixed():
    """A user with a permission of their own, two groups' permissions (one shared) and a group
    without any."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_patient"))
    first, second, empty = (
        Group.objects.create(name="First"),
        Group.objects.create(name="Second"),
        Group.objects.create(name="Empty"),
    )
    first.permissions.add(*Permission.objects.filter(codename__in=["view_appointment", "change_appointment"]))
    second.permissions.add(*Permission.objects.filter(codename__in=["change_appointment", "add_encounter"]))
    user.groups.add(first, second, empty)
    return user


def test_the_permissions_are_djangos(mixed, doctor, receptionist, clinic_admin, patient_user):
    for user in (mixed, doctor, receptionist, clinic_admin, patient_user):
        ours, django = _both(user)
        assert ours == django
    assert _both(mixed)[0] == {
        "records.view_patient",
        "appointments.view_appointment",
        "appointments.change_appointment",
        "records.add_encounter",
    }


def test_a_superuser_has_every_permission():
    ours, django = _both(UserFactory(is_superuser=True))
    assert ours == django == {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}


def test_inactive_anonymous_and_object_checks_get_nothing(mixed):
    mixed.is_active = False
    assert ModelBackend().get_all_permissions(mixed) == set()
    assert ModelBackend().get_all_permissions(AnonymousUser()) == set()
    assert ModelBackend().get_all_permissions(_fresh(mixed), obj=object()) == set()


def test_permissions_and_roles_take_one_query_per_request(mixed, django_assert_num_queries):
    user = _fresh(mixed)
    with django_assert_num_queries(1):
        assert user.has_perm("appointments.change_appointment")
        assert not user.has_perm("appointments.delete_appointment")
        assert roles.roles_of(user) == {"First", "Second", "Empty"}
        assert not roles.has_role(user, roles.DOCTOR)


def test_roles_read_first_are_kept(mixed, django_assert_num_queries):
    user = _fresh(mixed)
    assert roles.roles_of(user) == {"First", "Second", "Empty"}
    user.groups.clear()  # the instance keeps what it read for the request
    assert roles.roles_of(user) == {"First", "Second", "Empty"}
    assert user.has_perm("records.view_patient")  # own permission
    assert not user.has_perm("appointments.view_appointment")  # the groups are gone


def test_it_is_the_configured_backend(settings):
    assert "accounts.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


def test_the_statement_names_the_models_tables():
    from django.contrib.contenttypes.models import ContentType

    from accounts import backends

    sql = backends._GROUPS + backends._PERMISSIONS
    tables = [Group, Permission, ContentType, User.groups.through, User.user_permissions.through]
    tables.append(Group.permissions.through)
    for model in tables:
        assert f" {model._meta.db_table} " in sql
    assert "user_id" in {f.column for f in User.groups.through._meta.fields}
    assert {"user_id", "permission_id"} <= {f.column for f in User.user_permissions.through._meta.fields}
