"""Free text -> findings: what the patient typed, as KB finding codes, present or absent.

The pipeline, compiled once per knowledge base into a :class:`TextIndex`:

1. normalise (unicode, lowercase, apostrophes dropped so "can't" is "cant") keeping a map back
   to the original characters, so every finding carries the span of text it came from;
2. tokenise and clean each word: slang/abbreviation rewrites, stretched letters ("sooo"), the
   KB's misspellings, a bounded edit-distance-1 correction against the KB's own words (only for
   unknown words of five letters or more, never for common English words), compound splits
   ("stomachache"), then a light stemmer so "vomiting/vomited/vomits" are one word;
3. match the KB's phrases (synonyms, labels, lay phrases, plus generated word orders such as
   "pain in my chest" for "chest pain") as token sequences in a trie, skipping filler words,
   preferring the longest match;
4. durations, sudden onset and temperatures from patterns (``durations.py``);
5. negation scopes ("no fever, cough or rash"; "denies chest pain but has...").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from diagnosis.ml import lexicon as lx
from diagnosis.ml.durations import find_durations, find_gestations, find_temperatures

if TYPE_CHECKING:
    from diagnosis.ml.knowledge import KnowledgeBase

__all__ = ["Extracted", "TextIndex", "extract_findings", "get_index", "normalize", "stem"]

MAX_GAP = 1  # unknown words a multi-word phrase may skip (a gapped match ranks lower)
NEGATION_WINDOW = 6  # words after a trigger / negated finding before the scope lapses
PAIN_WORDS = ("pain", "ach", "hurt", "sor", "tender", "painful")  # stems
# Stems only generated in the variants of a "<site> pain" phrase: "my back is killing me", "my
# knee is agony" (a KB phrase with them is too particular to stand for any pain at its site).
PAIN_VARIANT_WORDS = (*PAIN_WORDS, "kill", "agon")
PAIN_PREPOSITIONS = (
    "in",
    "on",
    "at",
    "around",
    "behind",
    "under",
    "of",
    "near",
    "inside",
    "across",
    "over",
    "down",
    "through",
    "between",
    "below",
    "above",
)
# Rank of a phrase: lower wins when two findings claim the same words.
RANK_KB, RANK_MISSPELLING, RANK_NAME, RANK_BUILTIN, RANK_VARIANT = 0, 0, 1, 1, 2

_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u2032"
_TOKEN_RE = re.compile(r"w/o|w/|\d+(?:\.\d+)?|[a-z]+|[.;!?,:]")
_RUN_RE = re.compile(r"(.)\1{2,}")


@dataclass(frozen=True)
class Extracted:
    """One finding understood in the text."""

    code: str
    present: bool
    span: tuple[int, int]  # character offsets into the original text
    text: str = ""


class Token(NamedTuple):
    word: str  # cleaned word (after rewrites and corrections), before stemming
    stem: str
    start: int  # character offsets into the original text
    end: int


# --- normalisation -------------------------------------------------------------------------


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
    if len(word) >= 6:
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


def _osa_distance_at_most_one(a: str, b: str) -> bool:
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


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _canonical(word: str) -> str:
    word = _british_to_american(word)
    return lx.TOKEN_EQUIVALENTS.get(word, word)


def _rewrite_phrases(words: list[str]) -> list[tuple[int, int, str]]:
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


def _raw_words(text: str) -> list[str]:
    """Normalised, rewritten words of a phrase (no corrections): used for KB phrases."""
    norm, _ = normalize(text)
    words: list[str] = []
    for match in _TOKEN_RE.finditer(norm):
        words.extend(lx.TOKEN_REWRITES.get(match.group(), match.group()).split())
    return [w for _, _, w in _rewrite_phrases([_canonical(w) for w in words])]


# --- the compiled index ----------------------------------------------------------------------


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    # (rank, order, code) of the phrase ending here; the best one wins
    terminal: tuple[int, int, str] | None = None


class _Candidate(NamedTuple):
    n_words: int
    gaps: int
    rank: int
    order: int
    start: int  # token index
    end: int  # token index, exclusive
    code: str


class TextIndex:
    """Everything the parser needs for one knowledge base, compiled once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.root = _Node()
        self.conflicts: list[str] = []
        self.soft = frozenset(stem(w) for w in _SOFT_WORDS)
        self.skippable = lx.STOPWORDS | lx.INTENSIFIERS | self.soft
        self._phrase_words: Counter[str] = Counter()
        self._misspelled: dict[str, str] = {}
        phrases = self._collect_phrases(kb)
        for words, *_ in phrases:
            self._phrase_words.update(w for w in words if w.isalpha())
        self.vocabulary: frozenset[str] = frozenset(self._phrase_words)
        self.stem_vocabulary: frozenset[str] = frozenset(stem(w) for w in self.vocabulary)
        prose: set[str] = set()
        for condition in kb.conditions.values():
            for text in (condition.name, condition.lay_name, condition.explanation, condition.next_steps):
                prose.update(_raw_words(text))
        for finding in kb.findings.values():
            prose.update(_raw_words(finding.question or ""))
        self.known: frozenset[str] = (
            self.vocabulary
            | lx.COMMON_WORDS
            | lx.STOPWORDS
            | lx.INTENSIFIERS
            | lx.NEGATION_TRIGGERS
            | frozenset(_SOFT_WORDS)
            | frozenset(lx.NUMBER_WORDS)
            | frozenset(lx.TOKEN_REWRITES)
            | frozenset(lx.CLAUSE_STARTS)
            | frozenset(w for w in prose if len(w) > 3)
        )
        self._build_misspellings(kb)
        self._fuzzy_keys: dict[str, list[str]] = {}
        for word in sorted(self.vocabulary):
            if len(word) >= 4:
                for key in _deletes(word) | {word}:
                    self._fuzzy_keys.setdefault(key, []).append(word)
        self._word_cache: dict[str, tuple[str, ...]] = {}
        self._owners: dict[tuple[str, ...], tuple[int, int, str]] = {}
        for words, rank, order, code in phrases:
            self._add_phrase(words, rank, order, code)
        self.duration_codes = {
            bucket: f"duration_{bucket}"
            for bucket in ("minutes", "hours", "days", "weeks", "months")
            if f"duration_{bucket}" in kb.findings
        }
        self.fever_codes = tuple(c for c in ("fever", "fever_high") if c in kb.findings)

    # -- building ------------------------------------------------------------------------

    def _collect_phrases(self, kb: KnowledgeBase) -> list[tuple[list[str], int, int, str]]:
        phrases: list[tuple[list[str], int, int, str]] = []
        order = 0
        for finding in kb.findings.values():
            texts = [(text, RANK_KB) for text in finding.synonyms]
            if finding.kind != "duration":
                # the clinical label and the lay phrase; "Facial flushing / redness" also gives
                # its multi-word parts (a lone "redness" would fire on any red thing)
                for name in (finding.label, finding.lay):
                    name = re.sub(r"\([^)]*\)", " ", name)
                    pieces = re.split(r"\s+/\s+", name)
                    texts.append((" ".join(pieces), RANK_NAME))
                    if len(pieces) > 1:
                        texts.extend((p, RANK_NAME) for p in pieces if len(p.split()) > 1)
            for text, rank in texts:
                words = _raw_words(text)
                while words and words[0] in lx.LEADING_ARTICLES and len(words) > 1:
                    words = words[1:]
                if words:
                    phrases.append((words, rank, order, finding.code))
                    order += 1
            for text in finding.misspellings:
                words = _raw_words(text)
                # a one-word misspelling is also a phrase of its own ("hemroids", "diaria" are too
                # far from any KB word to be corrected), unless it is an English word ("ours")
                if len(words) > 1 or (words and words[0] not in _ENGLISH_WORDS):
                    phrases.append((words, RANK_MISSPELLING, order, finding.code))
                    order += 1
        builtin = [("onset_sudden", lx.SUDDEN_ONSET_PHRASES), ("onset_gradual", lx.GRADUAL_ONSET_PHRASES)]
        for code, texts in builtin:
            if code in kb.findings:
                for text in texts:
                    phrases.append((_raw_words(text), RANK_BUILTIN, order, code))
                    order += 1
        return phrases

    def _build_misspellings(self, kb: KnowledgeBase) -> None:
        """Single-word KB misspellings become word corrections ("hedache" -> "headache").

        A "misspelling" that is itself a real word ("ours" for "hours") is not applied to every
        text; it stays a phrase of its finding only."""
        for finding in kb.findings.values():
            targets = set()
            for text in (*finding.synonyms, finding.label, finding.lay):
                targets.update(w for w in _raw_words(text) if len(w) > 2 and w.isalpha())
            for text in finding.misspellings:
                words = _raw_words(text)
                if len(words) != 1 or not targets:
                    continue
                typo = words[0]
                if typo in self.known or stem(typo) in self.stem_vocabulary:
                    continue
                best = min(sorted(targets), key=lambda t: (_edit_distance(typo, t), -len(t)))
                if _edit_distance(typo, best) <= max(2, len(best) // 3):
                    self._misspelled.setdefault(typo, best)

    def _key(self, words: list[str]) -> tuple[str, ...]:
        stems = [stem(w) for w in words]
        kept = tuple(s for w, s in zip(words, stems, strict=True) if s not in self.soft and w not in lx.STOPWORDS)
        if len(kept) >= 2 or (len(kept) == 1 and len(stems) == 1):
            return kept
        if not kept:
            return tuple(stems)
        # keep the filler words when dropping them would leave one overly generic word
        # ("the runs", "feel sick", "being sick")
        return tuple(stems)

    def _add_phrase(self, words: list[str], rank: int, order: int, code: str) -> None:
        key = self._key(words)
        if not key:
            return
        self._insert(key, rank, order, code)
        for variant in _variants(key):
            self._insert(variant, RANK_VARIANT, order, code)

    def _insert(self, key: tuple[str, ...], rank: int, order: int, code: str) -> None:
        previous = self._owners.get(key)
        if previous is not None:
            if previous[2] != code and previous[0] == rank == RANK_KB:
                self.conflicts.append(f"phrase {' '.join(key)!r} is claimed by {previous[2]!r} and {code!r}")
            if previous[:2] <= (rank, order):
                return
        self._owners[key] = (rank, order, code)
        node = self.root
        for word in key:
            node = node.children.setdefault(word, _Node())
        node.terminal = (rank, order, code)

    # -- word cleaning -------------------------------------------------------------------

    def _is_known(self, word: str) -> bool:
        return word in self.known or stem(word) in self.stem_vocabulary or not word.isalpha()

    def _clean_word(self, word: str) -> tuple[str, ...]:
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        result = self._clean_word_uncached(word)
        if len(self._word_cache) < 50000:
            self._word_cache[word] = result
        return result

    def _clean_word_uncached(self, word: str) -> tuple[str, ...]:
        rewritten = lx.TOKEN_REWRITES.get(word)
        if rewritten is not None:
            return tuple(_canonical(w) for w in rewritten.split())
        word = _canonical(word)
        if self._is_known(word):
            return (word,)
        if _RUN_RE.search(word):
            for candidate in (_RUN_RE.sub(r"\1\1", word), _RUN_RE.sub(r"\1", word)):
                if self._is_known(candidate):
                    return (candidate,)
            word = _RUN_RE.sub(r"\1\1", word)
        if word in self._misspelled:
            return (self._misspelled[word],)
        if len(word) >= 5:
            corrected = self._fuzzy(word)
            if corrected:
                return (corrected,)
        if len(word) >= 7:
            for cut in range(len(word) - 3, 2, -1):
                left, right = _canonical(word[:cut]), _canonical(word[cut:])
                if self._is_vocab(left) and self._is_vocab(right):
                    return (left, right)
        return (word,)

    def _is_vocab(self, word: str) -> bool:
        return word in self.vocabulary or stem(word) in self.stem_vocabulary

    def _fuzzy(self, word: str) -> str | None:
        candidates: set[str] = set()
        for key in _deletes(word) | {word}:
            candidates.update(self._fuzzy_keys.get(key, ()))
        matches = [c for c in candidates if _osa_distance_at_most_one(word, c)]
        if not matches:
            return None
        # deterministic: same first letter, then the KB's most used word, then alphabetical
        return min(matches, key=lambda c: (c[0] != word[0], -self._phrase_words[c], c))

    def tokenize(self, text: str) -> list[Token]:
        norm, origin = normalize(text)
        raw: list[Token] = []
        for match in _TOKEN_RE.finditer(norm):
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            for word in self._clean_word(match.group()):
                raw.append(Token(word, "", start, end))
        return [
            Token(word, stem(word), raw[first].start, raw[last - 1].end)
            for first, last, word in _rewrite_phrases([t.word for t in raw])
        ]

    # -- matching ------------------------------------------------------------------------

    def _candidates(self, tokens: list[Token]) -> list[_Candidate]:
        found: list[_Candidate] = []
        n = len(tokens)
        for start in range(n):
            first = self.root.children.get(tokens[start].stem)
            if first is None:
                continue
            # "no [problems] peeing" is not "no pee": a phrase starting with its own negative
            # ("no wet nappies", "cant breathe") must match without skipping unknown words
            max_gaps = 0 if tokens[start].word in lx.NEGATIVE_PHRASE_STARTS else MAX_GAP
            # depth-first walk: (node, next token index, words matched, gaps used, whether the
            # last token was skipped: a match never ends on a skipped word)
            stack = [(first, start + 1, 1, 0, False)]
            while stack:
                node, pos, matched, gaps, skipped = stack.pop()
                if node.terminal is not None and not skipped:
                    rank, order, code = node.terminal
                    found.append(_Candidate(matched, gaps, rank, order, start, pos, code))
                if pos >= n or not node.children:
                    continue
                token = tokens[pos]
                child = node.children.get(token.stem)
                if child is not None:
                    stack.append((child, pos + 1, matched + 1, gaps, False))
                if token.stem in self.skippable or token.word in self.skippable:
                    stack.append((node, pos + 1, matched, gaps, True))
                elif gaps < max_gaps and token.word not in lx.GAP_BLOCKERS and token.word.isalpha():
                    stack.append((node, pos + 1, matched, gaps + 1, True))
        return found

    def _select(self, candidates: list[_Candidate], words: list[str]) -> list[_Candidate]:
        """Longest matches first. A later match may share words with an earlier one when it
        adds words of its own ("red itchy eyes" is red eyes and itchy eyes), or when it lies
        inside a compound phrase joined by "and"/"with" ("knees ache and creak")."""
        owners: list[list[_Candidate]] = [[] for _ in words]
        chosen: list[_Candidate] = []
        codes: set[str] = set()
        ordered = sorted(candidates, key=lambda c: (-c.n_words, c.gaps, c.rank, c.end - c.start, c.start, c.order))
        for cand in ordered:
            span = range(cand.start, cand.end)
            if any(owners[i] for i in span):
                if cand.code in codes:
                    continue
                if all(owners[i] for i in span):
                    covering = [c for i in span for c in owners[i]]
                    if not all(_COMPOUND_JOINERS.intersection(words[c.start : c.end]) for c in covering):
                        continue
                elif owners[cand.start] and owners[cand.end - 1]:
                    continue  # squeezed between two matches: no word of its own at either end
            for i in span:
                owners[i].append(cand)
            chosen.append(cand)
            codes.add(cand.code)
        chosen.sort(key=lambda c: c.start)
        return chosen

    def extract(self, text: str) -> list[Extracted]:
        """The findings in ``text``, one per code (present wins over absent), in text order."""
        tokens = self.tokenize(text)
        if not tokens:
            return []
        words = [t.word for t in tokens]
        overlay = find_durations(words, self.duration_codes)
        overlay += find_temperatures(words, self.fever_codes)
        if "pregnant" in self.kb.findings:
            overlay += [("pregnant", start, end) for start, end in find_gestations(words)]
        overlay_taken = set()
        for _, start, end in overlay:
            overlay_taken.update(range(start, end))
        matches = [
            c
            for c in self._select(self._candidates(tokens), words)
            if not (self.kb.findings[c.code].kind == "duration" and overlay_taken.intersection(range(c.start, c.end)))
        ]
        negated = _negated(words, matches)
        results: list[tuple[int, Extracted]] = []
        for match, is_negated in zip(matches, negated, strict=True):
            span = (tokens[match.start].start, tokens[match.end - 1].end)
            results.append((match.start, Extracted(match.code, not is_negated, span, text[span[0] : span[1]])))
        for code, start, end in overlay:
            span = (tokens[start].start, tokens[end - 1].end)
            results.append((start, Extracted(code, True, span, text[span[0] : span[1]])))
        results.sort(key=lambda item: (item[0], item[1].code))
        merged: dict[str, Extracted] = {}
        for _, extracted in results:
            previous = merged.get(extracted.code)
            if previous is None or (extracted.present and not previous.present):
                merged[extracted.code] = extracted
        return sorted(merged.values(), key=lambda e: (e.span[0], e.code))


_COMPOUND_JOINERS = frozenset({"and", "with", ","})
_ENGLISH_WORDS = (
    lx.COMMON_WORDS
    | lx.STOPWORDS
    | lx.INTENSIFIERS
    | lx.NEGATION_TRIGGERS
    | lx.CLAUSE_STARTS
    | frozenset(lx.NUMBER_WORDS)
    | frozenset(lx.TOKEN_REWRITES)
)

# Verbs and fillers dropped from multi-word phrases, in the text and in KB phrases alike
# ("chest feels tight" = "chest is tight" = "chest tight"); kept when dropping them would leave
# a single generic word ("feel sick", "being sick").
_SOFT_WORDS = (
    "is",
    "are",
    "was",
    "were",
    "am",
    "be",
    "been",
    "being",
    "feel",
    "feels",
    "felt",
    "feeling",
    "getting",
    "gets",
    "got",
    "keep",
    "keeps",
    "kept",
    "bit",
    "little",
    "lot",
    "lots",
    "of",
)


def _variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Other word orders patients use for the same phrase (ranked below the KB's own)."""
    out: list[tuple[str, ...]] = []
    pain = set(PAIN_WORDS)
    if len(key) == 2 and key[0] != key[1]:
        out.append((key[1], key[0]))
    # "<site> pain" <-> "pain in <site>", "<site> hurts", "sore <site>", ...
    site: tuple[str, ...] | None = None
    if 2 <= len(key) <= 3 and key[-1] in pain and not (set(key[:-1]) & pain):
        site = key[:-1]
    elif 2 <= len(key) <= 3 and key[0] in pain and not (set(key[1:]) & pain):
        site = key[1:]
    elif 3 <= len(key) <= 4 and key[0] in pain and key[1] in PAIN_PREPOSITIONS:
        site = key[2:]
    if site and not set(site) & set(PAIN_PREPOSITIONS):
        for word in PAIN_VARIANT_WORDS:
            out.append((*site, word))
            out.append((word, *site))
            for prep in PAIN_PREPOSITIONS:
                out.append((word, prep, *site))
    return [v for v in out if v != key]


def _negated(words: list[str], matches: list[_Candidate]) -> list[bool]:
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
            if in_scope and negated_any and i > 0 and words[i - 1] == "," and _is_clause(words, matches[index]):
                # "no fever, light hurts my eyes": after a comma, past the first negated item, a
                # phrase with its own verb or subject starts a new statement, not another item
                # ("no fever or head hurts" still negates both).
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


def _is_trigger(words: list[str], i: int) -> bool:
    word = words[i]
    following = words[i + 1 : i + 3]
    if word in lx.NEGATION_TRIGGERS:
        if word == "no" and following[:1] == ["longer"]:
            return True
        return not any(w in lx.PSEUDO_NEGATION_NEXT for w in following)
    return bool(following) and (word, following[0]) in lx.NEGATION_PAIRS


def _is_clause(words: list[str], match: _Candidate) -> bool:
    return any(w in lx.CLAUSE_STARTS or w in lx.CLAUSE_VERBS for w in words[match.start : match.end])


def _post_negated(words: list[str], end: int) -> bool:
    """'temperature is normal', 'headache has gone', 'rash went away'."""
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


# --- public API --------------------------------------------------------------------------------

_INDEXES: dict[int, tuple[KnowledgeBase, TextIndex]] = {}


def get_index(kb: KnowledgeBase) -> TextIndex:
    """The compiled index for ``kb`` (built once per KB object and cached)."""
    cached = _INDEXES.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    index = TextIndex(kb)
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[id(kb)] = (kb, index)
    return index


def extract_findings(text: str, kb: KnowledgeBase) -> list[Extracted]:
    """The findings understood in ``text``: code, present (False when negated), span."""
    return get_index(kb).extract(text)
