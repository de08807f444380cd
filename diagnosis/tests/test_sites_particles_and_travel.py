"""Session-7 reader fixes: a site-bound phrase is not taken elsewhere by a body part named in a
denial after it, or past a site it names itself; a verb and its particle with an object between
them ("done a poo in") are not the particle idiom ("done in": tired); a particle that ends a
two-word phrase ("back from": travel) is not read in front of it ("from my lower back"). Each
with near misses that must not change."""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.ml.negation import starts_negation
from diagnosis.tests.support import found

Y, N = True, False


# --- a site-bound phrase and the body parts around it ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "sore on my ribs when i press on them, doesnt go down my arm",
        "tender when i press on it, doesnt spread to my arm",
        "tender when i press on it, not short of breath, no pain in my arm",
    ],
)
def test_a_body_part_in_a_denial_after_a_site_bound_phrase_does_not_take_it(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("chest_wall_tenderness", Y) in findings, findings


def test_the_denial_that_follows_stays_denied(kb: KnowledgeBase) -> None:
    findings = found("sore on my ribs when i press on them, not sweaty, doesnt go down my arm", kb)
    assert ("chest_wall_tenderness", Y) in findings, findings
    assert ("sweating", N) in findings, findings
    assert ("chest_pain_radiating", N) in findings, findings
    assert ("chest_pain_radiating", Y) not in findings, findings


def test_a_site_the_phrase_names_itself_wins_over_one_named_after_it(kb: KnowledgeBase) -> None:
    findings = found("sore on my ribs when i press on them and my arm aches", kb)
    assert ("chest_wall_tenderness", Y) in findings, findings


@pytest.mark.parametrize(
    "text",
    [
        # a body part stated (not denied) nearer the phrase still takes it elsewhere
        "tender when i press on it, my arm is sore",
        "my calf is sore and it hurts to walk",
    ],
)
def test_a_stated_body_part_still_takes_a_site_bound_phrase_elsewhere(text: str, kb: KnowledgeBase) -> None:
    findings = {code for code, present in found(text, kb) if present}
    assert "chest_wall_tenderness" not in findings, findings
    assert "peritonism" not in findings, findings


def test_a_body_part_before_the_phrase_still_counts_across_a_denial(kb: KnowledgeBase) -> None:
    # only what follows a negation is denied; a site named before the phrase stays its site
    findings = found("tummy pain, hurts to walk, no pain in my legs", kb)
    assert ("peritonism", Y) in findings, findings


def test_starts_negation_ignores_pseudo_negations() -> None:
    assert starts_negation(["doesnt", "spread", "to"], 0)
    assert not starts_negation(["doesnt", "stop", "hurting"], 0)
    assert not starts_negation(["it", "hurts"], 0)


# --- a verb, its object and its particle ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "he hasnt done a poo in 5 days",
        "she hasnt done a wee in 12 hours",
        "ive done my back in lifting boxes",
        "worn my knees out running",
    ],
)
def test_an_object_between_a_verb_and_its_particle_is_no_tiredness(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, _ in found(text, kb)}
    assert "fatigue" not in codes, codes


def test_constipation_is_still_read_beside_the_days(kb: KnowledgeBase) -> None:
    findings = found("he hasnt done a poo in 5 days", kb)
    assert ("constipation", Y) in findings, findings
    assert ("duration_days", Y) in findings, findings


@pytest.mark.parametrize("text", ["totally done in after work", "feel worn out", "feel run down all the time"])
def test_the_particle_idiom_without_an_object_is_still_tiredness(text: str, kb: KnowledgeBase) -> None:
    assert ("fatigue", Y) in found(text, kb)


def test_a_reflexive_object_keeps_the_idiom(kb: KnowledgeBase) -> None:
    assert ("knocked_out", N) in found("fell off his bike, didnt knock himself out", kb)


# --- "from" before a body part is no travel ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "pain shooting from my lower back down my leg",
        "pain coming from my back",
        "spreads from my neck to my shoulder",
    ],
)
def test_from_a_body_part_is_no_travel(text: str, kb: KnowledgeBase) -> None:
    codes = {code for code, _ in found(text, kb)}
    assert "recent_travel" not in codes, codes


@pytest.mark.parametrize("text", ["just got back from spain", "back from holiday last week", "got back from abroad"])
def test_back_from_a_trip_is_still_travel(text: str, kb: KnowledgeBase) -> None:
    assert ("recent_travel", Y) in found(text, kb)


# --- a denied path: where a pain does not go ---------------------------------------------------


@pytest.mark.parametrize(
    "text", ["tender when i press on it, doesnt go down my arm", "pain in my chest, not going into my jaw"]
)
def test_a_pain_that_does_not_go_somewhere_is_denied(text: str, kb: KnowledgeBase) -> None:
    findings = found(text, kb)
    assert ("chest_pain_radiating", Y) not in findings, findings


def test_a_site_bound_phrase_before_a_denied_path_keeps_its_site(kb: KnowledgeBase) -> None:
    findings = found("tender when i press on it, doesnt go down my arm", kb)
    assert ("chest_wall_tenderness", Y) in findings, findings
    assert ("chest_pain_radiating", N) in findings, findings


@pytest.mark.parametrize("words", [["doesnt", "go", "down"], ["not", "going", "away"], ["not", "going", "to", "stop"]])
def test_a_state_that_persists_is_still_no_negation(words: list[str]) -> None:
    assert not starts_negation(words, 0)


def test_a_pain_that_goes_somewhere_is_still_read(kb: KnowledgeBase) -> None:
    assert ("chest_pain_radiating", Y) in found("chest pain going down my left arm", kb)
