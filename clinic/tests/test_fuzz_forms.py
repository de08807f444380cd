"""Bad-input fuzz: random and malformed data posted to every form, portal and admin.

Whatever arrives, the answer is never a 500, and a form error never leaves a partial write: when
a post is not accepted (no redirect), the row count of every table of ours is unchanged.
Hypothesis runs derandomized (the same examples every run) with a modest number of examples
per form, so the whole module stays within about a minute.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from appointments.tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ProviderFactory,
    weekday_rules,
)
from diagnosis.tests.support import active_model, fresh_checker_cache, trained_model  # noqa: F401, F811
from records.tests.factories import EncounterFactory, PatientFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its example as found
    # The Django client and the database fixtures are function-scoped on purpose: every example
    # of one test shares them (and the rows earlier examples wrote), which is what we want.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Rows that legitimately appear on a refused post: login failures are recorded (security
# events), sessions come and go.
NOT_COUNTED = {"accounts.SecurityEvent", "accounts.UserSession"}
OUR_APPS = {"accounts", "records", "appointments", "diagnosis"}

VALID = object()  # replaced by the form's real value for that field

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "9" * 40,
    "1e309",
    "NaN",
    "-Infinity",
    "2026-02-30",
    "31/12/1999",
    "0000-00-00",
    "9999-12-31",
    "1969-12-31T23:59:60Z",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE records_patient; --',
    "../../etc/passwd",
    "%00%0d%0a",
    "\u202e\u0000\ufeff",
    "𝕏" * 30,
    "on",
    "true",
    "[]",
    "{}",
]
junk = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.integers(min_value=200, max_value=20_000).map(lambda n: "x" * n),  # past every max_length
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
value = st.one_of(junk, st.lists(junk, min_size=2, max_size=3))  # repeated keys too


def form_data(fields: dict[str, object]):
    """Any subset of the form's fields, each valid or junk, plus the odd unknown field."""
    optional = {name: st.one_of(st.just(VALID), value) for name in fields}
    optional["unexpected_field"] = value
    return st.fixed_dictionaries({}, optional=optional).map(
        lambda drawn: {name: fields.get(name) if v is VALID else v for name, v in drawn.items()}
    )


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and model._meta.label not in NOT_COUNTED
    }


def post_and_check(client, url: str, data: dict) -> None:
    before = counts()
    response = client.post(url, data)
    assert response.status_code < 500, f"{url} answered {response.status_code} to {data!r}"
    if response.status_code not in (301, 302, 303):
        assert counts() == before, f"{url} refused {data!r} ({response.status_code}) but wrote rows"


def form_fields(client, url: str) -> dict[str, str]:
    """The names the page's form posts, with the values the page itself filled in."""
    html = client.get(url).content.decode()
    fields: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or name.group(1) == "csrfmiddlewaretoken":
            continue
        filled = re.search(r'value="([^"]*)"', tag)
        fields.setdefault(name.group(1), filled.group(1) if filled else "")
    return fields


# --- Fixtures ------------------------------------------------------------------------------
@pytest.fixture
def clinic(db):
    """A bookable GP with weekday hours and one type of visit."""
    provider = ProviderFactory(specialty="general_practice")
    weekday_rules(provider)
    kind = AppointmentTypeFactory(specialty="general_practice", name="GP visit", duration_minutes=15)
    return provider, kind


@pytest.fixture
def portal(client, patient, clinic):
    client.force_login(patient.user)
    provider, kind = clinic
    upcoming = AppointmentFactory(
        patient=patient, provider=provider, appointment_type=kind, start=timezone.now() + dt.timedelta(days=5)
    )
    return client, patient, provider, kind, upcoming


@pytest.fixture
def staff_client(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


def _next_weekday_slot(days: int = 7) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    return str(int(start.timestamp()))


# --- Portal and public forms ---------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_registration(client, data):
    fields = {
        "given_name": "Rosa",
        "family_name": "Park",
        "date_of_birth": "1980-05-04",
        "sex": "female",
        "email": "rosa@example.org",
        "phone": "01234 567890",
        "password1": "a long enough passphrase 42",
        "password2": "a long enough passphrase 42",
    }
    post_and_check(client, "/records/register/", data.draw(form_data(fields)))


@FUZZ
@given(data=st.data())
def test_login(client, patient_user, data):
    fields = {"username": patient_user.email, "password": "wrong"}
    post_and_check(client, "/accounts/login/", data.draw(form_data(fields)))


@FUZZ
@given(data=st.data())
def test_profile_edit(portal, data):
    client = portal[0]
    post_and_check(client, "/records/profile/", data.draw(form_data(form_fields(client, "/records/profile/"))))


@FUZZ
@given(data=st.data())
def test_booking_confirm(portal, data):
    client, _patient, provider, kind, _upcoming = portal
    fields = {"provider": provider.pk, "appointment_type": kind.pk, "start": _next_weekday_slot(), "reason": "Cough"}
    post_and_check(client, "/appointments/book/confirm/", data.draw(form_data(fields)))


@FUZZ
@given(data=st.data())
def test_cancel(portal, data):
    client, *_, upcoming = portal
    post_and_check(client, f"/appointments/{upcoming.pk}/cancel/", data.draw(form_data({"reason": "Better"})))


@FUZZ
@given(data=st.data())
def test_reschedule(portal, data):
    client, *_, upcoming = portal
    fields = {"new_start": _next_weekday_slot(9)}
    post_and_check(client, f"/appointments/{upcoming.pk}/reschedule/", data.draw(form_data(fields)))


@FUZZ
@given(data=st.data())
def test_waitlist_join(portal, data):
    client, _patient, provider, kind, _upcoming = portal
    today = timezone.localdate()
    fields = {
        "appointment_type": kind.pk,
        "provider": provider.pk,
        "earliest_date": (today + dt.timedelta(days=1)).isoformat(),
        "latest_date": (today + dt.timedelta(days=20)).isoformat(),
        "reason": "Any time",
    }
    post_and_check(client, "/appointments/waitlist/join/", data.draw(form_data(fields)))


@FUZZ
@given(data=st.data())
def test_symptom_check(portal, active_model, data):  # noqa: F811 - the fixture imported above
    client = portal[0]
    fields = {"text": "sore throat and a runny nose for three days", "picked": ""}
    post_and_check(client, "/symptom-checker/", data.draw(form_data(fields)))


# --- Admin add and change forms of the main models ----------------------------------------
def _admin_urls() -> list:
    return [
        "/admin/records/patient/add/",
        "/admin/records/patient/{patient}/change/",
        "/admin/records/encounter/add/",
        "/admin/appointments/appointment/add/",
        "/admin/appointments/appointment/{appointment}/change/",
        "/admin/appointments/provider/add/",
        "/admin/accounts/user/add/",
    ]


@pytest.mark.parametrize("url_pattern", _admin_urls())
@FUZZ
@given(data=st.data())
def test_admin_forms(staff_client, clinic, url_pattern, data):
    provider, kind = clinic
    patient = PatientFactory()
    EncounterFactory(patient=patient)
    appointment = AppointmentFactory(patient=patient, provider=provider, appointment_type=kind)
    url = url_pattern.format(patient=patient.pk, appointment=appointment.pk)
    fields = form_fields(staff_client, url)
    assert fields, f"{url} shows no form"
    post_and_check(staff_client, url, data.draw(form_data(fields)))
