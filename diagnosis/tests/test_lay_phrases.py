"""How patients really type, understood against the real knowledge base.

Each case is text -> the findings it must yield (present or negated). The sets are checked as
subsets: a sentence may also yield other findings, but never these with the opposite sign.
"""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase, lint_knowledge_base, load_knowledge_base
from diagnosis.ml.text import extract_findings, get_index

Y, N = True, False


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def found(text: str, kb: KnowledgeBase) -> set[tuple[str, bool]]:
    return {(e.code, e.present) for e in extract_findings(text, kb)}


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
