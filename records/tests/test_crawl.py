"""A crawler logged in as Bob follows every link it can reach and never sees Alice's data."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')


def test_a_patient_crawling_the_site_never_sees_another_patients_record(client, other_patient, record, patient):
    from records.tests.factories import EncounterFactory

    EncounterFactory(patient=other_patient, reason="Bob's own visit")
    client.force_login(other_patient.user)
    alice_markers = ["Headaches", "Amlodipine", "Penicillin", patient.mrn, "ECG report", "Alice"]
    seen, todo = set(), [reverse("home"), reverse("records:overview")]
    # Alice's objects, guessed by id, are not reachable either.
    todo += [reverse("records:visit_detail", args=[record["encounter"].pk])]
    todo += [reverse("records:document_download", args=[record["document"].pk])]
    while todo and len(seen) < 80:
        url = todo.pop()
        if url in seen or "logout" in url:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert not any(m.encode() in body for m in alice_markers), url
            continue
        body = response.content.decode()
        assert not any(marker in body for marker in alice_markers), url
        todo += [u for u in HREF.findall(body) if u not in seen and not u.startswith("/static/")]
    assert reverse("records:vitals") in seen and reverse("records:documents") in seen
