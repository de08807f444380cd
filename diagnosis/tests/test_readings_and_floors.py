"""Session-7 readings of patient text and triage floors, each with near misses that must not
change."""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.tests.support import found

Y, N = True, False


# --- a temperature below a fever is no fever ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my 7 month old is grizzly and chewing everything, temp 37.4",
        "temperature was 36.9 this morning, feel rough",
        "checked his temp, 98.6 f",
    ],
)
def test_a_normal_reading_beside_the_fever_word_is_no_fever(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("fever", Y) not in findings, findings
    assert ("fever", N) in findings, findings


@pytest.mark.parametrize(
    "text",
    [
        "temp 38.2 and shivery",
        "he has a temperature of 37.9",
        "temp was 39.2 last night, this morning temp 37.1",
        "has a temp, gave calpol",
    ],
)
def test_a_febrile_or_no_reading_keeps_the_fever(text: str, kb: KnowledgeBase) -> None:
    assert ("fever", Y) in found(text, kb)


# --- "for hours every evening" is one episode's length -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "6 week old cries for hours every evening, feeding well",
        "headache for 2 hours most afternoons",
        "my legs ache for hours in the evenings",
    ],
)
def test_a_short_duration_of_a_daily_episode_is_not_the_complaints(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("duration_hours", Y) not in findings, findings
    assert ("duration_minutes", Y) not in findings, findings


@pytest.mark.parametrize("text", ["my baby has been screaming for hours", "headache for 2 hours, came on suddenly"])
def test_a_short_duration_without_a_daily_frame_is_the_complaints(text: str, kb: KnowledgeBase) -> None:
    assert ("duration_hours", Y) in found(text, kb)


# --- a facial palsy with the forehead or eyelid weak and the limbs fine is urgent ---------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("face has gone droopy, arms and legs are fine", "weakness_one_side"),
        ("mouth droops on one side, no weakness elsewhere", "weakness_one_side"),
        ("face wont move on one side, talking ok", "slurred_speech"),
        ("face looks lopsided but speech is normal", "slurred_speech"),
    ],
)
def test_limbs_or_speech_said_to_be_fine_deny_the_stroke_sign(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, N) in found(text, kb)


def _floor(kb: KnowledgeBase, present: set[str], absent: set[str] = frozenset()) -> str:
    from diagnosis.ml.triage import LEVELS, floor

    level, _ = floor(kb, present=present, probabilities={"bells_palsy": 0.9, "stroke": 0.05}, age=40, absent=absent)
    return LEVELS[level]


def test_a_droop_with_the_eyelid_weak_and_the_limbs_fine_sets_an_urgent_floor(kb: KnowledgeBase) -> None:
    present = {"facial_droop", "facial_weakness_whole_side"}
    assert _floor(kb, present, {"weakness_one_side"}) == "urgent"
    assert _floor(kb, present, {"weakness_one_side", "slurred_speech"}) == "urgent"


@pytest.mark.parametrize(
    ("present", "absent"),
    [
        # limbs not mentioned
        ({"facial_droop", "facial_weakness_whole_side"}, set()),
        # forehead and eyelid not said to be weak: the stroke's droop
        ({"facial_droop"}, {"weakness_one_side"}),
        # another emergency sign beside it
        ({"facial_droop", "facial_weakness_whole_side", "slurred_speech"}, {"weakness_one_side"}),
        ({"facial_droop", "facial_weakness_whole_side", "numbness_one_side"}, {"weakness_one_side"}),
    ],
    ids=["limbs untold", "no whole-side weakness", "slurred speech", "one-sided numbness"],
)
def test_any_other_droop_stays_an_emergency(present: set[str], absent: set[str], kb: KnowledgeBase) -> None:
    assert _floor(kb, present, absent) == "emergency"


# --- stridor only when the child cries or is upset is the milder croup's ------------------------


@pytest.mark.parametrize(
    "text",
    [
        "barking cough, hoarse voice and noisy breathing in when hes upset",
        "cough like a seal, noisy squeak when he breathes in when crying",
        "high pitched noise breathing in when she cries",
    ],
)
def test_stridor_when_crying_or_upset_is_no_stridor_at_rest(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("stridor_when_upset", Y) in findings, findings
    assert ("stridor", Y) not in findings, findings


@pytest.mark.parametrize(
    "text",
    [
        "making a squeaky noise when she breathes in even sat still",
        "noisy breathing in even when hes not crying",
        "barking cough and noisy breathing in, worse at night",
        "noisy breathing in when she lies down",
    ],
)
def test_stridor_at_rest_or_untold_stays_the_emergency_sign(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("stridor", Y) in findings, findings
    assert ("stridor_when_upset", Y) not in findings, findings


# --- the bladder's urgency and frequency in everyday words -------------------------------------


def test_needing_to_wee_urgently_and_not_making_it_is_urge_incontinence(kb: KnowledgeBase) -> None:
    findings = found("need to wee really urgently and sometimes dont make it in time, going every hour", kb)
    assert {("urinary_urgency", Y), ("urge_incontinence", Y), ("urinary_frequency", Y)} <= findings, findings


def test_going_loads_beside_a_sore_wee_is_frequency(kb: KnowledgeBase) -> None:
    assert ("urinary_frequency", Y) in found("it stings when i wee and im going loads", kb)


@pytest.mark.parametrize(
    "text", ["diarrhoea since yesterday, going loads, cramps", "need to go urgently for a poo, dont make it in time"]
)
def test_the_same_words_about_the_bowel_are_no_bladder_finding(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, present in found(text, kb) if present}
    assert not codes & {"urinary_frequency", "urinary_urgency", "urge_incontinence"}, codes


# --- skin, eye and mouth in everyday words ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my toenail is digging in and the side is red", "ingrown_toenail"),
        ("big toe nail growing into the skin", "ingrown_toenail"),
        ("bright red blotch in the white of my eye, no pain", "blood_in_eye_white"),
        ("ulcers inside my cheek keep coming back", "mouth_ulcers"),
        ("painful ulcer on my gum", "mouth_ulcers"),
        ("little bumps with a dimple in the middle on his tummy", "pearly_bumps"),
    ],
)
def test_everyday_words_for_nail_eye_mouth_and_skin_findings(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


def test_a_blotch_in_the_eye_is_no_rash_but_blotches_on_the_skin_are(kb: KnowledgeBase) -> None:
    assert ("rash", Y) not in found("bright red blotch in the white of my eye", kb)
    assert ("rash", Y) in found("red blotches all over my arms", kb)


# --- sleep, and a cut told beside distress -----------------------------------------------------


@pytest.mark.parametrize(
    "text", ["trouble getting off to sleep most nights", "struggling to get to sleep", "difficulty falling asleep"]
)
def test_trouble_getting_to_sleep_is_a_sleep_problem(text: str, kb: KnowledgeBase) -> None:
    assert ("sleep_problems", Y) in found(text, kb)


@pytest.mark.parametrize(
    "text", ["been cutting my arms again when i feel overwhelmed", "feeling really low, cut my leg last night"]
)
def test_a_cut_beside_distress_is_self_harm(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("self_harm", Y) in findings, findings


@pytest.mark.parametrize("text", ["cut my arm on a broken glass, bleeding a lot", "cut my hand on a knife, feel faint"])
def test_a_cut_without_distress_stays_a_wound(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("self_harm", Y) not in findings, findings
    assert ("skin_wound", Y) in findings, findings


# --- heels, knuckles and sunburn in everyday words ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("heel pain first steps in the morning, eases after a bit", "heel_pain_morning"),
        ("heel is so sore in the mornings, like stepping on a stone", "heel_pain_morning"),
        ("both hands stiff and swollen, knuckles painful", "hand_joints_both_sides"),
        ("burnt my shoulders at the beach yesterday, red and sore", "sunburn_skin"),
    ],
)
def test_everyday_words_for_heel_hand_and_sunburn_findings(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


@pytest.mark.parametrize("text", ["burnt my hand on the oven", "burnt my arm on the kettle this morning"])
def test_a_burn_from_heat_is_no_sunburn(text: str, kb: KnowledgeBase) -> None:
    assert ("sunburn_skin", Y) not in found(text, kb)


# --- calves, heartbeat, whoop, ears, weight and a fever that has gone --------------------------


def test_calf_pain_that_goes_when_i_stop_is_claudication_not_chest_pain(kb: KnowledgeBase) -> None:
    findings = found("pain in my calves when i walk that goes away when i stop, i smoke", kb)
    assert ("claudication", Y) in findings, findings
    assert ("chest_pain_exertional", Y) not in findings, findings


@pytest.mark.parametrize(
    "text",
    ["tight chest when i walk up the hill, goes when i stop", "chest pain and calf pain when i walk, goes when i stop"],
)
def test_chest_pain_that_goes_when_i_stop_stays_exertional(text: str, kb: KnowledgeBase) -> None:
    assert ("chest_pain_exertional", Y) in found(text, kb)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("heart fluttering and racing all over the place since yesterday", "irregular_heartbeat"),
        ("coughing fits then a whooping noise breathing in", "whooping_cough_fits"),
        ("keeps tugging at his ear and crying", "ear_pain"),
        ("so tired and put on a stone this year", "weight_gain"),
        ("high temps for 3 days, now the temperature's gone and she has a pink rash", "rash_after_fever_settled"),
    ],
)
def test_everyday_words_for_heart_cough_ear_weight_and_rash_findings(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


def test_a_whoop_breathing_in_is_no_stridor(kb: KnowledgeBase) -> None:
    assert ("stridor", Y) not in found("coughing fits so bad she goes red then makes a whooping noise breathing in", kb)


# --- "stressed" is under stress, not an anxiety symptom -----------------------------------------


def test_stressed_is_a_stressful_time(kb: KnowledgeBase) -> None:
    findings = found("tight band round my head at the end of work days, stressed", kb)
    assert ("stress_recent", Y) in findings, findings
    assert ("anxiety", Y) not in findings, findings


@pytest.mark.parametrize("text", ["anxious and on edge all the time", "i worry about everything, cant switch off"])
def test_anxious_words_stay_anxiety(text: str, kb: KnowledgeBase) -> None:
    assert ("anxiety", Y) in found(text, kb)


# --- one side of the lower tummy is no loin --------------------------------------------------------


def test_pain_on_one_side_of_the_lower_tummy_is_lower_abdominal_not_loin_pain(kb: KnowledgeBase) -> None:
    findings = found("sudden bad pain one side of my lower tummy, threw up", kb)
    assert ("abdominal_pain_lower", Y) in findings, findings
    assert ("flank_pain", Y) not in findings, findings


@pytest.mark.parametrize("text", ["pain in my side going to my groin", "sharp pain in my side, comes in waves"])
def test_pain_in_my_side_stays_loin_pain(text: str, kb: KnowledgeBase) -> None:
    assert ("flank_pain", Y) in found(text, kb)


# --- a condition whose warning signs are an emergency -------------------------------------------


def _floor_for(kb: KnowledgeBase, present: set[str], probabilities: dict[str, float]) -> str:
    from diagnosis.ml.triage import LEVELS, floor

    return LEVELS[floor(kb, present=present, probabilities=probabilities, age=72)[0]]


def test_giant_cell_arteritis_with_blurred_vision_is_an_emergency(kb: KnowledgeBase) -> None:
    likely = {"giant_cell_arteritis": 0.9, "temporomandibular_disorder": 0.08}
    assert kb.conditions["giant_cell_arteritis"].red_flag_level == "emergency"
    assert _floor_for(kb, {"headache", "scalp_tenderness", "blurred_vision"}, likely) == "emergency"
    # its other findings are urgent (scalp tenderness is an urgent sign of its own)
    assert _floor_for(kb, {"headache", "scalp_tenderness"}, likely) == "urgent"
    # blurred vision beside an unlikely arteritis is no emergency
    assert (
        _floor_for(kb, {"blurred_vision", "headache"}, {"migraine": 0.95, "giant_cell_arteritis": 0.05}) != "emergency"
    )


def test_other_conditions_warning_signs_stay_urgent(kb: KnowledgeBase) -> None:
    assert kb.conditions["renal_colic"].red_flag_level == "urgent"
    assert _floor_for(kb, {"flank_pain", "fever"}, {"renal_colic": 0.8, "pyelonephritis": 0.2}) == "urgent"


# --- bladder and bowels said to be fine, attacks that go off, a pain behind one eye -------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("pain down the back of my leg, no problems with wee or poo", "urinary_retention"),
        ("sore lower back, bladder and bowels are fine", "urinary_retention"),
        ("back pain after lifting, bowels are fine", "bowel_control_loss"),
    ],
)
def test_bladder_and_bowels_said_to_be_fine_deny_the_cauda_equina_signs(
    text: str, code: str, kb: KnowledgeBase
) -> None:
    assert (code, N) in found(text, kb)


def test_a_bladder_that_will_not_empty_stays_retention(kb: KnowledgeBase) -> None:
    assert ("urinary_retention", Y) in found("back pain, cant pee since this morning", kb)


def test_a_pain_that_lasts_hours_then_goes_off_and_keeps_coming_is_episodic(kb: KnowledgeBase) -> None:
    findings = found(
        "3rd time this month, pain under my right ribs after a fatty meal, lasts a few hours then goes off", kb
    )
    assert {("recurrent_episodes", Y), ("symptoms_resolved", Y)} <= findings, findings


def test_a_pain_that_eases_after_walking_has_not_resolved(kb: KnowledgeBase) -> None:
    assert ("symptoms_resolved", Y) not in found("heel pain first thing in the morning, eases off after walking", kb)


def test_pain_behind_one_eye_is_the_orbital_headache(kb: KnowledgeBase) -> None:
    findings = found("excruciating pain behind one eye every night for an hour, nose runs on that side", kb)
    assert ("headache_around_eye", Y) in findings, findings
    assert ("eye_pain", Y) not in findings, findings


# --- an arm that will not lift past a stiff shoulder ---------------------------------------------


def test_cant_lift_my_arm_beside_a_stiff_shoulder_is_the_shoulders(kb: KnowledgeBase) -> None:
    findings = found("shoulder stiff as anything, cant lift my arm up or get my coat on, slowly getting worse", kb)
    assert ("shoulder_pain_overhead", Y) in findings, findings
    assert ("weakness_one_side", Y) not in findings, findings


@pytest.mark.parametrize(
    "text",
    [
        "cant lift my right arm, started an hour ago",
        "her face has dropped and she cant lift her arm, says her shoulder hurts",
        "dad suddenly cant lift his arm and his shoulder aches",
    ],
)
def test_cant_lift_my_arm_alone_or_with_stroke_signs_stays_weakness(text: str, kb: KnowledgeBase) -> None:
    assert ("weakness_one_side", Y) in found(text, kb)


# --- keeping fluids down ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "8 weeks pregnant, been sick a few times but keeping fluids down",
        "pregnant 10 weeks, occasionally vomit, managing to eat and drink",
    ],
)
def test_keeping_fluids_down_denies_dehydration(text: str, kb: KnowledgeBase) -> None:
    assert ("dehydration", N) in found(text, kb)


@pytest.mark.parametrize(
    "text", ["not keeping fluids down since yesterday", "shes not keeping drinks down", "he isnt keeping fluids down"]
)
def test_not_keeping_fluids_down_stays_dehydration(text: str, kb: KnowledgeBase) -> None:
    assert ("dehydration", Y) in found(text, kb)


# --- conditions' missing symptoms: chronic insomnia, sunburnt skin, symptomatic type 2 diabetes --


def _bayes_posterior(kb: KnowledgeBase, findings: dict[str, bool], age: int, sex: str) -> dict[str, float]:
    import numpy as np

    from diagnosis.ml.bayes import Applicability, BayesModel, log_normalize
    from diagnosis.ml.features import case_features

    ids = list(kb.conditions)
    row = case_features(findings, age, sex)
    penalty = Applicability(kb, tuple(ids)).log_penalty([age], [sex], [row])
    log_p = log_normalize(BayesModel(kb).log_scores([row]) + penalty)[0]
    return dict(zip(ids, np.exp(log_p), strict=True))


def test_months_of_poor_sleep_alone_is_insomnia(kb: KnowledgeBase) -> None:
    posterior = _bayes_posterior(
        kb, {"sleep_problems": True, "duration_months": True, "fatigue": True, "low_mood": False}, 40, "female"
    )
    assert max(posterior, key=posterior.get) == "insomnia"


def test_red_hot_sore_skin_after_the_sun_is_sunburn(kb: KnowledgeBase) -> None:
    posterior = _bayes_posterior(
        kb, {"sunburn_skin": True, "sun_exposure": True, "skin_redness_warm": True}, 30, "male"
    )
    assert posterior["sunburn"] > 0.98


def test_thirst_large_volumes_and_weight_loss_in_middle_age_may_be_type_2_diabetes(kb: KnowledgeBase) -> None:
    findings = {"excessive_thirst": True, "polyuria_large_volume": True, "weight_loss": True, "blurred_vision": True}
    assert _bayes_posterior(kb, findings, 55, "male")["type_2_diabetes"] > 0.1
    with_infections = _bayes_posterior(kb, {**findings, "slow_healing": True}, 54, "male")
    assert max(with_infections, key=with_infections.get) == "type_2_diabetes"
    # a child with the same story stays type 1
    child = _bayes_posterior(kb, findings, 9, "male")
    assert max(child, key=child.get) == "type_1_diabetes"


@pytest.mark.parametrize(
    "text", ["both shoulders and hips stiff, stiffness lasts hours", "stiffness in the mornings, better by lunch"]
)
def test_stiffness_that_lasts_hours_or_comes_in_the_morning_is_morning_stiffness(text: str, kb: KnowledgeBase) -> None:
    assert ("joint_stiffness_morning", Y) in found(text, kb)
