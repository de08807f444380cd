"""Words as the symptom checker's parser sees them: normalised text, canonical spellings, stems.

Pure string functions shared by the text index (``text.py``) and the finding relations
(``related.py``): unicode/case/apostrophe normalisation with a map back to the original
characters, British -> American spelling, the lexicon's word and phrase rewrites, a light stemmer,
and the edit distances used to correct misspellings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from diagnosis.ml import lexicon as lx

__all__ = [
    "TOKEN_RE",
    "RUN_RE",
    "canonical",
    "deletes",
    "edit_distance",
    "normalize",
    "osa_distance_at_most_one",
    "raw_words",
    "rewrite_phrases",
    "stem",
]

_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u2032"
TOKEN_RE = re.compile(r"w/o|w/|\d+(?:\.\d+)?|[a-z]+|[.;!?,:]")
RUN_RE = re.compile(r"(.)\1{2,}")


def normalize(text: str) -> tuple[str, list[int]]:
    """Lowercase, strip accents, drop apostrophes; returns the text and, for each character of
    it, the offset of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _APOSTROPHES:
            continue
        if char == "&":
            pieces = " and "
        elif char.isascii():
            pieces = char.lower()
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            pieces = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
            if char in "\u2013\u2014":
                pieces = "-"
        for piece in pieces:
            out.append(piece)
            origin.append(index)
    return "".join(out), origin


def _british_to_american(word: str) -> str:
    if len(word) >= 6 and not word.startswith("does"):  # "doesnt" is not "desnt"
        if "ae" in word:
            word = word.replace("ae", "e")
        if "oe" in word:
            word = word.replace("oe", "e")
        if word.endswith("our"):
            word = word[:-3] + "or"
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, consistent stemmer: plural, -ing, -ed, -ness, -y (so "wheezy" = "wheezing")."""
    if len(word) <= 3 or not word.isalpha() or word in lx.UNSTEMMED:
        return word
    w = word
    undouble = False
    if w.endswith("ies") and len(w) > 4 or w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ness") and len(w) - 4 >= 3:
        w = w[:-4]
    elif w.endswith("ing") and len(w) - 3 >= 3:
        w, undouble = w[:-3], True
    elif w.endswith("ed") and len(w) - 2 >= 3:
        w, undouble = w[:-2], True
    elif w.endswith("es") and len(w) - 2 >= 3 and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if undouble and len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsaeiouz":
        w = w[:-1]
    if w.endswith("i") and len(w) > 3:
        w = w[:-1] + "y"
    if w.endswith("y") and len(w) >= 4:
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def canonical(word: str) -> str:
    word = _british_to_american(word)
    return lx.TOKEN_EQUIVALENTS.get(word, word)


def rewrite_phrases(words: list[str]) -> list[tuple[int, int, str]]:
    """Apply ``PHRASE_REWRITES``: (first index, end index, word) for each output word."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(words)
    while i < n:
        for length in range(min(lx.PHRASE_REWRITE_MAX, n - i), 0, -1):
            replacement = lx.PHRASE_REWRITES.get(tuple(words[i : i + length]))
            if replacement is not None:
                out.extend((i, i + length, w) for w in replacement)
                i += length
                break
        else:
            out.append((i, i + 1, words[i]))
            i += 1
    return out


def raw_words(text: str) -> list[str]:
    """Normalised, rewritten words of a phrase (no corrections): used for KB phrases."""
    norm, _ = normalize(text)
    words: list[str] = []
    for match in TOKEN_RE.finditer(norm):
        words.extend(lx.TOKEN_REWRITES.get(match.group(), match.group()).split())
    return [w for _, _, w in rewrite_phrases([canonical(w) for w in words])]


def osa_distance_at_most_one(a: str, b: str) -> bool:
    """Optimal-string-alignment distance <= 1 (substitution, insertion, deletion, swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: deleting one char of b must give a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
