"""The user admin shows clinic admins the patients' logins (name, e-mail): each list or change
page that shows one is an audit row naming those patients (records/admin/users.py), for one
INSERT more; pages of staff logins alone write nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from records.tests.lookup_audit import assert_no_row, assert_one_row_naming, get_audited

pytestmark = pytest.mark.django_db

LIST_AUDIT_AT = "clinic.admin_widgets.audit_lookup"
CHANGE_AUDIT_AT = "records.admin.users.audit_lookup"
USERS = reverse("admin:accounts_user_changelist")


def email(patient) -> str:
    return patient.user.email


def test_the_user_list_is_one_row_naming_the_patients_whose_logins_it_shows(
    client, monkeypatch, clinic_admin, doctor, patient, other_patient
):
    client.force_login(clinic_admin)
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS)
    # By e-mail: alice@, bob@, boss@ (the clinic admin), dr.who@.
    assert_one_row_naming(
        page, actor=clinic_admin, what="list:accounts.user", patients=[patient, other_patient], shown_as=email
    )


def test_a_searched_user_list_names_only_the_patients_found(client, monkeypatch, clinic_admin, patient, other_patient):
    client.force_login(clinic_admin)
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS, {"q": "bob"})
    assert_one_row_naming(page, actor=clinic_admin, what="list:accounts.user", patients=[other_patient], shown_as=email)


def test_each_page_of_the_user_list_names_only_its_own_patients(
    client, monkeypatch, clinic_admin, patient, other_patient
):
    monkeypatch.setattr("records.admin.users.UserAdmin.list_per_page", 1)
    client.force_login(clinic_admin)
    for number, shown in ((1, patient), (2, other_patient)):
        page = get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS, {"p": number})
        assert_one_row_naming(page, actor=clinic_admin, what="list:accounts.user", patients=[shown], shown_as=email)
    assert_no_row(get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS, {"p": 3}))  # the clinic admin's own login


def test_a_list_of_staff_logins_writes_no_row(client, monkeypatch, clinic_admin, receptionist, patient):
    client.force_login(clinic_admin)
    assert_no_row(get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS, {"is_staff__exact": "1"}))
    patients = get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS, {"is_staff__exact": "0"})
    assert_one_row_naming(patients, actor=clinic_admin, what="list:accounts.user", patients=[patient], shown_as=email)
    client.force_login(receptionist)  # sees staff logins only
    page = get_audited(client, monkeypatch, LIST_AUDIT_AT, USERS)
    assert patient.user.email not in page.html
    assert_no_row(page)


def test_a_patients_login_page_is_one_row_naming_the_patient(client, monkeypatch, clinic_admin, doctor, patient):
    client.force_login(clinic_admin)
    page = get_audited(
        client, monkeypatch, CHANGE_AUDIT_AT, reverse("admin:accounts_user_change", args=[patient.user.pk])
    )
    assert_one_row_naming(page, actor=clinic_admin, what="change:accounts.user", patients=[patient], shown_as=email)
    assert_no_row(
        get_audited(client, monkeypatch, CHANGE_AUDIT_AT, reverse("admin:accounts_user_change", args=[doctor.pk]))
    )
