"""The changelist's actions form is rendered once per list of actions (clinic_admin's
action_form_fields) and is the markup Django's admin/actions.html writes; each role sees its
own actions."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ActionForm
from django.template import Context, Template
from django.urls import reverse

from clinic.templatetags import clinic_admin

pytestmark = [pytest.mark.django_db]

# The loop of Django's admin/actions.html, block actions-form.
DJANGO_LOOP = Template(
    "{% for field in action_form %}{% if field.label %}<label>{{ field.label }} {{ field }}</label>"
    "{% else %}{{ field }}{% endif %}{% endfor %}"
)


@pytest.fixture(autouse=True)
def empty_cache():
    clinic_admin._ACTION_FORMS.clear()
    yield
    clinic_admin._ACTION_FORMS.clear()


def action_form(*choices) -> ActionForm:
    form = ActionForm(auto_id=None)
    form.fields["action"].choices = [("", "---------"), *choices]
    return form


def test_the_fields_are_the_ones_djangos_template_writes():
    form = action_form(("delete_selected", "Delete <b>selected</b> & co"), ("export", "Export"))
    expected = DJANGO_LOOP.render(Context({"action_form": form}))
    assert clinic_admin.action_form_fields(form) == expected
    assert clinic_admin.action_form_fields(action_form(("export", "Export"), ("delete_selected", "x"))) != expected
    assert "&lt;b&gt;selected&lt;/b&gt; &amp; co" in expected
    # Cached per list of actions: the same list again is the same entry.
    assert (
        clinic_admin.action_form_fields(
            action_form(("delete_selected", "Delete <b>selected</b> & co"), ("export", "Export"))
        )
        == expected
    )
    assert len(clinic_admin._ACTION_FORMS) == 2


def actions_of(html: str) -> list[str]:
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_each_role_sees_its_own_actions(client, clinic_admin, receptionist):
    url = reverse("admin:records_patient_changelist")
    client.force_login(clinic_admin)
    boss = actions_of(client.get(url).content.decode())
    client.force_login(receptionist)
    desk = actions_of(client.get(url).content.decode())
    assert "export_csv" in boss and "export_csv" not in desk
    assert "send_portal_invitation" in desk
