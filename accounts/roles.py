"""Roles are Django groups with model permissions.

The groups are created by a data migration (``accounts/migrations/0002_roles.py``). Their
permissions are declared per app: each app may have a ``roles.py`` with a ``ROLE_PERMISSIONS``
mapping of role name -> permission strings (``"app_label.codename"``). After every
``migrate`` a post-migrate step (``sync_role_permissions``) makes each group hold exactly the
permissions declared for it, so a new model's permissions reach the roles on the next migrate.
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

logger = logging.getLogger(__name__)

PATIENT = "Patient"
DOCTOR = "Doctor"
NURSE = "Nurse"
RECEPTIONIST = "Receptionist"
CLINIC_ADMIN = "Clinic admin"

ROLES = (PATIENT, DOCTOR, NURSE, RECEPTIONIST, CLINIC_ADMIN)
STAFF_ROLES = (DOCTOR, NURSE, RECEPTIONIST, CLINIC_ADMIN)
CLINICAL_ROLES = (DOCTOR, NURSE)

# Permissions on this app's own models (and Django's auth models).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    CLINIC_ADMIN: [
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "auth.view_group",
        "auth.change_group",
        "accounts.view_securityevent",
        # django-axes: see lockouts and unlock (an unlock deletes the failed-attempt rows).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ],
    RECEPTIONIST: ["accounts.view_user"],
    DOCTOR: ["accounts.view_user"],
    NURSE: ["accounts.view_user"],
}


def declared_role_permissions() -> dict[str, set[str]]:
    """Collect ``ROLE_PERMISSIONS`` from every installed app's ``roles`` module."""
    declared: dict[str, set[str]] = {role: set() for role in ROLES}
    for app_config in global_apps.get_app_configs():
        try:
            module = import_module(f"{app_config.name}.roles")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_config.name}.roles":
                raise
            continue
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            if role not in declared:
                raise ValueError(f"{app_config.name}.roles names an unknown role {role!r}")
            declared[role].update(perms)
    return declared


def sync_role_permissions(sender=None, *, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """Make every role group hold exactly its declared permissions (post-migrate step)."""
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    wanted = declared_role_permissions()
    for role, perm_names in wanted.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        perms = []
        for name in sorted(perm_names):
            app_label, codename = name.split(".", 1)
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                # The app has not migrated yet (or the name is wrong): the next migrate adds it.
                logger.debug("role %s: permission %s does not exist yet", role, name)
                continue
            perms.append(perm)
        group.permissions.set(perms)


def roles_of(user) -> frozenset[str]:
    """The role names of a user, cached on the instance for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_clinic_roles", None)
    if cached is None:
        if getattr(user, "permission_stamp", None) is not None:
            # The session's user: read with the permissions and kept with them between requests.
            from accounts.backends import loaded_permissions_and_roles

            cached = loaded_permissions_and_roles(user)[1]
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._clinic_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return CLINIC_ADMIN in roles or bool(roles_of(user) & set(roles))
    return bool(roles_of(user) & set(roles))
