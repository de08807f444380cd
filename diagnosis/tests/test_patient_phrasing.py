"""Session-5 readings of how patients type: sleeplessness, a bruise from an injury, a changed
product, colours of a discharge, a panic attack that has passed, mild findings after a negated
list, "N days of", "is back", a pregnancy's weeks. Each with near misses that must not change."""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.tests.support import found

Y, N = True, False
DURATIONS = {"duration_minutes", "duration_hours", "duration_days", "duration_weeks", "duration_months"}


def durations(findings: set[tuple[str, bool]]) -> set[str]:
    return {code for code, present in findings if present and code in DURATIONS}


# --- lying awake: how long one night's wait for sleep lasts is no duration ------------------

WAITING_FOR_SLEEP = [
    ("i lie awake for hours every night worrying about money", set()),
    ("been lying awake for hours, cant drop off, 6 weeks now", {"duration_weeks"}),
    ("lie there for ages before i drop off, been like this 2 months", {"duration_months"}),
]


@pytest.mark.parametrize(("text", "expected"), WAITING_FOR_SLEEP, ids=[t for t, _ in WAITING_FOR_SLEEP])
def test_lying_awake_is_a_sleep_problem_not_a_duration(text: str, expected: set[str], kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("sleep_problems", Y) in findings, findings
    assert durations(findings) == expected, findings


def test_hours_of_a_complaint_stay_a_duration(kb: KnowledgeBase) -> None:
    assert "duration_hours" in durations(found("been vomiting for hours, cant keep anything down", kb))


# --- a bruise where the patient was hurt is the injury's ---------------------------------------

INJURY_BRUISES = [
    "rolled my ankle on the stairs yesterday, its swollen and bruised and sore to stand on",
    "knocked my shin on the table and its bruised",
    "fell off my bike, knee is bruised and grazed",
]


@pytest.mark.parametrize("text", INJURY_BRUISES)
def test_a_bruise_after_an_injury_is_no_easy_bruising(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("recent_injury", Y) in findings, findings
    assert ("bruising_easily", Y) not in findings, findings


@pytest.mark.parametrize(
    "text", ["bruises all over my legs and i dont remember banging them", "i bruise really easily and my gums bleed"]
)
def test_bruises_without_an_injury_stay_easy_bruising(text: str, kb: KnowledgeBase) -> None:
    assert ("bruising_easily", Y) in found(text, kb)


def test_a_rolled_ankle_is_an_ankle_pain_and_an_injury(kb: KnowledgeBase) -> None:
    findings = found("rolled my ankle", kb)
    assert {("foot_ankle_pain", Y), ("recent_injury", Y)} <= findings


# --- a changed or switched product is a new one ---------------------------------------------

NEW_PRODUCTS = [
    "changed washing powder last week and now my arms are itchy and red",
    "we switched to a different fabric softener and he has a rash where his clothes touch",
    "rash on my wrist under my new watch",
    "started using a new moisturiser and my face is red and stinging",
]


@pytest.mark.parametrize("text", NEW_PRODUCTS)
def test_a_changed_product_is_a_new_product(text: str, kb: KnowledgeBase) -> None:
    assert ("new_skin_product", Y) in found(text, kb)


def test_a_usual_moisturiser_is_no_new_product(kb: KnowledgeBase) -> None:
    assert ("new_skin_product", Y) not in found("dry itchy patches, my moisturiser isnt helping", kb)


# --- a colour before a discharge is the discharge's ------------------------------------------


@pytest.mark.parametrize("text", ["eye red, yellow gunk", "my eye is red and yellow gunk is coming out"])
def test_yellow_gunk_is_no_jaundice(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("red_eye", Y) in findings, findings
    assert ("jaundice", Y) not in findings, findings


def test_gunk_coming_out_of_an_eye_is_its_discharge(kb: KnowledgeBase) -> None:
    assert ("eye_discharge", Y) in found("yellow gunk coming out of my eye", kb)
    assert ("eye_discharge", Y) not in found("blowing green gunk out of my nose, eyes sore", kb)


@pytest.mark.parametrize("text", ["the whites of my eyes have gone yellow", "my skin looks yellow"])
def test_yellow_eyes_and_skin_stay_jaundice(text: str, kb: KnowledgeBase) -> None:
    assert ("jaundice", Y) in found(text, kb)


def test_adjective_lists_still_describe_one_thing(kb: KnowledgeBase) -> None:
    assert ("skin_redness_warm", Y) in found("my leg is red, hot and swollen", kb)


# --- "dribbling" is the urine's only where the text speaks of peeing -------------------------


def test_dribbling_from_the_mouth_is_no_weak_stream(kb: KnowledgeBase) -> None:
    findings = found("my tea dribbles out the side of my mouth and my face feels numb", kb)
    assert ("weak_urine_stream", Y) not in findings, findings


@pytest.mark.parametrize("text", ["after i wee i dribble a bit", "weak stream and dribbling, up 3 times a night"])
def test_dribbling_after_peeing_stays_a_weak_stream(text: str, kb: KnowledgeBase) -> None:
    assert ("weak_urine_stream", Y) in found(text, kb)


# --- a panic attack that has passed ----------------------------------------------------------

PASSED_PANIC = [
    "had a panic attack in the shop, couldnt breathe, heart pounding, thought i was dying, it passed after 15 mins",
    "keep getting attacks where i cant breathe, they last a few minutes then go, feel like im going to die",
]


@pytest.mark.parametrize("text", PASSED_PANIC)
def test_breathlessness_in_a_passed_panic_attack_is_no_warning_sign(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("shortness_of_breath", Y) in findings, findings
    assert ("shortness_of_breath_severe", Y) not in findings, findings


STILL_SEVERE = [
    "had a panic attack on the bus, now i cant breathe and my lips are tingling",  # now
    "panic attacks where i cant breathe",  # no end told
    "cant breathe, it passed after 15 mins",  # no panic attack
    "cant breathe properly, gasping for air",
]


@pytest.mark.parametrize("text", STILL_SEVERE)
def test_breathlessness_now_or_outside_a_passed_panic_stays_severe(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("shortness_of_breath_severe", Y) in findings or ("shortness_of_breath", Y) in findings, findings
    if "panic" in text:
        assert ("shortness_of_breath_severe", Y) in findings, findings


def test_breathlessness_without_panic_keeps_its_warning_sign(kb: KnowledgeBase) -> None:
    assert ("shortness_of_breath_severe", Y) in found("cant breathe, it passed after 15 mins", kb)


# --- a mild finding after a negated list is there ----------------------------------------------

HEDGED = [
    ("sore throat, no temp, no cough, bit of a headache", "headache", "cough"),
    ("no fever and a slight cough", "cough", "fever"),
    ("no rash, just a bit of a temp", "fever", "rash"),
]


@pytest.mark.parametrize(("text", "present", "absent"), HEDGED, ids=[t for t, _, _ in HEDGED])
def test_a_mild_finding_after_a_negated_list_is_present(
    text: str, present: str, absent: str, kb: KnowledgeBase
) -> None:
    findings = found(text, kb)
    assert (present, Y) in findings, findings
    assert (absent, N) in findings, findings


def test_a_mild_alternative_stays_negated(kb: KnowledgeBase) -> None:
    assert ("wheeze", N) in found("no cough or a slight wheeze", kb)


# --- "2 days of diarrhoea", "started monday" ---------------------------------------------------

OF_DURATIONS = [
    ("2 days of diarrhoea", {"duration_days"}),
    ("3 weeks of coughing", {"duration_weeks"}),
    ("finished 5 days of antibiotics and still coughing", set()),
    ("started monday with a sore throat", {"duration_days"}),
]


@pytest.mark.parametrize(("text", "expected"), OF_DURATIONS, ids=[t for t, _ in OF_DURATIONS])
def test_days_of_a_complaint(text: str, expected: set[str], kb: KnowledgeBase) -> None:
    assert durations(found(text, kb)) == expected


# --- words that are not the body part or finding they look like -----------------------------


def test_is_back_means_returned(kb: KnowledgeBase) -> None:
    findings = found("my cold sore is back", kb)
    assert ("cold_sore", Y) in findings
    assert ("back_pain_lower", Y) not in findings, findings
    assert ("back_pain_lower", Y) in found("my back is sore", kb)
    assert ("recurrent_episodes", Y) in found("small ulcers inside my cheek keep coming back", kb)


def test_radiating_to_the_leg_is_no_chest_pain(kb: KnowledgeBase) -> None:
    findings = found("pain in my lower back radiating to my leg", kb)
    assert ("back_pain_radiating_leg", Y) in findings
    assert ("chest_pain_radiating", Y) not in findings, findings


def test_cant_hear_out_of_it_is_hearing_loss_not_confusion(kb: KnowledgeBase) -> None:
    findings = found("wax in my ear, cant hear out of it", kb)
    assert ("hearing_loss", Y) in findings
    assert ("confusion", Y) not in findings, findings


def test_knees_worse_after_walking_are_no_claudication(kb: KnowledgeBase) -> None:
    assert ("claudication", Y) not in found("pain and stiffness in my knees, worse after walking", kb)
    assert ("claudication", Y) in found("my calves hurt after walking and ease when i stop", kb)
    findings = found("i get a cramp in my left calf after walking about 200 yards and have to stop", kb)
    assert {("claudication", Y), ("calf_pain", Y)} <= findings, findings


def test_a_bulging_soft_spot_is_an_emergency_sign(kb: KnowledgeBase) -> None:
    findings = found("my baby has a bulging soft spot and is being sick", kb)
    assert ("bulging_fontanelle", Y) in findings
    assert ("rash", Y) not in findings, findings
    assert kb.findings["bulging_fontanelle"].red_flag == "emergency"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pregnant and bleeding with cramps, about 9 weeks", set()),
        ("pregnant, been bleeding for 2 weeks", {"duration_weeks"}),
    ],
)
def test_weeks_beside_a_pregnancy_are_its_gestation(text: str, expected: set[str], kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("pregnant", Y) in findings
    assert durations(findings) == expected, findings


# --- a feared history is not one the patient has -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("really anxious i might have a heart problem, get twinges in my chest now and then", "heart_disease_known"),
        ("scared i have diabetes, always thirsty", "diabetes_known"),
    ],
)
def test_a_feared_history_is_not_reported(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) not in found(text, kb)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("i have a heart problem and get chest pain on exertion", "heart_disease_known"),
        ("is it my asthma? wheezy at night, ive got asthma", "asthma_known"),
        ("could i have been exposed to hiv? condom split", "possible_hiv_exposure"),
    ],
)
def test_a_stated_history_or_exposure_stays(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


def test_a_teething_babys_dribble_is_no_weak_stream(kb: KnowledgeBase) -> None:
    findings = found("grumpy and clingy, dribbling loads and gnawing on everything, cheeks red", kb)
    assert ("teething_signs", Y) in findings
    assert ("weak_urine_stream", Y) not in findings, findings


def test_a_possible_ingestion_stays_an_ingestion(kb: KnowledgeBase) -> None:
    text = "my 2 year old got into my handbag and may have swallowed some of my tablets, seems ok"
    assert ("child_ingestion", Y) in found(text, kb)


# --- "my 12yo": an age, not twelve years of illness ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my 12yo has been drinking loads", set()),
        ("my 19 yo son came back from uni", set()),
        ("my 2yo has had a cough for 3 days", {"duration_days"}),
    ],
)
def test_yo_is_an_age(text: str, expected: set[str], kb: KnowledgeBase) -> None:
    assert durations(found(text, kb)) == expected


# --- a household's carbon monoxide, told the way people notice it --------------------------------

CO_TOLD = [
    "we all have headaches and feel dizzy, the boiler is playing up and its better when we leave the house",
    "my boiler keeps cutting out and im getting headaches and feeling sick",
]


@pytest.mark.parametrize("text", CO_TOLD)
def test_a_playing_up_boiler_is_a_carbon_monoxide_source(text: str, kb: KnowledgeBase) -> None:
    assert {("co_exposure_risk", Y), ("headache", Y)} <= found(text, kb)


def test_a_family_with_headaches_has_both_the_headache_and_the_source(kb: KnowledgeBase) -> None:
    findings = found("the whole family have headaches since the weekend", kb)
    assert {("co_exposure_risk", Y), ("headache", Y)} <= findings
    assert ("co_exposure_risk", Y) not in found("headache since the weekend, the boiler is fine", kb)


# --- diabetic ketoacidosis said casually: "very sleepy" beside its breathing, breath or thirst --

KETOACIDOSIS_DROWSY = [
    "my 12yo has been drinking loads and peeing constantly, now being sick, breathing deep and fast and very sleepy",
    "my 7 year old is really sleepy, doing big sighing breaths and hes been weeing a lot",
    "she is so sleepy today, been sick twice, tummy hurts, maybe more thirsty than usual",
    "type 1 diabetic, sugars reading hi and im really sleepy",
]


@pytest.mark.parametrize("text", KETOACIDOSIS_DROWSY)
def test_very_sleepy_beside_ketoacidosis_signs_is_drowsiness(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("drowsiness", Y) in findings, findings
    assert ("fatigue", Y) not in findings, findings


SLEEPY_BUT_TIRED = [
    "been very sleepy this week, long days at work and not sleeping well",
    "newborn is looking quite yellow, feeding ok-ish but very sleepy",
    "my kid has had the runs and been sick loads, no wet nappy since this morning and is really sleepy",
]


@pytest.mark.parametrize("text", SLEEPY_BUT_TIRED)
def test_very_sleepy_on_its_own_is_tiredness(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("fatigue", Y) in findings, findings
    assert ("drowsiness", Y) not in findings, findings


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("doing big sighing breaths", "rapid_breathing"),
        ("hes breathing really deep and hes been sick", "rapid_breathing"),
        ("his breath smells of nail varnish", "fruity_breath"),
        ("breath smells of pear drops", "fruity_breath"),
        ("her breath smells like nail polish remover", "fruity_breath"),
        ("really hard to wake up this morning", "drowsiness"),
    ],
)
def test_lay_signs_of_ketoacidosis(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hurts when i take a deep breath", "rapid_breathing"),
        ("i fall asleep at my desk every afternoon and snore", "drowsiness"),
        ("painted my nails, the nail varnish smell gives me a headache", "fruity_breath"),
    ],
)
def test_near_misses_of_ketoacidosis_signs(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) not in found(text, kb)


# --- a face that will not move on one side ----------------------------------------------------

FACE_WONT_MOVE = [
    "woke up and one side of my face wont move, cant shut my eye properly",
    "half my face wont move since this morning",
    "face wont move on one side and my ear hurts",
    "my dads face has gone droopy and his speech is slurred",
    "her smile is wonky since lunch",
]


@pytest.mark.parametrize("text", FACE_WONT_MOVE)
def test_a_face_that_wont_move_on_one_side_is_a_facial_droop(text: str, kb: KnowledgeBase) -> None:
    assert ("facial_droop", Y) in found(text, kb)


def test_cant_shut_the_eye_is_a_whole_side_facial_weakness(kb: KnowledgeBase) -> None:
    assert ("facial_weakness_whole_side", Y) in found("one side of my face wont move, cant shut my eye properly", kb)


@pytest.mark.parametrize(
    "text",
    [
        "my face feels a bit numb on one side after the dentist",
        "i cant move my jaw much since the tooth was pulled",
        "my eye wont stop watering",
    ],
)
def test_near_misses_of_a_facial_droop(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("facial_droop", Y) not in findings, findings
