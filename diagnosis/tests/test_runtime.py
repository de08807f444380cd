"""Robustness: the model loads lazily once, its sha256 is checked before unpickling, a
scikit-learn mismatch is refused, and a missing or broken model degrades only the checker."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from diagnosis import services
from diagnosis.tests.support import install_model

pytestmark = pytest.mark.django_db


def test_the_active_model_loads_once_per_process(active_model, fresh_checker_cache, monkeypatch):
    from diagnosis.ml import predictor as predictor_module

    calls = []
    original = predictor_module.Predictor.load.__func__

    def counting_load(cls, path, *, expected_sha256):
        calls.append(path)
        return original(cls, path, expected_sha256=expected_sha256)

    monkeypatch.setattr(predictor_module.Predictor, "load", classmethod(counting_load))
    first = services.get_checker()[1]
    second = services.get_checker()[1]
    assert first is second
    assert len(calls) == 1


def test_no_active_version_is_unavailable(db, fresh_checker_cache):
    with pytest.raises(services.CheckerUnavailable, match="no active model version"):
        services.get_checker()
    assert services.checker_status() == "degraded"


def test_a_missing_file_is_unavailable(active_model, fresh_checker_cache):
    (Path(settings.MODEL_DIR) / active_model.file_name).unlink()
    assert services.checker_status() == "degraded"
    with pytest.raises(services.CheckerUnavailable, match="missing"):
        services.get_checker()


def test_a_tampered_file_is_refused_before_unpickling(active_model, fresh_checker_cache, monkeypatch):
    path = Path(settings.MODEL_DIR) / active_model.file_name
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    import joblib

    def no_unpickling(*args, **kwargs):
        raise AssertionError("joblib.load ran on a file whose sha256 does not match")

    monkeypatch.setattr(joblib, "load", no_unpickling)
    with pytest.raises(services.CheckerUnavailable, match="sha256"):
        services.get_checker()
    assert services.checker_status() == "degraded"


def test_a_scikit_learn_mismatch_is_refused_with_a_clear_message(active_model, fresh_checker_cache, monkeypatch):
    import sklearn

    monkeypatch.setattr(sklearn, "__version__", "0.0.1")
    with pytest.raises(services.CheckerUnavailable, match=r"scikit-learn .* installed"):
        services.get_checker()


def test_a_file_that_is_not_a_model_is_unavailable(db, trained_model, fresh_checker_cache):
    version = install_model(trained_model, name="garbage.joblib")
    path = Path(settings.MODEL_DIR) / version.file_name
    path.write_bytes(b"not a joblib file at all")
    from diagnosis.ml.predictor import file_sha256

    version.sha256 = file_sha256(path)
    version.size = path.stat().st_size
    version.save()
    with pytest.raises(services.CheckerUnavailable) as exc:
        services.get_checker()
    assert "\n" not in str(exc.value)


def test_a_replaced_file_is_tried_again(active_model, trained_model, fresh_checker_cache):
    path = Path(settings.MODEL_DIR) / active_model.file_name
    path.unlink()
    with pytest.raises(services.CheckerUnavailable):
        services.get_checker()
    path.write_bytes(trained_model.path.read_bytes())
    assert services.get_checker()[0] == active_model


def test_healthz_reports_the_checker(client, active_model):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["symptom_checker"] == "ok"


def test_healthz_stays_up_when_only_the_checker_is_degraded(client, db, fresh_checker_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "symptom_checker": "degraded"}


def test_the_check_page_answers_503_and_the_rest_of_the_site_works(
    client, patient_user, patient, active_model, fresh_checker_cache
):
    (Path(settings.MODEL_DIR) / active_model.file_name).unlink()
    client.force_login(patient_user)
    response = client.get(reverse("diagnosis:check"))
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content
    assert client.post(reverse("diagnosis:check"), {"text": "headache"}).status_code == 503
    assert client.get(reverse("records:overview")).status_code == 200
    assert client.get(reverse("diagnosis:history")).status_code == 200

