from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from diagnosis import services
from diagnosis.models import SymptomCheck

pytestmark = pytest.mark.django_db

TEXT = "really bad headache since this morning, threw up twice, no fever, light hurts my eyes"


@pytest.fixture
def my_check(active_model, patient, patient_user):
    return services.symptom_check_run(patient=patient, created_by=patient_user, text=TEXT)


def test_anonymous_users_are_sent_to_log_in(db):
    for url in (reverse("diagnosis:check"), reverse("diagnosis:history"), reverse("diagnosis:result", args=[1])):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_check_page_offers_text_and_a_datalist_of_findings(client, patient_user, patient, active_model):
    client.force_login(patient_user)
    response = client.get(reverse("diagnosis:check"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'list="finding-options"' in body and '<datalist id="finding-options">' in body
    assert "<option value=" in body
    assert "This is not a diagnosis" in body


def test_posting_creates_a_check_and_redirects_to_it(client, patient_user, patient, active_model):
    client.force_login(patient_user)
    response = client.post(reverse("diagnosis:check"), {"text": TEXT})
    check = SymptomCheck.objects.get()
    assert response.status_code == 302 and response.url == reverse("diagnosis:result", args=[check.pk])
    assert check.patient == patient and check.created_by == patient_user


def test_picked_findings_are_validated_against_the_list(client, patient_user, patient, active_model):
    client.force_login(patient_user)
    kb = services.get_checker()[1].kb
    lay = kb.findings["fever"].lay
    response = client.post(reverse("diagnosis:check"), {"finding_1": lay.upper()})
    assert response.status_code == 302
    assert SymptomCheck.objects.get().answers == {"fever": True}
    response = client.post(reverse("diagnosis:check"), {"finding_1": "made-up symptom"})
    assert response.status_code == 400
    assert "Please pick a symptom from the list" in response.content.decode()
    assert client.post(reverse("diagnosis:check"), {"text": "  "}).status_code == 400


def test_the_result_page_shows_triage_conditions_findings_and_booking(client, patient_user, my_check):
    client.force_login(patient_user)
    response = client.get(reverse("diagnosis:result", args=[my_check.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('id="triage-banner"') < body.index('id="conditions"')
    assert "Most likely" in body and "Possible" in body
    assert "This is not a diagnosis" in body
    assert "That’s wrong" in body
    if my_check.triage != "emergency":
        assert reverse("appointments:book") + "?specialty=" in body


def test_an_emergency_says_call_now_and_offers_no_booking_first(client, patient_user, my_check):
    SymptomCheck.objects.filter(pk=my_check.pk).update(triage="emergency")
    client.force_login(patient_user)
    body = client.get(reverse("diagnosis:result", args=[my_check.pk])).content.decode()
    assert "call 999/112 or your local emergency number now" in body.lower()
    assert 'id="booking"' not in body
    banner = body.index('id="triage-banner"')
    first_booking = body.find("?specialty=")
    assert first_booking == -1 or first_booking > body.index('id="findings"') > banner


def test_answering_a_question_reruns_the_check(client, patient_user, my_check):
    client.force_login(patient_user)
    response = client.post(reverse("diagnosis:answer", args=[my_check.pk]), {"code": "fever", "present": "yes"})
    assert response.status_code == 302
    my_check.refresh_from_db()
    assert my_check.answers == {"fever": True}
    assert client.post(reverse("diagnosis:answer", args=[my_check.pk]),
                       {"code": "no_such_finding", "present": "yes"}).status_code == 400


def test_the_result_offers_follow_up_questions(client, patient_user, my_check):
    client.force_login(patient_user)
    body = client.get(reverse("diagnosis:result", args=[my_check.pk])).content.decode()
    assert 'id="questions"' in body and 'value="yes"' in body


def test_another_patient_gets_404(client, other_patient_user, other_patient, my_check):
    client.force_login(other_patient_user)
    assert client.get(reverse("diagnosis:result", args=[my_check.pk])).status_code == 404
    assert client.post(reverse("diagnosis:answer", args=[my_check.pk]),
                       {"code": "fever", "present": "yes"}).status_code == 404


def test_wrong_methods_are_refused(client, patient_user, my_check):
    client.force_login(patient_user)
    assert client.post(reverse("diagnosis:result", args=[my_check.pk])).status_code == 405
    assert client.get(reverse("diagnosis:answer", args=[my_check.pk])).status_code == 405
    assert client.post(reverse("diagnosis:history")).status_code == 405


def test_history_lists_my_checks(client, patient_user, my_check, django_assert_num_queries):
    client.force_login(patient_user)
    # session, user, user's groups (context processor), patient, the checks
    with django_assert_num_queries(5):
        response = client.get(reverse("diagnosis:history"))
    assert response.status_code == 200
    assert reverse("diagnosis:result", args=[my_check.pk]) in response.content.decode()


def test_checks_are_rate_limited_per_user(client, patient_user, patient, active_model, settings):
    settings.SYMPTOM_CHECK_RATE = 2
    client.force_login(patient_user)
    for _ in range(2):
        assert client.post(reverse("diagnosis:check"), {"text": TEXT}).status_code == 302
    response = client.post(reverse("diagnosis:check"), {"text": TEXT})
    assert response.status_code == 429
    assert SymptomCheck.objects.count() == 2


def test_staff_without_a_patient_record_get_404(client, doctor, active_model):
    client.force_login(doctor)
    assert client.get(reverse("diagnosis:check")).status_code == 404
