from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diagnosis.ml.knowledge import KnowledgeBase, load_knowledge_base
from diagnosis.ml.triage import (
    TriageThresholds,
    assess,
    is_safe,
    levels_from_mass,
    tune_thresholds,
    urgency_mass,
)

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
LOW = TriageThresholds(emergency=0.2, urgent=0.3, routine=0.35)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(FIXTURE_KB)


def test_safety_rule() -> None:
    assert is_safe("emergency", "emergency")
    assert is_safe("emergency", "self_care")  # over-triage is safe
    assert is_safe("urgent", "emergency")
    assert not is_safe("routine", "emergency")
    assert is_safe("routine", "urgent")
    assert not is_safe("self_care", "urgent")
    assert is_safe("self_care", "routine")


def test_a_red_flag_finding_sets_a_floor_the_model_cannot_lower(kb: KnowledgeBase) -> None:
    triage = assess(
        kb,
        present=["headache_sudden_severe", "headache"],
        probabilities={"migraine": 0.99, "common_cold": 0.01},
        age=40,
        thresholds=LOW,
    )
    assert triage.level == "emergency"
    assert any("Sudden severe headache" in r for r in triage.reasons)


def test_a_denied_red_flag_sets_no_floor(kb: KnowledgeBase) -> None:
    triage = assess(kb, present=["runny_nose"], probabilities={"common_cold": 1.0}, age=30, thresholds=LOW)
    assert triage.level == "self_care"


def test_probability_mass_of_emergencies_raises_the_level(kb: KnowledgeBase) -> None:
    probabilities = {"migraine": 0.7, "meningitis": 0.25, "common_cold": 0.05}
    triage = assess(kb, present=["headache"], probabilities=probabilities, age=30, thresholds=LOW)
    assert triage.level == "emergency"
    assert any("emergency" in r for r in triage.reasons)
    calmer = TriageThresholds(emergency=0.3, urgent=0.2, routine=0.35)
    assert assess(kb, present=["headache"], probabilities=probabilities, age=30, thresholds=calmer).level == "urgent"
    strict = TriageThresholds(emergency=0.5, urgent=0.5, routine=0.35)
    assert assess(kb, present=["headache"], probabilities=probabilities, age=30, thresholds=strict).level == "routine"


def test_a_likely_conditions_red_flag_makes_it_urgent(kb: KnowledgeBase) -> None:
    # right lower abdominal pain is appendicitis's red flag (and an urgent finding itself)
    triage = assess(
        kb,
        present=["abdominal_pain_right_lower"],
        probabilities={"gastroenteritis": 0.85, "appendicitis": 0.15},
        age=20,
        thresholds=TriageThresholds(emergency=0.5, urgent=0.5, routine=0.9),
    )
    assert triage.level == "urgent"
    assert any("warning sign for Acute appendicitis" in r for r in triage.reasons)


def test_infant_with_fever_is_at_least_urgent(kb: KnowledgeBase) -> None:
    probabilities = {"common_cold": 0.9, "influenza": 0.1}
    assert assess(kb, present=["fever"], probabilities=probabilities, age=0, thresholds=LOW).level == "urgent"
    assert assess(kb, present=["fever"], probabilities=probabilities, age=5, thresholds=LOW).level == "self_care"


def test_urgency_mass_is_cumulative() -> None:
    probs = np.array([[0.5, 0.2, 0.2, 0.1]])
    ranks = np.array([0, 1, 2, 3])
    mass = urgency_mass(probs, ranks)
    assert mass[0] == pytest.approx([1.0, 0.5, 0.3, 0.1])
    levels = levels_from_mass(mass, TriageThresholds(emergency=0.1, urgent=0.4, routine=0.5).as_array())
    assert levels.tolist() == [3]
    levels = levels_from_mass(mass, TriageThresholds(emergency=0.2, urgent=0.3, routine=0.6).as_array())
    assert levels.tolist() == [2]


def test_tuning_keeps_unsafe_triage_rare() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    expected = rng.integers(0, 4, size=n)
    # a noisy model: the true level's mass is high, with some spill-over
    mass = np.zeros((n, 4))
    for i, level in enumerate(expected):
        per_level = rng.dirichlet(np.ones(4))
        per_level[level] += 1.5
        per_level /= per_level.sum()
        mass[i] = np.cumsum(per_level[::-1])[::-1]
    thresholds, stats = tune_thresholds(mass, np.zeros(n, dtype=int), expected)
    assert stats["unsafe"] <= 0.005
    assert stats["exact"] > 0.5
    levels = levels_from_mass(mass, thresholds.as_array())
    assert np.mean(levels < expected - 1) == pytest.approx(stats["unsafe"])


def test_an_unclear_cause_is_never_left_to_self_care(kb: KnowledgeBase) -> None:
    spread = {"common_cold": 0.25, "allergic_rhinitis": 0.25, "influenza": 0.25, "eczema": 0.25}
    triage = assess(kb, present=["fatigue"], probabilities=spread, age=30, thresholds=LOW)
    assert triage.level == "routine"
    assert any("unclear" in r for r in triage.reasons)


def test_two_warning_signs_of_a_likely_emergency_make_an_emergency() -> None:
    real = load_knowledge_base()
    probabilities = {"pneumonia": 0.72, "sepsis": 0.26, "delirium": 0.02}
    calm = TriageThresholds(emergency=0.3, urgent=0.1, routine=0.4)
    both = assess(
        real, present=["chills", "confusion", "rapid_breathing"], probabilities=probabilities, age=70, thresholds=calm
    )
    assert both.level == "emergency"
    assert any("2 warning signs together for Sepsis" in r for r in both.reasons)
    one = assess(real, present=["chills", "rapid_breathing"], probabilities=probabilities, age=70, thresholds=calm)
    assert one.level == "urgent"
    unlikely = {"pneumonia": 0.95, "sepsis": 0.05}
    assert (
        assess(real, present=["confusion", "rapid_breathing"], probabilities=unlikely, age=70, thresholds=calm).level
        == "urgent"
    )
