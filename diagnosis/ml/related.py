"""Relations between findings derived from the KB's own codes.

A finding is a *generalisation* of another when its code's words are the first or the last words
of the other's (stemmed): ``rash`` of ``rash_itchy`` and ``slapped_cheek_rash``; ``chest_pain``
of ``chest_pain_pleuritic``; ``itching`` of ``rash_itchy``. Patients often say the general
thing ("a rash") where the KB lists the specific one ("an itchy rash"), and sometimes the other
way round; the generator simulates that and the Bayes model allows for it.

Duration buckets are ordered (minutes < hours < days < weeks < months): patients' estimates
often land in a neighbouring bucket.
"""

from __future__ import annotations

from functools import lru_cache

from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.ml.spelling import stem

_IGNORED = frozenset(
    {
        "known",
        "recent",
        "history",
        "of",
        "in",
        "on",
        "the",
        "and",
        "or",
        "with",
        "to",
        "a",
        "after",
        "during",
        "from",
        "for",
        "at",
    }
)
DURATION_ORDER = ("duration_minutes", "duration_hours", "duration_days", "duration_weeks", "duration_months")
_RELATED_KINDS = ("symptom", "sign")


def _words(code: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in code.split("_") if w and w not in _IGNORED)


@lru_cache(maxsize=8)
def _relations(kb: KnowledgeBase) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    words = {code: _words(code) for code, f in kb.findings.items() if f.kind in _RELATED_KINDS}
    general: dict[str, list[str]] = {code: [] for code in words}
    specific: dict[str, list[str]] = {code: [] for code in words}
    for g, gw in words.items():
        if not gw:
            continue
        for s, sw in words.items():
            if s == g or len(sw) <= len(gw):
                continue
            if sw[: len(gw)] == gw or sw[-len(gw) :] == gw:
                general[s].append(g)
                specific[g].append(s)
    return (
        {code: tuple(sorted(v)) for code, v in general.items() if v},
        {code: tuple(sorted(v)) for code, v in specific.items() if v},
    )


def generalisations(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """specific code -> the more general codes a patient may use instead."""
    return _relations(kb)[0]


def specialisations(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """general code -> the more specific codes."""
    return _relations(kb)[1]


def duration_neighbours(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """duration code -> the neighbouring duration codes the KB has."""
    present = [code for code in DURATION_ORDER if code in kb.findings]
    return {code: tuple(present[j] for j in (i - 1, i + 1) if 0 <= j < len(present)) for i, code in enumerate(present)}
