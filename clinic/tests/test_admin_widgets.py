from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad_id", ["1.5", "-5.83e+47", "abc", "99999999999999999999999999"])
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/admin/records/encounter/add/", "patient"),
        ("/admin/appointments/appointment/add/", "patient"),
        ("/admin/appointments/provider/add/", "user"),
    ],
)
def test_an_autocomplete_key_that_cannot_be_an_id_is_a_form_error(client, clinic_admin, url, field, bad_id):
    client.force_login(clinic_admin)
    response = client.post(url, {field: bad_id})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
