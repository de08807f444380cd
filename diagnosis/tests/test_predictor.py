from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sklearn

from diagnosis.ml.evaluate import code_matches, evaluate, load_vignettes
from diagnosis.ml.knowledge import KnowledgeBase, load_knowledge_base
from diagnosis.ml.predictor import (
    ModelIntegrityError,
    ModelVersionMismatch,
    Predictor,
    file_sha256,
)
from diagnosis.ml.training import DEFAULT_CLASSIFIERS, TrainResult, train

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(FIXTURE_KB)


@pytest.fixture(scope="module")
def result(kb: KnowledgeBase) -> TrainResult:
    extra = [
        {
            "condition_id": "migraine",
            "age": 30,
            "sex": "female",
            "findings": {"headache": True, "light_sensitivity": True},
        },
        {"condition_id": "no_such_condition", "age": 30, "sex": "female", "findings": {"headache": True}},
    ]
    return train(kb, seed=1, n_cases=2500, extra_cases=extra, classifiers=("logistic_regression", "multinomial_nb"))


@pytest.fixture(scope="module")
def predictor(result: TrainResult) -> Predictor:
    return Predictor.from_train_result(result)


def test_training_compares_classifiers_and_reports_metrics(result: TrainResult) -> None:
    metrics = result.metrics
    assert len(DEFAULT_CLASSIFIERS) >= 3
    assert set(metrics["classifiers"]) == {"logistic_regression", "multinomial_nb"}
    for scores in [
        *(m["test"] for m in metrics["classifiers"].values()),
        metrics["bayes"]["test"],
        metrics["final"]["test"],
    ]:
        assert 0.0 <= scores["top1"] <= scores["top3"] <= scores["top5"] <= 1.0
        assert scores["brier"] >= 0.0 and 0.0 <= scores["ece"] <= 1.0
    assert metrics["final"]["test"]["top3"] > 0.9
    assert 0.0 <= metrics["bayes_weight"] <= 1.0
    assert metrics["triage"]["test"]["safe"] > 0.95
    assert metrics["n_extra"] == 1 and metrics["n_extra_skipped"] == 1
    assert metrics["kb_hash"] == result.kb.hash
    json.dumps(metrics)  # plain data, storable as JSON


def test_it_recognises_a_heart_attack(predictor: Predictor) -> None:
    prediction = predictor.predict(
        "crushing chest pain going down my left arm, all sweaty, started an hour ago",
        age=62,
        sex="male",
        top=20,
    )
    top = prediction.conditions[0]
    assert top.id == "myocardial_infarction"
    assert top.icd10 == "I21.9" and top.specialty == "cardiology"
    assert top.urgency == "emergency"
    assert prediction.triage.level == "emergency"
    assert prediction.triage.reasons
    codes = {f.code: f.present for f in prediction.findings}
    assert codes["chest_pain_crushing"] is True
    assert sum(c.probability for c in prediction.conditions) == pytest.approx(1.0, abs=1e-6)
    assert [c.probability for c in prediction.conditions] == sorted(
        (c.probability for c in prediction.conditions), reverse=True
    )


def test_age_and_sex_applicability(predictor: Predictor) -> None:
    text = "im pregnant and cant stop vomiting for weeks, feel sick all the time"
    female = predictor.predict(text, age=28, sex="female", top=3)
    assert female.conditions[0].id == "hyperemesis_gravidarum"
    male = predictor.predict(text, age=28, sex="male", top=14)
    hyper = next(c for c in male.conditions if c.id == "hyperemesis_gravidarum")
    assert hyper.probability < 1e-6


def test_extra_findings_and_negations_change_the_ranking(predictor: Predictor) -> None:
    base = predictor.predict("headache", age=30, sex="female", top=14)
    more = predictor.predict(
        "headache", age=30, sex="female", top=14, extra_findings=[("neck_stiffness", True), "fever"]
    )
    assert more.conditions[0].id == "meningitis"
    assert {f.code for f in more.findings} >= {"headache", "neck_stiffness", "fever"}
    assert more.triage.level in ("urgent", "emergency")
    probability = {c.id: c.probability for c in base.conditions}
    assert probability["migraine"] > probability["meningitis"]


def test_unknown_text_still_gives_a_ranking(predictor: Predictor) -> None:
    prediction = predictor.predict("blah blah", age=40, sex=None, top=5)
    assert not prediction.understood_anything
    assert len(prediction.conditions) == 5
    assert prediction.to_dict()["conditions"][0]["id"] == prediction.conditions[0].id


def test_predict_findings_without_text(predictor: Predictor) -> None:
    prediction = predictor.predict_findings(
        {"painful_urination": True, "frequent_urination": True}, age=30, sex="female"
    )
    assert prediction.conditions[0].id == "uti"


def test_next_questions_ask_what_separates_the_top_candidates(predictor: Predictor) -> None:
    questions = predictor.next_questions("bad headache and vomiting", age=30, sex="female")
    assert 1 <= len(questions) <= 2
    codes = [q.code for q in questions]
    assert "headache" not in codes and "vomiting" not in codes
    assert all(q.question.endswith("?") and q.information_gain > 0 for q in questions)
    asked = predictor.next_questions("bad headache and vomiting", age=30, sex="female", asked=codes)
    assert not set(codes) & {q.code for q in asked}


def test_save_and_load_round_trip(predictor: Predictor, tmp_path: Path) -> None:
    path = tmp_path / "models" / "model.joblib"
    sha = predictor.save(path)
    assert sha == file_sha256(path)
    assert path.stat().st_size < 50_000_000
    loaded = Predictor.load(path, expected_sha256=sha)
    text = "sore throat and a fever for 3 days"
    a = predictor.predict(text, age=20, sex="male")
    b = loaded.predict(text, age=20, sex="male")
    assert [c.id for c in a.conditions] == [c.id for c in b.conditions]
    assert np.allclose([c.probability for c in a.conditions], [c.probability for c in b.conditions])
    assert loaded.kb_hash == predictor.kb_hash
    assert loaded.metrics["final"]["test"]["top1"] == predictor.metrics["final"]["test"]["top1"]


def test_a_tampered_file_is_refused_before_unpickling(predictor: Predictor, tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    sha = predictor.save(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError):
        Predictor.load(path, expected_sha256=sha)
    with pytest.raises(ModelIntegrityError):
        Predictor.load(tmp_path / "missing.joblib", expected_sha256=sha)
    with pytest.raises(ModelIntegrityError):
        Predictor.load(path, expected_sha256="")


def test_a_pickle_that_runs_code_is_never_loaded_without_the_right_hash(tmp_path: Path) -> None:
    path = tmp_path / "evil.joblib"
    path.write_bytes(b"cos\nsystem\n(S'touch /tmp/should-not-exist'\ntR.")
    with pytest.raises(ModelIntegrityError):
        Predictor.load(path, expected_sha256="0" * 64)


def test_a_model_from_another_sklearn_version_is_refused(
    predictor: Predictor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.joblib"
    with monkeypatch.context() as patch:
        patch.setattr(sklearn, "__version__", "0.0.1")
        sha = predictor.save(path)
    with pytest.raises(ModelVersionMismatch, match="scikit-learn 0.0.1"):
        Predictor.load(path, expected_sha256=sha)


def test_evaluate_on_vignettes(predictor: Predictor, tmp_path: Path) -> None:
    lines = [
        {
            "id": "t-1",
            "text": "crushing chest pain into my left arm, sweaty",
            "age": 60,
            "sex": "male",
            "expected_icd10": ["I21"],
            "urgency": "emergency",
        },
        {
            "id": "t-2",
            "text": "burns when i pee and peeing a lot",
            "age": 30,
            "sex": "female",
            "expected_icd10": ["N39.0"],
            "urgency": "routine",
        },
        {
            "id": "t-3",
            "text": "itchy dry patches on my elbows for months",
            "age": 10,
            "sex": "male",
            "expected_icd10": ["L20"],
            "urgency": "routine",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    vignettes = load_vignettes([tmp_path])
    assert [v["id"] for v in vignettes] == ["t-1", "t-2", "t-3"]
    report = evaluate(predictor, vignettes)
    assert report.n == 3
    assert report.top[3] == 1.0
    assert report.top[1] <= report.top[3] <= report.top[10]
    assert report.triage_safe == 1.0
    assert report.summary()["top3"] == 1.0
    assert report.results[0].findings


def test_code_matching_uses_prefixes() -> None:
    assert code_matches(["G43.909"], ["G43"])
    assert code_matches(["J11.1", "J10.1"], ["J10"])
    assert code_matches(["N39.0"], ["n390"])
    assert not code_matches(["G44.209"], ["G43"])
    assert not code_matches(["G43.909"], [])
