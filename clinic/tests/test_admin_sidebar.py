"""The admin's navigation sidebar is rendered once per permission set and current page, and is
the same HTML Django's own include gives: the page's own model marked current, other roles'
models absent, and nothing of one user's but their permissions shared with another."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from accounts import roles
from accounts.tests.factories import StaffFactory
from clinic import admin as clinic_admin_module

pytestmark = [pytest.mark.django_db]


def sidebar(html: str) -> str:
    match = re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S)
    assert match is not None
    return match.group(0)


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.fixture(autouse=True)
def empty_caches():
    clinic_admin_module._SIDEBARS.clear()
    clinic_admin_module._APP_LISTS.clear()
    yield
    clinic_admin_module._SIDEBARS.clear()
    clinic_admin_module._APP_LISTS.clear()


def django_sidebar(user, path: str) -> str:
    """What ``{% include "admin/nav_sidebar.html" %}`` renders for this user and page."""
    from django.contrib import admin

    request = RequestFactory().get(path)
    request.user = user
    user.is_verified = lambda: True  # as django_otp's middleware leaves a user who passed the OTP step
    context = admin.site.each_context(request)
    return sidebar(engines["django"].get_template("admin/nav_sidebar.html").render(context, request))


def test_the_sidebar_is_djangos_with_the_current_model_marked(client, receptionist):
    client.force_login(receptionist)
    appointments = reverse("admin:appointments_appointment_changelist")
    patients = reverse("admin:records_patient_changelist")
    on_appointments = sidebar(client.get(appointments).content.decode())
    on_patients = sidebar(client.get(patients).content.decode())
    assert squeeze(on_appointments) == squeeze(django_sidebar(receptionist, appointments))
    assert squeeze(on_patients) == squeeze(django_sidebar(receptionist, patients))
    assert f'<a href="{appointments}" aria-current="page">' in on_appointments
    assert f'<a href="{patients}" aria-current="page">' not in on_appointments
    assert f'<a href="{patients}" aria-current="page">' in on_patients
    # Another view of the same list (a search) reuses the cached entry.
    entries = len(clinic_admin_module._SIDEBARS)
    client.get(appointments + "?q=nobody")
    assert len(clinic_admin_module._SIDEBARS) == entries


def test_roles_get_their_own_sidebar(client, clinic_admin, receptionist):
    notes = reverse("admin:records_clinicalnote_changelist")
    appointments = reverse("admin:appointments_appointment_changelist")
    client.force_login(clinic_admin)
    assert notes in sidebar(client.get(appointments).content.decode())
    client.force_login(receptionist)
    page = client.get(appointments).content.decode()
    assert notes not in sidebar(page)
    assert "boss" not in sidebar(page).lower()


def test_a_permission_change_shows_in_the_sidebar_at_once(client, receptionist):
    waitlist = reverse("admin:appointments_waitlistentry_changelist")
    appointments = reverse("admin:appointments_appointment_changelist")
    client.force_login(receptionist)
    assert waitlist in sidebar(client.get(appointments).content.decode())
    Group.objects.get(name=roles.RECEPTIONIST).permissions.filter(codename__endswith="_waitlistentry").delete()
    client.force_login(receptionist)  # a fresh user object: Django caches permissions per instance
    assert waitlist not in sidebar(client.get(appointments).content.decode())


def test_staff_with_the_same_role_share_one_entry(client, receptionist):
    appointments = reverse("admin:appointments_appointment_changelist")
    client.force_login(receptionist)
    first = sidebar(client.get(appointments).content.decode())
    client.force_login(StaffFactory(email="second@example.org", roles=[roles.RECEPTIONIST]))
    second = sidebar(client.get(appointments).content.decode())
    assert first == second and len(clinic_admin_module._SIDEBARS) == 1
