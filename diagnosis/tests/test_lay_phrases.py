"""How patients really type, understood against the real knowledge base.

Each case is text -> the findings it must yield (present or negated). The sets are checked as
subsets: a sentence may also yield other findings, but never these with the opposite sign.
"""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase, lint_knowledge_base
from diagnosis.ml.text import get_index
from diagnosis.tests.support import found

Y, N = True, False


def test_no_phrase_is_claimed_by_two_findings(kb: KnowledgeBase) -> None:
    assert get_index(kb).conflicts == []
    assert lint_knowledge_base(kb) == []


# Phrases that used to be claimed by two findings: (text, the finding it means, the rival).
DISAMBIGUATED: list[tuple[str, str, str]] = [
    ("my ankles are swollen by the evening", "leg_swelling", "foot_ankle_pain"),
    ("rolled my ankle and now my ankle is swollen", "foot_ankle_pain", "leg_swelling"),
    ("my belly looks distended", "abdominal_swelling", "bloating"),
    ("nose bleeds a lot", "nosebleed", "bruising_easily"),
    ("ive been self harming again", "self_harm", "suicidal_thoughts"),
    ("i hurt myself playing football", "recent_injury", "suicidal_thoughts"),
    ("scratched my eye on a branch", "eye_injury", "eye_gritty"),
    ("my eyes feel scratchy", "eye_gritty", "eye_injury"),
    ("my eye is aching", "eye_pain", "eye_pain_severe"),
    ("lump in my groin that pops out when i cough", "groin_lump", "painless_swollen_glands"),
    ("cant stand on my leg since the fall", "unable_to_bear_weight", "leg_weakness_both"),
    ("my eyes water all the time", "itchy_eyes", "headache_autonomic_features"),
    ("terrible breakouts on my chin", "pimples", "rash"),
    ("a round bald patch on my scalp", "hair_loss_patches", "hair_loss"),
    ("the redness is spreading up my arm", "skin_redness_spreading", "skin_redness_warm"),
    ("sudden urge to pee all day", "urinary_urgency", "urge_incontinence"),
]


@pytest.mark.parametrize(("text", "meant", "rival"), DISAMBIGUATED, ids=[t for t, *_ in DISAMBIGUATED])
def test_a_formerly_shared_phrase_means_one_finding(text: str, meant: str, rival: str, kb: KnowledgeBase) -> None:
    codes = {code for code, present in found(text, kb) if present}
    assert meant in codes, codes
    assert rival not in codes, codes


def test_a_temperature_of_39_is_a_high_fever(kb: KnowledgeBase) -> None:
    assert ("fever_high", Y) in found("temp 39 since last night", kb)


# Red-flag findings in the words patients use (UK and US English, parents about children).
RED_FLAGS: list[tuple[str, str]] = [
    ("feels like an elephant sitting on my chest", "chest_pain_crushing"),
    ("chest feels like its in a vice", "chest_pain_crushing"),
    ("crushing feeling in my chest", "chest_pain_crushing"),
    ("like a tight band across my chest", "chest_pain_crushing"),
    ("squeezing in my chest", "chest_pain_crushing"),
    ("heaviness in my chest", "chest_pain_crushing"),
    ("pain shoots up to my jaw", "chest_pain_radiating"),
    ("pain goes down my left arm", "chest_pain_radiating"),
    ("my chest is killing me", "chest_pain"),
    ("felt something tear in my chest", "chest_pain_tearing"),
    ("found him unconscious on the floor", "drowsiness"),
    ("not breathing properly and going blue", "blue_lips"),
    ("he isnt breathing properly", "shortness_of_breath_severe"),
    ("struggling to breathe and making a high pitched noise", "stridor"),
    ("34 weeks pregnant, bad headache and seeing spots", "visual_aura"),
    ("my leg is cold and white and i cant feel it", "cold_limb"),
    ("pain in my chest going through to my back like tearing", "chest_pain_tearing"),
    ("fever and a rash that looks like bruises", "rash_non_blanching"),
    ("keeps grabbing his tummy and screaming then settles", "episodic_screaming_legs_drawn_up"),
    ("bad back and now i cant feel my legs", "numbness_tingling"),
    ("back pain and i lost control of my bladder", "urinary_incontinence"),
    ("havent weed since yesterday", "reduced_urine"),
    ("cant keep food down", "vomiting"),
    ("panic attacks and now scared to leave the house", "anxiety"),
    ("i worry about everything, cant switch off", "anxiety"),
    ("sleep is bad", "sleep_problems"),
    ("big itchy, raised, red blotches that come and go", "hives"),
    ("blood on the loo roll", "bloody_stool"),
    ("my nail is thick and yellow", "nail_thick_discoloured"),
    ("pulled my back lifting boxes", "back_pain_lower"),
    ("bleeding heavily and soaking pads every hour", "heavy_periods"),
    ("gasping for breath", "shortness_of_breath_severe"),
    ("can hardly breathe", "shortness_of_breath_severe"),
    ("cant talk in full sentences", "shortness_of_breath_severe"),
    ("struggling to breathe", "shortness_of_breath"),
    ("his lips have gone blue", "blue_lips"),
    ("blue around her mouth", "blue_lips"),
    ("one side of his face dropped", "facial_droop"),
    ("talking like hes drunk", "slurred_speech"),
    ("her speech went funny", "slurred_speech"),
    ("lost the strength in my right arm", "weakness_one_side"),
    ("arm and leg gone weak", "weakness_one_side"),
    ("pins and needles down one side", "numbness_one_side"),
    ("cant put his chin on his chest", "neck_stiffness"),
    ("cant look at the light", "light_sensitivity"),
    ("spots that dont go away when pressed", "rash_non_blanching"),
    ("purple blotches on his legs", "rash_non_blanching"),
    ("skin looks mottled", "mottled_skin"),
    ("hands and feet are freezing", "cold_hands_feet"),
    ("feel like im dying", "feeling_very_ill"),
    ("never felt this poorly", "feeling_very_ill"),
    ("hard to rouse", "drowsiness"),
    ("she wont wake properly", "drowsiness"),
    ("shivering uncontrollably", "chills"),
    ("barely peeing", "reduced_urine"),
    ("hasnt peed since last night", "reduced_urine"),
    ("his lips swelled up", "face_lip_swelling"),
    ("throat is closing up", "throat_tightness"),
    ("dont want to live anymore", "suicidal_thoughts"),
    ("wish i was dead", "suicidal_thoughts"),
    ("everyone would be better off without me", "suicidal_thoughts"),
    ("no wet nappy since this morning", "dehydration"),
    ("no wet diapers today", "dehydration"),
    ("hasnt had a wet diaper in 8 hours", "dehydration"),
    ("the soft spot on his head is sunken", "dehydration"),
    ("crying with no tears", "dehydration"),
    ("wont take her bottle", "poor_feeding"),
    ("not drinking anything", "low_fluid_intake"),
    ("bleeding from my bum", "bloody_stool"),
]

# Everyday findings: slang, British and American words, common misspellings.
EVERYDAY: list[tuple[str, str]] = [
    ("hes burning up", "fever"),
    ("boiling hot all night", "fever"),
    ("her forehead is hot", "fever"),
    ("high temperture", "fever"),
    ("been throwing up all night", "vomiting"),
    ("keeps being sick", "vomiting"),
    ("puking", "vomiting"),
    ("retching", "vomiting"),
    ("dry heaving", "vomiting"),
    ("vommitting", "vomiting"),
    ("feel like im going to be sick", "nausea"),
    ("got the runs", "diarrhoea"),
    ("the shits", "diarrhoea"),
    ("diaria", "diarrhoea"),
    ("explosive poo", "diarrhoea"),
    ("coughing up green stuff", "cough_productive"),
    ("woozy", "lightheadedness"),
    ("light headed", "lightheadedness"),
    ("room is spinning", "vertigo"),
    ("migrane", "headache"),
    ("i get migraines", "headache"),
    ("my head is killing me", "headache"),
    ("my back is agony", "back_pain_lower"),
    ("my ear is killing me", "ear_pain"),
    ("peeing all the time", "urinary_frequency"),
    ("cream crackered", "fatigue"),
    ("really really unwell", "feeling_unwell"),
    ("hemroids", "anal_lump"),
    ("edema", "leg_swelling"),
]


@pytest.mark.parametrize(("text", "code"), RED_FLAGS + EVERYDAY, ids=[t for t, _ in RED_FLAGS + EVERYDAY])
def test_lay_phrase_is_understood(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb), found(text, kb)


NEGATED: list[tuple[str, set[tuple[str, bool]]]] = [
    ("no crushing feeling in my chest", {("chest_pain_crushing", N)}),
    ("hes not gasping for breath", {("shortness_of_breath_severe", N)}),
    ("lips havent gone blue", {("blue_lips", N)}),
    ("no purple blotches", {("rash_non_blanching", N)}),
    ("not throwing up", {("vomiting", N)}),
    ("no temperature and not had the runs", {("fever", N), ("diarrhoea", N)}),
    ("never had migraines", {("headache", N)}),
    ("no thoughts of wanting to die", {("suicidal_thoughts", N)}),
    # a phrase naming a finding by its own negative is not swept into an earlier denial
    ("no fever, cant breathe", {("fever", N), ("shortness_of_breath_severe", Y)}),
    ("no rash, wont feed", {("rash", N), ("poor_feeding", Y)}),
    ("no vomiting no wet nappy since morning", {("vomiting", N), ("dehydration", Y)}),
    ("hasnt got a temperature, barely peeing", {("fever", N), ("reduced_urine", Y)}),
]


@pytest.mark.parametrize(("text", "expected"), NEGATED, ids=[t for t, _ in NEGATED])
def test_negated_lay_phrase(text: str, expected: set[tuple[str, bool]], kb: KnowledgeBase) -> None:
    result = found(text, kb)
    assert expected <= result, result


# Words that only look alike once stemmed: none of these may raise a finding.
@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("i hope its nothing", "unable_to_bear_weight"),
        ("my heart rate is 120", "freshwater_exposure"),
        ("it happened in the past", "pale_skin"),
        ("my spine hurts", "vertigo"),
        ("worried about hiv", "hives"),
        ("my chest feels tight and heavy", "vomiting"),
        ("i was in tears all day", "chest_pain_tearing"),
        ("boiling hot all night", "boil"),
        ("pain in my lower right side", "flank_pain_colicky"),
    ],
)
def test_look_alike_words_raise_no_finding(text: str, not_expected: str, kb: KnowledgeBase) -> None:
    assert not_expected not in {code for code, _ in found(text, kb)}


def test_every_misspelling_in_the_knowledge_base_is_understood(kb: KnowledgeBase) -> None:
    english = {"ours"}  # real words: kept out of every text on purpose
    missed = [
        (typo, finding.code)
        for finding in kb.findings.values()
        for typo in finding.misspellings
        if typo not in english and (finding.code, Y) not in found(typo, kb)
    ]
    assert missed == []


# Context and everyday life: medicines, contacts, food, children, British and American words.
CONTEXT: list[tuple[str, str]] = [
    ("on tablets for my blood pressure", "hypertension_known"),
    ("everyone at nursery has it", "sick_contacts"),
    ("my husband has the same", "sick_contacts"),
    ("had a dodgy kebab", "suspect_food"),
    ("screaming nonstop", "inconsolable_crying"),
    ("baby is really grizzly", "irritability"),
    ("brought up all her milk", "vomiting"),
    ("passing a lot of gas", "bloating"),
    ("pee looks like coke", "dark_urine"),
    ("discharge down there", "vaginal_discharge"),
    ("cough for donkeys years", "duration_months"),
    ("bad d&v since yesterday", "diarrhoea"),
    ("bad d&v since yesterday", "vomiting"),
]


@pytest.mark.parametrize(("text", "code"), CONTEXT, ids=[f"{t}->{c}" for t, c in CONTEXT])
def test_context_phrase_is_understood(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb), found(text, kb)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no temps", {("fever", N)}),
        ("the vomiting has stopped", {("vomiting", N)}),
        ("temperature has come down", {("fever", N)}),
        ("apart from a cough i feel fine", {("cough", Y)}),
        ("no thoughts of harming myself", {("self_harm", N)}),
        ("i dont drink alcohol", {("alcohol_heavy", N)}),
        ("lips swollen after the new tablets, breathing fine", {("shortness_of_breath", N)}),
        ("breathing ok but short of breath on the stairs", {("shortness_of_breath", Y)}),
        ("cries every evening, feeding well and gaining weight", {("poor_feeding", N)}),
        ("not feeding well", {("poor_feeding", Y)}),
    ],
)
def test_denials_and_resolutions(text: str, expected: set[tuple[str, bool]], kb: KnowledgeBase) -> None:
    assert expected <= found(text, kb), found(text, kb)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        # a phrase starting with its own negative never skips a word: "no [problems] peeing"
        ("no problems peeing", "reduced_urine"),
        ("not drinking alcohol", "low_fluid_intake"),
    ],
)
def test_negative_phrases_match_only_as_written(text: str, not_expected: str, kb: KnowledgeBase) -> None:
    assert not_expected not in {code for code, _ in found(text, kb)}


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        (
            "im 36 weeks and baby has been really quiet",
            {("pregnant", Y), ("reduced_fetal_movements", Y)},
            "duration_months",
        ),
        ("34 weeks gone, bad headache", {("pregnant", Y), ("headache", Y)}, "duration_weeks"),
        ("i am 20 wks", {("pregnant", Y)}, "duration_weeks"),
        ("cough for 6 weeks", {("duration_weeks", Y)}, "pregnant"),
        ("im 5 weeks late", set(), "pregnant"),
        ("my baby shes 6 weeks and has a fever", {("fever", Y)}, "pregnant"),
    ],
)
def test_gestation_is_a_pregnancy_not_a_duration(text, expected, not_expected, kb: KnowledgeBase) -> None:
    result = found(text, kb)
    assert expected <= result, result
    assert not_expected not in {code for code, _ in result}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my legs have got weaker and weaker", "leg_weakness_both"),
        ("both feet tingly and numb", "numbness_feet_both"),
        ("keep stumbling", "balance_problems"),
        ("had a tummy bug 2 weeks ago", "recent_viral_illness"),
        ("started ramipril last month", "ace_inhibitor_use"),
        ("bottom lip swollen", "face_lip_swelling"),
        ("left ball has been sore", "testicular_pain"),
    ],
)
def test_more_lay_phrases(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb), found(text, kb)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my arm feels paralyzed", "weakness_one_side"),
        ("my arm feels paralysed", "weakness_one_side"),
        ("heart is going like the clappers", "palpitations"),
        ("his eyes rolled back", "seizure"),
        ("cant be bothered with anything", "loss_of_interest"),
        ("waking up at 4am", "sleep_problems"),
        ("eye is all gunky", "eye_discharge"),
        ("gunk coming out of my ear", "ear_discharge"),
        ("did my back in lifting", "back_pain_lower"),
        ("cant feel my bum", "saddle_numbness"),
        ("peeing myself", "urinary_incontinence"),
        ("wee when i sneeze", "leak_on_exertion"),
        ("up all night peeing", "nocturia"),
        ("stung by a wasp", "allergen_exposure"),
    ],
)
def test_body_system_lay_phrases(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb), found(text, kb)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("need to pee every 5 mins", "urinary_frequency"),
        ("really thirsty", "excessive_thirst"),
        ("breathing really deep and fast", "rapid_breathing"),
        ("sugars reading HI", "high_blood_sugar_reading"),
        ("tonsils massive with white bits on", "tonsil_pus"),
        ("lashes stuck together this morning", "eye_discharge"),
        ("feels gritty", "eye_gritty"),
        ("my baby looks yellow", "yellow_newborn"),
        ("my 3 week old daughter looks yellow", "yellow_newborn"),
        ("my husband looks yellow", "jaundice"),
        ("noisy when breathing in", "stridor"),
        ("hes 3, has asthma", "asthma_known"),
        ("cant finish a sentence without stopping for breath", "shortness_of_breath_severe"),
        ("wakes me up and i have to shake my hand", "hand_numbness_night"),
        ("theres a bug going round at work", "sick_contacts"),
        ("my big toe absolutely agony", "big_toe_pain"),
        ("cant even have the duvet touching it", "joint_red_hot"),
        ("his tounge looks like a strawberry", "strawberry_tongue"),
        ("peeing blod", "blood_in_urine"),
        ("only had 2 wet nappies", "dehydration"),
        ("drank heavily at the weekend", "alcohol_heavy"),
        ("not interested in her bottles", "poor_feeding"),
    ],
)
def test_lay_phrases_found_in_new_vignettes(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb), found(text, kb)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("my 6 month old baby has had a cough", "recent_childbirth"),  # not "had a baby" reordered
        ("had a scratch from the garden", "heavy_lifting_strain"),  # the garden, not gardening
        ("rash going round to my chest", "sick_contacts"),
        ("my lower back went, cant stand up straight", "abdominal_pain_severe"),
        ("i have to shake my hand", "tremor"),
        ("my big toe hurts", "foot_ankle_pain"),
    ],
)
def test_phrases_that_meant_something_else(text: str, not_expected: str, kb: KnowledgeBase) -> None:
    assert not_expected not in {code for code, _ in found(text, kb)}, found(text, kb)


@pytest.mark.parametrize(
    "word", ["cooking", "couch", "towel", "ladder", "shots", "telly", "slight", "breakfast", "shopping", "inches"]
)
def test_everyday_words_are_not_corrected_into_symptom_words(word: str, kb: KnowledgeBase) -> None:
    assert [t.word for t in get_index(kb).tokenize(f"i was {word}")] == ["i", "was", word]


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("lying on the couch", "cough"),
        ("had a few shots", "rash"),
        ("blowing green gunk out of my nose", "eye_discharge"),
        ("snuffly baby with noisy breathing", "stridor"),  # a blocked nose, not an airway red flag
        ("bloody diarrhoea, need to go all the time", "urinary_frequency"),
    ],
)
def test_everyday_words_raise_no_finding(text: str, not_expected: str, kb: KnowledgeBase) -> None:
    assert not_expected not in {code for code, _ in found(text, kb)}, found(text, kb)


def test_wiping_is_no_tiredness(kb: KnowledgeBase) -> None:
    assert "fatigue" not in {c for c, _ in found("bright red blood on the toilet paper when i wipe", kb)}
    assert ("fatigue", Y) in found("feel wiped out", kb)


@pytest.mark.parametrize(
    ("text", "not_meant"),
    [
        ("im normally fit and well", "seizure"),
        ("keep fit, go to the gym", "seizure"),
        ("tried to cut down on drinking", "skin_wound"),
        ("i pooped 6 times today", "fatigue"),
        ("cant stop sobbing", "shortness_of_breath"),
    ],
)
def test_an_everyday_sense_is_no_finding(text: str, not_meant: str, kb: KnowledgeBase) -> None:
    assert not_meant not in {c for c, _ in found(text, kb)}


@pytest.mark.parametrize("text", ["had a fit this morning", "she fitted for 2 minutes", "he has fits", "fitting"])
def test_a_fit_is_still_a_seizure(text: str, kb: KnowledgeBase) -> None:
    assert ("seizure", Y) in found(text, kb)
