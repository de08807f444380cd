from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts import roles
from accounts.models import User

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_every_role_and_the_patients():
    output = _seed("--patients", "4", "--password", "demo-pass-for-tests-1")
    staff = User.objects.filter(is_staff=True)
    assert {g for u in staff for g in u.groups.values_list("name", flat=True)} == set(roles.STAFF_ROLES)
    assert User.objects.filter(groups__name=roles.DOCTOR).count() == 3
    assert User.objects.filter(groups__name=roles.PATIENT).count() == 4
    assert User.objects.get(email="patient1@demo.clinic").check_password("demo-pass-for-tests-1")
    assert "admin@demo.clinic" in output


def test_seed_demo_is_idempotent():
    _seed("--patients", "3")
    counts = {m.__name__: m.objects.count() for m in _all_models()}
    output = _seed("--patients", "3")
    assert {m.__name__: m.objects.count() for m in _all_models()} == counts
    assert "nothing added" in output


def test_seed_demo_replaces_the_permission_stamp():
    # Its group memberships are bulk-inserted without the signals that would replace it
    # (accounts.backends keeps permissions under it).
    from accounts.models import PermissionStamp

    _seed("--patients", "2")
    before = PermissionStamp.objects.get(pk=1).value
    _seed("--patients", "4")  # two more patient logins, their memberships written in bulk
    assert PermissionStamp.objects.get(pk=1).value != before


def test_seed_demo_refuses_a_negative_count():
    with pytest.raises(CommandError, match="--patients"):
        _seed("--patients", "-1")


def _all_models():
    from django.apps import apps

    return [m for m in apps.get_models() if m._meta.app_label in {"accounts", "records", "appointments", "diagnosis"}]
