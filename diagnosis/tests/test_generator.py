from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from diagnosis.ml.features import KBVectorizer, age_band, case_features, feature_names, split_signs
from diagnosis.ml.generator import (
    PREVALENCE_WEIGHTS,
    Case,
    CaseGenerator,
    class_weights,
    generate_cases,
    render_text,
    with_text,
)
from diagnosis.ml.knowledge import KnowledgeBase, load_knowledge_base
from diagnosis.ml.text import extract_findings

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(FIXTURE_KB)


@pytest.fixture(scope="module")
def cases(kb: KnowledgeBase) -> list[Case]:
    return generate_cases(kb, 4000, seed=7)


def test_it_is_deterministic_for_a_seed(kb: KnowledgeBase) -> None:
    assert generate_cases(kb, 200, seed=3) == generate_cases(kb, 200, seed=3)
    assert generate_cases(kb, 200, seed=3) != generate_cases(kb, 200, seed=4)


def test_class_weights_follow_prevalence_with_a_floor(kb: KnowledgeBase) -> None:
    weights = class_weights(kb)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["common_cold"] > weights["influenza"] > weights["appendicitis"]
    # rare conditions are lifted to the floor: half the mean weight
    mean_raw = sum(PREVALENCE_WEIGHTS[c.prevalence] for c in kb.conditions.values()) / len(kb.conditions)
    total_floored = sum(max(PREVALENCE_WEIGHTS[c.prevalence], 0.5 * mean_raw) for c in kb.conditions.values())
    assert weights["meningitis"] == pytest.approx(0.5 * mean_raw / total_floored)
    assert weights["meningitis"] == weights["subarachnoid_hemorrhage"]


def test_every_condition_gets_cases(kb: KnowledgeBase, cases: list[Case]) -> None:
    counts = Counter(c.condition_id for c in cases)
    assert set(counts) == set(kb.conditions)
    assert min(counts.values()) >= 0.4 * len(cases) / len(kb.conditions)
    assert counts["common_cold"] > counts["meningitis"]


def test_age_and_sex_respect_applicability(kb: KnowledgeBase, cases: list[Case]) -> None:
    for case in cases:
        condition = kb.conditions[case.condition_id]
        assert condition.applies_to(case.age, case.sex), case
    sexes = Counter(c.sex for c in cases if c.condition_id == "common_cold")
    assert sexes["female"] > 0.35 * sum(sexes.values())
    assert {c.sex for c in cases if c.condition_id == "hyperemesis_gravidarum"} == {"female"}


def test_patients_report_a_few_findings_mostly_from_their_condition(kb: KnowledgeBase, cases: list[Case]) -> None:
    sizes = Counter(len(c.present) for c in cases)
    assert sizes[0] == 0
    assert max(sizes) <= 11  # up to 7 volunteered + duration + onset + 2 unrelated
    assert sum(n for size, n in sizes.items() if 2 <= size <= 8) > 0.85 * len(cases)
    listed = noise = 0
    for case in cases:
        condition = kb.conditions[case.condition_id]
        for code in case.present:
            if code in condition.findings:
                listed += 1
            else:
                noise += 1
    assert 0.02 < noise / (listed + noise) < 0.12


def test_typical_findings_are_reported_more_often(kb: KnowledgeBase, cases: list[Case]) -> None:
    uti = [c for c in cases if c.condition_id == "uti"]
    rate = {code: sum(code in c.present for c in uti) / len(uti) for code in ("painful_urination", "blood_in_urine")}
    assert rate["painful_urination"] > 2 * rate["blood_in_urine"]


def test_at_most_one_duration_and_some_negatives(kb: KnowledgeBase, cases: list[Case]) -> None:
    for case in cases:
        durations = [c for c in case.present if kb.findings[c].kind == "duration"]
        assert len(durations) <= 1
    with_negative = [c for c in cases if c.absent]
    assert 0.15 < len(with_negative) / len(cases) < 0.5
    for case in with_negative:
        assert not set(case.absent) & set(case.present)


def test_rendered_text_round_trips_through_the_parser(kb: KnowledgeBase, cases: list[Case]) -> None:
    rendered = with_text(cases[:400], kb, seed=1)
    exact = sum({(e.code, e.present) for e in extract_findings(c.text, kb)} == set(c.findings) for c in rendered)
    assert exact / len(rendered) > 0.95


def test_render_text_reads_like_a_patient(kb: KnowledgeBase) -> None:
    case = Case(
        "migraine", 30, "female", (("headache", True), ("nausea", True), ("duration_hours", True), ("fever", False))
    )
    text = render_text(case, kb, random.Random(0))
    assert text.startswith("i have ")
    assert ". no " in text


def test_generator_can_target_one_condition(kb: KnowledgeBase) -> None:
    generator = CaseGenerator(kb, seed=1)
    case = generator.case(kb.conditions["eczema"])
    assert case.condition_id == "eczema"


def test_features_are_signed_with_age_and_sex(kb: KnowledgeBase) -> None:
    features = case_features([("fever", True), ("cough", False)], 34, "female")
    assert features == {"f:fever": 1.0, "f:cough": -1.0, "age:young_adult": 1.0, "sex:female": 1.0}
    assert case_features({"fever": False, "rash_itchy": True}, None, None) == {"f:fever": -1.0, "f:rash_itchy": 1.0}
    assert age_band(0) == "infant" and age_band(70) == "older" and age_band(None) is None


def test_vectorizer_vocabulary_is_stable(kb: KnowledgeBase) -> None:
    names = feature_names(kb)
    assert names == feature_names(kb)
    assert names[:2] == ("f:abdominal_pain", "f:abdominal_pain_right_lower")
    vectorizer = KBVectorizer(names).fit(None)
    X = vectorizer.transform([{"f:fever": 1.0, "f:cough": -1.0, "f:unknown": 1.0}])
    assert X.shape == (1, len(names))
    assert X.sum() == 0.0 and X.nnz == 2
    both = split_signs(X)
    assert both.shape == (1, 2 * len(names)) and both.min() == 0 and both.sum() == 2
