"""Readings that depend on the words around a phrase: adjective lists, the site a phrase speaks
of, a duration inside a phrase, a comparison after a negative phrase. Each with near misses."""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.tests.support import found

Y, N = True, False


# --- adjectives listed with commas describe the same thing ----------------------------------

ADJECTIVE_LISTS = [
    ("itchy, red and flaky patches on my elbows", "rash_itchy"),
    ("itchy red flaky patches on my elbows", "rash_itchy"),
    ("my knee is red, hot, swollen", "joint_red_hot"),
    ("my leg is red, hot and swollen", "skin_redness_warm"),
    ("eyes red, itchy, watery", "itchy_eyes"),
    ("eyes red, itchy and sore", "eye_pain"),
    ("shoulders stiff and achy in the mornings", "joint_stiffness_morning"),
]


@pytest.mark.parametrize(("text", "code"), ADJECTIVE_LISTS, ids=[t for t, _ in ADJECTIVE_LISTS])
def test_listed_adjectives_are_read(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


def test_a_list_of_complaints_is_no_adjective_list(kb: KnowledgeBase) -> None:
    assert found("no fever, cough or rash", kb) == {("fever", N), ("cough", N), ("rash", N)}
    assert ("skin_redness_warm", Y) not in found("red, itchy eyes", kb)


# --- a site-bound phrase means its finding only at its site ---------------------------------

SITE_READINGS = [
    ("tummy pain since last night and it hurts to walk", {("peritonism", Y)}, set()),
    ("pain in my belly on the right, hurts to walk, feel sick", {("peritonism", Y)}, set()),
    ("my calf is sore and it hurts to walk", set(), {"peritonism"}),
    ("twisted my ankle, hurts to walk on it", set(), {"peritonism"}),
    ("knee swollen and hurts to walk", set(), {"peritonism"}),
    ("diarrhoea with urgency and cramps", {("bowel_urgency", Y)}, {"urinary_urgency"}),
    ("pooing blood and slime, urgency, lost weight", {("bowel_urgency", Y)}, {"urinary_urgency"}),
    ("burning when i wee and urgency", {("urinary_urgency", Y)}, {"bowel_urgency"}),
    ("urgency and leaking", {("urinary_urgency", Y)}, {"bowel_urgency"}),
    ("my knee is red hot swollen", {("joint_red_hot", Y)}, set()),
    ("red hot swollen patch on my shin", set(), {"joint_red_hot"}),
    ("sore spot on my breastbone, hurts when i press on it", {("chest_wall_tenderness", Y)}, set()),
    ("red swollen lump on my eyelid, tender to touch", set(), {"chest_wall_tenderness"}),
    ("room spins when i turn my head", {("vertigo_head_movement", Y)}, set()),
    ("i get dizzy when i roll over in bed", {("vertigo_head_movement", Y)}, set()),
    ("pain in my heel worst when i get out of bed", set(), {"vertigo_head_movement"}),
    ("my neck hurts when i turn my head", set(), {"vertigo_head_movement"}),
    ("tummy cramps and wind", {("bloating", Y)}, set()),
    ("eyes dry and gritty, worse in the wind", set(), {"bloating"}),
    ("gnawing tummy pain, wakes me at night", {("epigastric_pain_hunger", Y)}, set()),
    ("tingling in my thumb and fingers, wakes me at night", set(), {"epigastric_pain_hunger"}),
    ("my knee gives way", {("knee_locking", Y)}, set()),
]


@pytest.mark.parametrize(("text", "expected", "absent"), SITE_READINGS, ids=[t for t, _, _ in SITE_READINGS])
def test_a_site_bound_phrase_follows_the_site(
    text: str, expected: set[tuple[str, bool]], absent: set[str], kb: KnowledgeBase
) -> None:
    findings = found(text, kb)
    assert expected <= findings, findings
    assert not absent & {code for code, _ in findings}, findings


# --- "cant sit still": restlessness, unless about a child at school -------------------------


def test_cant_sit_still_is_restlessness(kb: KnowledgeBase) -> None:
    adult = found("cant sit still, feel on edge all the time", kb)
    assert ("agitation", Y) in adult and ("hyperactivity_impulsivity", Y) not in adult
    child = found("my son is 7, teacher says he cant sit still in class", kb)
    assert ("hyperactivity_impulsivity", Y) in child


# --- a short duration inside a phrase ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "stiff for 10 mins in the morning",
        "knees ache, stiff for a few minutes when i get up",
        "hands stiff for over an hour every morning",
        "room spins for a few hours at a time",
    ],
)
def test_one_episodes_length_is_no_duration(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, _ in found(text, kb)}
    assert not codes & {"duration_minutes", "duration_hours"}, codes


def test_a_phrase_reads_across_a_duration(kb: KnowledgeBase) -> None:
    assert ("joint_stiffness_morning", Y) in found("stiff for 10 mins in the morning", kb)
    assert {("chest_pain", Y), ("duration_days", Y)} <= found("pain for 2 days in my chest", kb)
    assert ("duration_minutes", Y) in found("chest pain for 20 minutes", kb)


# --- a negative phrase compared with before -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("putting on weight even tho im not eating more", False),
        ("not eating more than usual", False),
        ("not eating much", True),
        ("cant eat more than a few mouthfuls", True),
        ("not eating any more", True),
    ],
)
def test_not_eating_more_is_no_appetite_loss(text: str, present: bool, kb: KnowledgeBase) -> None:
    assert (("appetite_loss", Y) in found(text, kb)) is present


# --- smaller readings found in new test texts -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cant hear out of my left ear", "hearing_loss"),
        ("pain behind my right eye", "headache_around_eye"),
        ("up 4 or 5 times a night to wee", "nocturia"),
        ("keeps screaming and drawing his legs up", "episodic_screaming_legs_drawn_up"),
        ("seeing bugs on the wall", "hallucinations"),
        ("pain in my heel worst with the first few steps", "heel_pain_morning"),
        ("gran keeps having dizzy turns when she stands up", "dizziness_on_standing"),
        ("he is jumpy at every noise", "hypervigilance"),
        ("i jump at any loud noise", "hypervigilance"),
    ],
)
def test_lay_phrases_from_new_texts(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


def test_pain_behind_an_eye_is_no_eye_pain(kb: KnowledgeBase) -> None:
    findings = found("left eye red and painful", kb)
    assert ("eye_pain", Y) in findings and ("headache_around_eye", Y) not in findings


def test_some_days_is_how_often(kb: KnowledgeBase) -> None:
    assert not {c for c, _ in found("loose poo some days then constipated", kb)} & {"duration_days"}
    assert ("duration_days", Y) in found("been coughing for some days", kb)


def test_jumping_and_sneezing_that_bring_on_a_leak_are_no_findings(kb: KnowledgeBase) -> None:
    findings = found("leak wee when i cough, sneeze or jump on the trampoline", kb)
    assert ("urinary_incontinence", Y) in findings
    assert not {c for c, _ in findings} & {"sneezing", "hypervigilance"}, findings


def test_a_phrase_skips_no_when(kb: KnowledgeBase) -> None:
    # "griping pain" is no "sore [when i] grip"
    assert {c for c, _ in found("outside of my elbow is sore when i grip things", kb)} == {"elbow_pain_outer"}


# --- a phrase several findings share on purpose reads as each of them -------------------------

RAPE_DISCLOSURES = [
    "i was raped last night",
    "she was raped at a party",
    "i got raped on saturday",
    "he has been raped",
]


@pytest.mark.parametrize("text", RAPE_DISCLOSURES)
def test_a_rape_is_a_trauma_and_a_possible_hiv_exposure(text: str, kb: KnowledgeBase) -> None:
    # the trauma must not hide the exposure: post-exposure prophylaxis is due within 72 hours
    readings = found(text, kb)
    assert ("trauma_exposure", Y) in readings
    assert ("possible_hiv_exposure", Y) in readings


def test_a_shared_phrase_gives_no_other_reading(kb: KnowledgeBase) -> None:
    assert found("was raped", kb) == {("trauma_exposure", Y), ("possible_hiv_exposure", Y)}
    assert found("i was assaulted", kb) == {("trauma_exposure", Y)}
    assert found("the condom broke", kb) == {("possible_hiv_exposure", Y)}


# --- an auxiliary's negative contraction denies a phrase that keeps the auxiliary -------------


@pytest.mark.parametrize("text", ["i wasnt raped", "i wasn't raped", "no i was not raped"])
def test_a_denied_rape_is_neither_reading(text: str, kb: KnowledgeBase) -> None:
    assert found(text, kb) == {("trauma_exposure", N), ("possible_hiv_exposure", N)}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("he isnt waking up properly", "drowsiness"),
        ("she isnt making sense", "confusion"),
        ("hasnt had a poo for 5 days", "constipation"),
        ("he hasnt been vaccinated", "unvaccinated"),
        ("she isnt drinking much", "low_fluid_intake"),
    ],
)
def test_a_negative_contraction_says_what_not_says(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


def test_a_do_contraction_is_no_not_phrase(kb: KnowledgeBase) -> None:
    assert "appetite_loss" not in {c for c, _ in found("didnt eat anything unusual", kb)}
    assert "sleep_problems" not in {c for c, _ in found("he isnt sleepy", kb)}


def test_a_negative_contraction_denies_been_sick(kb: KnowledgeBase) -> None:
    assert found("she hasnt been sick", kb) == {("vomiting", N)}
    # a phrase made with its own negative still names a present finding
    assert ("dehydration", Y) in found("hasnt had a wet nappy since this morning", kb)


# --- shaking is a fit, a rigor or a tremor, a red face a flush or not, by what else is said ---

CONTEXT_READINGS = [
    ("shaking all over, lasted 2 minutes", "seizure", {"chills", "tremor"}),
    ("fever and shivering, teeth chattering, shaking all over", "chills", {"seizure"}),
    ("stopped drinking, was on a bottle of vodka a day, now shaking all over", "tremor", {"seizure"}),
    ("temp of 39 and shaking, pain in my back", "chills", {"tremor"}),
    ("fevers and the shakes", "chills", {"tremor"}),
    ("hands shaking and heart racing", "tremor", {"chills"}),
    # the fit wins beside the fit's own signs, whatever else is said
    ("had a fit with a high temp, shaking all over", "seizure", set()),
    ("high temp, passed out and was shaking all over", "seizure", set()),
    # a denied fever is no context
    ("no fever but shaking all over", "seizure", {"chills"}),
    # a face going red in a coughing fit or a crying baby's is no flush
    ("son cant stop coughing, goes red in the face", "whooping_cough_fits", {"facial_flushing"}),
    ("cries for hours every evening and goes red in the face", "inconsolable_crying", {"facial_flushing"}),
    ("my face goes red after wine", "facial_flushing", set()),
]


@pytest.mark.parametrize(("text", "code", "absent"), CONTEXT_READINGS, ids=[t for t, _, _ in CONTEXT_READINGS])
def test_a_phrase_is_read_in_its_context(text: str, code: str, absent: set[str], kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert (code, Y) in findings, findings
    assert not absent & {c for c, _ in findings}, findings


# --- "red and hot" belongs to the site it describes -----------------------------------------

REDNESS = [
    ("hot flushes where my face goes hot and red", {"hot_flushes"}, {"skin_redness_warm"}),
    ("woke up with my big toe red hot and swollen", {"joint_red_hot"}, {"skin_redness_warm"}),
    ("my leg is red, hot and swollen", {"skin_redness_warm"}, {"joint_red_hot"}),
    ("burnt my shoulders at the beach, red, sore and hot", {"skin_redness_warm"}, {"joint_red_hot"}),
    ("breastfeeding and my boob is hot and swollen", {"breast_red_hot"}, {"skin_redness_warm"}),
    ("its red and hot", {"skin_redness_warm"}, set()),
    # "hot to touch": a fever said of a child or a forehead, a local heat of a knee or a limb
    ("he is boiling hot to touch", {"fever"}, {"boil"}),
    ("his forehead is hot to touch", {"fever"}, set()),
    ("my knee is swollen and hot to touch", {"joint_red_hot"}, {"fever"}),
    ("burnt my shoulders, red, sore and hot to touch", {"skin_redness_warm"}, {"fever"}),
]


@pytest.mark.parametrize(("text", "expected", "absent"), REDNESS, ids=[t for t, _, _ in REDNESS])
def test_redness_follows_its_site(text: str, expected: set[str], absent: set[str], kb: KnowledgeBase) -> None:
    codes = {c for c, present in found(text, kb) if present}
    assert expected <= codes, codes
    assert not absent & codes, codes


def test_red_hot_and_swollen_is_no_spreading_redness(kb: KnowledgeBase) -> None:
    assert "skin_redness_spreading" not in {c for c, _ in found("my shin is red hot and swollen", kb)}
    assert ("skin_redness_spreading", Y) in found("the redness is spreading up my leg", kb)


# --- words that name a place, an activity's time, a relief ----------------------------------


@pytest.mark.parametrize(
    ("text", "is_rash"),
    [
        ("cant drive past the spot, always on edge", False),
        ("it hurts right on the spot where i hit it", False),
        ("a spot on my chin", True),
        ("the spot on my nose keeps bleeding", True),
        ("spots on his hands and feet", True),
    ],
)
def test_the_spot_may_be_a_place(text: str, is_rash: bool, kb: KnowledgeBase) -> None:
    assert (("rash", Y) in found(text, kb)) is is_rash


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("heel pain in the mornings, on my feet all day at work", False),
        ("wrist aches, worse after typing all day", False),
        ("been vomiting all day", True),
        ("headache all day", True),
    ],
)
def test_all_day_spent_on_an_activity_is_no_duration(text: str, hours: bool, kb: KnowledgeBase) -> None:
    assert (("duration_hours", Y) in found(text, kb)) is hours


def test_what_relieves_a_pain_is_not_what_brings_it_on(kb: KnowledgeBase) -> None:
    assert "claudication" not in {c for c, _ in found("heel pain first thing, eases off after walking about", kb)}
    assert ("claudication", Y) in found("calf pain after walking, eases with rest", kb)
    tummy = found("tummy pain better after eating", kb)
    assert "abdominal_pain_after_eating" not in {c for c, _ in tummy}
    assert ("epigastric_pain_hunger", Y) in tummy


def test_fear_of_dying_is_no_wish_to_die(kb: KnowledgeBase) -> None:
    panic = found("heart pounding, thought i was dying, lasted 10 minutes", kb)
    assert ("panic_attacks", Y) in panic and "suicidal_thoughts" not in {c for c, _ in panic}
    assert ("suicidal_thoughts", Y) in found("having thoughts of dying", kb)


def test_what_a_cough_makes_a_lump_do_is_no_cough(kb: KnowledgeBase) -> None:
    findings = found("lump in my groin, bigger when i stand or cough", kb)
    assert ("groin_lump", Y) in findings and "cough" not in {c for c, _ in findings}


def test_a_word_a_phrase_skipped_is_still_read_on_its_own(kb: KnowledgeBase) -> None:
    # "itchy [welts] all over" is itching all over, and the welts are hives
    assert {("itching", Y), ("hives", Y)} <= found("came out in raised itchy welts all over my body", kb)
    assert ("onset_sudden", Y) in found("big toe joint suddenly red hot swollen and agony", kb)


def test_rusty_phlegm_is_no_crusty_rash(kb: KnowledgeBase) -> None:
    findings = found("cough bringing up green and rusty phlegm for 5 days", kb)
    assert ("cough_productive", Y) in findings
    assert "rash_crops_scabbing" not in {c for c, _ in findings}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("knees and ankles swollen", {"joint_swelling", "leg_swelling"}),
        ("my hands and feet are swollen", {"swelling_face_hands", "leg_swelling"}),
        ("chest and arm pain", {"chest_pain", "limb_pain"}),
    ],
)
def test_body_parts_joined_by_and_share_the_complaint(text: str, expected: set[str], kb: KnowledgeBase) -> None:
    assert expected <= {c for c, present in found(text, kb) if present}


def test_a_positive_test_beside_a_missed_period_is_a_pregnancy(kb: KnowledgeBase) -> None:
    late = found("6 weeks late for my period, positive test, sharp pain low on the left", kb)
    assert ("pregnant", Y) in late and "covid_test_positive" not in {c for c, _ in late}
    assert ("covid_test_positive", Y) in found("positive test yesterday, cough and fever", kb)


@pytest.mark.parametrize(
    ("text", "raised"),
    [("bp is 190/110", True), ("blood pressure 165 over 95", True), ("bp 150", True), ("pressure in my head", False)],
)
def test_a_blood_pressure_reading_is_read_from_its_numbers(text: str, raised: bool, kb: KnowledgeBase) -> None:
    assert (("high_blood_pressure_reading", Y) in found(text, kb)) is raised


def test_sickness_is_a_vomit_but_sick_is_not_always(kb: KnowledgeBase) -> None:
    assert ("vomiting", Y) in found("6 weeks pregnant with bad sickness", kb)
    assert ("vomiting", N) in found("headache, no sickness", kb)
    assert "vomiting" not in {c for c, _ in found("feel foggy and a bit sick", kb)}
