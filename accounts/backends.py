"""The permission backend: Django's ModelBackend, with a user's permissions and roles read in
one query, and kept per process between requests until they may have changed."""

from __future__ import annotations

import secrets

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Permission
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Subquery

from accounts.models import PermissionStamp
from clinic.memo import Memo

# ModelBackend: each user's (permissions, group names) per database, user, superuser flag and
# permission stamp. A staff clinic has tens of users; the bound only stops piling up.
_LOADED: Memo[tuple[frozenset[str], frozenset[str]]] = Memo(4096)


class ModelBackend(backends.ModelBackend):
    """``django.contrib.auth.backends.ModelBackend`` (same answers, same per-request cache on the
    user), except that ``get_all_permissions`` reads the user's own permissions, their groups'
    permissions and their group names in one query. Django reads the first two in two queries,
    and the dashboard then read the group names (``accounts.roles.roles_of``) in a third: three
    round trips on every staff page, a tenth of the clinic admin's dashboard. The group names are
    left on the user for ``roles_of``, as it caches them itself.

    That query is also kept between requests. ``get_user`` (the session's user, once per request)
    reads the ``PermissionStamp`` in the same SELECT as the user, and the permissions are kept
    per process under (user, superuser flag, stamp): any change to anybody's permissions or groups
    replaces the stamp (``bump_permission_stamp``), so every worker reads them afresh on its next
    request. The cached query took 0.5-0.6 ms of every clinic admin's page on MariaDB."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            permission_stamp=Subquery(PermissionStamp.objects.filter(pk=1).values("value"))
        )
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions, roles = loaded_permissions_and_roles(user_obj)
            user_obj._perm_cache = permissions
            if getattr(user_obj, "_clinic_roles", None) is None:
                user_obj._clinic_roles = roles
        return user_obj._perm_cache


def loaded_permissions_and_roles(user) -> tuple[frozenset[str], frozenset[str]]:
    """``permissions_and_roles``, kept per process under the permission stamp the user was read
    with (``ModelBackend.get_user``); read afresh for a user read without one."""
    stamp = getattr(user, "permission_stamp", None)
    if stamp is None:
        return permissions_and_roles(user)
    key = (user._state.db, user.pk, user.is_superuser, stamp)
    return _LOADED.get(key, lambda: permissions_and_roles(user))


def bump_permission_stamp(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Replace the permission stamp: every process reads each user's permissions afresh on
    their next request. A receiver of the signals that change permissions (accounts/apps.py)."""
    if not kwargs.get("action", "post_").startswith("post_"):
        return  # m2m_changed: only once the rows have changed
    stamps = PermissionStamp.objects.using(using)
    value = secrets.randbits(62)
    if not stamps.filter(pk=1).update(value=value):
        stamps.update_or_create(pk=1, defaults={"value": value})


# The tables of Group, Permission, ContentType and the user's two many-to-many relations
# (accounts/tests/test_backends.py checks these names against the models). %s: the user's key.
_GROUPS = (
    "SELECT 'g', g.name, '' FROM auth_group g"
    " INNER JOIN accounts_user_groups m ON m.group_id = g.id WHERE m.user_id = %s"
)
_ALL_PERMISSIONS = (
    "SELECT 'p', ct.app_label, p.codename FROM auth_permission p"
    " INNER JOIN django_content_type ct ON ct.id = p.content_type_id"
)
_PERMISSIONS = (
    "SELECT 'p', ct.app_label, p.codename FROM auth_permission p"
    " INNER JOIN django_content_type ct ON ct.id = p.content_type_id WHERE p.id IN ("
    "SELECT o.permission_id FROM accounts_user_user_permissions o WHERE o.user_id = %s"
    " UNION SELECT gp.permission_id FROM auth_group_permissions gp"
    " INNER JOIN accounts_user_groups gm ON gm.group_id = gp.group_id WHERE gm.user_id = %s)"
)


def permissions_and_roles(user) -> tuple[frozenset[str], frozenset[str]]:
    """Every permission of ``user`` as ``"app_label.codename"`` (all of them for a superuser, as
    ModelBackend gives) and the names of their groups, in one query."""
    if user.is_superuser:
        sql, params = f"{_GROUPS} UNION ALL {_ALL_PERMISSIONS}", [user.pk]
    else:
        sql, params = f"{_GROUPS} UNION ALL {_PERMISSIONS}", [user.pk, user.pk, user.pk]
    with connections[router.db_for_read(Permission)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    permissions = frozenset(f"{app_label}.{codename}" for kind, app_label, codename in rows if kind == "p")
    roles = frozenset(name for kind, name, _ in rows if kind == "g")
    return permissions, roles


def bump_permission_stamp_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: a migration may add permissions (a superuser has them all) or content types,
    without the signals ``bump_permission_stamp`` listens to."""
    if PermissionStamp._meta.db_table in connections[using].introspection.table_names():
        bump_permission_stamp(using=using)
