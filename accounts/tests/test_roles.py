from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.roles import declared_role_permissions, has_role, roles_of, sync_role_permissions

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


def test_groups_hold_exactly_their_declared_permissions():
    declared = declared_role_permissions()
    for role in roles.ROLES:
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == declared[role], role


def test_only_clinic_admins_may_manage_staff_accounts(clinic_admin, receptionist, doctor, patient_user):
    assert clinic_admin.has_perm("accounts.change_user")
    for user in (receptionist, doctor, patient_user):
        assert not user.has_perm("accounts.change_user")
        assert not user.has_perm("auth.change_group")


def test_patients_hold_no_model_permissions(patient_user):
    assert patient_user.get_all_permissions() == set()


def test_sync_restores_a_permission_removed_by_hand(clinic_admin):
    group = Group.objects.get(name=roles.CLINIC_ADMIN)
    group.permissions.clear()
    sync_role_permissions()
    assert group.permissions.filter(codename="change_user").exists()


def test_sync_removes_a_permission_added_by_hand():
    group = Group.objects.get(name=roles.RECEPTIONIST)
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="delete_user"))
    sync_role_permissions()
    assert not group.permissions.filter(codename="delete_user").exists()


def test_roles_of_and_has_role(doctor, patient_user):
    assert roles_of(doctor) == {roles.DOCTOR}
    assert has_role(doctor, roles.DOCTOR, roles.NURSE)
    assert not has_role(patient_user, roles.DOCTOR)
