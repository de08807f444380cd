"""Session-6 readings and the untold-pregnancy penalty: attacks that keep coming and pass told
without the word "panic", a known pregnancy's conditions when no pregnancy is told, a colour
that belongs to a discharge, a twist that is a movement, constipation said as "not been
properly". Each with near misses that must not change."""

from __future__ import annotations

import numpy as np
import pytest

from diagnosis.ml.bayes import UNTOLD_PREGNANCY_PENALTY, Applicability, BayesModel, log_normalize
from diagnosis.ml.features import case_features
from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.tests.support import found

Y, N = True, False


# --- attacks that keep coming and pass: the breathlessness and the fear were the attack's ------

PASSED_ATTACKS = [
    "keep getting these attacks out of nowhere, heart pounding, i feel like i cant breathe, then it goes after 20 mins",
    "sudden attacks where my heart pounds, i cant breathe and feel like im dying, they pass in 10 minutes",
    "get these episodes where i cant breathe, lasts about 10 mins then goes",
]


@pytest.mark.parametrize("text", PASSED_ATTACKS)
def test_breathlessness_in_recurring_attacks_that_pass_is_no_warning_sign(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("shortness_of_breath", Y) in findings, findings
    assert ("shortness_of_breath_severe", Y) not in findings, findings
    assert ("feeling_very_ill", Y) not in findings, findings


def test_feeling_like_dying_in_an_attack_that_passes_is_the_attacks_fear(kb: KnowledgeBase) -> None:
    findings = found("sudden attacks where my heart pounds and i feel like im dying, they pass in 10 minutes", kb)
    assert ("panic_attacks", Y) in findings, findings
    assert ("feeling_very_ill", Y) not in findings, findings


STILL_WARNING_SIGNS = [
    # no end told
    ("attacks where i cant breathe and feel like im dying", {"shortness_of_breath_severe", "feeling_very_ill"}),
    # said as now
    ("i get attacks of breathlessness, now i cant breathe", {"shortness_of_breath_severe"}),
    ("keep getting attacks, still cant breathe, lasts 10 mins then goes", {"shortness_of_breath_severe"}),
    # no attack
    ("feel like im dying, cant breathe, had the flu for a week", {"shortness_of_breath_severe", "feeling_very_ill"}),
    ("i cant breathe, then it goes dark", {"shortness_of_breath_severe"}),
]


@pytest.mark.parametrize(("text", "codes"), STILL_WARNING_SIGNS, ids=[t for t, _ in STILL_WARNING_SIGNS])
def test_breathlessness_now_or_without_an_ending_attack_stays_a_warning_sign(
    text: str, codes: set[str], kb: KnowledgeBase
) -> None:
    findings = found(text, kb)
    for code in codes:
        assert (code, Y) in findings, findings


# --- a known pregnancy's conditions need the pregnancy told ----------------------------------


@pytest.fixture(scope="module")
def applicability(kb: KnowledgeBase) -> Applicability:
    return Applicability(kb, tuple(kb.conditions))


def _penalty(applicability: Applicability, kb: KnowledgeBase, findings: dict[str, bool]) -> dict[str, float]:
    row = case_features(findings, 30, "female")
    penalty = applicability.log_penalty([30], ["female"], [row])[0]
    return dict(zip(kb.conditions, penalty, strict=True))


def test_a_known_pregnancys_conditions_are_penalised_when_no_pregnancy_is_told(
    applicability: Applicability, kb: KnowledgeBase
) -> None:
    penalty = _penalty(applicability, kb, {"painful_urination": True})
    for cid in ("uti_in_pregnancy", "pre_eclampsia", "morning_sickness", "miscarriage"):
        assert penalty[cid] == -UNTOLD_PREGNANCY_PENALTY, cid
    # an ectopic pregnancy may come before the patient knows; other conditions are untouched
    assert penalty["ectopic_pregnancy"] == 0
    assert penalty["cystitis"] == 0


@pytest.mark.parametrize(
    "told", [{"pregnant": True}, {"missed_period": True}, {"reduced_fetal_movements": True}], ids=str
)
def test_a_told_pregnancy_missed_period_or_babys_movements_lifts_the_penalty(
    told: dict[str, bool], applicability: Applicability, kb: KnowledgeBase
) -> None:
    penalty = _penalty(applicability, kb, {"painful_urination": True, **told})
    assert penalty["uti_in_pregnancy"] == 0


def test_a_denied_pregnancy_keeps_the_penalty(applicability: Applicability, kb: KnowledgeBase) -> None:
    assert _penalty(applicability, kb, {"pregnant": False})["uti_in_pregnancy"] == -UNTOLD_PREGNANCY_PENALTY


def test_without_findings_or_from_an_older_model_only_age_and_sex_count(
    applicability: Applicability, kb: KnowledgeBase
) -> None:
    column = list(kb.conditions).index("uti_in_pregnancy")
    assert applicability.log_penalty([30], ["female"])[0, column] == 0
    older = Applicability.__new__(Applicability)
    older.__dict__.update({k: v for k, v in applicability.__dict__.items() if k != "known_pregnancy"})
    row = case_features({"painful_urination": True}, 30, "female")
    assert older.log_penalty([30], ["female"], [row])[0, column] == 0


def test_cystitis_outranks_a_urinary_infection_in_pregnancy_only_when_no_pregnancy_is_told(
    applicability: Applicability, kb: KnowledgeBase
) -> None:
    bayes = BayesModel(kb)
    ids = list(kb.conditions)
    symptoms = {"painful_urination": True, "urinary_frequency": True, "abdominal_pain_lower": True}

    def probability(findings: dict[str, bool]) -> dict[str, float]:
        row = case_features(findings, 30, "female")
        log_p = log_normalize(bayes.log_scores([row]) + applicability.log_penalty([30], ["female"], [row]))
        return dict(zip(ids, np.exp(log_p[0]), strict=True))

    untold = probability(symptoms)
    assert untold["cystitis"] > 0.5
    assert untold["uti_in_pregnancy"] < 0.1
    told = probability({**symptoms, "pregnant": True})
    assert told["uti_in_pregnancy"] > told["cystitis"]


# --- readings ----------------------------------------------------------------------------------


def test_a_colour_before_a_discharge_is_no_yellow_eye(kb: KnowledgeBase) -> None:
    findings = found("both eyes red and gritty, sticky yellow stuff in the mornings gluing them shut", kb)
    assert ("jaundice", Y) not in findings, findings
    assert ("eye_discharge", Y) in findings, findings


@pytest.mark.parametrize("text", ["skin and eyes look yellow, itchy, pale poo", "the whites of my eyes are yellow"])
def test_yellow_eyes_stay_jaundice(text: str, kb: KnowledgeBase) -> None:
    assert ("jaundice", Y) in found(text, kb)


def test_worse_when_i_twist_is_no_injury(kb: KnowledgeBase) -> None:
    findings = found("sore on my ribs when i press on them, worse when i twist", kb)
    assert ("recent_injury", Y) not in findings, findings
    assert ("chest_wall_tenderness", Y) in findings, findings


@pytest.mark.parametrize("text", ["twisted my ankle on the stairs", "fell and twisted my wrist"])
def test_a_twisting_injury_stays_an_injury(text: str, kb: KnowledgeBase) -> None:
    assert ("recent_injury", Y) in found(text, kb)


@pytest.mark.parametrize(
    "text", ["havent been properly for 5 days, tummy bloated", "my 5 year old hasnt done a poo in 5 days"]
)
def test_not_been_properly_is_constipation(text: str, kb: KnowledgeBase) -> None:
    assert ("constipation", Y) in found(text, kb)


@pytest.mark.parametrize("text", ["havent been sleeping properly", "havent been eating properly", "havent been well"])
def test_not_been_doing_something_properly_is_no_constipation(text: str, kb: KnowledgeBase) -> None:
    assert ("constipation", Y) not in found(text, kb)


@pytest.mark.parametrize("text", ["keeping drinks down and weeing normal", "peeing normal, just tired"])
def test_weeing_normal_denies_reduced_urine(text: str, kb: KnowledgeBase) -> None:
    assert ("reduced_urine", N) in found(text, kb)


def test_hardly_weeing_is_reduced_urine(kb: KnowledgeBase) -> None:
    assert ("reduced_urine", Y) in found("hardly peeing and its dark", kb)
