"""Security probes of the accounts app: what the staff user list shows to whom."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient_login(patient_user):
    # The patient's login, with a marker no staff page shows unless it lists patient logins.
    patient_user.last_name = "Archer-Zqx"
    patient_user.save(update_fields=["last_name"])
    return patient_user


@pytest.mark.parametrize("persona", ["doctor", "nurse", "receptionist"])
def test_staff_other_than_clinic_admins_see_no_patient_logins_in_the_user_admin(
    client, request, persona, patient_login, other_doctor
):
    """Patients' names and e-mail addresses are reached through their record (records.access:
    a clinician only for patients in their care, and audited), never through the list of logins."""
    user = request.getfixturevalue(persona)
    client.force_login(user)

    listed = client.get(reverse("admin:accounts_user_changelist"), {"q": "example.org"})
    assert listed.status_code == 200
    shown = [u.pk for u in listed.context["cl"].result_list]
    assert patient_login.pk not in shown and other_doctor.pk in shown  # colleagues stay listed
    assert "alice@example.org" not in listed.content.decode()

    for name in ("admin:accounts_user_change", "admin:accounts_user_history"):
        page = client.get(reverse(name, args=[patient_login.pk]))
        assert page.status_code in (302, 404), name
        assert "Archer-Zqx" not in page.content.decode()

    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "records", "model_name": "patient", "field_name": "user", "term": "Archer"},
    )
    assert found.status_code == 200 and found.json()["results"] == []


def test_a_clinic_admin_still_manages_every_login(client, clinic_admin, patient_login):
    client.force_login(clinic_admin)
    listed = client.get(reverse("admin:accounts_user_changelist"), {"q": "example.org"})
    assert patient_login.pk in [u.pk for u in listed.context["cl"].result_list]
    assert client.get(reverse("admin:accounts_user_change", args=[patient_login.pk])).status_code == 200
