from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from diagnosis.models import ModelVersion
from diagnosis.tests.support import FIXTURE_KB, install_model

pytestmark = pytest.mark.django_db

CASES = [
    {"id": "a", "text": "bad headache, threw up, light hurts my eyes", "age": 30, "sex": "female"},
    {"id": "b", "text": "burning when i pee and need to go all the time", "age": 25, "sex": "female"},
    {"id": "c", "text": "sneezing and itchy runny nose every spring", "age": 19, "sex": "male"},
]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_train_saves_records_and_activates_a_model(db, monkeypatch, fresh_checker_cache):
    from diagnosis.ml import knowledge

    monkeypatch.setattr(knowledge, "DEFAULT_PATH", FIXTURE_KB)  # the small KB: seconds, not minutes
    output = run("train_diagnosis_model", "--activate", "--seed", "3", "--cases", "1000")
    version = ModelVersion.objects.get()
    assert version.is_active and version.seed == 3
    path = Path(settings.MODEL_DIR) / version.file_name
    assert path.stat().st_size == version.size
    from diagnosis.ml.predictor import file_sha256

    assert file_sha256(path) == version.sha256
    assert version.kb_hash == knowledge.knowledge_hash(FIXTURE_KB)
    assert version.training_summary["n_train"] == 1000
    assert len(version.training_summary["classifiers_compared"]) >= 3
    assert "top3" in version.metrics["final"]["test"] and "top1" in version.metrics["bayes"]["test"]
    assert "top3" in version.vignette_metrics
    assert "is now active" in output
    # --if-missing: an active model that loads means nothing to do
    assert "nothing to do" in run("train_diagnosis_model", "--activate", "--if-missing")
    assert ModelVersion.objects.count() == 1


def test_train_refuses_to_activate_a_worse_model(db, monkeypatch, trained_model, fresh_checker_cache):
    from diagnosis.ml import knowledge

    install_model(trained_model, vignette_top3=1.0, heldout_top3=1.0)
    monkeypatch.setattr(knowledge, "DEFAULT_PATH", FIXTURE_KB)
    with pytest.raises(CommandError, match="did not activate"):
        run("train_diagnosis_model", "--activate", "--cases", "500")
    assert ModelVersion.objects.filter(is_active=True).count() == 1
    assert ModelVersion.objects.count() == 2


def test_diagnose_batch_prints_one_line_per_case_in_order(active_model, tmp_path):
    batch = tmp_path / "cases.jsonl"
    batch.write_text("\n".join(json.dumps(c) for c in CASES) + "\n")
    lines = run("diagnose", "--batch", str(batch)).splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["id"] for r in results] == ["a", "b", "c"]
    for r in results:
        assert set(r) == {"id", "conditions", "triage", "findings", "model_version"}
        assert r["model_version"] == active_model.pk
        assert r["triage"] in ("emergency", "urgent", "routine", "self_care")
        assert len(r["conditions"]) == 10
        assert all(set(c) == {"name", "icd10", "probability"} for c in r["conditions"])
        probabilities = [c["probability"] for c in r["conditions"]]
        assert probabilities == sorted(probabilities, reverse=True)
        assert all(set(f) == {"code", "label", "present"} for f in r["findings"])
    assert results[0]["conditions"][0]["icd10"].startswith("G43")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: not valid JSON"),
        ('{"id": "x", "text": "cough", "age": "old", "sex": "female"}', 'line 2: "age"'),
        ('{"id": "x", "text": "cough", "age": 30, "sex": "other"}', 'line 2: "sex"'),
        ('{"text": "cough", "age": 30, "sex": "male"}', 'line 2: "id"'),
        ("[1, 2]", "line 2: expected a JSON object"),
    ],
)
def test_diagnose_batch_names_the_bad_line(active_model, tmp_path, line, message):
    batch = tmp_path / "cases.jsonl"
    batch.write_text(json.dumps(CASES[0]) + "\n" + line + "\n")
    out = StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("diagnose", "--batch", str(batch), stdout=out)
    assert out.getvalue() == ""  # nothing printed for a bad file


def test_diagnose_one_case_as_json_and_as_text(active_model):
    data = json.loads(run("diagnose", "--text", CASES[0]["text"], "--age", "30", "--sex", "female", "--json"))
    assert data["conditions"][0]["icd10"].startswith("G43")
    text = run("diagnose", "--text", CASES[0]["text"], "--age", "30", "--sex", "female")
    assert "Triage:" in text and "not a diagnosis" in text


def test_diagnose_without_a_model_fails_with_one_line(db, fresh_checker_cache):
    with pytest.raises(CommandError) as exc:
        call_command("diagnose", "--text", "cough", "--age", "30", "--sex", "male")
    assert "unavailable" in str(exc.value) and "\n" not in str(exc.value)


def test_diagnose_with_a_tampered_model_fails(active_model, fresh_checker_cache):
    path = Path(settings.MODEL_DIR) / active_model.file_name
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(CommandError, match="sha256"):
        call_command("diagnose", "--text", "cough", "--age", "30", "--sex", "male")


def test_evaluate_prints_topk_and_triage(active_model, tmp_path):
    vignettes = tmp_path / "v.jsonl"
    vignettes.write_text("\n".join(json.dumps(v) for v in [
        {"id": "1", "text": CASES[0]["text"], "age": 30, "sex": "female", "expected_icd10": ["G43"],
         "urgency": "routine"},
        {"id": "2", "text": CASES[1]["text"], "age": 25, "sex": "female", "expected_icd10": ["N39.0"],
         "urgency": "routine"},
    ]))
    output = run("evaluate_diagnosis_model", str(vignettes))
    for label in ("top-1", "top-3", "top-5", "top-10", "triage exact", "triage safe"):
        assert label in output
    summary = json.loads(run("evaluate_diagnosis_model", str(vignettes), "--json"))
    assert summary["n"] == 2 and summary["top10"] >= summary["top3"] >= summary["top1"]


def test_evaluate_rejects_a_missing_file(active_model):
    with pytest.raises(CommandError, match="no such file"):
        call_command("evaluate_diagnosis_model", "/nonexistent/v.jsonl")


def test_diagnose_batch_of_500_answers_every_case_in_order(active_model, tmp_path):
    # The 30-second goal for 500 cases is measured in bench/diagnosis_django.py.
    batch = tmp_path / "cases.jsonl"
    batch.write_text("\n".join(json.dumps({**CASES[i % 3], "id": f"case-{i}"}) for i in range(500)))
    lines = run("diagnose", "--batch", str(batch)).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [f"case-{i}" for i in range(500)]
