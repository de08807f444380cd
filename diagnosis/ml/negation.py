"""Negation scopes over a tokenised text: which matched findings the patient denies.

"no fever, cough or rash" negates all three; "no fever i have a cough", "no fever, light hurts
my eyes", "no cough and his lips are blue" or "no rash light hurts" end the scope at a new
statement; "denies chest pain but..." ends it at a scope breaker;
"temperature is normal" and "the headache has gone" negate what comes before them; "doesnt go
down my arm" denies where a pain goes, "doesnt go down" is no denial; "bit of a
headache" after a negated list is said to be there. The word lists
live in ``lexicon.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from diagnosis.ml import lexicon as lx

__all__ = ["NEGATION_WINDOW", "negated_matches", "starts_negation"]

NEGATION_WINDOW = 6  # words after a trigger / negated finding before the scope lapses


class Span(Protocol):
    """A matched phrase: token indexes [start, end)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def negated_matches(words: list[str], matches: Sequence[Span]) -> list[bool]:
    """For each match, whether a negation scope covers it."""
    starts: dict[int, list[int]] = {}
    inside: set[int] = set()
    for index, m in enumerate(matches):
        starts.setdefault(m.start, []).append(index)
        inside.update(range(m.start, m.end))
    result = [False] * len(matches)
    in_scope = False
    negated_any = False
    lapse = 0
    skip_next = False
    for i, word in enumerate(words):
        for index in starts.get(i, ()):
            if words[i] in lx.NEGATIVE_PHRASE_STARTS and (i == 0 or words[i - 1] not in ("or", "nor")):
                # "no wet nappies", "cant breathe", "wont feed": the phrase names a present
                # finding through its own negative, so an earlier "no fever, ..." does not reach
                # it (unless it is listed as one more alternative: "no fever or cant breathe")
                continue
            if (
                in_scope
                and negated_any
                and not any(result[j] for j in starts[i])
                and (_new_statement(words, i, matches[index]) or _hedged_positive(words, i))
            ):
                # "no fever, light hurts my eyes", "no cough and his lips are blue", "no rash
                # light hurts": past the first negated item, a phrase with its own verb (after a
                # comma or "and", also its own subject) starts a new statement, not another item
                # ("no fever or head hurts" still negates both; the words a negated phrase shares
                # with another are negated for both)
                in_scope = False
            if in_scope:
                result[index] = True
                negated_any = True
                lapse = 0
            elif _post_negated(words, matches[index].end):
                result[index] = True
        if i in inside:
            continue
        if skip_next:
            skip_next = False
            continue
        if word in lx.SCOPE_BREAKERS:
            in_scope = False
        elif _is_trigger(words, i):
            in_scope, negated_any, lapse = True, False, 0
            skip_next = (word, words[i + 1] if i + 1 < len(words) else "") in lx.NEGATION_PAIRS
        elif in_scope:
            if word == ",":
                if not negated_any:
                    in_scope = False
            elif negated_any and word in lx.CLAUSE_STARTS:
                in_scope = False
            elif word not in lx.LIST_GLUE:
                lapse += 1
                if lapse > NEGATION_WINDOW:
                    in_scope = False
    return result


def starts_negation(words: list[str], i: int) -> bool:
    """Whether a negation starts at word ``i``: "no", "doesnt" (not "doesnt stop"), "free of"."""
    return _is_trigger(words, i)


def _is_trigger(words: list[str], i: int) -> bool:
    word = words[i]
    following = words[i + 1 : i + 3]
    if word in lx.NEGATION_TRIGGERS:
        if word == "no" and following[:1] == ["longer"]:
            return True
        return not any(w in lx.PSEUDO_NEGATION_NEXT for w in following) or _denied_path(words, i + 1)
    return bool(following) and (word, following[0]) in lx.NEGATION_PAIRS


def _denied_path(words: list[str], i: int) -> bool:
    """Whether the words at ``i`` tell where a pain goes ("doesnt go down my arm", "not going
    into my jaw"), which a negation denies, not a state that persists ("doesnt go down",
    "not going away")."""
    if i >= len(words) or words[i] not in lx.MOTION_VERBS:
        return False
    path = words[i + 1 : i + 3]
    return len(path) == 2 and path[0] in lx.PATH_PREPOSITIONS and path[1] in lx.POSSESSIVES


def _new_statement(words: list[str], i: int, match: Span) -> bool:
    """Whether the phrase at ``i`` starts a statement of its own rather than one more item of a
    negated list: it has its own verb, or after a comma or an "and" (over determiners: "and his")
    its own subject; never when joined by "or"/"nor"."""
    k = i - 1
    while k >= 0 and words[k] in lx.STOPWORDS:
        k -= 1
    joint = words[k] if k >= 0 else ""
    if joint in ("or", "nor"):
        return False
    inner = words[match.start : match.end]
    if joint in (",", "and"):
        return any(w in lx.CLAUSE_STARTS or w in lx.CLAUSE_VERBS for w in inner)
    return any(w in lx.CLAUSE_VERBS for w in inner)


def _hedged_positive(words: list[str], i: int) -> bool:
    """Whether the phrase at ``i`` is said to be there, mildly, after a negated list: "no temp,
    no cough, bit of a headache", "no fever and a slight cough" (not "no cough or a slight
    wheeze")."""
    k = i - 1
    while k >= 0 and (words[k] in lx.STOPWORDS or words[k] == "of"):
        k -= 1
    if k < 0 or words[k] not in lx.HEDGED_POSITIVES:
        return False
    k -= 1
    while k >= 0 and (words[k] in lx.STOPWORDS or words[k] in ("just", "only", "but")):
        k -= 1
    return k < 0 or words[k] in (",", "and", ".", ";", "but")


def _post_negated(words: list[str], end: int) -> bool:
    """'temperature is normal', 'headache has gone', 'rash went away', 'fever? no'."""
    k = end + (end < len(words) and words[end] in lx.ANSWER_MARKS)
    if k < len(words) and words[k] in lx.ANSWERS_NO and (k + 1 == len(words) or not words[k + 1].isalnum()):
        return True
    window = words[end : end + 3]
    for j, word in enumerate(window):
        # "than": a comparison ("more breathless than normal") says the finding is present.
        # A new subject starts another statement: "apart from a cough i feel fine".
        if word in lx.SCOPE_BREAKERS or word in (",", "and", "but", "than") or word in lx.SUBJECTS:
            return False
        if word in lx.POST_NEGATIONS:
            return True
        if j + 1 < len(window) and (word, window[j + 1]) in lx.POST_NEGATION_PAIRS:
            return True
    return False
