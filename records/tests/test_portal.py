from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse, set_script_prefix
from fhir.resources.R4B.bundle import Bundle

from records.tests.conftest import XSS
from records.tests.factories import EncounterFactory, ObservationFactory

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "records:overview",
    "records:visits",
    "records:results",
    "records:vitals",
    "records:documents",
    "records:profile",
    "records:export_fhir",
    "records:summary",
]
OBJECT_URLS = [("records:visit_detail", "encounter"), ("records:document_download", "document")]
STAFF = ["doctor", "other_doctor", "nurse", "receptionist", "clinic_admin"]


def _all_urls(record):
    urls = [reverse(name) for name in LIST_URLS]
    urls += [reverse(name, args=[record[key].pk]) for name, key in OBJECT_URLS]
    return urls


def test_the_owner_opens_every_record_page(client, patient_user, record):
    client.force_login(patient_user)
    for url in _all_urls(record):
        response = client.get(url)
        assert response.status_code == 200, url


def test_anonymous_is_sent_to_the_login_page(client, record):
    for url in _all_urls(record):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_another_patient_gets_404_for_alices_objects_and_never_sees_her_data(client, other_patient, record):
    client.force_login(other_patient.user)
    for name, key in OBJECT_URLS:
        assert client.get(reverse(name, args=[record[key].pk])).status_code == 404, name
    for name in LIST_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "Headaches" not in body and "Amlodipine" not in body and "Penicillin" not in body, name
        assert "Alice" not in body and record["encounter"].patient.mrn not in body, name


@pytest.mark.parametrize("persona", STAFF)
def test_staff_have_no_portal_record(client, request, record, persona):
    """Staff read records in the admin (audited); the portal answers 404 to a login without a patient."""
    client.force_login(request.getfixturevalue(persona))
    for url in _all_urls(record):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", LIST_URLS)
def test_wrong_method_is_405(client, patient_user, record, name):
    client.force_login(patient_user)
    method = client.put if name == "records:profile" else client.post
    assert method(reverse(name)).status_code == 405


def test_stored_xss_comes_back_escaped(client, patient_user, record):
    client.force_login(patient_user)
    urls = [reverse("records:overview"), reverse("records:visits"), reverse("records:summary")]
    urls.append(reverse("records:visit_detail", args=[record["encounter"].pk]))
    for url in urls:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "onerror=alert(1)>" not in body, url
    body = client.get(reverse("records:visit_detail", args=[record["encounter"].pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_overview_shows_problems_allergies_medications_and_visits(client, patient_user, record):
    client.force_login(patient_user)
    body = client.get(reverse("records:overview")).content.decode()
    for text in ("I10", "Essential (primary) hypertension", "Penicillin", "Amlodipine", "Headaches"):
        assert text in body
    # The choices' labels, the clinician's name and a link to the visit, as the overview's rows carry them.
    assert "(moderate)" in body and "5 mg, by mouth, once daily" in body
    visit = reverse("records:visit_detail", args=[record["encounter"].pk])
    assert f'<a href="{visit}">' in body and "Grace Hopper</span>" in body


def test_a_choice_no_longer_listed_shows_as_stored():
    from records.models import Medication
    from records.selectors import _label

    assert _label(Medication.Route, "oral") == "By mouth"
    assert _label(Medication.Route, "nasal") == "nasal"


def _tabs(body: str) -> list[str]:
    return [
        line.strip()
        for line in body.split('<ul class="nav nav-tabs">')[1].split("</ul>")[0].splitlines()
        if line.strip()
    ]


def test_the_record_tabs_mark_the_current_page_only(client, patient_user, record):
    client.force_login(patient_user)
    tabs = _tabs(client.get(reverse("records:results")).content.decode())
    assert len(tabs) == 6
    current = [tab for tab in tabs if "active" in tab]
    results = reverse("records:results")
    assert current == [
        f'<li class="nav-item"><a class="nav-link active" aria-current="page" href="{results}">Results</a></li>'
    ]
    assert f'<a class="nav-link" href="{reverse("records:overview")}">Overview</a>' in tabs[0]
    # A visit is under no tab.
    visit = client.get(reverse("records:visit_detail", args=[record["encounter"].pk])).content.decode()
    assert not [tab for tab in _tabs(visit) if "active" in tab]


def test_the_record_tabs_follow_the_script_prefix(client, patient_user, record):
    """The tabs' URLs are kept per script prefix: a site served under /clinic links under it."""
    client.force_login(patient_user)
    client.get(reverse("records:overview"))  # the tabs without a prefix, kept first
    # Django's WSGI handler sets the prefix from SCRIPT_NAME; the test client leaves that to us.
    set_script_prefix("/clinic/")
    try:
        body = client.get("/records/", SCRIPT_NAME="/clinic").content.decode()
    finally:
        set_script_prefix("/")
    tabs = _tabs(body)
    assert 'href="/clinic/records/visits/"' in tabs[1]
    assert 'class="nav-link active" aria-current="page" href="/clinic/records/"' in tabs[0]


def test_results_flag_the_abnormal_value_with_its_range(client, patient_user, record):
    client.force_login(patient_user)
    body = client.get(reverse("records:results")).content.decode()
    assert "Glucose" in body and "131 mg/dL" in body and "70–99 mg/dL" in body
    assert "<strong>High</strong>" in body


def test_vitals_page_has_an_accessible_svg_chart_and_a_table(client, patient_user, record):
    client.force_login(patient_user)
    body = client.get(reverse("records:vitals")).content.decode()
    assert 'role="img"' in body and '<title id="chart-8480-6-title">' in body and "<desc" in body
    assert "3 readings" in body
    assert "<table" in body


def test_document_download_is_an_attachment_with_nosniff(client, patient_user, record):
    client.force_login(patient_user)
    response = client.get(reverse("records:document_download", args=[record["document"].pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_download_my_record_is_a_valid_fhir_bundle_and_is_audited(client, patient_user, record):
    client.force_login(patient_user)
    response = client.get(reverse("records:export_fhir"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Patient", "Encounter", "Condition", "Observation", "AllergyIntolerance"} <= kinds
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == patient_user and entry.additional_data["what"] == "export:fhir"
    client.get(reverse("records:summary"))
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 2


def test_profile_changes_contact_details_only(client, patient_user, patient):
    client.force_login(patient_user)
    response = client.post(
        reverse("records:profile"),
        {"phone": "+44 1234", "city": XSS, "given_name": "Mallory", "preferred_language": "Welsh"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "+44 1234" and patient.given_name == "Alice" and patient.preferred_language == "Welsh"
    body = client.get(reverse("records:profile")).content.decode()
    assert "<script>alert" not in body


def test_list_pages_have_a_fixed_number_of_queries(client, patient_user, patient, record, django_assert_num_queries):
    client.force_login(patient_user)
    for _ in range(5):
        encounter = EncounterFactory(patient=patient)
        ObservationFactory(patient=patient, encounter=encounter, kind="lab", code="2345-7")
    client.get(reverse("records:overview"))  # warm the session and content type caches
    # session, user (and the permission stamp: the groups the context processor asks for are
    # kept between requests, accounts.backends), patient, then:
    # overview: active conditions, allergies, current medications, recent encounters (+ provider)
    with django_assert_num_queries(7):
        client.get(reverse("records:overview"))
    # visits: session, user, patient, encounters joined with their provider
    with django_assert_num_queries(4):
        client.get(reverse("records:visits"))
    # results: session, user, patient, lab observations
    with django_assert_num_queries(4):
        client.get(reverse("records:results"))
    # documents: session, user, patient, documents
    with django_assert_num_queries(4):
        client.get(reverse("records:documents"))
    # vitals: session, user, patient, charted series, readings table
    with django_assert_num_queries(5):
        client.get(reverse("records:vitals"))


def test_entries_marked_in_error_disappear_from_the_portal(client, patient_user, doctor, record):
    from records import services

    services.entry_mark_entered_in_error(entry=record["medication"], actor=doctor, reason="Wrong drug")
    services.entry_mark_entered_in_error(entry=record["glucose"], actor=doctor, reason="Haemolysed sample")
    client.force_login(patient_user)
    assert "Amlodipine" not in client.get(reverse("records:overview")).content.decode()
    assert "Glucose" not in client.get(reverse("records:results")).content.decode()
