"""The permission backend: Django's ModelBackend, with a user's permissions and roles read in
one query."""

from __future__ import annotations

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db import connections, router


class ModelBackend(backends.ModelBackend):
    """``django.contrib.auth.backends.ModelBackend`` (same answers, same per-request cache on the
    user), except that ``get_all_permissions`` reads the user's own permissions, their groups'
    permissions and their group names in one query. Django reads the first two in two queries,
    and the dashboard then read the group names (``accounts.roles.roles_of``) in a third: three
    round trips on every staff page, a tenth of the clinic admin's dashboard. The group names are
    left on the user for ``roles_of``, as it caches them itself."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions, roles = permissions_and_roles(user_obj)
            user_obj._perm_cache = permissions
            if getattr(user_obj, "_clinic_roles", None) is None:
                user_obj._clinic_roles = roles
        return user_obj._perm_cache


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


def permissions_and_roles(user) -> tuple[set[str], frozenset[str]]:
    """Every permission of ``user`` as ``"app_label.codename"`` (all of them for a superuser, as
    ModelBackend gives) and the names of their groups, in one query."""
    if user.is_superuser:
        sql, params = f"{_GROUPS} UNION ALL {_ALL_PERMISSIONS}", [user.pk]
    else:
        sql, params = f"{_GROUPS} UNION ALL {_PERMISSIONS}", [user.pk, user.pk, user.pk]
    with connections[router.db_for_read(Permission)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    permissions = {f"{app_label}.{codename}" for kind, app_label, codename in rows if kind == "p"}
    roles = frozenset(name for kind, name, _ in rows if kind == "g")
    return permissions, roles
