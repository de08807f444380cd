"""Known misreadings of patient text, fixed: each case with near misses that must not change."""

from __future__ import annotations

import pytest

from diagnosis.ml.knowledge import KnowledgeBase, load_knowledge_base
from diagnosis.ml.text import extract_findings

Y, N = True, False


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def found(text: str, kb: KnowledgeBase) -> set[tuple[str, bool]]:
    return {(e.code, e.present) for e in extract_findings(text, kb)}


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
