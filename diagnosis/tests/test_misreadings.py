"""Known misreadings of patient text, fixed: each case with near misses that must not change."""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.tests.support import found

Y, N = True, False


# --- 1. a negative predicate after the subject denies the finding ----------------------------

DENIED_BY_PREDICATE = [
    ("neck isn't stiff", "neck_stiffness"),
    ("my neck is not stiff", "neck_stiffness"),
    ("no stiffness in my neck", "neck_stiffness"),
    ("chest doesn't hurt", "chest_pain"),
    ("my chest does not hurt", "chest_pain"),
    ("my tummy doesnt hurt", "abdominal_pain"),
    ("breathing isn't a problem", "shortness_of_breath"),
    ("my throat isnt sore anymore", "sore_throat"),
]


@pytest.mark.parametrize(("text", "code"), DENIED_BY_PREDICATE, ids=[t for t, _ in DENIED_BY_PREDICATE])
def test_negative_predicate_denies_the_finding(text: str, code: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert (code, N) in findings, findings
    assert (code, Y) not in findings, findings


STILL_PRESENT = [
    ("neck is stiff and it isn't getting better", "neck_stiffness"),
    ("my neck is stiff", "neck_stiffness"),
    ("my chest hurts", "chest_pain"),
    ("cough isnt getting better", "cough"),
    ("tummy pain doesnt go away", "abdominal_pain"),
    ("rash doesnt fade when pressed", "rash_non_blanching"),
    ("my chest doesnt hurt but i have a cough", "cough"),
    ("neck isnt stiff but i have a headache", "headache"),
    ("she has problems breathing", "shortness_of_breath"),
]


@pytest.mark.parametrize(("text", "code"), STILL_PRESENT, ids=[t for t, _ in STILL_PRESENT])
def test_near_misses_stay_present(text: str, code: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert (code, Y) in findings, findings


# --- 2. reassuring quantities are absent findings, never the finding ---------------------------

REASSURANCES = [
    ("plenty of wet nappies", "dehydration"),
    ("lots of wet nappies", "dehydration"),
    ("baby has a fever but plenty of wet nappies", "dehydration"),
    ("weeing normally", "reduced_urine"),
    ("he is weeing normally and drinking fine", "reduced_urine"),
    ("drinking fine", "low_fluid_intake"),
    ("no vomiting, drinking fine", "low_fluid_intake"),
]


@pytest.mark.parametrize(("text", "code"), REASSURANCES, ids=[t for t, _ in REASSURANCES])
def test_reassurance_is_an_absent_finding(text: str, code: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert (code, N) in findings, findings
    assert (code, Y) not in findings, findings


NOT_REASSURING = [
    ("no wet nappies", "dehydration"),
    ("fewer wet nappies", "dehydration"),
    ("less wet nappies than usual", "dehydration"),
    ("not as many wet nappies as normal", "dehydration"),
    ("hardly any wet nappies", "dehydration"),
    ("no fever, fewer wet nappies", "dehydration"),
    ("peeing less than usual", "reduced_urine"),
    ("no pain, weeing less", "reduced_urine"),
    ("hasnt had a wet nappy today", "dehydration"),
    ("drinking well, weeing normally, no wet nappies since this morning", "dehydration"),
    ("not drinking much", "low_fluid_intake"),
]


@pytest.mark.parametrize(("text", "code"), NOT_REASSURING, ids=[t for t, _ in NOT_REASSURING])
def test_worrying_fluid_phrases_stay_present(text: str, code: str, kb: KnowledgeBase) -> None:
    assert (code, Y) in found(text, kb)


@pytest.mark.parametrize("text", ["not drinking fine", "not weeing normally"])
def test_a_denied_reassurance_is_no_reassurance(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert not {f for f in findings if f[0] in ("low_fluid_intake", "reduced_urine") and not f[1]}, findings


# --- 3. an ex-smoker is not a current smoker ----------------------------------------------------

FORMER_SMOKERS = ["quit smoking", "stopped smoking 5 years ago", "ex-smoker", "gave up smoking", "used to smoke"]


@pytest.mark.parametrize("text", FORMER_SMOKERS)
def test_a_former_smoker_is_not_a_smoker(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("smoker", N) in findings, findings
    assert ("smoker", Y) not in findings, findings


@pytest.mark.parametrize(
    "text",
    [
        "ex smoker, smoked 20 a day for 30 years",
        "ex-smoker. used to smoke 20 a day",
        "smoked 10 a day for 20 years but gave up smoking in 2015",
    ],
)
def test_a_former_smokers_past_habit_is_not_a_current_one(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("smoker", N) in findings, findings
    assert ("smoker", Y) not in findings, findings
    assert not {code for code, present in findings if present} & DURATION_CODES, findings


@pytest.mark.parametrize(
    "text",
    [
        "smoked 20 a day for 30 years, cough for 3 weeks",
        "diabetic for 10 years, foot ulcer for 3 weeks",
        "asthmatic since childhood, wheezy for 3 weeks",
    ],
)
def test_how_long_a_habit_or_condition_lasted_is_no_symptom_duration(text: str, kb: KnowledgeBase) -> None:
    durations = {code for code, present in found(text, kb) if present and code in DURATION_CODES}
    assert durations == {"duration_weeks"}, durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i smoke 20 a day", set()),  # a rate, not a duration
        ("need a wee every half hour", set()),
        ("pain for half an hour", {"duration_minutes"}),
        ("drink 4 pints a night", set()),
        ("had a fever a day or two", {"duration_days"}),
        ("hurt my knee 3 days ago", {"duration_days"}),  # the time since an event dates the pain
    ],
)
def test_rates_and_event_times(text: str, expected: set[str], kb: KnowledgeBase) -> None:
    durations = {code for code, present in found(text, kb) if present and code in DURATION_CODES}
    assert durations == expected, durations


def test_the_time_since_quitting_is_no_symptom_duration(kb: KnowledgeBase) -> None:
    assert found("stopped smoking 5 years ago", kb) == {("smoker", N)}
    assert found("gave up smoking about 5 years ago", kb) == {("smoker", N)}
    assert ("duration_weeks", Y) in found("quit smoking 2 years ago, cough for 3 weeks", kb)


@pytest.mark.parametrize(
    "text",
    [
        "i smoke",
        "smoker",
        "still smoke 20 a day",
        "i smoke, tried to quit smoking but cant",
        "trying to quit smoking",
        "quit smoking last year but smoking again now",
    ],
)
def test_current_smokers_stay_smokers(text: str, kb: KnowledgeBase) -> None:
    assert ("smoker", Y) in found(text, kb)


# --- 4. a child's age is neither a symptom's duration nor a pregnancy ---------------------------

DURATION_CODES = {"duration_minutes", "duration_hours", "duration_days", "duration_weeks", "duration_months"}


@pytest.mark.parametrize(
    "text", ["shes 6 weeks", "hes 3 months", "my baby is 10 days old", "my baby is 10 days", "hes only 3 months"]
)
def test_a_childs_age_is_no_duration_or_pregnancy(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, present in found(text, kb) if present}
    assert not codes & (DURATION_CODES | {"pregnant"}), codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("had it for 6 weeks", ("duration_weeks", Y)),
        ("shes 6 weeks and has had a cough for 3 days", ("duration_days", Y)),
        ("shes had a cough 6 weeks", ("duration_weeks", Y)),
        ("cough for 6 months", ("duration_months", Y)),
        ("im 36 weeks", ("pregnant", Y)),
        ("she is 36 weeks pregnant", ("pregnant", Y)),
    ],
)
def test_durations_and_gestations_near_an_age_are_kept(
    text: str, expected: tuple[str, bool], kb: KnowledgeBase
) -> None:
    assert expected in found(text, kb)


def test_an_age_leaves_the_other_findings_alone(kb: KnowledgeBase) -> None:
    findings = found("shes 6 weeks and has had a cough for 3 days", kb)
    assert ("duration_weeks", Y) not in findings
    assert ("cough", Y) in findings


# --- 5. a point in time ("today", "last night") is the onset only when marked so -----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("headache started today", "duration_hours"),
        ("headache since this morning", "duration_hours"),
        ("it came on last night, bad tummy pain", "duration_hours"),
        ("woke up this morning with a swollen eye", "duration_hours"),
        ("been vomiting today", "duration_hours"),  # the only time the text gives
        ("felt rough yesterday and today being sick", "duration_days"),  # the earliest point
        ("sore throat since yesterday", "duration_days"),
    ],
)
def test_a_time_point_gives_the_onset(text: str, expected: str, kb: KnowledgeBase) -> None:
    durations = {code for code, present in found(text, kb) if present and code in DURATION_CODES}
    assert durations == {expected}, durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cough for 3 weeks, today coughing up blood", "duration_weeks"),
        ("over the last 4 days my legs got weaker, today i can barely get up", "duration_days"),
        ("temperature for three days, then it went today and now a rash", "duration_days"),
        ("saw the gp last week, coughing for 3 weeks", "duration_weeks"),
        ("rash for 2 days, worse tonight", "duration_days"),
    ],
)
def test_an_unmarked_time_point_is_no_second_duration(text: str, expected: str, kb: KnowledgeBase) -> None:
    durations = {code for code, present in found(text, kb) if present and code in DURATION_CODES}
    assert durations == {expected}, durations


# --- 6. an age stated as "my 3 week old" is no duration ------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["my 3 week old daughter looks yellow", "my 6 month old has a rash", "3 weeks old", "my little girl 18 months"],
)
def test_an_age_in_old_is_no_duration(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, present in found(text, kb) if present}
    assert not codes & DURATION_CODES, codes


# --- 7. what makes a pain worse is no complaint of its own ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "hurts more when i walk or cough",
        "headache worse when i cough",
        "pain on coughing",
        "tummy hurts to cough",
        "hurts when i sneeze and cough",
    ],
)
def test_a_cough_that_brings_on_pain_is_no_cough(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, _ in found(text, kb)}
    assert not codes & {"cough", "sneezing"}, codes


@pytest.mark.parametrize(
    "text",
    [
        "when i cough i bring up green phlegm",
        "ribs sore from coughing",
        "tummy pain and cough",
        "chest hurts when coughing, been coughing for a week",
    ],
)
def test_a_cough_complained_of_stays(text: str, kb: KnowledgeBase) -> None:
    assert any(code.startswith("cough") and present for code, present in found(text, kb))
