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


# --- Kept between requests (the permission stamp) -------------------------------------------


def _request_user(user):
    """The user as a request reads it: through the backend, with the permission stamp."""
    return ModelBackend().get_user(user.pk)


def _stamp() -> int | None:
    from accounts.models import PermissionStamp

    return PermissionStamp.objects.filter(pk=1).values_list("value", flat=True).first()


def test_the_next_request_reads_no_permissions(mixed, django_assert_num_queries):
    first = _request_user(mixed)
    assert first.permission_stamp == _stamp() is not None
    assert first.has_perm("appointments.change_appointment")
    with django_assert_num_queries(1):  # the user, with the stamp
        user = _request_user(mixed)
        assert user.get_all_permissions() == first.get_all_permissions()
        assert roles.roles_of(user) == {"First", "Second", "Empty"}
        assert user.has_perm("appointments.change_appointment")


def test_a_user_read_without_the_stamp_reads_afresh(mixed, django_assert_num_queries):
    _request_user(mixed).get_all_permissions()
    plain, other = _fresh(mixed), _fresh(mixed)
    with django_assert_num_queries(1):
        assert plain.has_perm("records.view_patient")  # the permissions query
    with django_assert_num_queries(1) as queries:
        assert roles.roles_of(other) == {"First", "Second", "Empty"}
    assert "auth_permission" not in queries.captured_queries[0]["sql"]  # the group names only


CHANGES = {
    "own permission added": lambda user: user.user_permissions.add(Permission.objects.get(codename="view_location")),
    "own permissions cleared": lambda user: user.user_permissions.clear(),
    "group joined": lambda user: user.groups.add(Group.objects.get(name=roles.NURSE)),
    "group joined from the group's side": lambda user: Group.objects.get(name=roles.NURSE).user_set.add(user),
    "group left": lambda user: user.groups.remove(Group.objects.get(name="First")),
    "groups set": lambda user: user.groups.set([Group.objects.get(name="Empty")]),
    "group's permission removed": lambda user: Group.objects.get(name="First").permissions.remove(
        Permission.objects.get(codename="view_appointment")
    ),
    "group's permissions cleared": lambda user: Group.objects.get(name="Second").permissions.clear(),
    "group renamed": lambda user: _rename("First", "Renamed"),
    "group deleted": lambda user: Group.objects.get(name="Second").delete(),
    "permission deleted": lambda user: Permission.objects.get(codename="view_patient").delete(),
    "made superuser": lambda user: User.objects.filter(pk=user.pk).update(is_superuser=True),
}


def _rename(old: str, new: str) -> None:
    group = Group.objects.get(name=old)
    group.name = new
    group.save()


def _answers(user) -> tuple[frozenset[str], frozenset[str]]:
    user = _request_user(user)
    return frozenset(user.get_all_permissions()), roles.roles_of(user)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_reaches_the_next_request(mixed, change):
    before = _answers(mixed)  # kept under the stamp read with the user
    assert _answers(mixed) == before
    CHANGES[change](mixed)
    after = _answers(mixed)
    assert after != before
    # The same as read afresh, as Django's backend reads them.
    assert after[0] == django_backends.ModelBackend().get_all_permissions(_fresh(mixed))
    assert after[1] == frozenset(_fresh(mixed).groups.values_list("name", flat=True))


def test_a_change_in_another_process_is_seen_through_the_stamp(mixed, django_assert_num_queries):
    """Another worker's change reaches this one only through the database: the rows and the
    stamp change, this process's kept answer does not."""
    from django.db import connection

    before = _answers(mixed)
    view_location = Permission.objects.get(codename="view_location")
    with connection.cursor() as cursor:  # as another process would, without this one's signals
        cursor.execute(
            "INSERT INTO accounts_user_user_permissions (user_id, permission_id) VALUES (%s, %s)",
            [mixed.pk, view_location.pk],
        )
    assert _answers(mixed) == before  # the stamp has not moved: this process cannot know
    from accounts.backends import bump_permission_stamp

    bump_permission_stamp()  # what the other process's signal did
    assert "appointments.view_location" in _answers(mixed)[0]


def test_a_migration_replaces_the_stamp():
    from django.core.management.sql import emit_post_migrate_signal

    before = _stamp()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert _stamp() != before


def test_a_missing_stamp_is_made_again_and_nothing_is_kept_without_one(mixed):
    from accounts.backends import _LOADED, bump_permission_stamp
    from accounts.models import PermissionStamp

    PermissionStamp.objects.all().delete()
    user = _request_user(mixed)
    assert user.permission_stamp is None
    assert user.has_perm("records.view_patient")
    assert len(_LOADED) == 0
    bump_permission_stamp()
    assert _request_user(mixed).permission_stamp == _stamp() is not None
